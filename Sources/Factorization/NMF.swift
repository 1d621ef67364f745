import Foundation
import LinearAlgebra

/// Non-negative matrix factorisation X ≈ W·H, sparse-aware throughout: W·H is never formed. Each
/// iteration needs X·Hᵀ and Xᵀ·W (sparse×dense products: a gather and a scatter over X's rows) and the
/// k×k Gram matrices HHᵀ and WᵀW (`cblas_ssyrk`); the error is
/// ‖X‖² − 2⟨Xᵀ·W, Hᵀ⟩ + ⟨WᵀW, HHᵀ⟩. With HALS, X·Hᵀ, the W update, Xᵀ·W and WᵀW run as one fused
/// pass over blocks of rows (`FusedRowPass`).
///
/// Written over a `Communicator`: W's rows are local; Xᵀ·W and WᵀW are summed over ranks, after which
/// the H update is identical everywhere. Every sum over rows is taken per block of rows and added
/// exactly (`RowBlocks`, `ExactSum`), so the factorisation is the same bits on any number of ranks.
public enum NMF {
    /// - Parameter initial: start from this W (local rows, n×k) and H (k×d) instead of `settings.initialization`.
    public static func fit(_ x: CSRMatrix, settings: NMFSettings,
                           communicator: Communicator = SingleProcessCommunicator(),
                           initial: (w: DenseMatrix, h: DenseMatrix)? = nil,
                           progress: ((NMFIteration) -> Void)? = nil) throws -> NMFResult {
        let placement = communicator.placement(localRows: x.rowCount)
        let totalRows = placement.totalRows
        let blockRows = RowBlocks.rows
        try settings.validate(rowCount: totalRows, columnCount: x.columnCount)
        if communicator.size > 1 && settings.solver != .hals {
            throw FactorizationError.invalidSettings("on several processes NMF uses the HALS solver; drop --solver mu")
        }
        var summary = valueSummary(x, blockRows: blockRows)
        communicator.allreduce(&summary)
        guard summary.words[2] == 0 else {
            throw FactorizationError.nonFiniteInput("NMF needs finite, non-negative values; the matrix has negative, NaN or infinite entries")
        }
        let clock = ContinuousClock()
        let started = clock.now
        let k = settings.k
        // Internally W is n×kp and Hᵀ d×kp, padded with zero components to a multiple of 16 for the SIMD kernels.
        let kp = (k + 15) / 16 * 16
        if let initial {
            guard initial.w.rowCount == x.rowCount, initial.w.columnCount == k, initial.h.rowCount == k, initial.h.columnCount == x.columnCount else {
                throw FactorizationError.shapeMismatch("initial W must be \(x.rowCount)×\(k) and H \(k)×\(x.columnCount)")
            }
        }
        let (w0, ht0) = try initial.map { ($0.w, $0.h.transposed()) }
            ?? NMFInitializer.start(x, settings: settings, width: kp, totalSum: summary.double(at: 0), communicator: communicator)
        var w = pad(w0, to: kp), ht = pad(ht0, to: kp)
        let initSeconds = (clock.now - started).inSeconds

        let squaredNormX = summary.double(at: 1)
        var a = DenseMatrix(rowCount: 0, columnCount: kp)              // X·Hᵀ (MU only; HALS fuses it)
        var bt = DenseMatrix(rowCount: x.columnCount, columnCount: kp)  // Xᵀ·W
        func globalProducts() -> DenseMatrix {
            bt = x.transposeMultiplyExact(w, blockRows: blockRows, communicator: communicator)
            return w.gramExact(blockRows: blockRows, communicator: communicator)
        }
        /// A kp×kp matrix from its exact sum.
        func matrix(_ sum: ExactSum) -> DenseMatrix {
            var m = DenseMatrix(rowCount: kp, columnCount: kp)
            m.values.withUnsafeMutableBufferPointer { sum.write(to: $0) }
            return m
        }
        var hhT = BLAS.gram(ht)   // H·Hᵀ of the current H, kept from one iteration to the next
        /// ‖X − WH‖ from ‖X‖² − 2⟨W, X·Hᵀ⟩ + ⟨WᵀW, HHᵀ⟩ (note ⟨W, X·Hᵀ⟩ = ⟨Xᵀ·W, Hᵀ⟩).
        func error(cross: Double, wtw: DenseMatrix) -> Double {
            var quadratic = 0.0
            for t in wtw.values.indices { quadratic += Double(wtw.values[t]) * Double(hhT.values[t]) }
            return max(0, squaredNormX - 2 * cross + quadratic).squareRoot()
        }
        /// The error of the current W and H, with `bt` = Xᵀ·W and `f` = WᵀW.
        func error(f: DenseMatrix) -> Double {
            var cross = 0.0
            for t in bt.values.indices { cross += Double(bt.values[t]) * Double(ht.values[t]) }
            return error(cross: cross, wtw: f)
        }

        // The starting error. HALS measures it inside its first fused pass (from X·Hᵀ and WᵀW of the
        // starting W, which that pass computes anyway); MU computes it here.
        var f = DenseMatrix(rowCount: kp, columnCount: kp)
        var initialError = 0.0
        var history: [NMFIteration] = []
        func recordInitialError(_ value: Double) {
            initialError = value
            history = [NMFIteration(iteration: 0, error: value, seconds: initSeconds)]
            progress?(history[0])
        }
        if settings.solver == .mu {
            f = globalProducts()
            recordInitialError(error(f: f))
        }
        var converged = false
        var iterations = 0
        var finalError = initialError
        var lastCheck = clock.now
        // The stopping rule (see `NMFSettings.tolerance`): the projected-gradient violation of an
        // iteration against that of the first iteration, measured on balanced components.
        var firstViolation: Double?
        var reseeded: [Int] = [], reseedRounds = 0
        var startNormSums = columnSquaredNorms(w, k: k, blockRows: blockRows)
        communicator.allreduce(&startNormSums)
        let startNorms = startNormSums.doubles
        balance(w: &w, ht: &ht, hhT: &hhT, wSquaredNorms: startNorms, hSquaredNorms: columnSquaredNorms(ht, k: k, blockRows: blockRows).doubles, k: k)
        for iteration in 1...settings.maxIterations {
            iterations = iteration
            // W given H, then the products of the new W that the H update needs. W's rows are split
            // over ranks, so its violation is summed; H's update is the same on every rank.
            var violation = 0.0
            let g = hhT
            switch settings.solver {
            case .hals:
                // One fused pass: X·Hᵀ, the HALS update, Xᵀ·W and WᵀW block by block.
                var pass = FusedRowPass.run(x, w: &w, ht: ht, hhT: g, l1: settings.l1W, l2: settings.l2W, components: k,
                                            blockRows: blockRows, measureStart: iteration == 1)
                communicator.allreduce(&pass.xtw)
                communicator.allreduce(&pass.gram)
                communicator.allreduce(&pass.violation)
                bt.values.withUnsafeMutableBufferPointer { pass.xtw.write(to: $0) }
                f = matrix(pass.gram)
                violation += pass.violation.double(at: 0)
                if var start = pass.start {   // the W and H the iteration began with (hhT is still H·Hᵀ)
                    communicator.allreduce(&start.gram)
                    communicator.allreduce(&start.cross)
                    recordInitialError(error(cross: start.cross.double(at: 0), wtw: matrix(start.gram)))
                }
            case .mu:
                if a.rowCount != x.rowCount { a = DenseMatrix(rowCount: x.rowCount, columnCount: kp) }
                x.multiplyPadded(ht, into: &a)
                violation += communicator.sum(RowUpdate.multiplicative(&w, target: a, gram: g, l1: settings.l1W, l2: settings.l2W).violation)
                f = globalProducts()
            }
            // H given W (as Hᵀ, the same row problem).
            switch settings.solver {
            case .hals: violation += RowUpdate.hals(&ht, target: bt, gram: f, l1: settings.l1H, l2: settings.l2H, components: k).violation
            case .mu: violation += RowUpdate.multiplicative(&ht, target: bt, gram: f, l1: settings.l1H, l2: settings.l2H).violation
            }
            hhT = BLAS.gram(ht)
            let reference = firstViolation ?? violation
            firstViolation = reference
            // The last iteration is always checked, so `finalError` is the error of the result.
            if iteration % settings.checkInterval == 0 || iteration == settings.maxIterations {
                let current = error(f: f)
                finalError = current
                var stats = NMFIteration(iteration: iteration, error: current, seconds: (clock.now - lastCheck).inSeconds,
                                         violation: reference > 0 ? violation / reference : 0)
                lastCheck = clock.now
                if reference == 0 || violation <= settings.tolerance * reference {
                    // Converged. A component that no row has as its primary segment is re-seeded from
                    // the rows the factorisation explains worst, and the iterations go on.
                    let empty = emptyComponents(w: w, hhT: hhT, k: k, communicator: communicator)
                    if empty.isEmpty || reseedRounds == maxReseedRounds || iteration == settings.maxIterations {
                        converged = true
                    } else {
                        reseed(empty, x: x, w: &w, ht: &ht, hhT: hhT, rowSquaredNorms: x.rowSquaredNorms(), communicator: communicator)
                        hhT = BLAS.gram(ht)
                        reseeded += empty
                        reseedRounds += 1
                        stats.reseeded = empty
                    }
                }
                history.append(stats)
                progress?(stats)
                if converged { break }
                if stats.reseeded != nil { continue }   // f no longer describes W
            }
            // Keep every component's W column and H row of equal length (W·H is unchanged): see `balance`.
            balance(w: &w, ht: &ht, hhT: &hhT, wSquaredNorms: (0..<kp).map { Double(f[$0, $0]) },
                    hSquaredNorms: (0..<kp).map { Double(hhT[$0, $0]) }, k: k)
        }
        let empty = emptyComponents(w: w, hhT: hhT, k: k, communicator: communicator)
        var wOut = unpad(w, to: k), htOut = unpad(ht, to: k)
        normalizeComponents(w: &wOut, ht: &htOut)
        return NMFResult(w: wOut, h: htOut.transposed(), reconstructionError: finalError, iterations: iterations,
                         converged: converged, history: history, initSeconds: initSeconds,
                         fitSeconds: (clock.now - started).inSeconds, reseededComponents: reseeded, emptyComponents: empty)
    }

