import Testing
import LinearAlgebra

@Suite struct LAPACKTests {
    @Test(arguments: [(30, 8), (8, 30), (12, 12)])
    func svdReconstructsTheMatrix(rows: Int, columns: Int) throws {
        let a = Fixtures.dense(rows, columns, seed: UInt64(rows * 100 + columns))
        let svd = try LAPACK.svd(a)
        let r = min(rows, columns)
        #expect(svd.singularValues.count == r)
        #expect(zip(svd.singularValues, svd.singularValues.dropFirst()).allSatisfy { $0 >= $1 })
        var us = svd.u
        for i in 0..<rows { for j in 0..<r { us[i, j] *= svd.singularValues[j] } }
        let rebuilt = Fixtures.naiveProduct(us, svd.vt)
        #expect(Fixtures.maxDifference(rebuilt, a) < 1e-4)
        let utu = Fixtures.naiveProduct(svd.u.transposed(), svd.u)
        #expect(Fixtures.maxDifference(utu, .identity(r)) < 1e-4)
    }

    @Test func svdOfAKnownMatrix() throws {
        // diag(3, 2) padded: singular values are 3 and 2.
        let a = try DenseMatrix(rows: [[0, 2], [3, 0], [0, 0]])
        let svd = try LAPACK.svd(a)
        #expect(abs(svd.singularValues[0] - 3) < 1e-6)
        #expect(abs(svd.singularValues[1] - 2) < 1e-6)
    }

    @Test func svdRejectsNonFiniteInput() throws {
        let a = try DenseMatrix(rows: [[1, .infinity], [0, 1]])
        #expect(throws: LinearAlgebraError.self) { try LAPACK.svd(a) }
    }

    @Test func orthonormalBasisSpansTheColumns() throws {
        let a = Fixtures.dense(50, 6, seed: 21)
        let q = try LAPACK.orthonormalBasis(a)
        #expect(Fixtures.maxDifference(Fixtures.naiveProduct(q.transposed(), q), .identity(6)) < 1e-4)
        // Q Qᵀ A = A: the columns of A lie in the span of Q.
        let projected = Fixtures.naiveProduct(q, Fixtures.naiveProduct(q.transposed(), a))
        #expect(Fixtures.maxDifference(projected, a) < 1e-4)
    }

    @Test func orthonormalBasisNeedsTallMatrices() {
        #expect(throws: LinearAlgebraError.self) { try LAPACK.orthonormalBasis(Fixtures.dense(3, 5, seed: 1)) }
    }
}
