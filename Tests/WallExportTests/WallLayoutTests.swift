import Foundation
import Testing
import SegmentInsights
@testable import WallExport

/// The workshop layout: themes left to right, the "other" group, gap cards with real demand only,
/// flags on segment cards, and the cross-segment section.
@Suite struct WallLayoutTests {
    /// An affinity followed by `count` of a segment of `size` (audience 10,000, 200 followers overall).
    func affinity(_ interest: String, count: Int, size: Int, followers: Int = 200) -> InterestAffinity {
        InterestAffinity(interest: interest, count: count, size: size, followers: followers, audience: 10_000, settings: InsightSettings())
    }

    /// 12 segments of 400–950 members (each with its own interests), 2 tiny ones, a merge tree that
    /// pairs neighbours first.
    func insights() -> AudienceInsights {
        var segments: [SegmentDescription] = []
        for s in 0..<12 {
            let size = 400 + 50 * s
            let interests = (0..<6).map { affinity("#s\(s)-\($0)", count: size / (2 + $0), size: size) }
            segments.append(SegmentDescription(id: s, size: size, share: Double(size) / 10_000, label: "#s\(s)-0 · #s\(s)-1",
                                               labelEvidence: Array(interests.prefix(2)), distinctiveInterests: interests, tags: [],
                                               cohesion: 0.5, nearestSegment: (s + 1) % 12, nearestSimilarity: 0.3, tooSmall: false))
        }
        // Segment 3 is unstable and overlaps segment 4.
        segments[3].stability = 0.42
        segments[3].nearestSegment = 4
        segments[3].nearestSimilarity = 0.93
        for s in 12..<14 {
            segments.append(SegmentDescription(id: s, size: 20, share: 0.002, label: "too small to describe (segment \(s))", labelEvidence: [],
                                               distinctiveInterests: [], tags: [], cohesion: 0, nearestSegment: 0, nearestSimilarity: 0, tooSmall: true))
        }
        var insights = AudienceInsights(settings: InsightSettings(), profiles: 10_000, segments: segments,
                                        similarity: (0..<14).map { a in (0..<14).map { $0 == a ? 1 : 0.1 } }, mergeTree: [], map: (0..<14).map { [Double($0), Double($0 % 3)] })
        // Merges: tiny ones first, then pairs (0,1) (2,3) …, then pairs of pairs, then the rest.
        var steps: [MergeStep] = [MergeStep(left: 12, right: 13, distance: 0.01, size: 40)]
        var nodes: [Int] = [14]
        var next = 15
        var level = Array(0..<12)
        var height = 1.0
        while level.count > 1 {
            var merged: [Int] = []
            for pair in stride(from: 0, to: level.count - 1, by: 2) {
                steps.append(MergeStep(left: level[pair], right: level[pair + 1], distance: height * height, size: 0))
                merged.append(next); next += 1
                height += 0.1
            }
            if level.count % 2 == 1 { merged.append(level.last!) }
            level = merged
            height *= 3
        }
        steps.append(MergeStep(left: nodes.removeFirst(), right: level[0], distance: height * height * 4, size: 10_000))
        insights.mergeTree = steps
        SegmentInsights.addCautions(&insights)
        return insights
    }

    func wall(crossSegment: Bool = true) -> WallModel {
        let insights = insights()
        let assets = [InterestServer(id: "a1", name: "Shared asset", kind: "product", interests: ["#s0-0", "#s5-1", "#s7-2"]),
                      InterestServer(id: "a2", name: "Idle asset", kind: "event", interests: ["#nothing"])]
        let partners = [InterestServer(id: "p1", name: "Partner one", kind: "media", interests: ["#s0-1", "#s1-0", "#s2-0"], reach: 10)]
        var gaps = GapAnalysis.link(insights, assets: assets, partners: partners)
        if crossSegment {
            gaps.crossSegment = CrossSegmentView(
                missingAssets: [MissingAsset(interest: "#s1-0", people: 225, share: 0.0225, segments: [1], segmentPeople: [225], maxIndex: 5000, partners: ["p1"])],
                partnerCover: PartnerCover(demandPeople: 900, coveredPeople: 500, gaps: 30, closedGaps: 3, picks: [
                    PartnerPick(id: "p1", name: "Partner one", kind: "media", reach: 10, people: 500, peopleAlone: 500, cumulativePeople: 500,
                                covers: ["#s1-0"], gapsClosed: ["#s1-0"], segments: [1, 2], pickedFor: [1])]),
                assetsServingNobody: [AssetReach(id: "a2", name: "Idle asset", kind: "event", segments: [], people: 0, matched: [])],
                assetsServingMany: [AssetReach(id: "a1", name: "Shared asset", kind: "product", segments: [7, 5, 0], people: 800, matched: ["#s0-0"])])
        }
        return WallModel(title: "t", insights: insights, gaps: gaps)
    }