    /// Rescales each component t so that W's column and H's row have the same length: W[:, t] / c,
    /// H[t, :] · c with c = √(‖W[:, t]‖ / ‖H[t, :]‖), which leaves W·H, the error and the HALS
    /// trajectory unchanged (HALS is invariant to this scaling) and scales `hhT` to match. Without it
    /// the projected gradient, which the stopping rule measures, depends on an arbitrary split of
    /// scale between W and H: a fading component (W's column shrinking towards 1e-7 while H's row
    /// keeps its size) gets gradients with respect to H of order 1/‖W[:, t]‖² and the violation
    /// never falls, though nothing is left to gain. The squared norms are given for the padded width;
    /// a component with a zero on either side is left alone. Rows of W in parallel, fixed chunks.
    static func balance(w: inout DenseMatrix, ht: inout DenseMatrix, hhT: inout DenseMatrix,
                        wSquaredNorms: [Double], hSquaredNorms: [Double], k: Int) {
        let kp = w.columnCount
        var factors = [Float](repeating: 1, count: kp)
        for t in 0..<k where wSquaredNorms[t] > 0 && hSquaredNorms[t] > 0 {
            factors[t] = Float((wSquaredNorms[t] / hSquaredNorms[t]).squareRoot().squareRoot())
        }
        guard factors.contains(where: { $0 != 1 }) else { return }
        let inverse = factors.map { 1 / $0 }
        w.values.withUnsafeMutableBufferPointer { values in
            inverse.withUnsafeBufferPointer { inverse in
                guard let values = values.baseAddress, let inverse = inverse.baseAddress else { return }
                Parallel.forEachChunk(count: w.rowCount, chunkSize: 8192) { _, rows in
                    for i in rows { for t in 0..<k { values[i * kp + t] *= inverse[t] } }
                }
            }
        }
        for j in 0..<ht.rowCount { for t in 0..<k { ht.values[j * kp + t] *= factors[t] } }
        for s in 0..<k { for t in 0..<k { hhT.values[s * kp + t] *= factors[s] * factors[t] } }
    }

