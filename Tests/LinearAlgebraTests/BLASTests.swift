import Testing
import LinearAlgebra

@Suite struct BLASTests {
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func gemmMatchesNaiveProduct(transposeA: Bool, transposeB: Bool) throws {
        let a0 = Fixtures.dense(13, 9, seed: 1), b0 = Fixtures.dense(9, 11, seed: 2)
        let a = transposeA ? a0.transposed() : a0
        let b = transposeB ? b0.transposed() : b0
        let got = try BLAS.product(a, transposeA: transposeA, b, transposeB: transposeB)
        #expect(Fixtures.maxDifference(got, Fixtures.naiveProduct(a0, b0)) < 1e-5)
    }

    @Test func gemmAccumulatesWithAlphaAndBeta() throws {
        let a = Fixtures.dense(4, 3, seed: 3), b = Fixtures.dense(3, 5, seed: 4)
        var c = Fixtures.dense(4, 5, seed: 5)
        let c0 = c
        try BLAS.gemm(a, b, alpha: 2, beta: 0.5, into: &c)
        let ab = Fixtures.naiveProduct(a, b)
        for i in c.values.indices { #expect(abs(c.values[i] - (2 * ab.values[i] + 0.5 * c0.values[i])) < 1e-5) }
    }

    @Test func gemmRejectsMismatchedShapes() {
        var c = DenseMatrix(rowCount: 2, columnCount: 2)
        #expect(throws: LinearAlgebraError.self) {
            try BLAS.gemm(Fixtures.dense(2, 3, seed: 1), Fixtures.dense(4, 2, seed: 1), into: &c)
        }
    }

    @Test func gramMatchesNaiveAndIsSymmetric() {
        let a = Fixtures.dense(40, 6, seed: 6)
        let g = BLAS.gram(a)
        let expected = Fixtures.naiveProduct(a.transposed(), a)
        #expect(Fixtures.maxDifference(g, expected) < 1e-4)
        #expect(g == g.transposed())
        let outer = BLAS.gram(a, transpose: false)
        #expect(Fixtures.maxDifference(outer, Fixtures.naiveProduct(a, a.transposed())) < 1e-4)
    }

    @Test func dotAndNorm() {
        let x: [Float] = [3, 4, 0, -1], y: [Float] = [1, 2, 5, 2]
        #expect(BLAS.dot(x, y) == 9)
        #expect(abs(BLAS.norm(x) - Float(26).squareRoot()) < 1e-6)
        #expect(BLAS.norm([]) == 0)
    }
}
