extension CSRMatrix {
    /// Rows per chunk for the row-parallel product `X·B`.
    package static let productChunkRows = 2048

    /// Number of row blocks whose partial results `Xᵀ·B` reduces, in block order. It is fixed (not
    /// tied to the thread count) so that the result is the same on any number of threads.
    package static let transposeProductBlocks = 4

    /// `X·B` for this n×d matrix X and a dense d×k matrix B: an n×k dense matrix.
    ///
    /// Rows are independent, so the result does not depend on the thread count.
    /// - Complexity: O(nnz · k).
    public func times(_ b: DenseMatrix) throws -> DenseMatrix {
        guard b.rowCount == columnCount else {
            throw LinearAlgebraError.shapeMismatch("X is \(rowCount)×\(columnCount), B is \(b.rowCount)×\(b.columnCount)")
        }
        var out = DenseMatrix(rowCount: rowCount, columnCount: b.columnCount)
        multiply(b, into: &out)
        return out
    }

    /// `out = X·B` into a preallocated n×k matrix (no allocation).
    package func multiply(_ b: DenseMatrix, into out: inout DenseMatrix) {
        precondition(b.rowCount == columnCount && out.rowCount == rowCount && out.columnCount == b.columnCount)
        let k = b.columnCount
        rowStart.withUnsafeBufferPointer { starts in
        columns.withUnsafeBufferPointer { cols in
        values.withUnsafeBufferPointer { vals in
        b.values.withUnsafeBufferPointer { bv in
        out.values.withUnsafeMutableBufferPointer { ov in
            let outBase = ov.baseAddress!
            let bBase = bv.baseAddress!
            Parallel.forEachChunk(count: rowCount, chunkSize: Self.productChunkRows) { _, rows in
                for i in rows {
                    let o = outBase + i * k
                    o.update(repeating: 0, count: k)
                    for p in starts[i]..<starts[i + 1] {
                        let v = vals[p]
                        let src = bBase + Int(cols[p]) * k
                        for c in 0..<k { o[c] += v * src[c] }
                    }
                }
            }
        }}}}}
    }

    /// `Xᵀ·B` for this n×d matrix X and a dense n×k matrix B: a d×k dense matrix.
    ///
    /// Rows are cut into `transposeProductBlocks` fixed blocks; each block accumulates its own
    /// partial d×k product in parallel and the partials are added in block order, so the result
    /// is identical on 1 or many threads.
    /// - Complexity: O(nnz · k + blocks · d · k).
    public func transposeTimes(_ b: DenseMatrix) throws -> DenseMatrix {
        guard b.rowCount == rowCount else {
            throw LinearAlgebraError.shapeMismatch("X is \(rowCount)×\(columnCount), B is \(b.rowCount)×\(b.columnCount)")
        }
        let k = b.columnCount
        let d = columnCount
        let blocks = max(1, min(Self.transposeProductBlocks, rowCount))
        let blockRows = max(1, (rowCount + blocks - 1) / blocks)
        var partials = [[Float]](repeating: [], count: blocks)
        let lock = NSLockLike()
        rowStart.withUnsafeBufferPointer { starts in
        columns.withUnsafeBufferPointer { cols in
        values.withUnsafeBufferPointer { vals in
        b.values.withUnsafeBufferPointer { bv in
            let bBase = bv.baseAddress
            Parallel.forEach(blocks) { block in
                var partial = [Float](repeating: 0, count: d * k)
                let lower = block * blockRows
                let upper = min(rowCount, lower + blockRows)
                if lower < upper, let bBase {
                    partial.withUnsafeMutableBufferPointer { pv in
                        let pBase = pv.baseAddress!
                        for i in lower..<upper {
                            let src = bBase + i * k
                            for p in starts[i]..<starts[i + 1] {
                                let v = vals[p]
                                let dst = pBase + Int(cols[p]) * k
                                for c in 0..<k { dst[c] += v * src[c] }
                            }
                        }
                    }
                }
                lock.withLock { partials[block] = partial }
            }
        }}}}
        var out = DenseMatrix(rowCount: d, columnCount: k)
        out.values.withUnsafeMutableBufferPointer { ov in
            for partial in partials where !partial.isEmpty {
                partial.withUnsafeBufferPointer { pv in
                    for t in 0..<(d * k) { ov[t] += pv[t] }
                }
            }
        }
        return out
    }

    /// The transpose as a new CSR matrix (d×n), built by a counting sort over columns.
    /// Columns of each output row come out sorted, so the result satisfies every invariant.
    /// Fixed row blocks count and then scatter in parallel; each block writes its own slots, in
    /// row order, so the result is the same on any number of threads.
    /// - Complexity: O(nnz + blocks · d).
    public func transposed() -> CSRMatrix {
        let d = columnCount
        let blocks = max(1, min(8, rowCount / 4096))
        let blockRows = (rowCount + blocks - 1) / max(1, blocks)
        // counts[b * d + j]: entries of column j in row block b.
        var counts = [Int](repeating: 0, count: blocks * d)
        rowStart.withUnsafeBufferPointer { starts in
            columns.withUnsafeBufferPointer { cols in
                counts.withUnsafeMutableBufferPointer { countsBuffer in
                    let c = countsBuffer.baseAddress!
                    Parallel.forEach(blocks) { b in
                        let lower = starts[min(rowCount, b * blockRows)], upper = starts[min(rowCount, (b + 1) * blockRows)]
                        let mine = c + b * d
                        for p in lower..<upper { mine[Int(cols[p])] += 1 }
                    }
                }
            }
        }
        var tStart = [Int](repeating: 0, count: d + 1)
        // Turn counts into each block's first slot per column.
        var running = 0
        for j in 0..<d {
            tStart[j] = running
            for b in 0..<blocks {
                let n = counts[b * d + j]
                counts[b * d + j] = running
                running += n
            }
        }
        tStart[d] = running
        var tColumns = [Int32](repeating: 0, count: nonzeroCount)
        var tValues = [Float](repeating: 0, count: nonzeroCount)
        rowStart.withUnsafeBufferPointer { starts in
            columns.withUnsafeBufferPointer { cols in
                values.withUnsafeBufferPointer { vals in
                    counts.withUnsafeMutableBufferPointer { nextBuffer in
                        tColumns.withUnsafeMutableBufferPointer { tc in
                            tValues.withUnsafeMutableBufferPointer { tv in
                                let next = nextBuffer.baseAddress!, outColumns = tc.baseAddress!, outValues = tv.baseAddress!
                                Parallel.forEach(blocks) { b in
                                    let mine = next + b * d
                                    for i in min(rowCount, b * blockRows)..<min(rowCount, (b + 1) * blockRows) {
                                        for p in starts[i]..<starts[i + 1] {
                                            let j = Int(cols[p])
                                            let q = mine[j]
                                            outColumns[q] = Int32(i)
                                            outValues[q] = vals[p]
                                            mine[j] = q + 1
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return CSRMatrix(unchecked: columnCount, columnCount: rowCount, rowStart: tStart, columns: tColumns, values: tValues)
    }
}

import Foundation

/// A small lock wrapper used to publish per-chunk results from parallel workers.
final class NSLockLike: @unchecked Sendable {
    private let lock = NSLock()
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