    /// Σ over rows of m[i, t]² for the first `k` columns (kp entries, zeros after): a Double
    /// partial per row block (blocks in parallel), added exactly.
    static func columnSquaredNorms(_ m: DenseMatrix, k: Int, blockRows: Int) -> ExactSum {
        let kp = m.columnCount
        let ranges = RowBlocks.ranges(count: m.rowCount, blockRows: blockRows)
        var parts = [Double](repeating: 0, count: ranges.count * kp)
        m.values.withUnsafeBufferPointer { values in
            parts.withUnsafeMutableBufferPointer { out in
                guard let values = values.baseAddress, let out = out.baseAddress else { return }
                Parallel.forEach(ranges.count) { index in
                    for i in ranges[index] { for t in 0..<k { out[index * kp + t] += Double(values[i * kp + t]) * Double(values[i * kp + t]) } }
                }
            }
        }
        var norms = ExactSum(count: kp)
        for index in ranges.indices { norms.add(Array(parts[(index * kp)..<((index + 1) * kp)])) }
        return norms
    }

    /// This rank's sum of X's values, sum of squares, and count of negative or non-finite values
    /// (exact sums of per-block Double partials; blocks in parallel).
    static func valueSummary(_ x: CSRMatrix, blockRows: Int) -> ExactSum {
        let ranges = RowBlocks.ranges(count: x.rowCount, blockRows: blockRows)
        var parts = [(invalid: Int, sum: Double, squares: Double)](repeating: (0, 0, 0), count: ranges.count)
        x.values.withUnsafeBufferPointer { values in
            parts.withUnsafeMutableBufferPointer { out in
                guard let out = out.baseAddress else { return }
                Parallel.forEach(ranges.count) { index in
                    var invalid = 0, sum = 0.0, squares = 0.0
                    for p in x.rowStart[ranges[index].lowerBound]..<x.rowStart[ranges[index].upperBound] {
                        let v = values[p]
                        if !(v.isFinite && v >= 0) { invalid += 1; continue }
                        sum += Double(v)
                        squares += Double(v) * Double(v)
                    }
                    out[index] = (invalid, sum, squares)
                }
            }
        }
        var summary = ExactSum(count: 3)
        for part in parts {
            summary.add(part.sum, at: 0)
            summary.add(part.squares, at: 1)
            summary.words[2] &+= Int128(part.invalid)
        }
        return summary
    }

