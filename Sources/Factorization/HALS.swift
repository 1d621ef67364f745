import LinearAlgebra

/// The row-wise update kernels shared by W (n×kp) and Hᵀ (d×kp): both halves of an NMF iteration solve
/// the same kind of row subproblem, so one kernel serves both. Rows are padded to kp (a multiple of 16)
/// with zeros; padding components have a zero Gram diagonal and stay zero. Rows are independent and
/// cut into fixed chunks: the result does not depend on the thread count.
enum RowUpdate {
    static let chunkRows = 1024

    /// Rows updated together: their coordinate chains are independent, so the CPU overlaps them
    /// (one row alone is latency-bound: each component waits for the previous one's update of m·G).
    static let rowGroup = 4

    /// HALS / coordinate descent: for each row and each component t in order,
    /// `m[t] ← max(0, m[t] + (target[t] − l1 − (m·G)[t]) / G[t, t])`, with `l2` added to G's diagonal
    /// (scikit-learn's "cd" update). `m·G` is kept up to date with one SIMD axpy per changed component
    /// instead of a dot product per component. Only the first `components` columns are real; the rest
    /// is padding. Returns Σ of squared changes.
    @discardableResult
    static func hals(_ m: inout DenseMatrix, target: DenseMatrix, gram: DenseMatrix, l1: Float, l2: Float, components: Int? = nil) -> Double {
        let rows = m.rowCount, kp = m.columnCount, blocks = kp / 16
        let k = components ?? kp
        precondition(kp % 16 == 0 && gram.rowCount == kp && target.columnCount == kp && k <= kp)
        var g = gram
        for t in 0..<kp where g[t, t] > 0 { g[t, t] += l2 }
        let inverseHessian = (0..<kp).map { g[$0, $0] > 0 ? 1 / g[$0, $0] : 0 }
        let chunks = Parallel.chunkCount(max(rows, 1), chunkSize: chunkRows)
        var changes = [Double](repeating: 0, count: chunks)
        let group = rowGroup
        m.values.withUnsafeMutableBufferPointer { mv in
            target.values.withUnsafeBufferPointer { tv in
                g.values.withUnsafeBufferPointer { gv in
                    inverseHessian.withUnsafeBufferPointer { ih in
                    changes.withUnsafeMutableBufferPointer { cv in
                        let mBase = mv.baseAddress!, tBase = tv.baseAddress!, cBase = cv.baseAddress!, invH = ih.baseAddress!
                        let gRows = UnsafeRawPointer(gv.baseAddress!).assumingMemoryBound(to: SIMD16<Float>.self)
                        Parallel.forEachChunk(count: rows, chunkSize: chunkRows) { chunk, range in
                            withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: blocks * group) { scratch in
                                let p = scratch.baseAddress!
                                let pScalar = UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
                                var change = 0.0
                                var first = range.lowerBound
                                while first < range.upperBound {
                                    let members = min(group, range.upperBound - first)
                                    // p[r] = row r · G
                                    for r in 0..<members {
                                        let row = mBase + (first + r) * kp, pr = p + r * blocks
                                        for b in 0..<blocks { pr[b] = SIMD16() }
                                        for s in 0..<k where row[s] != 0 {
                                            let v = SIMD16(repeating: row[s])
                                            let gRow = gRows + s * blocks
                                            for b in 0..<blocks { madd(&pr[b], v, gRow[b]) }
                                        }
                                    }
                                    for t in 0..<k where invH[t] > 0 {
                                        let gRow = gRows + t * blocks   // G is symmetric: row t = column t
                                        for r in 0..<members {
                                            let row = mBase + (first + r) * kp
                                            let current = row[t]
                                            let updated = max(0, current + (tBase[(first + r) * kp + t] - l1 - pScalar[r * kp + t]) * invH[t])
                                            let delta = updated - current
                                            if delta == 0 { continue }
                                            row[t] = updated
                                            change += Double(delta * delta)
                                            let v = SIMD16(repeating: delta)
                                            let pr = p + r * blocks
                                            for b in 0..<blocks { madd(&pr[b], v, gRow[b]) }
                                        }
                                    }
                                    first += members
                                }
                                cBase[chunk] = change
                            }
                        }
                    }
                    }
                }
            }
        }
        return changes.reduce(0, +)
    }

    /// Multiplicative update: `m ← m ∘ (target − l1)₊ / (m·G + l2·m + ε)`.
    static func multiplicative(_ m: inout DenseMatrix, target: DenseMatrix, gram: DenseMatrix, l1: Float, l2: Float) {
        let rows = m.rowCount, kp = m.columnCount, blocks = kp / 16
        precondition(kp % 16 == 0 && gram.rowCount == kp && target.columnCount == kp)
        let epsilon = Float.ulpOfOne
        m.values.withUnsafeMutableBufferPointer { mv in
            target.values.withUnsafeBufferPointer { tv in
                gram.values.withUnsafeBufferPointer { gv in
                    let mBase = mv.baseAddress!, tBase = tv.baseAddress!
                    let gRows = UnsafeRawPointer(gv.baseAddress!).assumingMemoryBound(to: SIMD16<Float>.self)
                    Parallel.forEachChunk(count: rows, chunkSize: chunkRows) { _, range in
                        withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: blocks) { scratch in
                            let p = scratch.baseAddress!
                            let pScalar = UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
                            for i in range {
                                let row = mBase + i * kp, goal = tBase + i * kp
                                for b in 0..<blocks { p[b] = SIMD16() }
                                for s in 0..<kp where row[s] != 0 {
                                    let v = SIMD16(repeating: row[s])
                                    let gRow = gRows + s * blocks
                                    for b in 0..<blocks { madd(&p[b], v, gRow[b]) }
                                }
                                for t in 0..<kp {
                                    let numerator = max(0, goal[t] - l1)
                                    row[t] *= numerator / (pScalar[t] + l2 * row[t] + epsilon)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
