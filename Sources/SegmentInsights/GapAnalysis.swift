/// Something that serves interests: one of the firm's assets (what we have) or a potential partner.
public struct InterestServer: Sendable, Equatable {
    public var id: String
    public var name: String
    public var kind: String
    /// The audience interests it serves (already matched to the vocabulary).
    public var interests: [String]
    /// Partners: audience reach (used to break ties), 0 when unknown.
    public var reach: Double
    public init(id: String, name: String, kind: String, interests: [String], reach: Double = 0) {
        self.id = id
        self.name = name
        self.kind = kind
        self.interests = interests
        self.reach = reach
    }
}

/// An asset that serves a segment: which of its distinctive interests it matches and the share of the
/// segment's demand they carry.
public struct ServingAsset: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var kind: String
    public var matched: [String]
    public var demandShare: Double
    enum CodingKeys: String, CodingKey {
        case id, name, kind, matched
        case demandShare = "demand_share"
    }
}

/// A distinctive interest no asset serves.
public struct Gap: Codable, Sendable, Equatable {
    public var interest: String
    public var index: Double
    public var demandShare: Double
    enum CodingKeys: String, CodingKey {
        case interest, index
        case demandShare = "demand_share"
    }
}

/// A partner proposed for a segment's gaps, with the evidence: the gap interests it covers.
public struct PartnerCandidate: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var kind: String
    public var covers: [String]
    /// Share of the segment's demand its covered gaps carry (the greedy gain when it was picked).
    public var demandShare: Double
    public var reach: Double
    enum CodingKeys: String, CodingKey {
        case id, name, kind, covers, reach
        case demandShare = "demand_share"
    }
}

/// Assets, coverage, gaps and partner candidates of one segment.
public struct SegmentGaps: Codable, Sendable, Equatable {
    public var segment: Int
    public var assets: [ServingAsset]
    /// Share of the segment's demand (Σ of its distinctive interests' scores) that some asset serves.
    public var coverage: Double
    public var gaps: [Gap]
    public var partners: [PartnerCandidate]

    public init(segment: Int, assets: [ServingAsset], coverage: Double, gaps: [Gap], partners: [PartnerCandidate]) {
        self.segment = segment
        self.assets = assets
        self.coverage = coverage
        self.gaps = gaps
        self.partners = partners
    }
}

/// The gap analysis of a whole segmentation.
public struct GapReport: Codable, Sendable, Equatable {
    public var segments: [SegmentGaps]
    /// Assets that serve none of the segments' distinctive interests.
    public var unusedAssets: [String]
    /// The view across segments (missing assets, the partner cover, assets serving many and none);
    /// it counts people in the rows, so it is added where the matrix is at hand (`CrossSegmentAnalysis`).
    public var crossSegment: CrossSegmentView?
    enum CodingKeys: String, CodingKey {
        case segments
        case unusedAssets = "unused_assets"
        case crossSegment = "cross_segment"
    }
}

/// Links segments to the firm's assets and to partners.
///
/// A segment's **demand** is its distinctive interests weighted by their score (see `InterestAffinity`).
/// An asset serves the segment when it serves at least one of them; **coverage** is the share of demand
/// served by any asset; **gaps** are the unserved distinctive interests, highest score first; **partner
/// candidates** are chosen by greedy weighted set cover of the gaps: repeatedly the partner covering the
/// most uncovered gap demand (ties: larger reach, then id), at most `maxPartners`, each with the gaps it covers.
public enum GapAnalysis {
    public static func link(_ insights: AudienceInsights, assets: [InterestServer], partners: [InterestServer],
                            maxGaps: Int = 10, maxPartners: Int = 5) -> GapReport {
        var used = Set<String>()
        var result: [SegmentGaps] = []
        for segment in insights.segments {
            let demand = segment.distinctiveInterests
            let total = demand.reduce(0.0) { $0 + max(0, $1.score) }
            func share(_ names: Set<String>) -> Double {
                total > 0 ? demand.filter { names.contains($0.interest) }.reduce(0.0) { $0 + max(0, $1.score) } / total : 0
            }
            let wanted = Set(demand.map(\.interest))
            var serving: [ServingAsset] = []
            var served = Set<String>()
            for asset in assets {
                let matched = asset.interests.filter { wanted.contains($0) }
                guard !matched.isEmpty else { continue }
                used.insert(asset.id)
                served.formUnion(matched)
                serving.append(ServingAsset(id: asset.id, name: asset.name, kind: asset.kind,
                                            matched: demand.map(\.interest).filter { matched.contains($0) }, demandShare: share(Set(matched))))
            }
            serving.sort { $0.demandShare != $1.demandShare ? $0.demandShare > $1.demandShare : $0.id < $1.id }
            let unserved = demand.filter { !served.contains($0.interest) }
            let gaps = unserved.prefix(maxGaps).map { Gap(interest: $0.interest, index: $0.index, demandShare: share([$0.interest])) }
            // Greedy weighted cover of all unserved distinctive interests.
            var uncovered = Dictionary(uniqueKeysWithValues: unserved.map { ($0.interest, max(0, $0.score)) })
            var candidates: [PartnerCandidate] = []
            var remaining = partners
            while candidates.count < maxPartners, !uncovered.isEmpty {
                var bestIndex = -1, bestGain = 0.0
                for (t, partner) in remaining.enumerated() {
                    let gain = Set(partner.interests).reduce(0.0) { $0 + (uncovered[$1] ?? 0) }
                    guard gain > 0 else { continue }
                    if bestIndex < 0 || gain > bestGain + 1e-12 ||
                        (abs(gain - bestGain) <= 1e-12 && (partner.reach, remaining[bestIndex].id) > (remaining[bestIndex].reach, partner.id)) {
                        bestIndex = t
                        bestGain = gain
                    }
                }
                guard bestIndex >= 0 else { break }
                let partner = remaining.remove(at: bestIndex)
                let covers = unserved.map(\.interest).filter { uncovered[$0] != nil && partner.interests.contains($0) }
                for interest in covers { uncovered[interest] = nil }
                candidates.append(PartnerCandidate(id: partner.id, name: partner.name, kind: partner.kind, covers: covers,
                                                   demandShare: total > 0 ? bestGain / total : 0, reach: partner.reach))
            }
            result.append(SegmentGaps(segment: segment.id, assets: serving, coverage: share(served), gaps: Array(gaps), partners: candidates))
        }
        return GapReport(segments: result, unusedAssets: assets.map(\.id).filter { !used.contains($0) })
    }
}