    @Test func groupsAreThemesThenOtherThenTheCrossSegmentSection() throws {
        let wall = wall()
        let kinds = wall.groups.map(\.kind)
        let themes = kinds.filter { $0 == .theme }.count
        #expect((6...8).contains(themes), "\(themes) themes")
        #expect(kinds == [WallGroup.Kind](repeating: .theme, count: themes) + [.other, .crossSegment])
        // Every segment in exactly one group; the tiny ones in "other"; keys unique.
        #expect(wall.groups.flatMap(\.segments).sorted() == Array(0..<14))
        #expect(wall.groups.first { $0.kind == .other }?.segments.sorted() == [12, 13])
        #expect(Set(wall.groups.map(\.key)).count == wall.groups.count)
        // Lanes hold every column once, in the order of `columns`.
        let laneColumns = wall.groups.filter { $0.kind != .crossSegment }.flatMap { $0.lanes.joined() }
        #expect(laneColumns == Array(wall.columns.indices))
        for group in wall.groups where group.kind != .crossSegment {
            #expect(Set(group.lanes.joined().map { wall.columns[$0].segment }) == Set(group.segments))
        }
        // Left to right, no two cards overlap, and every card lies inside its group's frame.
        #expect(wall.groups.map(\.x) == wall.groups.map(\.x).sorted() && Set(wall.groups.map(\.x)).count == wall.groups.count)
        let all = wall.cards + wall.crossSegmentCards
        for (n, a) in all.enumerated() {
            for b in all[(n + 1)...] {
                let apart = a.x + WallModel.cardWidth <= b.x || b.x + WallModel.cardWidth <= a.x || a.y + WallModel.cardHeight <= b.y || b.y + WallModel.cardHeight <= a.y
                #expect(apart, "\(a.title) and \(b.title) overlap")
            }
        }
        for group in wall.groups {
            let cards = group.kind == .crossSegment ? wall.crossSegmentCards : group.lanes.joined().flatMap { wall.columns[$0].cards }
            for card in cards {
                #expect(card.x >= group.x && card.x + WallModel.cardWidth <= group.x + group.width + 1e-9)
                #expect(card.y >= group.y + WallModel.groupTitleHeight && card.y + WallModel.cardHeight <= group.y + group.height + 1e-9)
            }
        }
        // Card ids stay unique over both lists.
        #expect(Set(all.map(\.id)).count == all.count)
        // Without the cross-segment view there is no such section.
        #expect(!self.wall(crossSegment: false).groups.contains { $0.kind == .crossSegment })
    }

    @Test func segmentCardsShowCoverageFlagsAndServedOrGapInterests() throws {
        let wall = wall()
        let card = try #require(wall.cards.first { $0.kind == .segment && $0.segment == 3 })
        #expect(card.flags == ["UNSTABLE 0.42", "OVERLAPS S4"])
        #expect(card.body.hasPrefix("⚠ UNSTABLE 0.42 · OVERLAPS S4"))
        let zero = try #require(wall.cards.first { $0.kind == .segment && $0.segment == 0 })
        #expect(zero.flags.isEmpty)
        #expect(zero.facts.contains("coverage ") && zero.facts.contains("people") && zero.facts.contains("% of profiles"))
        #expect(zero.interests.count == WallModel.cardInterests)
        #expect(zero.interests[0].status == "served by Shared asset")
        #expect(zero.interests[1].status == "gap")
        let html = String(decoding: try #require(try WallExporter.files(wall).first { $0.path == "wall.html" }).data, as: UTF8.self)
        #expect(html.contains("<span class=\"flag\">⚠ UNSTABLE 0.42</span>"))
        #expect(html.contains("<li class=\"served\"><bdi>#s0-0</bdi>") && html.contains("<li class=\"unmet\"><bdi>#s0-1</bdi>"))
    }

    /// Gap cards need ≥ 2% of the segment and an index ≥ 150 (by default); none reads "0%".
    @Test func gapCardsOnlyForRealDemand() throws {
        var insights = insights()
        // Segment 0's gaps: #weak is followed by 1% of it, #common has an index of 120, #strong passes.
        let size = insights.segments[0].size
        insights.segments[0].distinctiveInterests = [
            affinity("#weak", count: size / 100, size: size, followers: 20),
            affinity("#common", count: size * 3 / 10, size: size, followers: 2_500),
            affinity("#strong", count: size / 10, size: size, followers: 200),
        ]
        #expect(insights.segments[0].distinctiveInterests.map { insights.settings.hasRealDemand($0) } == [false, false, true])
        let gaps = GapAnalysis.link(insights, assets: [], partners: [])
        let wall = WallModel(title: "t", insights: insights, gaps: gaps)
        let cards = wall.cards.filter { $0.segment == 0 && $0.kind == .gap }
        #expect(cards.map(\.title) == ["Missing: #strong"])
        #expect(cards[0].body.contains("people here (10% of the segment)"))
        // Lower thresholds bring the others back.
        insights.settings.gapMinPrevalence = 0.005
        insights.settings.gapMinIndex = 100
        let lenient = WallModel(title: "t", insights: insights, gaps: GapAnalysis.link(insights, assets: [], partners: []))
        #expect(Set(lenient.cards.filter { $0.segment == 0 && $0.kind == .gap }.map(\.title)) == ["Missing: #weak", "Missing: #common", "Missing: #strong"])
        for card in wall.cards + wall.crossSegmentCards + lenient.cards { #expect(!card.body.contains(" 0% of"), "\(card.body)") }
        #expect(WallText.percent(0.001) == "<1%" && WallText.percent(0) == "0%" && WallText.share(0.0001) == "<0.1%")
    }

    @Test func theWallFitsOnePosterPage() throws {
        let wall = wall()
        let html = String(decoding: try #require(try WallExporter.files(wall).first { $0.path == "wall.html" }).data, as: UTF8.self)
        #expect(html.contains("@page { size: 841mm 594mm;") || html.contains("@page { size: 1189mm 841mm;"))
        // The cross-segment section is on the wall with its three columns.
        #expect(html.contains("class=\"group cross-segment\""))
        for title in ["Missing assets", "Partner ecosystem", "Assets serving many, and none"] { #expect(html.contains("<h3>\(title)</h3>"), "\(title)") }
        #expect(html.components(separatedBy: "<section class=\"column\"").count - 1 == 14)
        #expect(html.components(separatedBy: "<section class=\"group ").count - 1 == wall.groups.count)
    }
}
