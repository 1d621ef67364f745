import Foundation

/// The segmentation methods users can choose (`--method`, job key `method`).
public enum SegmentMethod: String, Codable, Sendable, CaseIterable {
    /// k-means: every follower in exactly one segment.
    case kmeans
    /// Non-negative matrix factorisation: a soft membership per follower (primary segment, its
    /// strength, secondary segment), segments as interest loadings.
    case nmf
}

/// A finished segmentation: the job as run, the audience, the fit, the model, the descriptions and
/// the seconds of each stage.
public struct SegmentationRun: Sendable {
    /// The job as it ran (a cache input's own loader settings adopted).
    public var spec: JobSpec
    public var audience: LoadedAudience
    /// The INPUT arguments as given (files or one cache): what `tessera wall` reloads.
    public var inputs: [String]
    public var result: SegmentFit
    public var model: SegmentModel
    /// Segment descriptions (nil when the rows were streamed and the matrix never loaded).
    public var insights: AudienceInsights?
    /// Assets, gaps and partners per segment (nil without assets or partners).
    public var gaps: GapReport?
    public var unknownCatalogInterests: [AssetCatalog.UnknownInterest] = []
    /// Quality of the segmentation: silhouette (sampled), Calinski–Harabasz, Davies–Bouldin.
    public var metrics: [String: Double] = [:]
    /// Seconds per stage: `load`, `prepare`, `init`, `fit`, `stability`, `describe`, `write`, `total`.
    public var timings: [String: Double]
    /// How the job was spread over processes (nil on one process).
    public var ranks: RanksRecord?
}

/// The inputs of a job, loaded: the audience, and where mini-batch k-means streams rows from when the
/// matrix itself was not loaded.
public struct LoadedInput {
    public var audience: LoadedAudience
    public var rows: RowSource?
    public var seconds: Double
    /// Whether the rows are streamed from a cache (descriptions need the matrix and are then left out).
    public var streamed: Bool { rows != nil }
}
