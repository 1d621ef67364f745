import LinearAlgebra

/// The nearest and second-nearest centre of one row (squared Euclidean distances, clamped at 0).
struct Nearest {
    var label: Int32
    var best: Float
    var second: Float
}

/// The assignment step of k-means over one kind of data. Two twins — sparse and dense — with the same
/// signatures, chosen once before the loop (`makeAssignmentKernel`) and checked against each other in tests.
protocol AssignmentKernel: Sendable {
    var rowCount: Int { get }
    /// Squared norms of the rows.
    var rowNorms: [Float] { get }
    /// Nearest centres of the rows in `rows`, written at the rows' indices.
    func assign(rows: Range<Int>, table: CentroidTable,
                labels: UnsafeMutablePointer<Int32>, best: UnsafeMutablePointer<Float>, second: UnsafeMutablePointer<Float>)
    /// Nearest centres of one row.
    func nearest(row: Int, table: CentroidTable) -> Nearest
    /// Squared distance from a row to one centre.
    func squaredDistance(row: Int, centre: Int, table: CentroidTable) -> Float
}

func makeAssignmentKernel(_ data: ClusteringData, rowNorms: [Float]) -> AssignmentKernel {
    switch data {
    case .sparse(let m): return SparseAssignmentKernel(matrix: m, rowNorms: rowNorms)
    case .dense(let m): return DenseAssignmentKernel(matrix: m, rowNorms: rowNorms)
    }
}

/// Picks the smallest and second-smallest of `kp` distances `norms − 2·dots` (SIMD-16 blocks).
/// (A branch-free variant with SIMD masks was measured 7× slower: Swift's generic mask operations
/// do not compile to vector instructions.)
@inline(__always)
func nearestOf(dots: UnsafePointer<SIMD16<Float>>, norms: UnsafePointer<SIMD16<Float>>, blocks: Int, rowNorm: Float) -> Nearest {
    var best = Float.infinity, second = Float.infinity
    var label: Int32 = 0
    for b in 0..<blocks {
        let dist = norms[b] - 2 * dots[b]
        // Most blocks hold no candidate better than the second best: test the block minimum first.
        if dist.min() >= second { continue }
        for lane in 0..<16 {
            let value = dist[lane]
            if value < best {
                second = best
                best = value
                label = Int32(b * 16 + lane)
            } else if value < second {
                second = value
            }
        }
    }
    return Nearest(label: label, best: max(0, rowNorm + best), second: max(0, rowNorm + second))
}
