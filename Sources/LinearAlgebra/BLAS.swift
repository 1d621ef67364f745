import COpenBLAS

/// Thin, shape-checked wrappers over the CBLAS routines Tessera uses (row-major throughout).
package enum BLAS {
    /// `C = alpha · op(A) · op(B) + beta · C` (`cblas_sgemm`), where op transposes when asked.
    package static func gemm(_ a: DenseMatrix, transposeA: Bool = false,
                            _ b: DenseMatrix, transposeB: Bool = false,
                            alpha: Float = 1, beta: Float = 0, into c: inout DenseMatrix) throws {
        _ = BLASThreads.singleThreaded
        let m = transposeA ? a.columnCount : a.rowCount
        let kA = transposeA ? a.rowCount : a.columnCount
        let kB = transposeB ? b.columnCount : b.rowCount
        let n = transposeB ? b.rowCount : b.columnCount
        guard kA == kB, c.rowCount == m, c.columnCount == n else {
            throw LinearAlgebraError.shapeMismatch("gemm: op(A) is \(m)×\(kA), op(B) is \(kB)×\(n), C is \(c.rowCount)×\(c.columnCount)")
        }
        guard m > 0, n > 0 else { return }
        if kA == 0 {
            for t in c.values.indices { c.values[t] *= beta }
            return
        }
        a.values.withUnsafeBufferPointer { av in
            b.values.withUnsafeBufferPointer { bv in
                c.values.withUnsafeMutableBufferPointer { cv in
                    cblas_sgemm(CblasRowMajor,
                                transposeA ? CblasTrans : CblasNoTrans,
                                transposeB ? CblasTrans : CblasNoTrans,
                                Int32(m), Int32(n), Int32(kA), alpha,
                                av.baseAddress, Int32(max(1, a.columnCount)),
                                bv.baseAddress, Int32(max(1, b.columnCount)),
                                beta, cv.baseAddress, Int32(max(1, n)))
                }
            }
        }
    }

    /// `op(A) · op(B)` as a new matrix.
    package static func product(_ a: DenseMatrix, transposeA: Bool = false,
                               _ b: DenseMatrix, transposeB: Bool = false) throws -> DenseMatrix {
        _ = BLASThreads.singleThreaded
        var c = DenseMatrix(rowCount: transposeA ? a.columnCount : a.rowCount,
                            columnCount: transposeB ? b.rowCount : b.columnCount)
        try gemm(a, transposeA: transposeA, b, transposeB: transposeB, into: &c)
        return c
    }

    /// The Gram matrix `AᵀA` (k×k for an n×k A) through `cblas_ssyrk`, both triangles filled.
    /// With `transpose: false` it returns `AAᵀ` instead.
    package static func gram(_ a: DenseMatrix, transpose: Bool = true) -> DenseMatrix {
        _ = BLASThreads.singleThreaded
        let size = transpose ? a.columnCount : a.rowCount
        let inner = transpose ? a.rowCount : a.columnCount
        var c = DenseMatrix(rowCount: size, columnCount: size)
        guard size > 0, inner > 0 else { return c }
        a.values.withUnsafeBufferPointer { av in
            c.values.withUnsafeMutableBufferPointer { cv in
                cblas_ssyrk(CblasRowMajor, CblasUpper, transpose ? CblasTrans : CblasNoTrans,
                            Int32(size), Int32(inner), 1, av.baseAddress, Int32(max(1, a.columnCount)),
                            0, cv.baseAddress, Int32(size))
            }
        }
        for i in 0..<size {
            for j in 0..<i { c[i, j] = c[j, i] }
        }
        return c
    }

    /// `C += AᵀA` for a row-major rows×columns A on raw storage (`cblas_ssyrk`, beta 1): only the
    /// upper triangle of the columns×columns C is updated. For kernels that add up a Gram matrix
    /// block by block inside their own parallel loop.
    package static func accumulateGram(_ a: UnsafePointer<Float>, rows: Int, columns: Int, into c: UnsafeMutablePointer<Float>) {
        _ = BLASThreads.singleThreaded
        guard rows > 0, columns > 0 else { return }
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(columns), Int32(rows), 1, a, Int32(columns), 1, c, Int32(columns))
    }

    /// `C = alpha · op(A) · op(B) + beta · C` on raw row-major storage (`cblas_sgemm`): op(A) is
    /// rows×inner, op(B) inner×columns, C rows×columns, each read with its own row stride. For kernels
    /// that multiply blocks of a larger matrix inside their own parallel loop, where wrapping each
    /// block in a `DenseMatrix` would copy it.
    package static func gemm(rows: Int, columns: Int, inner: Int, alpha: Float = 1,
                            a: UnsafePointer<Float>, aStride: Int, transposeA: Bool = false,
                            b: UnsafePointer<Float>, bStride: Int, transposeB: Bool = false,
                            beta: Float = 0, c: UnsafeMutablePointer<Float>, cStride: Int) {
        _ = BLASThreads.singleThreaded
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(rows), Int32(columns), Int32(inner), alpha, a, Int32(aStride), b, Int32(bStride),
                    beta, c, Int32(cStride))
    }

    /// `y = alpha · op(A) · x + beta · y` on raw row-major storage (`cblas_sgemv`) for a rows×columns A
    /// read with row stride `aStride`; x and y are contiguous.
    package static func gemv(rows: Int, columns: Int, alpha: Float = 1,
                            a: UnsafePointer<Float>, aStride: Int, transposeA: Bool = false,
                            x: UnsafePointer<Float>, beta: Float = 0, y: UnsafeMutablePointer<Float>) {
        _ = BLASThreads.singleThreaded
        cblas_sgemv(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, Int32(rows), Int32(columns), alpha,
                    a, Int32(aStride), x, 1, beta, y, 1)
    }

    /// The dot product of `count` contiguous floats at `x` and `y` (`cblas_sdot`), for rows of a larger
    /// matrix read in place.
    package static func dot(count: Int, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>) -> Float {
        _ = BLASThreads.singleThreaded
        return cblas_sdot(Int32(count), x, 1, y, 1)
    }

    /// The dot product `x · y` (`cblas_sdot`).
    package static func dot(_ x: [Float], _ y: [Float]) -> Float {
        _ = BLASThreads.singleThreaded
        precondition(x.count == y.count, "dot: vectors of different lengths")
        guard !x.isEmpty else { return 0 }
        return cblas_sdot(Int32(x.count), x, 1, y, 1)
    }

    /// The Euclidean norm `‖x‖` (`cblas_snrm2`, which guards against overflow).
    package static func norm(_ x: [Float]) -> Float {
        _ = BLASThreads.singleThreaded
        guard !x.isEmpty else { return 0 }
        return cblas_snrm2(Int32(x.count), x, 1)
    }
}
