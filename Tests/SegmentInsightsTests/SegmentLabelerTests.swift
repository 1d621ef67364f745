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
