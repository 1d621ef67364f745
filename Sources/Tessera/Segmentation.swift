import Foundation

/// The segmentation method.
public enum SegmentMethod: String, Codable, Sendable, CaseIterable {
    /// k-means: every follower in exactly one segment.
    case kmeans
    /// Non-negative matrix factorisation: a soft membership per follower (primary segment, its
    /// strength, secondary segment), segments as interest loadings.
    case nmf
}

/// What `tessera segment` does beyond the method's own settings.
public struct SegmentJobSettings: Sendable {
    public var method: SegmentMethod = .kmeans
    public var kmeans = KMeansSettings()
    public var nmf = NMFSettings()
    /// Interests listed per segment in segments.json by weight. Default 10.
    public var topInterests = 10
    /// The rules of the segment descriptions (affinity support, shrinkage, labels, minimum size).
    public var insights = InsightSettings()
    /// Per-segment stability by bootstrap re-fits (rounds 0 turns it off).
    public var stability = Stability.Settings()
    /// The firm's assets, potential partners and interest aliases (CSV files; all optional).
    public var assets: String?
    public var partners: String?
    public var aliases: String?
    public init() {}

    /// The number of segments of the chosen method.
    public var k: Int { method == .kmeans ? kmeans.k : nmf.k }
    public var seed: UInt64 { method == .kmeans ? kmeans.seed : nmf.seed }
}

/// The method-independent outcome of a segmentation.
public struct SegmentFit: Sendable {
    public var method: SegmentMethod
    /// Hard segment of every segmented row.
    public var labels: [Int32]
    public var sizes: [Int]
    /// k×d segment profiles over the interests: k-means centres, or NMF's H rows (unit length).
    public var profiles: DenseMatrix
    /// k-means inertia, or NMF's ‖X − W·H‖_F.
    public var objective: Double
    public var iterations: Int
    public var converged: Bool
    public var prepareSeconds: Double
    public var initSeconds: Double
    public var restartObjectives: [Double]
    public var kmeansHistory: [KMeansIteration]
    public var nmfHistory: [NMFIteration]
    /// NMF only: each row's soft membership.
    public var memberships: [SoftMembership]?

    init(method: SegmentMethod, labels: [Int32], profiles: DenseMatrix, memberships: [SoftMembership]?, objective: Double,
         iterations: Int, converged: Bool) {
        self.method = method
        self.labels = labels
        var sizes = [Int](repeating: 0, count: profiles.rowCount)
        for label in labels { sizes[Int(label)] += 1 }
        self.sizes = sizes
        self.profiles = profiles
        self.objective = objective
        self.iterations = iterations
        self.converged = converged
        prepareSeconds = 0
        initSeconds = 0
        restartObjectives = [objective]
        kmeansHistory = []
        nmfHistory = []
        self.memberships = memberships
    }

    init(kmeans r: KMeansResult) {
        method = .kmeans
        labels = r.labels
        sizes = r.sizes
        profiles = r.centres
        objective = r.inertia
        iterations = r.iterations
        converged = r.converged
        prepareSeconds = r.prepareSeconds
        initSeconds = r.initSeconds
        restartObjectives = r.restartInertias
        kmeansHistory = r.history
        nmfHistory = []
        memberships = nil
    }

    init(nmf r: NMFResult) {
        method = .nmf
        let m = r.memberships()
        labels = m.map { Int32($0.segment) }
        var sizes = [Int](repeating: 0, count: r.h.rowCount)
        for membership in m { sizes[membership.segment] += 1 }
        self.sizes = sizes
        profiles = r.h
        objective = r.reconstructionError
        iterations = r.iterations
        converged = r.converged
        prepareSeconds = 0
        initSeconds = r.initSeconds
        restartObjectives = [r.reconstructionError]
        kmeansHistory = []
        nmfHistory = r.history
        memberships = m
    }
}

/// A finished segmentation: the audience, the fit, the model, and the seconds of each stage.
public struct SegmentationRun: Sendable {
    public var audience: LoadedAudience
    public var inputs: [String]
    public var settings: SegmentJobSettings
    public var result: SegmentFit
    public var model: SegmentModel
    /// Segment descriptions (nil when the rows were streamed and the matrix never loaded).
    public var insights: AudienceInsights?
    /// Assets, gaps and partners per segment (nil without assets or partners).
    public var gaps: GapReport?
    public var unknownCatalogInterests: [AssetCatalog.UnknownInterest] = []
    /// Quality of the segmentation: silhouette (sampled), Calinski–Harabasz, Davies–Bouldin.
    public var metrics: [String: Double] = [:]
    /// Seconds per stage: `load`, `prepare`, `init`, `fit`, `describe`, `write`, `total`.
    public var timings: [String: Double]
}

