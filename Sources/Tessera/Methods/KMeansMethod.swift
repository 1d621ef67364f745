import Foundation

/// k-means as a segmentation method: every follower in exactly one segment.
///
/// By default (`space: latent`) the profiles are first projected into a latent space
/// (`LatentSpace`: truncated SVD, unit rows), spherical k-means runs there, and the split–merge step
/// (`SplitMergeRefinement`) repairs twin and glued segments. The segment profiles that describe
/// segments are still the means of the members' interest rows.
public struct KMeansMethod: SegmentationMethod {
    public var settings: KMeansSettings
    /// A latent space fitted earlier (re-fits for stability and sweep work in the fit's space).
    public var fixedSpace: LatentSpace?
    /// The ranks the rows are spread over (one process by default).
    public var communicator: Communicator = SingleProcessCommunicator()

    public init(settings: KMeansSettings, fixedSpace: LatentSpace? = nil) {
        self.settings = settings
        self.fixedSpace = fixedSpace
    }

    /// On several ranks: Lloyd in the latent space (the default). Mini-batch streams one process's
    /// rows, and k-means++ on the interests needs every row in one process.
    public func spread(over communicator: Communicator) throws -> any SegmentationMethod {
        if communicator.size > 1 {
            guard settings.algorithm != .minibatch else {
                throw ClusteringError.invalidSettings("mini-batch k-means runs on one process; drop --algorithm minibatch to run on several")
            }
            guard space == .latent else {
                throw ClusteringError.invalidSettings("on several processes k-means runs in the latent space; drop --space interests")
            }
        }
        var spread = self
        spread.communicator = communicator
        return spread
    }

    public var name: SegmentMethod { .kmeans }
    public var k: Int { settings.k }
    public var streamsRows: Bool { settings.algorithm == .minibatch }

    /// The space the fit works in: mini-batch streams interest rows (the latent space needs the
    /// whole matrix), so it always works on the interests.
    public var space: KMeansSpace { settings.algorithm == .minibatch ? .interests : settings.space }

    public func fit(_ matrix: CSRMatrix, rows: RowSource?, progress: ProgressReporter) throws -> SegmentFit {
        let maxIterations = settings.maxIterations
        let report: (KMeansIteration) -> Void = { stats in
            progress.update(stage: "k-means", done: Double(stats.iteration), total: Double(maxIterations),
                            detail: String(format: "iteration %d: objective %.1f, %d labels changed",
                                           stats.iteration, stats.objective, stats.changedLabels))
        }
        if let rows, streamsRows {
            let r = try MiniBatchKMeans.fit(rows, settings: settings, progress: report)
            progress.finish(stage: "k-means")
            return segmentFit(r)
        }
        guard space == .latent else {
            let r = try KMeans.fit(.sparse(matrix), settings: settings, progress: report)
            progress.finish(stage: "k-means")
            return segmentFit(r)
        }
        let totalRows = communicator.size == 1 ? matrix.rowCount : communicator.placement(localRows: matrix.rowCount).totalRows
        try settings.validate(rowCount: totalRows)
        let clock = ContinuousClock()
        let start = clock.now
        progress.update(stage: "latent space", done: 0, total: 1, detail: "truncated SVD")
        let latent: LatentSpace, embedded: DenseMatrix
        var fittedRows: Int?
        if let fixedSpace {
            latent = fixedSpace
            embedded = try fixedSpace.embed(matrix)
        } else {
            let found = try LatentSpace.fit(matrix, k: settings.k, settings: latentSettings, communicator: communicator)
            (latent, embedded, fittedRows) = (found.space, found.embedded, found.fittedRows)
        }
        progress.finish(stage: "latent space")
        let spaceSeconds = (clock.now - start).inSeconds
        // Each restart: centres seeded on a sample (`SampledSeeding`), then Lloyd on every row.
        var r: KMeansResult?
        var restartObjectives: [Double] = []
        var single = settings
        single.restarts = 1
        for restart in 0..<settings.restarts {
            let seedStart = clock.now
            let initial = try SampledSeeding.centres(embedded, settings: settings, restart: restart, communicator: communicator)
            let seedSeconds = (clock.now - seedStart).inSeconds
            var candidate = try KMeans.fit(.dense(embedded), settings: single, communicator: communicator,
                                           initialCentres: initial, progress: report)
            candidate.initSeconds = seedSeconds + (r?.initSeconds ?? 0)
            restartObjectives.append(candidate.inertia)
            if r == nil || candidate.inertia < r!.inertia {
                candidate.chosenRestart = restart
                r = candidate
            } else {
                r!.initSeconds = candidate.initSeconds
            }
        }
        guard var r else { throw ClusteringError.invalidSettings("restarts must be at least 1") }
        r.restartInertias = restartObjectives
        progress.finish(stage: "k-means")
        var refinementSettings = SplitMergeRefinement.Settings()
        refinementSettings.enabled = settings.refine
        progress.update(stage: "split-merge", done: 0, total: 1, detail: "objective \(String(format: "%.1f", r.inertia))")
        let refinement: SplitMergeRefinement.Report
        (r, refinement) = try SplitMergeRefinement.refine(embedded, fit: r, kmeans: settings, settings: refinementSettings,
                                                          communicator: communicator)
        progress.finish(stage: "split-merge")
        var fit = segmentFit(r)
        // Each segment's mean interest row: what describes and labels it (on several ranks, the
        // process holding every row computes it from the gathered labels: `SpreadFit`).
        if communicator.size == 1 {
            fit.profiles = Self.profiles(matrix, labels: r.labels, k: settings.k)
        }
        fit.space = FittedSpace(space: latent, centres: r.centres)
        fit.embeddedRows = embedded
        fit.refinement = refinement
        fit.spaceSeconds = spaceSeconds
        fit.spaceFittedRows = fittedRows
        // Per Lloyd iteration: the k×r exact centroid sums (16-byte words), k counts and two counters.
        if communicator.size > 1 { fit.reducedBytesPerIteration = settings.k * latent.dimensions * 16 + settings.k * 8 + 16 }
        fit.prepareSeconds += spaceSeconds
        return fit
    }

