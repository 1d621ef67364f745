import Foundation

/// `segments.json`: one entry per segment (id, size, share, top interests by centre weight).
public struct SegmentsDocument: Codable, Sendable, Equatable {
    public struct TopInterest: Codable, Sendable, Equatable {
        public var interest: String
        public var weight: Double
    }
    /// A segment: id, size, share and top interests by weight, plus (when the matrix was in memory)
    /// the full description — label with evidence, distinctive interests with affinity index,
    /// interval and shrinkage, tag composition, cohesion, nearest segment — flattened into the object.
    public struct Segment: Codable, Sendable, Equatable {
        public var id: Int
        public var size: Int
        public var share: Double
        public var topInterests: [TopInterest]
        public var description: SegmentDescription?
        public var gaps: SegmentGaps?
        enum CodingKeys: String, CodingKey {
            case id, size, share, assets, coverage, gaps, partners
            case topInterests = "top_interests"
        }

        public init(id: Int, size: Int, share: Double, topInterests: [TopInterest], description: SegmentDescription?, gaps: SegmentGaps? = nil) {
            self.id = id
            self.size = size
            self.share = share
            self.topInterests = topInterests
            self.description = description
            self.gaps = gaps
        }

        public func encode(to encoder: Encoder) throws {
            try description?.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(size, forKey: .size)
            try container.encode(share, forKey: .share)
            try container.encode(topInterests, forKey: .topInterests)
            if let gaps {
                try container.encode(gaps.assets, forKey: .assets)
                try container.encode(SegmentsDocument.rounded(gaps.coverage), forKey: .coverage)
                try container.encode(gaps.gaps, forKey: .gaps)
                try container.encode(gaps.partners, forKey: .partners)
            }
        }

        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(Int.self, forKey: .id)
            size = try container.decode(Int.self, forKey: .size)
            share = try container.decode(Double.self, forKey: .share)
            topInterests = try container.decode([TopInterest].self, forKey: .topInterests)
            // A described segment carries its label; one without a description (streamed rows) does not.
            // A description that is present but damaged is an error, not a silent omission.
            let probe = try decoder.container(keyedBy: AnyCodingKey.self)
            description = probe.contains(AnyCodingKey(stringValue: "label")) ? try SegmentDescription(from: decoder) : nil
            if let assets = try container.decodeIfPresent([ServingAsset].self, forKey: .assets) {
                gaps = SegmentGaps(segment: id, assets: assets, coverage: try container.decode(Double.self, forKey: .coverage),
                                   gaps: try container.decode([Gap].self, forKey: .gaps), partners: try container.decode([PartnerCandidate].self, forKey: .partners))
            }
        }
    }
    /// The version of `SegmentsSchema` this document follows.
    public var schemaVersion = SegmentsSchema.version
    public var method: String
    public var k: Int
    public var profiles: Int
    public var interests: Int
    public var segments: [Segment]
    /// The rules behind the descriptions, the k×k segment similarities, the merge tree and the 2-D map.
    public var insightSettings: InsightSettings?
    public var similarity: [[Double]]?
    public var mergeTree: [MergeStep]?
    public var map: [[Double]]?
    /// With a catalogue: assets that serve no segment, and catalogue interests unknown to the audience.
    public var unusedAssets: [String]?
    public var unknownCatalogInterests: [AssetCatalog.UnknownInterest]?
    /// The wall's groups: themes (a cut of the merge tree) and the "other" group of small segments.
    public var themes: [SegmentTheme]?
    /// With a catalogue: missing assets, the partner cover, assets serving many and none (`CrossSegmentView`).
    public var crossSegment: CrossSegmentView?

    enum CodingKeys: String, CodingKey {
        case method, k, profiles, interests, segments, similarity, map
        case unusedAssets = "unused_assets"
        case unknownCatalogInterests = "unknown_catalog_interests"
        case schemaVersion = "schema_version"
        case insightSettings = "insight_settings"
        case mergeTree = "merge_tree"
        case themes
        case crossSegment = "cross_segment"
    }

    public init(run: SegmentationRun) {
        let r = run.result
        let rows = max(1, run.result.labels.count)
        let vocabulary = run.audience.vocabulary.interests
        let d = r.profiles.columnCount
        method = run.spec.method.rawValue
        k = r.profiles.rowCount
        profiles = run.result.labels.count
        interests = d
        segments = (0..<k).map { c in
            let row = Array(r.profiles.values[(c * d)..<((c + 1) * d)])
            let top = row.indices.filter { row[$0] > 0 }
                .sorted { row[$0] != row[$1] ? row[$0] > row[$1] : $0 < $1 }
                .prefix(run.spec.topInterests)
                .map { TopInterest(interest: vocabulary[$0], weight: Self.rounded(Double(row[$0]))) }
            return Segment(id: c, size: r.sizes[c], share: Self.rounded(Double(r.sizes[c]) / Double(rows)), topInterests: Array(top),
                           description: run.insights.map { Self.rounded($0.segments[c]) },
                           gaps: run.gaps?.segments.first { $0.segment == c }.map(Self.rounded))
        }
        if let gaps = run.gaps {
            unusedAssets = gaps.unusedAssets
            unknownCatalogInterests = run.unknownCatalogInterests
            crossSegment = gaps.crossSegment.map(Self.rounded)
        }
        if let insights = run.insights {
            insightSettings = insights.settings
            similarity = insights.similarity.map { $0.map(Self.rounded) }
            mergeTree = insights.mergeTree.map { var step = $0; step.distance = Self.rounded(step.distance); return step }
            map = insights.map.map { $0.map(Self.rounded) }
            themes = SegmentThemes.group(insights).map { var t = $0; t.share = Self.rounded(t.share); return t }
        }
    }

    static func rounded(_ v: CrossSegmentView) -> CrossSegmentView {
        var v = v
        v.missingAssets = v.missingAssets.map { var m = $0; m.share = rounded(m.share); m.maxIndex = rounded(m.maxIndex); return m }
        return v
    }

    static func rounded(_ g: SegmentGaps) -> SegmentGaps {
        var g = g
        g.assets = g.assets.map { var a = $0; a.demandShare = rounded(a.demandShare); return a }
        g.gaps = g.gaps.map { var x = $0; x.index = rounded(x.index); x.demandShare = rounded(x.demandShare); return x }
        g.partners = g.partners.map { var p = $0; p.demandShare = rounded(p.demandShare); return p }
        return g
    }

    /// The description with every number rounded to six decimals (stable, readable text).
    static func rounded(_ d: SegmentDescription) -> SegmentDescription {
        func r(_ a: InterestAffinity) -> InterestAffinity {
            var a = a
            a.prevalence = rounded(a.prevalence); a.audiencePrevalence = rounded(a.audiencePrevalence)
            a.index = rounded(a.index); a.indexLow = rounded(a.indexLow); a.indexHigh = rounded(a.indexHigh)
            a.shrunkIndex = rounded(a.shrunkIndex); a.score = rounded(a.score)
            return a
        }
        var d = d
        d.share = rounded(d.share)
        d.cohesion = rounded(d.cohesion)
        d.nearestSimilarity = rounded(d.nearestSimilarity)
        d.stability = d.stability.map(rounded)
        d.distinctiveInterests = d.distinctiveInterests.map(r)
        d.labelEvidence = d.labelEvidence.map(r)
        d.tags = d.tags.map { var t = $0; t.share = rounded(t.share); t.audienceShare = rounded(t.audienceShare); t.index = rounded(t.index); return t }
        return d
    }

    /// Six decimals: stable text, enough precision for shares and weights.
    static func rounded(_ x: Double) -> Double { (x * 1e6).rounded() / 1e6 }
}
