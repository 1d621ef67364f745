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

        func fused(threads: Int) -> (DenseMatrix, DenseMatrix, DenseMatrix, FusedRowPass.Start?, Double) {
            Parallel.withThreads(threads) {
                var updated = w
                var xtw = DenseMatrix(rowCount: x.columnCount, columnCount: kp, repeating: 7)   // overwritten
                let pass = FusedRowPass.run(x, w: &updated, ht: ht, hhT: hhT, l1: 0.01, l2: 0.02, components: k, xtw: &xtw,
                                            measureStart: true)
                return (updated, xtw, pass.gram, pass.start, pass.violation)
            }
        }
        let (one, oneXtW, oneGram, oneStart, oneViolation) = fused(threads: 1)
        let (two, twoXtW, twoGram, twoStart, twoViolation) = fused(threads: 2)
        #expect(one.values == two.values && oneXtW.values == twoXtW.values && oneGram.values == twoGram.values)
        #expect(oneViolation == twoViolation)
        #expect(oneViolation > 0 && abs(oneViolation - referenceStep.violation) <= 1e-4 * referenceStep.violation)
        #expect(oneStart?.cross == twoStart?.cross && oneStart?.gram.values == twoStart?.gram.values)

        // The starting terms: ⟨W, X·Hᵀ⟩ and WᵀW of the W the pass began with.
        var cross = 0.0
        for t in w.values.indices { cross += Double(w.values[t]) * Double(a.values[t]) }
        let startGram = BLAS.gram(w)
        let start = try #require(oneStart)
        #expect(abs(start.cross - cross) <= 1e-4 * abs(cross))
        #expect(zip(start.gram.values, startGram.values).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) })

        func maxDifference(_ p: [Float], _ q: [Float]) -> Float { zip(p, q).map { abs($0 - $1) }.max() ?? 0 }
        func scale(_ p: [Float]) -> Float { max(1, p.map(abs).max() ?? 0) }
        #expect(maxDifference(one.values, reference.values) <= 1e-5 * scale(reference.values))
        #expect(maxDifference(oneXtW.values, referenceXtW.values) <= 1e-4 * scale(referenceXtW.values))
        #expect(maxDifference(oneGram.values, referenceGram.values) <= 1e-4 * scale(referenceGram.values))
        for i in 0..<x.rowCount { for c in k..<kp { #expect(one[i, c] == 0) } }   // padding stays zero
    }
}
