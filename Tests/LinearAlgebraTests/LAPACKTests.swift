import Foundation
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

    /// Cholesky QR (twice) gives an orthonormal basis of the same span: on a well-conditioned sketch,
    /// on one whose columns span six orders of magnitude (the Householder fallback), and on one with a
    /// repeated column (rank-deficient).
    @Test(arguments: ["plain", "graded", "repeated"])
    func choleskyBasisSpansTheColumns(kind: String) throws {
        var a = Fixtures.dense(6_000, 48, seed: 23)
        if kind == "graded" { for i in 0..<6_000 { for j in 0..<48 { a[i, j] *= Float(pow(10, -Double(j) / 8)) } } }
        if kind == "repeated" { for i in 0..<6_000 { a[i, 47] = a[i, 3] } }
        let q = try LAPACK.orthonormalBasisCholesky(a)
        #expect(q.rowCount == 6_000 && q.columnCount == 48)
        let gram = Fixtures.naiveProduct(q.transposed(), q)
        if kind != "repeated" {
            #expect(Fixtures.maxDifference(gram, .identity(48)) < 1e-4)
        } else {
            // A rank-47 input: Householder's basis is still orthonormal in the columns it spans.
            #expect((0..<47).allSatisfy { abs(gram[$0, $0] - 1) < 1e-4 })
        }
        let projected = Fixtures.naiveProduct(q, Fixtures.naiveProduct(q.transposed(), a))
        let scale = a.values.map(abs).max() ?? 1
        #expect(Fixtures.maxDifference(projected, a) < 1e-4 * scale)
        #expect(throws: LinearAlgebraError.self) { try LAPACK.orthonormalBasisCholesky(Fixtures.dense(3, 5, seed: 1)) }
    }

    @Test func orthonormalBasisNeedsTallMatrices() {
        #expect(throws: LinearAlgebraError.self) { try LAPACK.orthonormalBasis(Fixtures.dense(3, 5, seed: 1)) }
    }
}
