import LinearAlgebra

/// The row-wise update kernels shared by W (n×kp) and Hᵀ (d×kp): both halves of an NMF iteration solve
/// the same kind of row subproblem, so one kernel serves both. Rows are padded to kp (a multiple of 16)
/// with zeros; padding components have a zero Gram diagonal and stay zero. Rows are independent and
/// cut into fixed chunks: the result does not depend on the thread count.
enum RowUpdate {
    static let chunkRows = 1024

    /// What one pass of a row update measured.
    struct Step {
        /// Σ of squared changes.
        var change: Double = 0
        /// Σ of |projected gradient| over every coordinate, each taken just before its own update
        /// (scikit-learn's "violation"): |∂f/∂m[t]| where m[t] > 0, and max(0, −∂f/∂m[t]) where
        /// m[t] = 0 (a coordinate held at zero by the constraint is not a violation if the
        /// gradient pushes it below zero). Zero exactly at a stationary point (the KKT conditions).
        var violation: Double = 0

        static func + (a: Step, b: Step) -> Step { Step(change: a.change + b.change, violation: a.violation + b.violation) }
    }

    /// Rows updated together, one per SIMD lane.
    static let lanes = 16

    /// HALS / coordinate descent: for each row and each component t in order,
    /// `m[t] ← max(0, m[t] + (target[t] − l1 − (m·G)[t]) / G[t, t])`, with `l2` added to G's diagonal
    /// (scikit-learn's "cd" update). Only the first `components` columns are real; the rest is
    /// padding. Returns Σ of squared changes and the projected-gradient violation (`Step`).
    ///
    /// Rows are independent, so 16 of them are updated at once, one per SIMD lane: the block is
    /// transposed (component-major, 16 lanes each), `m·G` is computed for the block, and each
    /// coordinate step is a handful of vector operations plus one vector axpy per component to keep
    /// `m·G` current. Everything for a block stays in L1, with no per-row scalar dependency chain.
    @discardableResult
    static func hals(_ m: inout DenseMatrix, target: DenseMatrix, gram: DenseMatrix, l1: Float, l2: Float, components: Int? = nil) -> Step {
        let rows = m.rowCount, kp = m.columnCount
        let k = components ?? kp
        precondition(kp % 16 == 0 && gram.rowCount == kp && target.columnCount == kp && k <= kp)
        let (g, inverseHessian) = regularized(gram, l2: l2)
        let chunks = Parallel.chunkCount(max(rows, 1), chunkSize: chunkRows)
        var changes = [Step](repeating: Step(), count: chunks)
        m.values.withUnsafeMutableBufferPointer { mv in
            target.values.withUnsafeBufferPointer { tv in
                g.values.withUnsafeBufferPointer { gv in
                    inverseHessian.withUnsafeBufferPointer { ih in
                    changes.withUnsafeMutableBufferPointer { cv in
                        let mBase = mv.baseAddress!, tBase = tv.baseAddress!, cBase = cv.baseAddress!
                        let gBase = gv.baseAddress!, invH = ih.baseAddress!
                        Parallel.forEachChunk(count: rows, chunkSize: chunkRows) { chunk, range in
                            let scratch = UnsafeMutablePointer<SIMD16<Float>>.allocate(capacity: scratchVectors(k))
                            defer { scratch.deallocate() }
                            cBase[chunk] = halsRows(mBase + range.lowerBound * kp, targets: tBase + range.lowerBound * kp,
                                                    count: range.count, kp: kp, k: k, gram: gBase, inverseHessian: invH,
                                                    l1: l1, scratch: scratch)
                        }
                    }
                    }
                }
            }
        }
        return changes.reduce(Step(), +)
    }

    /// The gram with `l2` added to its diagonal, and 1 / diagonal (0 for padding components).
    static func regularized(_ gram: DenseMatrix, l2: Float) -> (gram: DenseMatrix, inverseHessian: [Float]) {
        var g = gram
        for t in 0..<g.rowCount where g[t, t] > 0 { g[t, t] += l2 }
        return (g, (0..<g.rowCount).map { g[$0, $0] > 0 ? 1 / g[$0, $0] : 0 })
    }

    /// SIMD16 vectors of scratch `halsRows` needs for k components.
    static func scratchVectors(_ k: Int) -> Int { 3 * k }

