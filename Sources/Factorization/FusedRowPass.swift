import LinearAlgebra

/// One HALS half-iteration over W fused with the products the other half needs: for each block of
/// rows, X·Hᵀ for those rows (the targets), their HALS update, their contribution to Xᵀ·W and to
/// WᵀW — while the rows are in cache. Separately these are three passes over X and W and a stored
/// n×kp target matrix; fused, X and W are read once per iteration and the targets never leave L2.
///
/// Rows are cut into the fixed parts of `CSRMatrix.scatterInParts` (as `transposeMultiplyPadded`);
/// each part runs in order on one thread into its own partial Xᵀ·W and WᵀW, added in part order
/// afterwards, so the result does not depend on the thread count.
enum FusedRowPass {
    static let blockRows = 256

    /// What the rows were before the update, when asked for (`measureStart`): ⟨W, X·Hᵀ⟩ and WᵀW of
    /// the starting W — with HHᵀ, the starting error, at the cost of one small Gram per block.
    struct Start {
        var cross: Double
        var gram: DenseMatrix
    }

    /// Updates `w` (n×kp) by HALS against X·Hᵀ with `hhT` = H·Hᵀ, writes Xᵀ·W (new W) into `xtw`
    /// (d×kp) and returns WᵀW (kp×kp, new W), the update's projected-gradient violation
    /// (`RowUpdate.Step.violation`, summed over parts in part order) and the starting W's terms if
    /// `measureStart`.
    static func run(_ x: CSRMatrix, w: inout DenseMatrix, ht: DenseMatrix, hhT: DenseMatrix, l1: Float, l2: Float, components k: Int,
                    xtw: inout DenseMatrix, measureStart: Bool = false) -> (gram: DenseMatrix, violation: Double, start: Start?) {
        let d = x.columnCount, kp = w.columnCount, blocks = kp / 16
        precondition(kp % 16 == 0 && ht.rowCount == d && ht.columnCount == kp && xtw.rowCount == d && xtw.columnCount == kp)
        let (g, inverseHessian) = RowUpdate.regularized(hhT, l2: l2)
        let parts = x.scatterPartCount
        // Per part: WᵀW of the new rows, then (if measuring) WᵀW of the starting rows.
        let gramSets = measureStart ? 2 : 1
        let grams = UnsafeMutablePointer<Float>.allocate(capacity: gramSets * parts * kp * kp)
        defer { grams.deallocate() }
        grams.update(repeating: 0, count: gramSets * parts * kp * kp)
        var crossParts = [Double](repeating: 0, count: parts)
        var violationParts = [Double](repeating: 0, count: parts)
        x.rowStart.withUnsafeBufferPointer { starts in
        x.columns.withUnsafeBufferPointer { cols in
        x.values.withUnsafeBufferPointer { vals in
        ht.values.withUnsafeBufferPointer { hv in
        w.values.withUnsafeMutableBufferPointer { wv in
        xtw.values.withUnsafeMutableBufferPointer { ov in
        g.values.withUnsafeBufferPointer { gv in
        inverseHessian.withUnsafeBufferPointer { ih in
        crossParts.withUnsafeMutableBufferPointer { crossOut in
        violationParts.withUnsafeMutableBufferPointer { violationOut in
            let crossOut = crossOut.baseAddress!, violationOut = violationOut.baseAddress!
            let starts = starts.baseAddress!, wBase = wv.baseAddress!
            let colsBase = cols.baseAddress ?? UnsafePointer(bitPattern: 16)!
            let valsBase = vals.baseAddress ?? UnsafePointer(bitPattern: 16)!
            let table = UnsafeRawPointer(hv.baseAddress!).assumingMemoryBound(to: SIMD16<Float>.self)
            let gBase = gv.baseAddress!, invH = ih.baseAddress!
            x.scatterInParts(into: ov.baseAddress!, count: ov.count) { part, rows, scatterTarget in
                let scatterTable = UnsafeMutableRawPointer(scatterTarget).assumingMemoryBound(to: SIMD16<Float>.self)
                let targets = UnsafeMutablePointer<SIMD16<Float>>.allocate(capacity: blockRows * blocks)
                defer { targets.deallocate() }
                let scratch = UnsafeMutablePointer<SIMD16<Float>>.allocate(capacity: RowUpdate.scratchVectors(k))
                defer { scratch.deallocate() }
                let targetScalars = UnsafeMutableRawPointer(targets).assumingMemoryBound(to: Float.self)
                let wRows = UnsafeMutableRawPointer(wBase).assumingMemoryBound(to: SIMD16<Float>.self)
                for lower in stride(from: rows.lowerBound, to: rows.upperBound, by: blockRows) {
                    let count = min(blockRows, rows.upperBound - lower)
                    for r in 0..<count {
                        let i = lower + r
                        SparseKernels.accumulateRow(starts[i], starts[i + 1], colsBase, valsBase, table, blocks, targets + r * blocks)
                    }
                    if measureStart {
                        var cross = 0.0
                        for r in 0..<count {
                            let row = wBase + (lower + r) * kp, target = targetScalars + r * kp
                            var dot: Float = 0
                            for c in 0..<k { dot += row[c] * target[c] }
                            cross += Double(dot)
                        }
                        crossOut[part] += cross
                        BLAS.accumulateGram(wBase + lower * kp, rows: count, columns: kp, into: grams + (parts + part) * kp * kp)
                    }
                    violationOut[part] += RowUpdate.halsRows(wBase + lower * kp, targets: targetScalars, count: count, kp: kp, k: k,
                                                             gram: gBase, inverseHessian: invH, l1: l1, scratch: scratch).violation
                    for r in 0..<count {
                        let i = lower + r
                        SparseKernels.scatterRow(starts[i], starts[i + 1], colsBase, valsBase, wRows + i * blocks, blocks, scatterTable)
                    }
                    BLAS.accumulateGram(wBase + lower * kp, rows: count, columns: kp, into: grams + part * kp * kp)
                }
            }
        }}}}}}}}}}
        func gram(_ set: Int) -> DenseMatrix {
            var f = DenseMatrix(rowCount: kp, columnCount: kp)
            for part in 0..<parts {
                let source = grams + (set * parts + part) * kp * kp
                for t in 0..<(kp * kp) { f.values[t] += source[t] }
            }
            for i in 0..<kp { for j in 0..<i { f[i, j] = f[j, i] } }
            return f
        }
        let start = measureStart ? Start(cross: crossParts.reduce(0, +), gram: gram(1)) : nil
        return (gram(0), violationParts.reduce(0, +), start)
    }
}
