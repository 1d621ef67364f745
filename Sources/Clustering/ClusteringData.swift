import LinearAlgebra

/// The rows to cluster: sparse profiles (CSR) or dense vectors (embeddings, reduced data).
/// In a multi-process run each rank passes its own rows.
public enum ClusteringData: Sendable {
    case sparse(CSRMatrix)
    case dense(DenseMatrix)

    public var rowCount: Int {
        switch self {
        case .sparse(let m): return m.rowCount
        case .dense(let m): return m.rowCount
        }
    }

    public var columnCount: Int {
        switch self {
        case .sparse(let m): return m.columnCount
        case .dense(let m): return m.columnCount
        }
    }

    /// Squared Euclidean norm of every row.
    public func rowSquaredNorms() -> [Float] {
        switch self {
        case .sparse(let m): return m.rowSquaredNorms()
        case .dense(let m):
            var norms = [Float](repeating: 0, count: m.rowCount)
            let d = m.columnCount
            m.values.withUnsafeBufferPointer { v in
                for i in 0..<m.rowCount {
                    var s: Float = 0
                    for j in 0..<d { s += v[i * d + j] * v[i * d + j] }
                    norms[i] = s
                }
            }
            return norms
        }
    }

    /// Throws unless every value is finite (validation at the `fit` entry; kernels trust their input).
    func checkFinite() throws {
        let finite: Bool
        switch self {
        case .sparse(let m): finite = m.values.allSatisfy { $0.isFinite }
        case .dense(let m): finite = m.isFinite
        }
        if !finite { throw ClusteringError.nonFiniteInput("the matrix holds NaN or infinite values; check the input weights") }
    }

    /// A copy whose non-zero rows have unit length (for cosine k-means), or `self` if they already do.
    func unitRows(norms: [Float]) -> (ClusteringData, [Float]) {
        let isUnit = norms.allSatisfy { $0 == 0 || abs($0 - 1) < 1e-4 }
        if isUnit { return (self, norms) }
        switch self {
        case .sparse(var m):
            m.normalizeRows()
            let data = ClusteringData.sparse(m)
            return (data, data.rowSquaredNorms())
        case .dense(var m):
            let d = m.columnCount
            for i in 0..<m.rowCount where norms[i] > 0 {
                let scale = 1 / norms[i].squareRoot()
                for j in 0..<d { m.values[i * d + j] *= scale }
            }
            let data = ClusteringData.dense(m)
            return (data, data.rowSquaredNorms())
        }
    }

    /// Mean over columns of the per-column variance (scikit-learn scales its tolerance by this).
    /// Summed exactly over the local rows (sparse: entry by entry through the transposed matrix;
    /// dense: block partials) and over the ranks, so every rank and rank count gets the same value.
    func meanColumnVariance(communicator: Communicator, transposed: CSRMatrix?, totalRows: Int) -> Double {
        let d = columnCount
        var exact = ExactSum(count: 2 * d)
        switch self {
        case .sparse(let m):
            let t = transposed ?? m.transposed()
            exact.words.withUnsafeMutableBufferPointer { buffer in
                let out = buffer.baseAddress!
                Parallel.forEachChunk(count: d, chunkSize: 1024) { _, columns in
                    for j in columns {
                        var sum: Int128 = 0, squares: Int128 = 0
                        for p in t.range(ofRow: j) {
                            let v = Double(t.values[p])
                            sum &+= ExactSum.fixed(v)
                            squares &+= ExactSum.fixed(v * v)
                        }
                        out[j] = sum
                        out[d + j] = squares
                    }
                }
            }
        case .dense(let m):
            for range in RowBlocks.ranges(count: m.rowCount, blockRows: RowBlocks.rows) {
                var partial = [Double](repeating: 0, count: 2 * d)
                for i in range {
                    for j in 0..<d {
                        let v = Double(m.values[i * d + j])
                        partial[j] += v
                        partial[d + j] += v * v
                    }
                }
                exact.add(partial)
            }
        }
        communicator.allreduce(&exact)
        let stats = exact.doubles
        let n = Double(totalRows)
        guard n > 0, d > 0 else { return 0 }
        var total = 0.0
        for j in 0..<d {
            let mean = stats[j] / n
            total += max(0, stats[d + j] / n - mean * mean)
        }
        return total / Double(d)
    }
}
