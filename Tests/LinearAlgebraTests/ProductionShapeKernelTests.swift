import Testing
@testable import LinearAlgebra

/// The padded SIMD kernels at the shapes production uses: k = 40 (padded to 48, three blocks), 48, 64
/// and 100 (seven blocks), with empty rows and rows of a single interest, against a naive product.
@Suite struct ProductionShapeKernelTests {
    /// 600 rows × 300 interests: every 7th row empty, every 5th row one interest, the rest ~3% dense.
    static func matrix(seed: UInt64) -> CSRMatrix {
        var rng = SeededGenerator(seed: seed)
        var d = DenseMatrix(rowCount: 600, columnCount: 300)
        for i in 0..<600 where i % 7 != 0 {
            if i % 5 == 0 {
                d[i, Int(rng.next() % 300)] = Float(rng.nextUnitInterval() + 0.1)
                continue
            }
            for j in 0..<300 where rng.nextUnitInterval() < 0.03 { d[i, j] = Float(rng.nextUnitInterval() + 0.1) }
        }
        return CSRMatrix(dense: d)
    }

    /// A dense matrix with `k` meaningful columns padded with zeros to a multiple of 16.
    static func padded(_ rows: Int, k: Int, seed: UInt64) -> DenseMatrix {
        let kp = (k + 15) / 16 * 16
        var rng = SeededGenerator(seed: seed)
        var m = DenseMatrix(rowCount: rows, columnCount: kp)
        for i in 0..<rows { for c in 0..<k { m[i, c] = Float(rng.nextUnitInterval() * 2 - 1) } }
        return m
    }

    @Test(arguments: [40, 48, 64, 100])
    func gatherAndScatterMatchANaiveProduct(k: Int) {
        let x = Self.matrix(seed: UInt64(k))
        let dense = x.toDense()
        let h = Self.padded(x.columnCount, k: k, seed: 7)          // d×kp
        var xh = DenseMatrix(rowCount: x.rowCount, columnCount: h.columnCount)
        x.multiplyPadded(h, into: &xh)
        #expect(Fixtures.maxDifference(xh, Fixtures.naiveProduct(dense, h)) < 1e-4, "X·H, k = \(k)")
        for i in stride(from: 0, to: x.rowCount, by: 7) { #expect((0..<xh.columnCount).allSatisfy { xh[i, $0] == 0 }, "empty row \(i)") }
        let w = Self.padded(x.rowCount, k: k, seed: 8)              // n×kp
        var xtw = DenseMatrix(rowCount: x.columnCount, columnCount: w.columnCount)
        x.transposeMultiplyPadded(w, into: &xtw)
        #expect(Fixtures.maxDifference(xtw, Fixtures.naiveProduct(dense.transposed(), w)) < 1e-4, "Xᵀ·W, k = \(k)")
        // Padding columns stay zero.
        for c in k..<w.columnCount { #expect((0..<xtw.rowCount).allSatisfy { xtw[$0, c] == 0 }) }
    }
}
