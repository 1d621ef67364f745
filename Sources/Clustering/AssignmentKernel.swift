import LinearAlgebra

/// The nearest and second-nearest centre of one row (squared Euclidean distances, clamped at 0).
struct Nearest {
    var label: Int32
    var best: Float
    var second: Float

    /// Before any centre has been offered.
    static var none: Nearest { Nearest(label: 0, best: .infinity, second: .infinity) }

    /// Takes centre `label` at squared distance `distance` into account. Only a strictly smaller
    /// distance wins, so ties keep the centre offered first: every argmin over centres in the module
    /// goes through here and breaks ties the same way (the lowest index, as centres are offered in order).
    @inline(__always)
    mutating func offer(_ distance: Float, label: Int) {
        if distance < best {
            second = best
            best = distance
            self.label = Int32(label)
        } else if distance < second {
            second = distance
        }
    }
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
    var nearest = Nearest.none
    for b in 0..<blocks {
        let dist = norms[b] - 2 * dots[b]
        // Most blocks hold no candidate better than the second best: test the block minimum first.
        if dist.min() >= nearest.second { continue }
        for lane in 0..<16 { nearest.offer(dist[lane], label: b * 16 + lane) }
    }
    // ‖x‖² was left out of the comparison (it is the same for every centre); add it back and clamp.
    return Nearest(label: nearest.label, best: max(0, rowNorm + nearest.best), second: max(0, rowNorm + nearest.second))
}
