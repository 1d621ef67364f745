import LinearAlgebra

/// Rows that can be read in batches without holding all of them in memory (mini-batch k-means,
/// assignment of large inputs). The binary profile cache is one (memory-mapped); an in-memory matrix is another.
public protocol RowSource {
    var rowCount: Int { get }
    var columnCount: Int { get }
    /// The rows with the given indices, in that order.
    func rows(at indices: [Int]) throws -> ClusteringData
    /// A contiguous range of rows.
    func rows(_ range: Range<Int>) throws -> ClusteringData
}

/// A `RowSource` over a matrix already in memory.
public struct InMemoryRowSource: RowSource {
    public let data: ClusteringData
    public init(_ data: ClusteringData) { self.data = data }
    public var rowCount: Int { data.rowCount }
    public var columnCount: Int { data.columnCount }

    public func rows(at indices: [Int]) throws -> ClusteringData {
        switch data {
        case .sparse(let m): return .sparse(m.gatherRows(indices))
        case .dense(let m):
            var out = DenseMatrix(rowCount: indices.count, columnCount: m.columnCount)
            let d = m.columnCount
            for (t, i) in indices.enumerated() {
                out.values.replaceSubrange((t * d)..<((t + 1) * d), with: m.values[(i * d)..<((i + 1) * d)])
            }
            return .dense(out)
        }
    }

    public func rows(_ range: Range<Int>) throws -> ClusteringData { try rows(at: Array(range)) }
}
