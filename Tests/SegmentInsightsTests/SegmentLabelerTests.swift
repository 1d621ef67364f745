import Foundation
import Testing
@testable import SegmentInsights

@Suite struct SegmentLabelerTests {
    func segment(_ id: Int, size: Int, _ interests: [String]) -> SegmentDescription {
        let affinities = interests.map {
            InterestAffinity(interest: $0, count: 40, size: 100, followers: 100, audience: 1000, settings: InsightSettings())
        }
        return SegmentDescription(id: id, size: size, share: 0.1, label: "", labelEvidence: [], distinctiveInterests: affinities,
                                  tags: [], cohesion: 0.5, nearestSegment: 0, nearestSimilarity: 0, tooSmall: false)
    }

    /// `#ipa · @hazy` and `@hazy · #ipa` name the same segment: the smaller one gets its third interest.
    @Test func reversedInterestsAreNotANewLabel() {
        var segments = [segment(0, size: 500, ["#ipa", "@hazy", "#stout"]), segment(1, size: 300, ["@hazy", "#ipa", "#sour"])]
        SegmentLabeler.label(&segments, settings: InsightSettings())
        #expect(segments[0].label == "#ipa · @hazy")
        #expect(segments[1].label == "@hazy · #ipa · #sour")
        #expect(segments[1].labelEvidence.map(\.interest) == ["@hazy", "#ipa", "#sour"])
    }

    /// Only when the interests run out does a label fall back to naming the segment.
    @Test func fallbackOnlyWhenInterestsRunOut() {
        var segments = [segment(0, size: 500, ["#a", "#b"]), segment(1, size: 300, ["#b", "#a"]), segment(2, size: 200, ["#c"])]
        SegmentLabeler.label(&segments, settings: InsightSettings())
        #expect(segments[0].label == "#a · #b")
        #expect(segments[1].label == "#b · #a (segment 1)")
        #expect(segments[2].label == "#c")
        #expect(Set(segments.map(\.label)).count == 3)
    }
}

@Suite struct SegmentCautionTests {
    func segment(_ id: Int, index: Double?, nearest: Int, similarity: Double, stability: Double?) -> SegmentDescription {
        var affinities: [InterestAffinity] = []
        if let index {
            var a = InterestAffinity(interest: "#x\(id)", count: 40, size: 100, followers: 100, audience: 1000, settings: InsightSettings())
            a.shrunkIndex = index
            affinities.append(a)
        }
        var s = SegmentDescription(id: id, size: 100, share: 0.1, label: "s\(id)", labelEvidence: [], distinctiveInterests: affinities,
                                   tags: [], cohesion: 0.3, nearestSegment: nearest, nearestSimilarity: similarity, tooSmall: false)
        s.stability = stability
        return s
    }

    @Test func overlapsInstabilityAndTheGeneralAudienceAreSaidInWords() {
        var insights = AudienceInsights(settings: InsightSettings(), profiles: 400,
                                        segments: [segment(0, index: 900, nearest: 1, similarity: 0.97, stability: 0.45),
                                                   segment(1, index: 880, nearest: 0, similarity: 0.97, stability: 0.9),
                                                   segment(2, index: 104, nearest: 0, similarity: 0.3, stability: 0.95),
                                                   segment(3, index: 700, nearest: 1, similarity: 0.2, stability: 0.99)],
                                        similarity: [], mergeTree: [], map: [])
        SegmentInsights.addCautions(&insights)
        let c = insights.segments.map(\.cautions)
        #expect(c[0].count == 2 && c[0][0].hasPrefix("overlaps S1") && c[0][1].hasPrefix("unstable (stability 0.45)"))
        #expect(c[1].count == 1 && c[1][0].hasPrefix("overlaps S0"))
        #expect(c[2] == ["general audience: no interest stands out (top affinity index 104)"])
        #expect(c[3].isEmpty)
        // The thresholds are settings.
        insights.settings.overlapSimilarity = 0.99
        SegmentInsights.addCautions(&insights)
        #expect(insights.segments[1].cautions.isEmpty)
    }
}
