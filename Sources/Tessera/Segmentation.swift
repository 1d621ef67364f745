import Foundation

/// The segmentation method.
public enum SegmentMethod: String, Codable, Sendable, CaseIterable {
    case kmeans
}

/// What `tessera segment` does beyond the clustering settings.
public struct SegmentJobSettings: Sendable {
    public var method: SegmentMethod = .kmeans
    public var kmeans = KMeansSettings()
    /// Interests listed per segment in segments.json. Default 10.
    public var topInterests = 10
    public init() {}
}

/// A finished segmentation: the audience, the fit, the model, and the seconds of each stage.
public struct SegmentationRun: Sendable {
    public var audience: LoadedAudience
    public var inputs: [String]
    public var settings: SegmentJobSettings
    public var result: KMeansResult
    public var model: SegmentModel
    /// Seconds per stage: `load`, `init`, `fit`, `write`, `total`.
    public var timings: [String: Double]
}

public enum SegmentationJob {
    /// Fits the chosen method to a loaded audience, reporting iterations on `progress`.
    /// - Parameter rows: where mini-batch k-means streams the rows from (a cache), instead of `audience.matrix`.
    public static func fit(_ audience: LoadedAudience, rows: RowSource? = nil, inputs: [String], settings: SegmentJobSettings,
                           loadSeconds: Double, progress: ProgressReporter) throws -> SegmentationRun {
        let clock = ContinuousClock()
        let start = clock.now
        let maxIterations = settings.kmeans.maxIterations
        let report: (KMeansIteration) -> Void = { stats in
            progress.update(stage: "k-means", done: Double(stats.iteration), total: Double(maxIterations),
                            detail: String(format: "iteration %d: objective %.1f, %d labels changed",
                                           stats.iteration, stats.objective, stats.changedLabels))
        }
        let result: KMeansResult
        if let rows, settings.kmeans.algorithm == .minibatch {
            result = try MiniBatchKMeans.fit(rows, settings: settings.kmeans, progress: report)
        } else {
            result = try KMeans.fit(.sparse(audience.matrix), settings: settings.kmeans, progress: report)
        }
        progress.finish(stage: "k-means")
        let fitSeconds = (clock.now - start).inSeconds
        let model = SegmentModel(
            metadata: .init(tesseraVersion: TesseraVersion.current, method: settings.method.rawValue, kmeans: settings.kmeans,
                            vectorizer: FittedVectorizer(audience: audience), loader: audience.settings),
            centres: result.centres)
        return SegmentationRun(audience: audience, inputs: inputs, settings: settings, result: result, model: model,
                               timings: ["load": loadSeconds, "prepare": result.prepareSeconds, "init": result.initSeconds,
                                         "fit": fitSeconds])
    }
}

/// The binary profile cache as a source of row batches (mini-batch k-means streams from it).
extension CachedMatrixReader: RowSource {
    public func rows(at indices: [Int]) throws -> ClusteringData { .sparse(try rows(at: indices) as CSRMatrix) }
    public func rows(_ range: Range<Int>) throws -> ClusteringData { .sparse(try rows(range) as CSRMatrix) }
}
