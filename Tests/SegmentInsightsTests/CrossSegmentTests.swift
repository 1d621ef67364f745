import Foundation
import Testing
import LinearAlgebra
import SegmentInsights

@Suite struct CrossSegmentTests {
    /// 4 segments of 60–90 rows over 10 interests, each segment following its own few interests often
    /// and the rest rarely, with overlaps so that interests are gaps in several segments.
    func fixture(seed: UInt64) throws -> (CSRMatrix, [Int32], AudienceInsights, [String]) {
        let interests = (0..<10).map { "#i\($0)" }
        let favourites: [[Int]] = [[0, 1, 2], [1, 2, 3, 4], [4, 5, 6], [6, 7, 8, 0]]
        var rng = SeededGenerator(seed: seed)
        var rows: [[Float]] = [], labels: [Int32] = []
        for (s, liked) in favourites.enumerated() {
            for _ in 0..<(60 + 10 * s) {
                rows.append((0..<10).map { j in Float(rng.next() % 100) < (liked.contains(j) ? 55 : 8) ? 1 : 0 })
                labels.append(Int32(s))
            }
        }
        let x = CSRMatrix(dense: try DenseMatrix(rows: rows))
        var centres = DenseMatrix(rowCount: 4, columnCount: 10)
        var sizes = [Float](repeating: 0, count: 4)
        for (i, l) in labels.enumerated() { sizes[Int(l)] += 1; for j in 0..<10 { centres[Int(l), j] += rows[i][j] } }
        for c in 0..<4 { for j in 0..<10 { centres[c, j] /= sizes[c] } }
        var settings = InsightSettings()
        settings.minCount = 3
        settings.minSegmentSize = 10
        let insights = try SegmentInsights.describe(matrix: x, labels: labels, profiles: centres, interests: interests, tags: nil, settings: settings)
        return (x, labels, insights, interests)
    }

    /// Every number of the cross-segment view against a count over sets of rows.
    @Test(arguments: [1, 2, 3] as [UInt64]) func matchesABruteForceCount(seed: UInt64) throws {
        let (x, labels, insights, interests) = try fixture(seed: seed)
        let assets = [InterestServer(id: "A", name: "Alpha", kind: "product", interests: ["#i0", "#i4"]),
                      InterestServer(id: "B", name: "Beta", kind: "content", interests: ["#i9"]),
                      InterestServer(id: "C", name: "Gamma", kind: "event", interests: ["#i6"])]
        let partners = [InterestServer(id: "P", name: "Pe", kind: "media", interests: ["#i1", "#i2"], reach: 5),
                        InterestServer(id: "Q", name: "Qu", kind: "club", interests: ["#i2", "#i3", "#i5"], reach: 50),
                        InterestServer(id: "R", name: "Ro", kind: "shop", interests: ["#i7", "#i8", "#i1"], reach: 1),
                        InterestServer(id: "S", name: "Si", kind: "shop", interests: ["#i9"], reach: 1)]
        let report = GapAnalysis.link(insights, assets: assets, partners: partners)
        let view = CrossSegmentAnalysis.analyse(matrix: x, labels: labels, interests: interests, insights: insights,
                                                assets: assets, partners: partners, perSegment: report)
        let settings = insights.settings
        func follows(_ i: Int, _ interest: String) -> Bool {
            let j = Int32(interests.firstIndex(of: interest)!)
            return x.range(ofRow: i).contains { x.columns[$0] == j && x.values[$0] != 0 }
        }
        // Gaps with real demand, per segment, straight from the descriptions.
        var gapSegments: [String: Set<Int>] = [:]
        for s in insights.segments {
            let served = Set(assets.flatMap(\.interests))
            for a in s.distinctiveInterests where !served.contains(a.interest) && a.prevalence >= settings.gapMinPrevalence && a.index >= settings.gapMinIndex {
                gapSegments[a.interest, default: []].insert(s.id)
            }
        }
        #expect(!gapSegments.isEmpty && gapSegments.values.contains { $0.count > 1 }, "the fixture must have gaps spanning segments")
        func demand(_ interest: String) -> Set<Int> {
            Set(labels.indices.filter { gapSegments[interest]?.contains(Int(labels[$0])) == true && follows($0, interest) })
        }
        // Missing assets: people per interest, ranked.
        let expected = gapSegments.keys.map { ($0, demand($0).count) }.filter { $0.1 > 0 }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        #expect(view.missingAssets.map(\.interest) == expected.map(\.0))
        #expect(view.missingAssets.map(\.people) == expected.map(\.1))
        for m in view.missingAssets {
            #expect(Set(m.segments) == gapSegments[m.interest]!.filter { s in demand(m.interest).contains { labels[$0] == s } })
            #expect(m.segmentPeople.reduce(0, +) == m.people)
            #expect(m.partners == partners.filter { $0.interests.contains(m.interest) }.map(\.id))
        }
        // The partner cover: greedy over sets of people.
        let everyone = gapSegments.keys.reduce(into: Set<Int>()) { $0.formUnion(demand($1)) }
        #expect(view.partnerCover.demandPeople == everyone.count)
        func reach(_ p: InterestServer) -> Set<Int> { p.interests.reduce(into: Set<Int>()) { $0.formUnion(demand($1)) } }
        var covered = Set<Int>(), left = partners, picks: [(String, Int, Int)] = []
        /// Whether partner a ranks below partner b: a smaller gain, then a smaller reach, then a later id.
        func below(_ a: (InterestServer, Int), _ b: (InterestServer, Int)) -> Bool {
            if a.1 != b.1 { return a.1 < b.1 }
            if a.0.reach != b.0.reach { return a.0.reach < b.0.reach }
            return a.0.id > b.0.id
        }
        while true {
            let gains: [(InterestServer, Int)] = left.map { ($0, reach($0).subtracting(covered).count) }.filter { $0.1 > 0 }
            guard let best = gains.max(by: below) else { break }
            covered.formUnion(reach(best.0))
            picks.append((best.0.id, best.1, covered.count))
            left.removeAll { $0.id == best.0.id }
        }
        #expect(view.partnerCover.picks.map(\.id) == picks.map(\.0))
        #expect(view.partnerCover.picks.map(\.people) == picks.map(\.1))
        #expect(view.partnerCover.picks.map(\.cumulativePeople) == picks.map(\.2))
        #expect(view.partnerCover.coveredPeople == covered.count)
        for pick in view.partnerCover.picks {
            let partner = partners.first { $0.id == pick.id }!
            #expect(pick.peopleAlone == reach(partner).count)
            #expect(Set(pick.covers) == Set(partner.interests.filter { !demand($0).isEmpty }))
            #expect(Set(pick.segments) == Set(pick.covers.flatMap { i in gapSegments[i]!.filter { s in demand(i).contains { labels[$0] == s } } }))
            #expect(pick.pickedFor == report.segments.filter { $0.partners.contains { $0.id == pick.id } }.map(\.segment))
        }
        // Assets: the segments each serves and the people following what it serves there.
        for asset in assets {
            let segments = insights.segments.filter { s in s.distinctiveInterests.contains { asset.interests.contains($0.interest) } }.map(\.id)
            let people = labels.indices.filter { i in
                let s = insights.segments[Int(labels[i])]
                return s.distinctiveInterests.contains { asset.interests.contains($0.interest) && follows(i, $0.interest) }
            }.count
            if segments.isEmpty {
                #expect(view.assetsServingNobody.contains { $0.id == asset.id })
            } else if segments.count >= 2 {
                let many = try #require(view.assetsServingMany.first { $0.id == asset.id })
                #expect(Set(many.segments) == Set(segments) && many.people == people)
            } else {
                #expect(!view.assetsServingMany.contains { $0.id == asset.id } && !view.assetsServingNobody.contains { $0.id == asset.id })
            }
        }
    }

