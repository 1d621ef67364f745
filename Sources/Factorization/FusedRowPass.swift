import LinearAlgebra

/// One HALS half-iteration over W fused with the products the other half needs: for each block of
/// rows, X·Hᵀ for those rows (the targets), their HALS update, their contribution to Xᵀ·W and to
/// WᵀW — while the rows are in cache. Separately these are three passes over X and W and a stored
/// n×kp target matrix; fused, X and W are read once per iteration and the targets never leave L2.
///
/// Rows are taken block by block (`RowBlocks`); within a block they are cut into the fixed parts of
/// `CSRMatrix.scatterInParts`, each part running in order on one thread into its own partial Xᵀ·W
/// and WᵀW, added in part order. Each block's results are added exactly (`ExactSum`), so the sums
/// depend neither on the thread count nor on how blocks are spread over ranks.
enum FusedRowPass {
    static let blockRows = 256

    /// What the rows were before the update, when asked for (`measureStart`): ⟨W, X·Hᵀ⟩ and WᵀW of
    /// the starting W — with HHᵀ, the starting error, at the cost of one small Gram per block.
    struct Start {
        var cross: ExactSum
        var gram: ExactSum
    }

    /// This rank's sums (before the sum over ranks): Xᵀ·W (d×kp), WᵀW (kp×kp, upper triangle),
    /// the violation, and the starting terms when measured.
    struct Sums {
        var xtw: ExactSum
        var gram: ExactSum
        var violation: ExactSum
        var start: Start?
    }

    /// Updates `w` (n×kp) by HALS against X·Hᵀ with `hhT` = H·Hᵀ, writes Xᵀ·W (new W) into `xtw`
    /// (d×kp) and returns WᵀW (kp×kp, new W), the update's projected-gradient violation
    /// (`RowUpdate.Step.violation`, summed over parts in part order) and the starting W's terms if
    /// `measureStart`.
    static func run(_ x: CSRMatrix, w: inout DenseMatrix, ht: DenseMatrix, hhT: DenseMatrix, l1: Float, l2: Float, components k: Int,
                    blockRows rowBlock: Int, measureStart: Bool = false) -> Sums {
        let d = x.columnCount, kp = w.columnCount
        precondition(kp % 16 == 0 && ht.rowCount == d && ht.columnCount == kp)
        let (g, inverseHessian) = RowUpdate.regularized(hhT, l2: l2)
        var sums = Sums(xtw: ExactSum(count: d * kp), gram: ExactSum(count: kp * kp), violation: ExactSum(count: 1),
                        start: measureStart ? Start(cross: ExactSum(count: 1), gram: ExactSum(count: kp * kp)) : nil)
        var xtw = DenseMatrix(rowCount: d, columnCount: kp)
        for block in RowBlocks.ranges(count: x.rowCount, blockRows: rowBlock) {
            let part = runBlock(x, rows: block, w: &w, ht: ht, g: g, inverseHessian: inverseHessian, l1: l1, components: k,
                                xtw: &xtw, measureStart: measureStart)
            xtw.values.withUnsafeBufferPointer { sums.xtw.add($0) }
            part.gram.values.withUnsafeBufferPointer { sums.gram.add($0) }
            sums.violation.add(part.violation, at: 0)
            if let start = part.start {
                sums.start!.cross.add(start.cross, at: 0)
                start.gram.values.withUnsafeBufferPointer { sums.start!.gram.add($0) }
            }
        }
        return sums
    }

    /// One block of rows: the HALS update of its W rows, Xᵀ·W of its rows into `xtw` (overwritten),
    /// and its WᵀW, violation and starting terms.
    private static func runBlock(_ x: CSRMatrix, rows block: Range<Int>, w: inout DenseMatrix, ht: DenseMatrix, g: DenseMatrix,
                                 inverseHessian: [Float], l1: Float, components k: Int, xtw: inout DenseMatrix,
                                 measureStart: Bool) -> (gram: DenseMatrix, violation: Double, start: (cross: Double, gram: DenseMatrix)?) {
        let kp = w.columnCount, blocks = kp / 16
        let parts = CSRMatrix.scatterPartCount(rows: block.count)
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
            x.scatterInParts(into: ov.baseAddress!, count: ov.count, rows: block) { part, rows, scatterTarget in
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
        let start = measureStart ? (cross: crossParts.reduce(0, +), gram: gram(1)) : nil
        return (gram(0), violationParts.reduce(0, +), start)
    }
}
