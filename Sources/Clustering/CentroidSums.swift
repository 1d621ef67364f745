import LinearAlgebra

/// The update step's statistics over the local rows: per-centre sums of the rows (k×d, row-major).
/// Two twins, like the assignment kernels; both give the same result on any thread and rank count.
protocol CentroidAccumulator: Sendable {
    /// The rows being summed.
    var data: ClusteringData { get }
    /// Sums of the rows of each label (k×d), block by block (`RowBlocks`), added exactly: the same
    /// total however the blocks are spread over ranks.
    func exactSums(labels: UnsafePointer<Int32>, k: Int, blockRows: Int) -> ExactSum
}

extension CentroidAccumulator {
    func denseRow(_ i: Int) -> [Float] { data.denseRow(i) }

    /// `sums[c] += scale · row i`, exactly (one row's terms: used when few rows change cluster).
    func addExact(row i: Int, scale: Double, toCluster c: Int, sums: inout ExactSum) {
        switch data {
        case .sparse(let m):
            let d = m.columnCount
            for p in m.range(ofRow: i) { sums.words[c * d + Int(m.columns[p])] &+= ExactSum.fixed(scale * Double(m.values[p])) }
        case .dense(let m):
            let d = m.columnCount
            for j in 0..<d where m.values[i * d + j] != 0 { sums.words[c * d + j] &+= ExactSum.fixed(scale * Double(m.values[i * d + j])) }
        }
    }
}

extension ClusteringData {
    /// `sums[c] += scale · row i` for k×d row-major sums (moving a row between clusters, mini-batch sums).
    func add(row i: Int, scale: Float, toCluster c: Int, sums: UnsafeMutableBufferPointer<Float>) {
        switch self {
        case .sparse(let m):
            let d = m.columnCount
            for p in m.range(ofRow: i) { sums[c * d + Int(m.columns[p])] += scale * m.values[p] }
        case .dense(let m):
            let d = m.columnCount
            for j in 0..<d { sums[c * d + j] += scale * m.values[i * d + j] }
        }
    }

    /// Row i as a dense vector.
    func denseRow(_ i: Int) -> [Float] {
        switch self {
        case .sparse(let m):
            var row = [Float](repeating: 0, count: m.columnCount)
            for p in m.range(ofRow: i) { row[Int(m.columns[p])] = m.values[p] }
            return row
        case .dense(let m):
            return m.row(i)
        }
    }
}

func makeAccumulator(_ data: ClusteringData) -> CentroidAccumulator {
    switch data {
    case .sparse(let m): return SparseCentroidAccumulator(matrix: m, transposed: m.transposed())
    case .dense(let m): return DenseCentroidAccumulator(matrix: m)
    }
}

/// Sparse sums through the transposed matrix (built once per fit): each interest column j adds its
/// entries to a k-vector indexed by the rows' labels, so columns are independent — no per-thread
/// partial sums to reduce, and the result does not depend on the thread count.
struct SparseCentroidAccumulator: CentroidAccumulator {
    let matrix: CSRMatrix
    let transposed: CSRMatrix
    static let columnChunk = 256

    /// Each column's entries (in row order) are cut at the block boundaries; each block's per-label
    /// sums of the column are added exactly into a d×k table, then laid out k×d.
    func exactSums(labels: UnsafePointer<Int32>, k: Int, blockRows: Int) -> ExactSum {
        let d = transposed.rowCount
        let table = AlignedBuffer<Int128>(count: d * k, repeating: 0)
        let labelsAddress = UnsafeRawPointer(labels)
        transposed.rowStart.withUnsafeBufferPointer { starts in
            transposed.columns.withUnsafeBufferPointer { rows in
                transposed.values.withUnsafeBufferPointer { vals in
                    Parallel.forEachChunk(count: d, chunkSize: Self.columnChunk) { _, columnRange in
                        let labels = labelsAddress.assumingMemoryBound(to: Int32.self)
                        withUnsafeTemporaryAllocation(of: Float.self, capacity: k) { acc in
                            for j in columnRange {
                                var p = starts[j]
                                let end = starts[j + 1]
                                let out = table.pointer + j * k
                                while p < end {
                                    let blockEnd = (Int(rows[p]) / blockRows + 1) * blockRows
                                    acc.update(repeating: 0)
                                    while p < end && Int(rows[p]) < blockEnd {
                                        acc[Int(labels[Int(rows[p])])] += vals[p]
                                        p += 1
                                    }
                                    for c in 0..<k where acc[c] != 0 { out[c] &+= ExactSum.fixed(Double(acc[c])) }
                                }
                            }
                        }
                    }
                }
            }
        }
        var sums = ExactSum(count: k * d)
        for c in 0..<k { for j in 0..<d { sums.words[c * d + j] = table[j * k + c] } }
        return sums
    }

    var data: ClusteringData { .sparse(matrix) }
}

/// Dense sums over row blocks.
struct DenseCentroidAccumulator: CentroidAccumulator {
    let matrix: DenseMatrix
    /// One partial per block (blocks in parallel, rows in order within a block), added exactly.
    func exactSums(labels: UnsafePointer<Int32>, k: Int, blockRows: Int) -> ExactSum {
        let n = matrix.rowCount, d = matrix.columnCount
        let ranges = RowBlocks.ranges(count: n, blockRows: blockRows)
        let partial = AlignedBuffer<Float>(count: max(1, ranges.count) * k * d, repeating: 0)
        let labelsAddress = UnsafeRawPointer(labels)
        matrix.values.withUnsafeBufferPointer { x in
            Parallel.forEach(ranges.count) { block in
                let labels = labelsAddress.assumingMemoryBound(to: Int32.self)
                let out = partial.pointer + block * k * d
                for i in ranges[block] {
                    let target = out + Int(labels[i]) * d
                    let row = x.baseAddress! + i * d
                    for j in 0..<d { target[j] += row[j] }
                }
            }
        }
        var sums = ExactSum(count: k * d)
        for block in ranges.indices {
            sums.add(UnsafeBufferPointer(start: partial.pointer + block * k * d, count: k * d))
        }
        return sums
    }

    var data: ClusteringData { .dense(matrix) }
}