    /// A hand-checked case: one person following two gaps is one person to a partner covering both.
    @Test func aPersonFollowingTwoGapsCountsOnce() throws {
        // Segment 0 (40 rows): rows 0–19 follow a, rows 10–29 follow b; segment 1 (40 rows): c only.
        var rows: [[Float]] = []
        for i in 0..<40 { rows.append([i < 20 ? 1 : 0, (10..<30).contains(i) ? 1 : 0, 0]) }
        for _ in 0..<40 { rows.append([0, 0, 1]) }
        let labels = (0..<80).map { Int32($0 < 40 ? 0 : 1) }
        let x = CSRMatrix(dense: try DenseMatrix(rows: rows))
        let centres = try DenseMatrix(rows: [[0.5, 0.5, 0], [0, 0, 1]])
        var settings = InsightSettings()
        settings.minSegmentSize = 10
        let insights = try SegmentInsights.describe(matrix: x, labels: labels, profiles: centres, interests: ["a", "b", "c"], tags: nil, settings: settings)
        let partner = InterestServer(id: "P", name: "Both", kind: "media", interests: ["a", "b"])
        let view = CrossSegmentAnalysis.analyse(matrix: x, labels: labels, interests: ["a", "b", "c"], insights: insights,
                                                assets: [InterestServer(id: "A", name: "C-shop", kind: "shop", interests: ["c"])], partners: [partner])
        #expect(view.missingAssets.map(\.interest).sorted() == ["a", "b"])
        #expect(view.missingAssets.allSatisfy { $0.people == 20 && $0.segments == [0] })
        // 20 + 20 followers, 10 of them follow both: 30 people, not 40.
        #expect(view.partnerCover.demandPeople == 30)
        #expect(view.partnerCover.picks.map(\.people) == [30])
        #expect(view.partnerCover.picks[0].gapsClosed.sorted() == ["a", "b"])
        #expect(view.assetsServingNobody.isEmpty && view.assetsServingMany.isEmpty)
    }
}
