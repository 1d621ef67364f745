import LinearAlgebra

/// Sparse twin of the assignment step: ‖x‖² − 2x·c + ‖c‖² with the centres transposed (d×kp), so each
/// non-zero `(j, v)` adds `v · C[j, 0..<kp]` to the row's dot products with SIMD-16 arithmetic over k.
/// The pass is bound by the latency of gathering centre rows; `SparseKernels.accumulateRow` prefetches.
struct SparseAssignmentKernel: AssignmentKernel {
    let matrix: CSRMatrix
    let rowNorms: [Float]
    var rowCount: Int { matrix.rowCount }

    func assign(rows: Range<Int>, table: CentroidTable,
                labels: UnsafeMutablePointer<Int32>, best: UnsafeMutablePointer<Float>, second: UnsafeMutablePointer<Float>) {
        let blocks = table.kp / 16
        withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: blocks) { scratch in
            let acc = scratch.baseAddress!
            matrix.rowStart.withUnsafeBufferPointer { starts in
                matrix.columns.withUnsafeBufferPointer { cols in
                    matrix.values.withUnsafeBufferPointer { vals in
                        let ct = UnsafeRawPointer(table.transposed.pointer).assumingMemoryBound(to: SIMD16<Float>.self)
                        let norms = UnsafeRawPointer(table.norms.pointer).assumingMemoryBound(to: SIMD16<Float>.self)
                        for i in rows {
                            SparseKernels.accumulateRow(starts[i], starts[i + 1], cols.baseAddress!, vals.baseAddress!, ct, blocks, acc)
                            let n = nearestOf(dots: acc, norms: norms, blocks: blocks, rowNorm: rowNorms[i])
                            labels[i] = n.label
                            best[i] = n.best
                            second[i] = n.second
                        }
                    }
                }
            }
        }
    }

    func nearest(row i: Int, table: CentroidTable) -> Nearest {
        let blocks = table.kp / 16
        return withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: blocks) { scratch in
            matrix.columns.withUnsafeBufferPointer { cols in
                matrix.values.withUnsafeBufferPointer { vals in
                    let ct = UnsafeRawPointer(table.transposed.pointer).assumingMemoryBound(to: SIMD16<Float>.self)
                    let norms = UnsafeRawPointer(table.norms.pointer).assumingMemoryBound(to: SIMD16<Float>.self)
                    SparseKernels.accumulateRow(matrix.rowStart[i], matrix.rowStart[i + 1], cols.baseAddress!, vals.baseAddress!, ct, blocks, scratch.baseAddress!)
                    return nearestOf(dots: scratch.baseAddress!, norms: norms, blocks: blocks, rowNorm: rowNorms[i])
                }
            }
        }
    }

    func squaredDistance(row i: Int, centre c: Int, table: CentroidTable) -> Float {
        let d = table.d
        var dot: Float = 0
        table.centres.withUnsafeBufferPointer { centres in
            let base = centres.baseAddress! + c * d
            for p in matrix.rowStart[i]..<matrix.rowStart[i + 1] {
                dot += matrix.values[p] * base[Int(matrix.columns[p])]
            }
        }
        return LinearAlgebra.squaredDistance(squaredNorms: rowNorms[i], table.norms[c], dot: dot)
    }
}
