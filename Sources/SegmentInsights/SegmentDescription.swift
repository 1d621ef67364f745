/// A relationship tag's weight in a segment against the whole audience.
public struct TagComposition: Codable, Sendable, Equatable {
    public var tag: String
    /// Members carrying the tag, and their share of the segment.
    public var count: Int
    public var share: Double
    /// The tag's share of the whole audience, and index = share / audience share × 100.
    public var audienceShare: Double
    public var index: Double

    enum CodingKeys: String, CodingKey {
        case tag, count, share, index
        case audienceShare = "audience_share"
    }
}

/// Everything Tessera says about one segment.
public struct SegmentDescription: Codable, Sendable, Equatable {
    public var id: Int
    public var size: Int
    public var share: Double
    /// Deterministic, unique across segments, built from the top distinctive interests (`labelEvidence`).
    public var label: String
    public var labelEvidence: [InterestAffinity]
    /// Supported interests with a shrunk index above 100, best `score` first.
    public var distinctiveInterests: [InterestAffinity]
    public var tags: [TagComposition]
    /// Mean cosine similarity of the members to the segment's profile vector.
    public var cohesion: Double
    /// The most similar other segment (cosine of the profile vectors), −1 when k = 1.
    public var nearestSegment: Int
    public var nearestSimilarity: Double
    /// Below the minimum size: counts only, no interests or label evidence.
    public var tooSmall: Bool
    /// Mean best-match Jaccard under bootstrap re-fits (see `Stability`), nil when not computed.
    public var stability: Double? = nil
    /// What a reader should know before acting on the segment, in words (see `InsightSettings` for the
    /// rules): "overlaps S28 …", "unstable …: treat as tentative", "general audience …".
    public var cautions: [String] = []

    public init(id: Int, size: Int, share: Double, label: String, labelEvidence: [InterestAffinity],
                distinctiveInterests: [InterestAffinity], tags: [TagComposition], cohesion: Double,
                nearestSegment: Int, nearestSimilarity: Double, tooSmall: Bool) {
        self.id = id
        self.size = size
        self.share = share
        self.label = label
        self.labelEvidence = labelEvidence
        self.distinctiveInterests = distinctiveInterests
        self.tags = tags
        self.cohesion = cohesion
        self.nearestSegment = nearestSegment
        self.nearestSimilarity = nearestSimilarity
        self.tooSmall = tooSmall
    }

    enum CodingKeys: String, CodingKey {
        case id, size, share, label, tags, cohesion
        case labelEvidence = "label_evidence"
        case distinctiveInterests = "distinctive_interests"
        case nearestSegment = "nearest_segment"
        case nearestSimilarity = "nearest_similarity"
        case tooSmall = "too_small"
        case stability, cautions
    }
}

/// One step of the merge tree: clusters `left` and `right` (ids < k are segments, ids ≥ k earlier
/// merges, as in SciPy's linkage) join into cluster `k + step` at Ward cost `distance`.
public struct MergeStep: Codable, Sendable, Equatable {
    public var left: Int
    public var right: Int
    public var distance: Double
    public var size: Int

    public init(left: Int, right: Int, distance: Double, size: Int) {
        self.left = left
        self.right = right
        self.distance = distance
        self.size = size
    }
}

/// The description of a whole segmentation.
public struct AudienceInsights: Codable, Sendable, Equatable {
    public var settings: InsightSettings
    public var profiles: Int
    public var segments: [SegmentDescription]
    /// k×k cosine similarities of the segments' profile vectors.
    public var similarity: [[Double]]
    /// k − 1 Ward merges of the unit-length segment profiles, each segment counted once.
    public var mergeTree: [MergeStep]
    /// A 2-D position per segment: the first two principal components of the centres.
    public var map: [[Double]]

    public init(settings: InsightSettings, profiles: Int, segments: [SegmentDescription], similarity: [[Double]],
                mergeTree: [MergeStep], map: [[Double]]) {
        self.settings = settings
        self.profiles = profiles
        self.segments = segments
        self.similarity = similarity
        self.mergeTree = mergeTree
        self.map = map
    }

    enum CodingKeys: String, CodingKey {
        case settings, profiles, segments, similarity, map
        case mergeTree = "merge_tree"
    }
}
