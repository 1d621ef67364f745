import LinearAlgebra

/// Statistics of one iteration (kept in the result, printed by progress reporters).
public struct KMeansIteration: Codable, Sendable, Equatable {
    /// 1-based iteration number (for mini-batch: the batch number).
    public var iteration: Int
    /// Sum of squared distances of the rows to the centres of their labels after the update
    /// (for mini-batch: the smoothed batch inertia per row).
    public var objective: Double
    /// Sum over centres of the squared distance each centre moved.
    public var centreShift: Double
    /// Rows whose label changed in this iteration.
    public var changedLabels: Int
    /// Rows whose distances were not recomputed because bounds proved their label could not change.
    public var skippedRows: Int
    /// Empty clusters refilled in this iteration.
    public var relocatedClusters: Int
    public var seconds: Double
    /// Of `seconds`: the assignment step, and the update (sums, allreduce, new centres, bounds).
    public var assignSeconds: Double = 0
    public var updateSeconds: Double = 0

    enum CodingKeys: String, CodingKey {
        case iteration, objective, seconds
        case centreShift = "centre_shift"
        case changedLabels = "changed_labels"
        case skippedRows = "skipped_rows"
        case relocatedClusters = "relocated_clusters"
        case assignSeconds = "assign_seconds"
        case updateSeconds = "update_seconds"
    }
}

/// The outcome of a k-means fit: centres, labels that match them, and how the fit went.
public struct KMeansResult: Sendable {
    /// k×d centres (means of their rows).
    public var centres: DenseMatrix
    /// Label of every (local) row, in `0..<k`, consistent with `centres` (a final assignment pass is run).
    public var labels: [Int32]
    /// Squared distance of every row to its centre.
    public var distances: [Float]
    /// Rows per segment (over all ranks).
    public var sizes: [Int]
    /// Sum of squared distances of the rows to their centres (over all ranks).
    public var inertia: Double
    public var iterations: Int
    public var converged: Bool
    public var history: [KMeansIteration]
    /// Seconds spent choosing the initial centres, and in the whole fit (all restarts).
    public var initSeconds: Double
    public var fitSeconds: Double
    /// Seconds spent preparing the data before the first restart (row norms, transposed copy, variance).
    public var prepareSeconds: Double = 0
    /// The final inertia of each restart, and the one kept.
    public var restartInertias: [Double]
    public var chosenRestart: Int
    /// The absolute tolerance used (settings.tolerance × mean column variance).
    public var scaledTolerance: Double
}
