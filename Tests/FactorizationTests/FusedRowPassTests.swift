import Foundation
import Testing
@testable import Factorization
import LinearAlgebra
import TesseraTestSupport

/// The fused HALS pass against the same steps run one after another.
@Suite(.serialized) struct FusedRowPassTests {
    @Test func equalsTheSeparateStepsAndIgnoresThreadCount() throws {
        // Enough rows for four scatter parts and several row blocks per part.
        let x = Fixtures.clusteredSparse(rows: 5000, columns: 90, groups: 6, seed: 21)
        let k = 6, kp = 16
        var rng = SeededGenerator(seed: 2)
        var w = DenseMatrix(rowCount: x.rowCount, columnCount: kp)
        var ht = DenseMatrix(rowCount: x.columnCount, columnCount: kp)
        for i in 0..<x.rowCount { for c in 0..<k { w[i, c] = Float(rng.nextUnit()) } }
        for j in 0..<x.columnCount { for c in 0..<k { ht[j, c] = Float(rng.nextUnit()) } }
        let hhT = BLAS.gram(ht)

        // Separate: X·Hᵀ, HALS on W, then Xᵀ·W and WᵀW of the new W.
        var reference = w
        var a = DenseMatrix(rowCount: x.rowCount, columnCount: kp)
        x.multiplyPadded(ht, into: &a)
        let referenceStep = RowUpdate.hals(&reference, target: a, gram: hhT, l1: 0.01, l2: 0.02, components: k)
        var referenceXtW = DenseMatrix(rowCount: x.columnCount, columnCount: kp)
        x.transposeMultiplyPadded(reference, into: &referenceXtW)
        let referenceGram = BLAS.gram(reference)

        func fused(threads: Int, blockRows: Int) -> (DenseMatrix, [Float], [Float], (cross: Double, gram: [Float])?, Double) {
            Parallel.withThreads(threads) {
                var updated = w
                let pass = FusedRowPass.run(x, w: &updated, ht: ht, hhT: hhT, l1: 0.01, l2: 0.02, components: k,
                                            blockRows: blockRows, measureStart: true)
                return (updated, pass.xtw.floats, pass.gram.floats,
                        pass.start.map { ($0.cross.double(at: 0), $0.gram.floats) }, pass.violation.double(at: 0))
            }
        }
        // One block of all rows, and row blocks of 1,024 (five blocks, the last one short).
        for blockRows in [RowBlocks.rows, 1024] {
            let (one, oneXtW, oneGram, oneStart, oneViolation) = fused(threads: 1, blockRows: blockRows)
            let (two, twoXtW, twoGram, twoStart, twoViolation) = fused(threads: 2, blockRows: blockRows)
            #expect(one.values == two.values && oneXtW == twoXtW && oneGram == twoGram)
            #expect(oneViolation == twoViolation)
            #expect(oneViolation > 0 && abs(oneViolation - referenceStep.violation) <= 1e-4 * referenceStep.violation)
            #expect(oneStart?.cross == twoStart?.cross && oneStart?.gram == twoStart?.gram)

            // The starting terms: ⟨W, X·Hᵀ⟩ and WᵀW of the W the pass began with.
            var cross = 0.0
            for t in w.values.indices { cross += Double(w.values[t]) * Double(a.values[t]) }
            let startGram = BLAS.gram(w)
            let start = try #require(oneStart)
            #expect(abs(start.cross - cross) <= 1e-4 * abs(cross))
            #expect(zip(start.gram, startGram.values).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) })

            func maxDifference(_ p: [Float], _ q: [Float]) -> Float { zip(p, q).map { abs($0 - $1) }.max() ?? 0 }
            func scale(_ p: [Float]) -> Float { max(1, p.map(abs).max() ?? 0) }
            #expect(maxDifference(one.values, reference.values) <= 1e-5 * scale(reference.values))
            #expect(maxDifference(oneXtW, referenceXtW.values) <= 1e-4 * scale(referenceXtW.values))
            #expect(maxDifference(oneGram, referenceGram.values) <= 1e-4 * scale(referenceGram.values))
            for i in 0..<x.rowCount { for c in k..<kp { #expect(one[i, c] == 0) } }   // padding stays zero
        }
    }
}
