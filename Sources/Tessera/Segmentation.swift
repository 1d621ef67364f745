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
        if rows == nil || settings.method != .kmeans || settings.kmeans.algorithm != .minibatch {
            let t = audience.tags
            insights = try SegmentInsights.describe(matrix: audience.matrix, labels: result.labels, profiles: result.profiles,
                                                    interests: audience.vocabulary.interests,
                                                    tags: RowTags(names: t.names, rowStart: t.rowStart, values: t.values),
                                                    settings: settings.insights)
        } else {
            progress.note("segments streamed from the cache: descriptions need the matrix in memory and are left out")
        }
        return SegmentationRun(audience: audience, inputs: inputs, settings: settings, result: result, model: model,
                               insights: insights,
                               timings: ["load": loadSeconds, "prepare": result.prepareSeconds, "init": result.initSeconds,
                                         "fit": fitSeconds, "describe": (clock.now - describeStart).inSeconds])
    }
}

/// The binary profile cache as a source of row batches (mini-batch k-means streams from it).
extension CachedMatrixReader: RowSource {
    public func rows(at indices: [Int]) throws -> ClusteringData { .sparse(try rows(at: indices) as CSRMatrix) }
    public func rows(_ range: Range<Int>) throws -> ClusteringData { .sparse(try rows(range) as CSRMatrix) }
}
