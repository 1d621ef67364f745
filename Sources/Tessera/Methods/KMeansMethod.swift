import Foundation

/// k-means as a segmentation method: every follower in exactly one segment.
public struct KMeansMethod: SegmentationMethod {
    public var settings: KMeansSettings
    public init(settings: KMeansSettings) { self.settings = settings }

    public var name: SegmentMethod { .kmeans }
    public var k: Int { settings.k }
    public var streamsRows: Bool { settings.algorithm == .minibatch }

    public func fit(_ matrix: CSRMatrix, rows: RowSource?, progress: ProgressReporter) throws -> SegmentFit {
        let maxIterations = settings.maxIterations
        let report: (KMeansIteration) -> Void = { stats in
            progress.update(stage: "k-means", done: Double(stats.iteration), total: Double(maxIterations),
                            detail: String(format: "iteration %d: objective %.1f, %d labels changed",
                                           stats.iteration, stats.objective, stats.changedLabels))
        }
        let r: KMeansResult
        if let rows, streamsRows {
            r = try MiniBatchKMeans.fit(rows, settings: settings, progress: report)
        } else {
            r = try KMeans.fit(.sparse(matrix), settings: settings, progress: report)
        }
        progress.finish(stage: "k-means")
        var fit = SegmentFit(labels: r.labels, profiles: r.centres, objective: r.inertia, iterations: r.iterations,
                             converged: r.converged, history: IterationHistory(r.history))
        fit.sizes = r.sizes
        fit.prepareSeconds = r.prepareSeconds
        fit.initSeconds = r.initSeconds
        fit.restartObjectives = r.restartInertias
        return fit
    }

    public func refitting(k: Int, seed: UInt64) -> any SegmentationMethod {
        var s = settings
        s.k = k
        s.seed = seed
        s.restarts = 1
        s.algorithm = .lloyd
        return KMeansMethod(settings: s)
    }

    public func place(_ matrix: CSRMatrix, profiles: DenseMatrix) throws -> Placement {
        let (labels, distances) = try KMeans.predict(.sparse(matrix), centres: profiles, metric: settings.metric)
        return Placement(segments: labels, distances: distances, memberships: nil)
    }
}
