import LinearAlgebra

/// Dense twin of the assignment step: −2·X·Cᵀ for a block of rows through `BLAS.gemm` (`cblas_sgemm`), plus the norms.
struct DenseAssignmentKernel: AssignmentKernel {
    let matrix: DenseMatrix
    let rowNorms: [Float]
    var rowCount: Int { matrix.rowCount }
    /// Rows per `sgemm` call.
    static let blockRows = 256

    func assign(rows: Range<Int>, table: CentroidTable,
                labels: UnsafeMutablePointer<Int32>, best: UnsafeMutablePointer<Float>, second: UnsafeMutablePointer<Float>) {
        let d = matrix.columnCount, kp = table.kp, k = table.k
        let blocks = kp / 16
        withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: Self.blockRows * blocks) { scratch in
            let dots = UnsafeMutableRawPointer(scratch.baseAddress!).assumingMemoryBound(to: Float.self)
            let norms = UnsafeRawPointer(table.norms.pointer).assumingMemoryBound(to: SIMD16<Float>.self)
            matrix.values.withUnsafeBufferPointer { x in
                table.centres.withUnsafeBufferPointer { c in
                    var start = rows.lowerBound
                    while start < rows.upperBound {
                        let count = min(Self.blockRows, rows.upperBound - start)
                        // Zero the padding lanes so they stay finite (their norm is +∞).
                        scratch.update(repeating: SIMD16<Float>())
                        if d > 0 {
                            BLAS.gemm(rows: count, columns: k, inner: d, alpha: 1,
                                      a: x.baseAddress! + start * d, aStride: d,
                                      b: c.baseAddress!, bStride: d, transposeB: true,
                                      beta: 0, c: dots, cStride: kp)
                        }
                        for r in 0..<count {
                            let row = UnsafeRawPointer(dots + r * kp).assumingMemoryBound(to: SIMD16<Float>.self)
                            let n = nearestOf(dots: row, norms: norms, blocks: blocks, rowNorm: rowNorms[start + r])
                            labels[start + r] = n.label
                            best[start + r] = n.best
                            second[start + r] = n.second
                        }
                        start += count
                    }
                }
            }
        }
    }

    func nearest(row i: Int, table: CentroidTable) -> Nearest {
        var nearest = Nearest.none
        for c in 0..<table.k { nearest.offer(squaredDistance(row: i, centre: c, table: table), label: c) }
        return nearest
    }

    func squaredDistance(row i: Int, centre c: Int, table: CentroidTable) -> Float {
        let d = matrix.columnCount
        let dot: Float = matrix.values.withUnsafeBufferPointer { x in
            table.centres.withUnsafeBufferPointer { cv in
                BLAS.dot(count: d, x.baseAddress! + i * d, cv.baseAddress! + c * d)
            }
        }
        return LinearAlgebra.squaredDistance(squaredNorms: rowNorms[i], table.norms[c], dot: dot)
    }
}
