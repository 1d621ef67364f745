import CTesseraKernels

/// SIMD kernels over sparse rows and dense tables whose rows are padded to a multiple of 16 floats
/// (so one table row is whole `SIMD16<Float>` blocks). Shared by k-means (distances to transposed
/// centres) and NMF (X·Hᵀ and Xᵀ·W). Both are bound by the latency of touching table rows picked by
/// the sparse columns, so the rows a few non-zeros ahead are prefetched.
package enum SparseKernels {
    /// How many non-zeros ahead table rows are prefetched (2–16 measured on the planted k-means
    /// benchmark: 8 was best, 46 ms per pass against 53 ms at 2).
    package static let prefetchDistance = 8

    /// acc[0..<blocks] = Σ over the row's non-zeros of v · CT[j]. Specialised for the common block
    /// counts (k ≤ 64) so the accumulators live in registers.
    package static func accumulateRow(_ lower: Int, _ upper: Int, _ cols: UnsafePointer<Int32>, _ vals: UnsafePointer<Float>,
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

    /// table[j] += v · source for each non-zero (j, v) of a row: the scatter twin of `accumulateRow`.
    package static func scatterRow(_ lower: Int, _ upper: Int, _ cols: UnsafePointer<Int32>, _ vals: UnsafePointer<Float>,
                                  _ source: UnsafePointer<SIMD16<Float>>, _ blocks: Int, _ table: UnsafeMutablePointer<SIMD16<Float>>) {
        let ahead = prefetchDistance
        let prefetchEnd = max(lower, upper - ahead)
        if blocks == 3 {   // k = 33…48, the usual NMF width: the source row stays in registers
            let s0 = source[0], s1 = source[1], s2 = source[2]
            for p in lower..<upper {
                if p < prefetchEnd {
                    let next = table + Int(cols[p + ahead]) * 3
                    tessera_prefetch_write(next)
                    tessera_prefetch_write(next + 1)
                    tessera_prefetch_write(next + 2)
                }
                let v = SIMD16(repeating: vals[p])
                let row = table + Int(cols[p]) * 3
                madd(&row[0], v, s0); madd(&row[1], v, s1); madd(&row[2], v, s2)
            }
            return
        }
        for p in lower..<upper {
            if p < prefetchEnd {
                let next = UnsafePointer(table + Int(cols[p + ahead]) * blocks)
                for b in 0..<blocks { tessera_prefetch(next + b) }
            }
            let v = SIMD16(repeating: vals[p])
            let row = table + Int(cols[p]) * blocks
            for b in 0..<blocks { madd(&row[b], v, source[b]) }
        }
    }
}


/// `a += v · r`: one fused multiply-add per lane when built for FMA hardware (see Package.swift),
/// a separate multiply and add otherwise (a software fma per lane would be far slower).
@inlinable @inline(__always)
package func madd(_ a: inout SIMD16<Float>, _ v: SIMD16<Float>, _ r: SIMD16<Float>) {
#if TESSERA_FMA
    a = a.addingProduct(v, r)
#else
    a += v * r
#endif
}

extension CSRMatrix {
    /// `out = X·B` for a dense d×kp matrix B whose row length kp is a multiple of 16 (padding columns
    /// zero); `out` is n×kp. Row-parallel over fixed chunks: the same result on any number of threads.
    package func multiplyPadded(_ b: DenseMatrix, into out: inout DenseMatrix) {
        precondition(b.columnCount % 16 == 0 && b.rowCount == columnCount && out.rowCount == rowCount && out.columnCount == b.columnCount)
        let blocks = b.columnCount / 16
        guard blocks > 0 else { return }
        rowStart.withUnsafeBufferPointer { starts in
        columns.withUnsafeBufferPointer { cols in
        values.withUnsafeBufferPointer { vals in
        b.values.withUnsafeBufferPointer { bv in
        out.values.withUnsafeMutableBufferPointer { ov in
            let table = UnsafeRawPointer(bv.baseAddress!).assumingMemoryBound(to: SIMD16<Float>.self)
            let outRows = UnsafeMutableRawPointer(ov.baseAddress!).assumingMemoryBound(to: SIMD16<Float>.self)
            let colsBase = cols.baseAddress ?? UnsafePointer(bitPattern: 16)!
            let valsBase = vals.baseAddress ?? UnsafePointer(bitPattern: 16)!
            Parallel.forEachChunk(count: rowCount, chunkSize: Self.productChunkRows) { _, rows in
                for i in rows {
                    SparseKernels.accumulateRow(starts[i], starts[i + 1], colsBase, valsBase, table, blocks, outRows + i * blocks)
                }
            }
        }}}}}
    }

    /// `X·B` for a dense d×k matrix B of any width, on the padded SIMD kernel: B is copied once into
    /// a table padded to 16 columns, and the padded product is trimmed to k columns.
    /// Row-parallel over fixed chunks: the same result on any number of threads.
    /// - Complexity: O(nnz · ⌈k/16⌉·16).
    package func timesPadded(_ b: DenseMatrix) -> DenseMatrix {
        precondition(b.rowCount == columnCount)
        let k = b.columnCount, kp = (k + 15) / 16 * 16
        guard kp != k else {
            var out = DenseMatrix(rowCount: rowCount, columnCount: k)
            multiplyPadded(b, into: &out)
            return out
        }
        var table = DenseMatrix(rowCount: b.rowCount, columnCount: kp)
        for j in 0..<b.rowCount {
            table.values.replaceSubrange((j * kp)..<(j * kp + k), with: b.values[(j * k)..<((j + 1) * k)])
        }
        var padded = DenseMatrix(rowCount: rowCount, columnCount: kp)
        multiplyPadded(table, into: &padded)
        var out = DenseMatrix(rowCount: rowCount, columnCount: k)
        padded.values.withUnsafeBufferPointer { p in
            out.values.withUnsafeMutableBufferPointer { o in
                for i in 0..<rowCount { (o.baseAddress! + i * k).update(from: p.baseAddress! + i * kp, count: k) }
            }
        }
        return out
    }

    /// Row blocks of `transposeMultiplyPadded` (fixed, so the block-order sum is thread-count independent).
    package static let scatterBlocks = 4

    /// How many fixed row parts a scatter over `rows` rows uses (`scatterInParts`).
    package static func scatterPartCount(rows: Int) -> Int { max(1, min(scatterBlocks, rows / 1024)) }

    /// Runs `body(part, rows, table)` in parallel for the fixed row parts of a scatter into the
    /// `count` floats at `out`: part 0 gets `out` itself, the others a partial of their own; each
    /// table starts zeroed. The partials are then added into `out` in part order, so the result
    /// does not depend on the thread count. Each part runs in row order on one thread. `range`
    /// (default: every row) limits the scatter to some rows; the parts then cut that range.
    package func scatterInParts(into out: UnsafeMutablePointer<Float>, count: Int, rows range: Range<Int>? = nil,
                               _ body: (_ part: Int, _ rows: Range<Int>, _ table: UnsafeMutablePointer<Float>) -> Void) {
        let range = range ?? 0..<rowCount
        let parts = Self.scatterPartCount(rows: range.count)
        let partRows = (range.count + parts - 1) / parts
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: max(1, (parts - 1) * count))
        defer { partial.deallocate() }
        Parallel.forEach(parts) { part in
            let table = part == 0 ? out : partial + (part - 1) * count
            table.update(repeating: 0, count: count)
            let lower = range.lowerBound + part * partRows
            body(part, lower..<min(range.upperBound, lower + partRows), table)
        }
        for part in 1..<parts {
            let source = partial + (part - 1) * count
            for t in 0..<count { out[t] += source[t] }
        }
    }

    /// `out = Xᵀ·B` for a dense n×kp matrix B (kp a multiple of 16); `out` is d×kp. Each fixed row block
    /// scatters its rows' contributions into its own d×kp partial (rows of B are read once, in order;
    /// the partial stays in cache), and the partials are added in block order.
    package func transposeMultiplyPadded(_ b: DenseMatrix, into out: inout DenseMatrix) {
        precondition(b.columnCount % 16 == 0 && b.rowCount == rowCount && out.rowCount == columnCount && out.columnCount == b.columnCount)
        let blocks = b.columnCount / 16
        rowStart.withUnsafeBufferPointer { starts in
        columns.withUnsafeBufferPointer { cols in
        values.withUnsafeBufferPointer { vals in
        b.values.withUnsafeBufferPointer { bv in
        out.values.withUnsafeMutableBufferPointer { ov in
            let source = UnsafeRawPointer(bv.baseAddress!).assumingMemoryBound(to: SIMD16<Float>.self)
            let colsBase = cols.baseAddress ?? UnsafePointer(bitPattern: 16)!
            let valsBase = vals.baseAddress ?? UnsafePointer(bitPattern: 16)!
            scatterInParts(into: ov.baseAddress!, count: ov.count) { _, rows, target in
                let table = UnsafeMutableRawPointer(target).assumingMemoryBound(to: SIMD16<Float>.self)
                for i in rows {
                    SparseKernels.scatterRow(starts[i], starts[i + 1], colsBase, valsBase, source + i * blocks, blocks, table)
                }
            }
        }}}}}
    }
}
