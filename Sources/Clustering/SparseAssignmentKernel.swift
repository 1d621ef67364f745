import COpenBLAS
import LinearAlgebra

/// Sparse twin of the assignment step: ‖x‖² − 2x·c + ‖c‖² with the centres transposed (d×kp), so each
/// non-zero `(j, v)` adds `v · C[j, 0..<kp]` to the row's dot products with SIMD-16 arithmetic over k.
/// The pass is bound by the latency of gathering centre rows, so all cache lines of the centre row of
/// the non-zero 8 places ahead are prefetched (2–16 measured on the planted benchmark: 8 was best,
/// 46 ms against 53 ms at 2 and 60 ms with only some lines prefetched).
struct SparseAssignmentKernel: AssignmentKernel {
    let matrix: CSRMatrix
    let rowNorms: [Float]
    var rowCount: Int { matrix.rowCount }
    /// How many non-zeros ahead the centre row is prefetched (measured best on the planted benchmark).
    static let prefetchDistance = 8

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
                            Self.accumulate(starts[i], starts[i + 1], cols.baseAddress!, vals.baseAddress!, ct, blocks, acc)
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
                    Self.accumulate(matrix.rowStart[i], matrix.rowStart[i + 1], cols.baseAddress!, vals.baseAddress!, ct, blocks, scratch.baseAddress!)
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
        return max(0, rowNorms[i] + table.norms[c] - 2 * dot)
    }

    /// acc[0..<blocks] = Σ over the row's non-zeros of v · CT[j]. Specialised for the common block
    /// counts (k ≤ 64) so the accumulators live in registers.
    @inline(__always)
    static func accumulate(_ lower: Int, _ upper: Int, _ cols: UnsafePointer<Int32>, _ vals: UnsafePointer<Float>,
                           _ ct: UnsafePointer<SIMD16<Float>>, _ blocks: Int, _ acc: UnsafeMutablePointer<SIMD16<Float>>) {
        let ahead = prefetchDistance
        let prefetchEnd = max(lower, upper - ahead)
        switch blocks {
        case 1:
            var a0 = SIMD16<Float>()
            for p in lower..<upper {
                if p < prefetchEnd { tessera_prefetch(ct + Int(cols[p + ahead])) }
                madd(&a0, SIMD16(repeating: vals[p]), ct[Int(cols[p])])
            }
            acc[0] = a0
        case 2:
            var a0 = SIMD16<Float>(), a1 = SIMD16<Float>()
            for p in lower..<upper {
                if p < prefetchEnd {
                    let ahead = ct + Int(cols[p + ahead]) * 2
                    tessera_prefetch(ahead)
                    tessera_prefetch(ahead + 1)
                }
                let r = ct + Int(cols[p]) * 2
                let v = SIMD16(repeating: vals[p])
                madd(&a0, v, r[0]); madd(&a1, v, r[1])
            }
            acc[0] = a0; acc[1] = a1
        case 3:
            var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>()
            for p in lower..<upper {
                if p < prefetchEnd {
                    let ahead = ct + Int(cols[p + ahead]) * 3
                    tessera_prefetch(ahead)
                    tessera_prefetch(ahead + 1)
                    tessera_prefetch(ahead + 2)
                }
                let r = ct + Int(cols[p]) * 3
                let v = SIMD16(repeating: vals[p])
                madd(&a0, v, r[0]); madd(&a1, v, r[1]); madd(&a2, v, r[2])
            }
            acc[0] = a0; acc[1] = a1; acc[2] = a2
        case 4:
            var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
            for p in lower..<upper {
                if p < prefetchEnd {
                    let ahead = ct + Int(cols[p + ahead]) * 4
                    tessera_prefetch(ahead)
                    tessera_prefetch(ahead + 1)
                    tessera_prefetch(ahead + 2)
                    tessera_prefetch(ahead + 3)
                }
                let r = ct + Int(cols[p]) * 4
                let v = SIMD16(repeating: vals[p])
                madd(&a0, v, r[0]); madd(&a1, v, r[1]); madd(&a2, v, r[2]); madd(&a3, v, r[3])
            }
            acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3
        default:
            for b in 0..<blocks { acc[b] = SIMD16<Float>() }
            for p in lower..<upper {
                let r = ct + Int(cols[p]) * blocks
                let v = SIMD16(repeating: vals[p])
                for b in 0..<blocks { madd(&acc[b], v, r[b]) }
            }
        }
    }
}

/// `a += v · r`: one fused multiply-add per lane when built for FMA hardware (see Package.swift),
/// a separate multiply and add otherwise (a software fma per lane would be far slower).
@inline(__always)
func madd(_ a: inout SIMD16<Float>, _ v: SIMD16<Float>, _ r: SIMD16<Float>) {
#if TESSERA_FMA
    a = a.addingProduct(v, r)
#else
    a += v * r
#endif
}