public enum SegmentationJob {
    /// Fits the chosen method to a loaded audience, reporting iterations on `progress`.
    /// - Parameter rows: where mini-batch k-means streams the rows from (a cache), instead of `audience.matrix`.
    public static func fit(_ audience: LoadedAudience, rows: RowSource? = nil, inputs: [String], settings: SegmentJobSettings,
                           loadSeconds: Double, progress: ProgressReporter) throws -> SegmentationRun {
        let clock = ContinuousClock()
        let start = clock.now
        let result: SegmentFit
        switch settings.method {
        case .kmeans:
            let maxIterations = settings.kmeans.maxIterations
            let report: (KMeansIteration) -> Void = { stats in
                progress.update(stage: "k-means", done: Double(stats.iteration), total: Double(maxIterations),
                                detail: String(format: "iteration %d: objective %.1f, %d labels changed",
                                               stats.iteration, stats.objective, stats.changedLabels))
            }
            if let rows, settings.kmeans.algorithm == .minibatch {
                result = SegmentFit(kmeans: try MiniBatchKMeans.fit(rows, settings: settings.kmeans, progress: report))
            } else {
                result = SegmentFit(kmeans: try KMeans.fit(.sparse(audience.matrix), settings: settings.kmeans, progress: report))
            }
            progress.finish(stage: "k-means")
        case .nmf:
            let maxIterations = settings.nmf.maxIterations
            let r = try NMF.fit(audience.matrix, settings: settings.nmf) { stats in
                progress.update(stage: "nmf", done: Double(stats.iteration), total: Double(maxIterations),
                                detail: String(format: "iteration %d: error %.3f", stats.iteration, stats.error))
            }
            progress.finish(stage: "nmf")
            result = SegmentFit(nmf: r)
        }
        let fitSeconds = (clock.now - start).inSeconds
        let model = SegmentModel(
            metadata: .init(tesseraVersion: TesseraVersion.current, method: settings.method.rawValue,
                            kmeans: settings.method == .kmeans ? settings.kmeans : nil,
                            nmf: settings.method == .nmf ? settings.nmf : nil,
                            vectorizer: FittedVectorizer(audience: audience), loader: audience.settings),
            centres: result.profiles)
        let describeStart = clock.now
        var insights: AudienceInsights? = nil
        var describeSeconds = 0.0, stabilitySeconds = 0.0
        if rows == nil || settings.method != .kmeans || settings.kmeans.algorithm != .minibatch {
            var described = try SegmentInsights.describe(matrix: audience.matrix, labels: result.labels, profiles: result.profiles,
                                                         interests: audience.vocabulary.interests, tags: rowTags(audience),
                                                         settings: settings.insights)
            describeSeconds = (clock.now - describeStart).inSeconds
            let stabilityStart = clock.now
            try addStability(&described, audience: audience, result: result, settings: settings, progress: progress)
            stabilitySeconds = (clock.now - stabilityStart).inSeconds
            insights = described
        } else {
            progress.note("segments streamed from the cache: descriptions need the matrix in memory and are left out")
        }
        var run = SegmentationRun(audience: audience, inputs: inputs, settings: settings, result: result, model: model,
                                  insights: insights,
                                  timings: ["load": loadSeconds, "prepare": result.prepareSeconds, "init": result.initSeconds,
                                            "fit": fitSeconds, "stability": stabilitySeconds])
        if insights != nil {
            let m = ClusterQuality.measures(audience.matrix, labels: result.labels, k: result.profiles.rowCount,
                                            silhouetteSample: 2_000, seed: settings.seed)
            run.metrics = ["silhouette": m.silhouette, "calinski_harabasz": m.calinskiHarabasz, "davies_bouldin": m.daviesBouldin]
        }
        let linkStart = clock.now
        try link(&run, progress: progress)
        run.timings["describe"] = describeSeconds + (clock.now - linkStart).inSeconds
        return run
    }

    static func rowTags(_ audience: LoadedAudience) -> RowTags {
        RowTags(names: audience.tags.names, rowStart: audience.tags.rowStart, values: audience.tags.values)
    }

    /// Writes each segment's bootstrap stability into `insights` (nothing when stability is off).
    static func addStability(_ insights: inout AudienceInsights, audience: LoadedAudience, result: SegmentFit,
                             settings: SegmentJobSettings, progress: ProgressReporter) throws {
        guard settings.stability.rounds > 0 else { return }
        let scores = try stability(audience.matrix, labels: result.labels, k: result.profiles.rowCount, settings: settings, progress: progress)
        for s in insights.segments.indices { insights.segments[s].stability = scores[s] }
        progress.finish(stage: "stability")
    }

    /// Bootstrap stability of each segment: the same method and settings re-fitted on resampled rows.
    static func stability(_ matrix: CSRMatrix, labels: [Int32], k: Int, settings: SegmentJobSettings,
                          progress: ProgressReporter) throws -> [Double] {
        var stabilitySettings = settings.stability
        stabilitySettings.seed = settings.seed
        var round = 0
        return try Stability.bootstrapJaccard(labels: labels, k: k, settings: stabilitySettings) { rows in
            round += 1
            progress.update(stage: "stability", done: Double(round), total: Double(stabilitySettings.rounds), detail: "bootstrap \(round)")
            let sample = matrix.gatherRows(rows)
            guard sample.rowCount >= k else { return [Int32](repeating: 0, count: sample.rowCount) }
            switch settings.method {
            case .kmeans:
                var s = settings.kmeans
                s.restarts = 1
                s.algorithm = .lloyd
                s.seed = settings.seed &+ UInt64(round)
                return try KMeans.fit(.sparse(sample), settings: s).labels
            case .nmf:
                var s = settings.nmf
                s.seed = settings.seed &+ UInt64(round)
                return try NMF.fit(sample, settings: s).memberships().map { Int32($0.segment) }
            }
        }
    }

