import Foundation

/// Non-negative matrix factorisation as a segmentation method: a soft membership per follower
/// (primary segment, its strength, secondary segment), segments as interest loadings.
public struct NMFMethod: SegmentationMethod {
    public var settings: NMFSettings
    /// The ranks the rows are spread over (one process by default).
    public var communicator: Communicator = SingleProcessCommunicator()
    public init(settings: NMFSettings) { self.settings = settings }

    /// On several ranks each rank holds its rows of W; H and every decision are the same everywhere.
    public func spread(over communicator: Communicator) throws -> any SegmentationMethod {
        var spread = self
        spread.communicator = communicator
        return spread
    }

    public var name: SegmentMethod { .nmf }
    public var k: Int { settings.k }
    public var streamsRows: Bool { false }

    public func fit(_ matrix: CSRMatrix, rows: RowSource?, progress: ProgressReporter) throws -> SegmentFit {
        let maxIterations = settings.maxIterations
        let r = try NMF.fit(matrix, settings: settings, communicator: communicator) { stats in
            progress.update(stage: "nmf", done: Double(stats.iteration), total: Double(maxIterations),
                            detail: String(format: "iteration %d: error %.3f", stats.iteration, stats.error))
        }
        progress.finish(stage: "nmf")
        let memberships = r.memberships()
        var fit = SegmentFit(labels: memberships.map { Int32($0.segment) }, profiles: r.h, objective: r.reconstructionError,
                             iterations: r.iterations, converged: r.converged, history: IterationHistory(r.history),
                             memberships: memberships)
        fit.initSeconds = r.initSeconds
        // Per HALS iteration: exact Xᵀ·W (d×kp) and WᵀW (kp×kp) in 16-byte words, and the violation.
        let kp = (settings.k + 15) / 16 * 16
        if communicator.size > 1 { fit.reducedBytesPerIteration = (matrix.columnCount * kp + kp * kp + 1) * 16 }
        return fit
    }

    public func refitting(k: Int, seed: UInt64) -> any SegmentationMethod {
        var s = settings
        s.k = k
        s.seed = seed
        var method = NMFMethod(settings: s)
        method.communicator = communicator
        return method
    }

    public func place(_ matrix: CSRMatrix, profiles: DenseMatrix, space: FittedSpace?) throws -> Placement {
        let memberships = NMFResult.memberships(of: try NMF.transform(matrix, h: profiles))
        return Placement(segments: memberships.map { Int32($0.segment) }, distances: nil, memberships: memberships)
    }
}
