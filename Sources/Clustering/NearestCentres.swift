import LinearAlgebra

/// The nearest and second-nearest centre of every row, as the assignment kernels write them: one
/// buffer per field, indexed by row, so that the workers of a parallel pass fill disjoint parts.
final class NearestCentres: @unchecked Sendable {
    let labels: AlignedBuffer<Int32>
    /// Squared distance to the nearest centre.
    let best: AlignedBuffer<Float>
    /// Squared distance to the second-nearest centre (+∞ with one centre).
    let second: AlignedBuffer<Float>

    init(rowCount n: Int) {
        labels = AlignedBuffer(count: n, repeating: 0)
        best = AlignedBuffer(count: n, repeating: 0)
        second = AlignedBuffer(count: n, repeating: 0)
    }
}

extension AssignmentKernel {
    /// The nearest centre of every row: the one assignment pass that k-means, k-means‖, mini-batch
    /// k-means and `predict` all run. Rows go in fixed chunks of `KMeans.rowChunk` spread over the
    /// threads, so the result does not depend on the thread count.
    ///
    /// - Parameter afterChunk: per-row follow-up work on a chunk, run on the same thread right after
    ///   the chunk is assigned, while its rows are still in cache (`chunk` numbers the chunks in row order).
    /// - Complexity: O(n·k·d) for dense rows, O(nnz·k) for sparse rows.
    func assignNearest(table: CentroidTable, into nearest: NearestCentres,
                       afterChunk: ((_ chunk: Int, _ rows: Range<Int>) -> Void)? = nil) {
        precondition(nearest.labels.count >= rowCount, "the output holds fewer rows than the kernel")
        Parallel.forEachChunk(count: rowCount, chunkSize: KMeans.rowChunk) { chunk, rows in
            assign(rows: rows, table: table, labels: nearest.labels.pointer, best: nearest.best.pointer, second: nearest.second.pointer)
            afterChunk?(chunk, rows)
        }
    }

    /// The nearest centre of every row, in new buffers.
    ///
    /// - Complexity: as `assignNearest(table:into:afterChunk:)`.
    func nearestCentres(table: CentroidTable) -> NearestCentres {
        let nearest = NearestCentres(rowCount: rowCount)
        assignNearest(table: table, into: nearest)
        return nearest
    }
}