    /// Re-describes a saved run (the folder `tessera segment` wrote) without refitting: reloads its inputs
    /// with its loader settings, places the rows with its model, describes the segments and links the
    /// catalogue given in `settings`.
    public static func redescribe(directory: String, catalogue settings: SegmentJobSettings,
                                  progress: ProgressReporter) throws -> SegmentationRun {
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        struct SavedRun: Decodable {
            var sources: [String]?
            var loader: LoaderSettings
            var objective: Double
            var iterations: Int
            var converged: Bool
        }
        let saved: SavedRun
        do { saved = try JSONDecoder().decode(SavedRun.self, from: Data(contentsOf: URL(fileURLWithPath: path("run.json")))) } catch {
            throw LoadError.cannotOpen(file: path("run.json"), reason: "not a run folder written by `tessera segment` (\(error.localizedDescription))")
        }
        guard let sources = saved.sources, !sources.isEmpty else {
            throw LoadError.cannotOpen(file: path("run.json"), reason: "the run does not record its inputs; re-run `tessera segment`")
        }
        let model = try SegmentModel.load(from: path(SegmentModel.fileName))
        let audience: LoadedAudience
        if sources.count == 1, ProfileCache.isCache(sources[0]) {
            audience = try ProfileCache.load(from: sources[0])
        } else {
            audience = try ProfileLoader(settings: saved.loader, progress: progress.loaderCallback()).load(sources)
            progress.finish(stage: "loading")
        }
        guard audience.vocabulary.interests == model.metadata.vectorizer.interests else {
            throw ClusteringError.badModel("the inputs of \(directory) changed since the run (their interests no longer match the model); re-run `tessera segment`")
        }
        var job = settings
        let result: SegmentFit
        if model.metadata.method == "nmf", let nmf = model.metadata.nmf {
            job.method = .nmf
            job.nmf = nmf
            let memberships = NMFResult.memberships(of: try NMF.transform(audience.matrix, h: model.centres))
            result = SegmentFit(method: .nmf, labels: memberships.map { Int32($0.segment) }, profiles: model.centres,
                                memberships: memberships, objective: saved.objective, iterations: saved.iterations, converged: saved.converged)
        } else {
            job.method = .kmeans
            job.kmeans = model.metadata.kmeans ?? KMeansSettings(k: model.centres.rowCount)
            let (labels, _) = try KMeans.predict(.sparse(audience.matrix), centres: model.centres, metric: job.kmeans.metric)
            result = SegmentFit(method: .kmeans, labels: labels, profiles: model.centres, memberships: nil,
                                objective: saved.objective, iterations: saved.iterations, converged: saved.converged)
        }
        var insights = try SegmentInsights.describe(matrix: audience.matrix, labels: result.labels, profiles: result.profiles,
                                                    interests: audience.vocabulary.interests, tags: rowTags(audience),
                                                    settings: job.insights)
        try addStability(&insights, audience: audience, result: result, settings: job, progress: progress)
        var run = SegmentationRun(audience: audience, inputs: sources, settings: job, result: result, model: model,
                                  insights: insights, timings: [:])
        try link(&run, progress: progress)
        return run
    }

    /// Reads the catalogue (assets, partners, aliases) and links it to the described segments.
    static func link(_ run: inout SegmentationRun, progress: ProgressReporter) throws {
        let s = run.settings
        guard let insights = run.insights, s.assets != nil || s.partners != nil else { return }
        let catalog = try AssetCatalog.read(assets: s.assets, partners: s.partners, aliases: s.aliases,
                                            normalization: run.audience.settings.normalization,
                                            vocabulary: run.audience.vocabulary.interests)
        run.gaps = GapAnalysis.link(insights, assets: catalog.assets, partners: catalog.partners)
        run.unknownCatalogInterests = catalog.unknownInterests
        if !catalog.unknownInterests.isEmpty {
            let shown = catalog.unknownInterests.prefix(5).map { "  \($0.file):\($0.line): \($0.id): \($0.interest)" }
            progress.note((["\(catalog.unknownInterests.count) catalogue interest(s) match nothing in the audience (listed in segments.json under unknown_catalog_interests); the first:"] + shown).joined(separator: "\n"))
        }
    }
}

/// The binary profile cache as a source of row batches (mini-batch k-means streams from it).
extension CachedMatrixReader: RowSource {
    public func rows(at indices: [Int]) throws -> ClusteringData { .sparse(try rows(at: indices) as CSRMatrix) }
    public func rows(_ range: Range<Int>) throws -> ClusteringData { .sparse(try rows(range) as CSRMatrix) }
}