    /// The matrix with zero columns appended up to `width`.
    static func pad(_ m: DenseMatrix, to width: Int) -> DenseMatrix {
        if m.columnCount == width { return m }
        return copyColumns(m, count: m.columnCount, width: width)
    }

    /// The first `width` columns.
    static func unpad(_ m: DenseMatrix, to width: Int) -> DenseMatrix {
        if m.columnCount == width { return m }
        return copyColumns(m, count: width, width: width)
    }

    /// The first `count` columns of `m` in a matrix `width` wide (zeros after), rows in parallel.
    private static func copyColumns(_ m: DenseMatrix, count: Int, width: Int) -> DenseMatrix {
        var out = DenseMatrix(rowCount: m.rowCount, columnCount: width)
        let from = m.columnCount
        m.values.withUnsafeBufferPointer { source in
            out.values.withUnsafeMutableBufferPointer { target in
                guard let source = source.baseAddress, let target = target.baseAddress else { return }
                Parallel.forEachChunk(count: m.rowCount, chunkSize: 8192) { _, rows in
                    for i in rows { (target + i * width).update(from: source + i * from, count: count) }
                }
            }
        }
        return out
    }

    /// Scales each component so that its H row has unit length (W's column takes the factor).
    static func normalizeComponents(w: inout DenseMatrix, ht: inout DenseMatrix) {
        let k = w.columnCount
        var norms = [Float](repeating: 0, count: k)
        for j in 0..<ht.rowCount { for t in 0..<k { norms[t] += ht[j, t] * ht[j, t] } }
        for t in 0..<k { norms[t] = norms[t].squareRoot() }
        for j in 0..<ht.rowCount { for t in 0..<k where norms[t] > 0 { ht[j, t] /= norms[t] } }
        let factors = norms.map { $0 > 0 ? $0 : 1 }
        w.values.withUnsafeMutableBufferPointer { values in
            factors.withUnsafeBufferPointer { factors in
                guard let values = values.baseAddress, let factors = factors.baseAddress else { return }
                Parallel.forEachChunk(count: w.rowCount, chunkSize: 8192) { _, rows in
                    for i in rows { for t in 0..<k { values[i * k + t] *= factors[t] } }
                }
            }
        }
    }

    /// W for new rows with H fixed: HALS on W alone (non-negative least squares), from a uniform start,
    /// until the squared change per row falls below `tolerance` or after `maxIterations`.
    public static func transform(_ x: CSRMatrix, h: DenseMatrix, maxIterations: Int = 500, tolerance: Double = 1e-10) throws -> DenseMatrix {
        guard x.columnCount == h.columnCount else {
            throw FactorizationError.shapeMismatch("the rows have \(x.columnCount) columns, the model's components \(h.columnCount)")
        }
        let k = h.rowCount, kp = (k + 15) / 16 * 16
        let ht = pad(h.transposed(), to: kp)
        var a = DenseMatrix(rowCount: x.rowCount, columnCount: kp)
        x.multiplyPadded(ht, into: &a)
        let g = BLAS.gram(ht)
        var w = DenseMatrix(rowCount: x.rowCount, columnCount: kp, repeating: 0)
        for _ in 0..<maxIterations {
            let change = RowUpdate.hals(&w, target: a, gram: g, l1: 0, l2: 0, components: k).change
            if change <= tolerance * Double(max(1, x.rowCount)) { break }
        }
        return unpad(w, to: k)
    }
}
