/// What makes an interest count as distinctive for a segment, with documented defaults.
public struct InsightSettings: Sendable, Codable, Equatable {
    /// Minimum support: an interest is listed for a segment only if at least `minCount` members follow
    /// it (default 10) and it reaches `minPrevalence` of the segment (default 0.01 = 1%).
    public var minCount: Int = 10
    public var minPrevalence: Double = 0.01
    /// Shrinkage: the segment prevalence is pulled towards the audience prevalence as if the segment
    /// had `priorStrength` extra members who follow like the audience (default 30), so that a rare
    /// interest followed by 3 of 12 members cannot top the list by chance.
    public var priorStrength: Double = 30
    /// Two-sided confidence level of the affinity interval (default 0.95).
    public var confidence: Double = 0.95
    /// Distinctive interests kept per segment (default 20) and used for the label (default 2).
    public var topInterests: Int = 20
    public var labelInterests: Int = 2
    /// Segments smaller than this are shown as "too small to describe", counts only (default 50).
    public var minSegmentSize: Int = 50
    /// Cautions written on a segment (segments.json `cautions`, the wall card, the report):
    /// - it overlaps its nearest segment when their profiles' cosine similarity is at least
    ///   `overlapSimilarity` (default 0.8; on planted data a segment cut in two scores ≈ 0.97, distinct
    ///   segments below 0.35);
    /// - it is unstable when its bootstrap stability is below `unstableStability` (default 0.6, the
    ///   usual line below which a cluster "dissolves" under resampling; Hennig 2007);
    /// - it is the general audience when no distinctive interest reaches a shrunk affinity index of
    ///   `generalAudienceIndex` (default 150: members follow nothing much more than everyone does).
    public var overlapSimilarity: Double = 0.8
    public var unstableStability: Double = 0.6
    public var generalAudienceIndex: Double = 150
    /// The wall's themes: the merge tree is cut into between `minThemes` and `maxThemes` groups
    /// (default 6–8; see `SegmentThemes`; a minimum above the maximum is read as the maximum).
    /// Segments too small to describe or under `otherShare` of the profiles (default 0.005 = 0.5%)
    /// are gathered in one "other" group instead.
    public var minThemes: Int = 6
    public var maxThemes: Int = 8
    public var otherShare: Double = 0.005
    /// A gap (a distinctive interest no asset serves) has **real demand** when at least
    /// `gapMinPrevalence` of the segment follows it (default 0.02 = 2%) and its affinity index is at
    /// least `gapMinIndex` (default 150). Only those get a card on the wall and count in the
    /// cross-segment view (missing assets, the partner cover).
    public var gapMinPrevalence: Double = 0.02
    public var gapMinIndex: Double = 150

    public init() {}

    /// Whether an unserved distinctive interest is a gap with real demand (see `gapMinPrevalence`).
    public func hasRealDemand(_ a: InterestAffinity) -> Bool {
        a.prevalence >= gapMinPrevalence && a.index >= gapMinIndex
    }

    /// The keys of a job file's `insights` section and of segments.json's `insight_settings`.
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case confidence
        case minCount = "min_count"
        case minPrevalence = "min_prevalence"
        case priorStrength = "prior_strength"
        case topInterests = "top_interests"
        case labelInterests = "label_interests"
        case minSegmentSize = "min_segment_size"
        case overlapSimilarity = "overlap_similarity"
        case unstableStability = "unstable_stability"
        case generalAudienceIndex = "general_audience_index"
        case minThemes = "min_themes"
        case maxThemes = "max_themes"
        case otherShare = "other_share"
        case gapMinPrevalence = "gap_min_prevalence"
        case gapMinIndex = "gap_min_index"
    }

    /// Missing keys keep their defaults (a job file may name only what it changes).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = InsightSettings()
        minCount = try c.decodeIfPresent(Int.self, forKey: .minCount) ?? d.minCount
        minPrevalence = try c.decodeIfPresent(Double.self, forKey: .minPrevalence) ?? d.minPrevalence
        priorStrength = try c.decodeIfPresent(Double.self, forKey: .priorStrength) ?? d.priorStrength
        confidence = try c.decodeIfPresent(Double.self, forKey: .confidence) ?? d.confidence
        topInterests = try c.decodeIfPresent(Int.self, forKey: .topInterests) ?? d.topInterests
        labelInterests = try c.decodeIfPresent(Int.self, forKey: .labelInterests) ?? d.labelInterests
        minSegmentSize = try c.decodeIfPresent(Int.self, forKey: .minSegmentSize) ?? d.minSegmentSize
        overlapSimilarity = try c.decodeIfPresent(Double.self, forKey: .overlapSimilarity) ?? d.overlapSimilarity
        unstableStability = try c.decodeIfPresent(Double.self, forKey: .unstableStability) ?? d.unstableStability
        generalAudienceIndex = try c.decodeIfPresent(Double.self, forKey: .generalAudienceIndex) ?? d.generalAudienceIndex
        minThemes = try c.decodeIfPresent(Int.self, forKey: .minThemes) ?? d.minThemes
        maxThemes = try c.decodeIfPresent(Int.self, forKey: .maxThemes) ?? d.maxThemes
        otherShare = try c.decodeIfPresent(Double.self, forKey: .otherShare) ?? d.otherShare
        gapMinPrevalence = try c.decodeIfPresent(Double.self, forKey: .gapMinPrevalence) ?? d.gapMinPrevalence
        gapMinIndex = try c.decodeIfPresent(Double.self, forKey: .gapMinIndex) ?? d.gapMinIndex
    }

    public func validate() throws {
        guard minCount >= 1, minPrevalence >= 0, minPrevalence < 1, priorStrength >= 0,
              confidence > 0, confidence < 1, topInterests >= 1, labelInterests >= 1, minSegmentSize >= 1,
              minThemes >= 1, maxThemes >= 1, otherShare >= 0, otherShare <= 1, gapMinPrevalence >= 0, gapMinPrevalence <= 1, gapMinIndex >= 0 else {
            throw InsightError.invalidSettings("insight settings out of range: min count ≥ 1, prevalence in [0, 1), prior ≥ 0, confidence in (0, 1), counts ≥ 1, shares in [0, 1], gap index ≥ 0")
        }
    }
}

public enum InsightError: Error, CustomStringConvertible, Equatable {
    case invalidSettings(String)
    case shapeMismatch(String)
    public var description: String {
        switch self {
        case .invalidSettings(let m), .shapeMismatch(let m): return m
        }
    }
}