    /// The HALS update of `count` consecutive rows at `rows` (stride kp) against `targets` (same
    /// layout), 16 rows at a time, one per lane (see `hals`). `gram` has l2 on its diagonal and
    /// `inverseHessian` is 1 / that diagonal. Returns Σ of squared changes and the violation.
    @inline(__always)
    static func halsRows(_ rows: UnsafeMutablePointer<Float>, targets: UnsafePointer<Float>, count rowCount: Int, kp: Int, k: Int,
                         gram gBase: UnsafePointer<Float>, inverseHessian invH: UnsafePointer<Float>, l1: Float,
                         scratch: UnsafeMutablePointer<SIMD16<Float>>) -> Step {
        let l1Vector = SIMD16<Float>(repeating: l1)
        // Per block of 16 rows: m, target and m·G, each k vectors of 16 lanes.
        let mT = scratch, tT = scratch + k, pT = scratch + 2 * k
        let mS = UnsafeMutableRawPointer(mT).assumingMemoryBound(to: Float.self)
        let tS = UnsafeMutableRawPointer(tT).assumingMemoryBound(to: Float.self)
        var change = SIMD16<Float>(), violation = SIMD16<Float>()
        var first = 0
        while first < rowCount {
            let count = min(lanes, rowCount - first)
            if count < lanes { mT.update(repeating: SIMD16(), count: 2 * k) }
            for r in 0..<count {   // transpose in
                let row = rows + (first + r) * kp, goal = targets + (first + r) * kp
                for c in 0..<k {
                    mS[c * lanes + r] = row[c]
                    tS[c * lanes + r] = goal[c]
                }
            }
            // m·G for the block (G is symmetric: column u = row u).
            for u in 0..<k {
                let gRow = gBase + u * kp
                var acc = SIMD16<Float>()
                for s in 0..<k { madd(&acc, mT[s], SIMD16(repeating: gRow[s])) }
                pT[u] = acc
            }
            for t in 0..<k where invH[t] > 0 {
                let current = mT[t]
                let descent = tT[t] - l1Vector - pT[t]   // −∂f/∂m[t]
                let updated = pointwiseMax(current + descent * invH[t], SIMD16())
                var projected = pointwiseMax(descent, -descent)
                projected.replace(with: pointwiseMax(descent, SIMD16()), where: current .<= 0)
                violation += projected
                let delta = updated - current
                mT[t] = updated
                madd(&change, delta, delta)
                let gRow = gBase + t * kp
                for u in 0..<k { madd(&pT[u], delta, SIMD16(repeating: gRow[u])) }
            }
            for r in 0..<count {   // transpose out
                let row = rows + (first + r) * kp
                for c in 0..<k { row[c] = mS[c * lanes + r] }
            }
            first += count
        }
        var step = Step()
        for lane in 0..<lanes {
            step.change += Double(change[lane])
            step.violation += Double(violation[lane])
        }
        return step
    }

    /// Multiplicative update: `m ← m ∘ (target − l1)₊ / (m·G + l2·m + ε)`. Returns the
    /// projected-gradient violation of the rows before the update (`Step.violation`; no change sum).
    @discardableResult
    static func multiplicative(_ m: inout DenseMatrix, target: DenseMatrix, gram: DenseMatrix, l1: Float, l2: Float) -> Step {
        let rows = m.rowCount, kp = m.columnCount, blocks = kp / 16
        precondition(kp % 16 == 0 && gram.rowCount == kp && target.columnCount == kp)
        let epsilon = Float.ulpOfOne
        var violations = [Double](repeating: 0, count: Parallel.chunkCount(max(rows, 1), chunkSize: chunkRows))
        m.values.withUnsafeMutableBufferPointer { mv in
            target.values.withUnsafeBufferPointer { tv in
                gram.values.withUnsafeBufferPointer { gv in
                  violations.withUnsafeMutableBufferPointer { vv in
                    let mBase = mv.baseAddress!, tBase = tv.baseAddress!, vBase = vv.baseAddress!
                    let gRows = UnsafeRawPointer(gv.baseAddress!).assumingMemoryBound(to: SIMD16<Float>.self)
                    Parallel.forEachChunk(count: rows, chunkSize: chunkRows) { chunk, range in
                        withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: blocks) { scratch in
                            let p = scratch.baseAddress!
                            let pScalar = UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
                            var violation = 0.0
                            for i in range {
                                let row = mBase + i * kp, goal = tBase + i * kp
                                for b in 0..<blocks { p[b] = SIMD16() }
                                for s in 0..<kp where row[s] != 0 {
                                    let v = SIMD16(repeating: row[s])
                                    let gRow = gRows + s * blocks
                                    for b in 0..<blocks { madd(&p[b], v, gRow[b]) }
                                }
                                var rowViolation: Float = 0
                                for t in 0..<kp {
                                    let gradient = pScalar[t] + l2 * row[t] - goal[t] + l1
                                    rowViolation += row[t] > 0 ? abs(gradient) : max(0, -gradient)
                                    let numerator = max(0, goal[t] - l1)
                                    row[t] *= numerator / (pScalar[t] + l2 * row[t] + epsilon)
                                }
                                violation += Double(rowViolation)
                            }
                            vBase[chunk] = violation
                        }
                    }
                  }
                }
            }
        }
        return Step(change: 0, violation: violations.reduce(0, +))
    }
}
