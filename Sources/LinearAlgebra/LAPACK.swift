import COpenBLAS

/// Wrappers over the LAPACKE routines Tessera uses; every `info` is checked and turned into a
/// typed error.
package enum LAPACK {
    /// A thin singular value decomposition `A = U · diag(s) · Vᵀ`.
    package struct SVD: Sendable {
        /// m×r left singular vectors (r = min(m, n)).
        package var u: DenseMatrix
        /// r singular values, largest first.
        package var singularValues: [Float]
        /// r×n right singular vectors, one per row.
        package var vt: DenseMatrix
    }

    /// The thin SVD of an m×n matrix by divide and conquer (`LAPACKE_sgesdd`, jobz = 'S').
    package static func svd(_ a: DenseMatrix) throws -> SVD {
        _ = BLASThreads.singleThreaded
        let m = a.rowCount, n = a.columnCount, r = min(m, n)
        guard a.isFinite else { throw LinearAlgebraError.nonFiniteValue("svd input") }
        var work = a.values
        var s = [Float](repeating: 0, count: r)
        var u = DenseMatrix(rowCount: m, columnCount: r)
        var vt = DenseMatrix(rowCount: r, columnCount: n)
        guard r > 0 else { return SVD(u: u, singularValues: s, vt: vt) }
        let info = LAPACKE_sgesdd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "S")), Int32(m), Int32(n),
                                  &work, Int32(n), &s, &u.values, Int32(r), &vt.values, Int32(n))
        guard info == 0 else { throw LinearAlgebraError.lapackFailure(routine: "sgesdd", info: info) }
        return SVD(u: u, singularValues: s, vt: vt)
    }

    /// An orthonormal basis Q (m×n, m ≥ n) of the column space of A, from its QR factorisation
    /// (`LAPACKE_sgeqrf` then `LAPACKE_sorgqr`).
    package static func orthonormalBasis(_ a: DenseMatrix) throws -> DenseMatrix {
        _ = BLASThreads.singleThreaded
        let m = a.rowCount, n = a.columnCount
        guard m >= n else { throw LinearAlgebraError.shapeMismatch("orthonormalBasis needs rows ≥ columns, got \(m)×\(n)") }
        guard a.isFinite else { throw LinearAlgebraError.nonFiniteValue("QR input") }
        var q = a
        guard n > 0 else { return q }
        var tau = [Float](repeating: 0, count: n)
        var info = LAPACKE_sgeqrf(LAPACK_ROW_MAJOR, Int32(m), Int32(n), &q.values, Int32(n), &tau)
        guard info == 0 else { throw LinearAlgebraError.lapackFailure(routine: "sgeqrf", info: info) }
        info = LAPACKE_sorgqr(LAPACK_ROW_MAJOR, Int32(m), Int32(n), Int32(n), &q.values, Int32(n), &tau)
        guard info == 0 else { throw LinearAlgebraError.lapackFailure(routine: "sorgqr", info: info) }
        return q
    }
}