    public func completeSpread(_ fit: inout SegmentFit, allRows: CSRMatrix) {
        if communicator.size > 1 { fit.profiles = Self.profiles(allRows, labels: fit.labels, k: settings.k) }
    }

    /// Each segment's mean interest row.
    public static func profiles(_ matrix: CSRMatrix, labels: [Int32], k: Int) -> DenseMatrix {
        ClusterQuality.centroids(matrix, labels: labels, k: k).0
    }

    private func segmentFit(_ r: KMeansResult) -> SegmentFit {
        var fit = SegmentFit(labels: r.labels, profiles: r.centres, objective: r.inertia, iterations: r.iterations,
                             converged: r.converged, history: IterationHistory(r.history))
        fit.sizes = r.sizes
        fit.prepareSeconds = r.prepareSeconds
        fit.initSeconds = r.initSeconds
        fit.restartObjectives = r.restartInertias
        return fit
    }

    /// How the latent space is fitted: the job's dimensions (or the automatic ones) and seed.
    private var latentSettings: LatentSpace.Settings {
        var s = LatentSpace.Settings()
        s.dimensions = settings.spaceDimensions
        s.sampleRows = settings.spaceSampleRows
        s.seed = settings.seed
        return s
    }

    public func refitting(k: Int, seed: UInt64) -> any SegmentationMethod {
        var s = settings
        s.k = k
        s.seed = seed
        s.restarts = 1
        // A mini-batch fit worked on the interests (`space`); its re-fits must too, or stability
        // would compare two different methods.
        if settings.algorithm == .minibatch { s.space = .interests }
        s.algorithm = .lloyd
        var method = KMeansMethod(settings: s, fixedSpace: fixedSpace)
        method.communicator = communicator
        return method
    }

    public func reusing(_ fit: SegmentFit) -> any SegmentationMethod {
        KMeansMethod(settings: settings, fixedSpace: fit.space?.space ?? fixedSpace)
    }

    public func preparingSpace(_ matrix: CSRMatrix, maxK: Int) throws -> any SegmentationMethod {
        guard space == .latent, fixedSpace == nil else { return self }
        let (space, _, _) = try LatentSpace.fit(matrix, k: maxK, settings: latentSettings, communicator: communicator)
        var method = KMeansMethod(settings: settings, fixedSpace: space)
        method.communicator = communicator
        return method
    }

    /// The latent coordinates are measured as they are, dense (a sparse copy of n×r values would cost
    /// twice their memory).
    public func measuredRows(_ matrix: CSRMatrix, fit: SegmentFit?) throws -> MeasuredRows {
        guard let space = fit?.space?.space ?? fixedSpace else { return .sparse(matrix) }
        if let embedded = fit?.embeddedRows, embedded.rowCount == matrix.rowCount { return .dense(embedded) }
        return .dense(try space.embed(matrix))
    }

    public func place(_ matrix: CSRMatrix, profiles: DenseMatrix, space: FittedSpace?) throws -> Placement {
        if let space {
            let embedded = try space.space.embed(matrix)
            let (labels, distances) = try KMeans.predict(.dense(embedded), centres: space.centres, metric: settings.metric)
            return Placement(segments: labels, distances: distances, memberships: nil)
        }
        let (labels, distances) = try KMeans.predict(.sparse(matrix), centres: profiles, metric: settings.metric)
        return Placement(segments: labels, distances: distances, memberships: nil)
    }
}
