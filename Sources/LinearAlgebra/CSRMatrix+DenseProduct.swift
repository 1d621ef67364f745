extension CSRMatrix {
    /// Rows per chunk for the row-parallel product `X·B`.
    public static let productChunkRows = 2048

    /// Number of row blocks whose partial results `Xᵀ·B` reduces, in block order. It is fixed (not
    /// tied to the thread count) so that the result is the same on any number of threads.
    public static let transposeProductBlocks = 4

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
    public func multiply(_ b: DenseMatrix, into out: inout DenseMatrix) {
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
    /// - Complexity: O(nnz + n + d).
    public func transposed() -> CSRMatrix {
        var counts = [Int](repeating: 0, count: columnCount + 1)
        for c in columns { counts[Int(c) + 1] += 1 }
        for j in 0..<columnCount { counts[j + 1] += counts[j] }
        let tStart = counts
        var next = counts
        var tColumns = [Int32](repeating: 0, count: nonzeroCount)
        var tValues = [Float](repeating: 0, count: nonzeroCount)
        for i in 0..<rowCount {
            for p in rowStart[i]..<rowStart[i + 1] {
                let j = Int(columns[p])
                let q = next[j]
                tColumns[q] = Int32(i)
                tValues[q] = values[p]
                next[j] = q + 1
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
