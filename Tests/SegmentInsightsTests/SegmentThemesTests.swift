import Foundation
import Testing
import LinearAlgebra
import SegmentInsights
import TesseraTestSupport

@Suite struct SegmentThemesTests {
    /// A planted audience of 24 segments (the planted truth as the labels, mean rows as the profiles),
    /// plus three segments of 12 rows each cut out of it: too small to describe.
    func plantedInsights() throws -> AudienceInsights {
        let (audience, truth) = try Fixtures.planted(profiles: 8000, segments: 24, interests: 2000, seed: 7)
        var labels = truth
        for (n, i) in stride(from: 0, to: 36, by: 1).enumerated() { labels[i * 50] = 24 + n / 12 }
        let k = 27
        let x = audience.matrix, d = x.columnCount
        var centres = DenseMatrix(rowCount: k, columnCount: d)
        var sizes = [Float](repeating: 0, count: k)
        for i in 0..<x.rowCount {
            sizes[labels[i]] += 1
            for p in x.range(ofRow: i) { centres[labels[i], Int(x.columns[p])] += x.values[p] }
        }
        for c in 0..<k { for j in 0..<d { centres[c, j] /= max(1, sizes[c]) } }
        return try SegmentInsights.describe(matrix: x, labels: labels.map(Int32.init), profiles: centres,
                                            interests: audience.vocabulary.interests, tags: nil)
    }

    /// The height at which two segments first share a cluster of the induced merge tree (brute force).
    func joinHeight(_ a: Int, _ b: Int, _ insights: AudienceInsights, grouped: Set<Int>) -> Double {
        let k = insights.segments.count
        var members: [Int: Set<Int>] = [:]
        for s in 0..<k { members[s] = [s] }
        for (t, step) in insights.mergeTree.enumerated() {
            let joined = members[step.left]!.union(members[step.right]!)
            members[k + t] = joined
            if joined.contains(a) && joined.contains(b) { return step.distance.squareRoot() }
        }
        return .infinity
    }

    @Test func plantedAudienceFallsIntoSixToEightThemesAndOneOtherGroup() throws {
        let insights = try plantedInsights()
        let themes = SegmentThemes.group(insights)
        let proper = themes.filter { $0.kind == .theme }
        #expect((6...8).contains(proper.count), "\(proper.count) themes")
        // One "other" group, last, holding the three cut-out segments and only small ones.
        let other = try #require(themes.last)
        #expect(other.kind == .other && themes.filter { $0.kind == .other }.count == 1)
        #expect(Set([24, 25, 26]).isSubset(of: Set(other.segments)))
        let byID = Dictionary(uniqueKeysWithValues: insights.segments.map { ($0.id, $0) })
        #expect(other.segments.allSatisfy { byID[$0]!.tooSmall || byID[$0]!.share < insights.settings.otherShare })
        // Every segment is in exactly one group; themes are listed largest first, with letters.
        #expect(themes.flatMap(\.segments).sorted() == Array(0..<27))
        #expect(proper.map(\.size) == proper.map(\.size).sorted(by: >))
        #expect(proper.map(\.letter) == ["A", "B", "C", "D", "E", "F", "G", "H"].prefix(proper.count).map { $0 })
        #expect(proper.allSatisfy { $0.title.hasPrefix("Theme \($0.letter): ") })
        // A theme is named by interests distinctive in segments holding at least half of its members.
        for theme in proper {
            for interest in theme.interests {
                let holding = theme.segments.filter { byID[$0]!.distinctiveInterests.contains { $0.interest == interest } }.reduce(0) { $0 + byID[$1]!.size }
                #expect(2 * holding >= theme.size, "\(interest) names \(theme.title)")
            }
            if theme.segments.count == 1 { #expect(!theme.interests.isEmpty) }
        }
        // A cut of the merge tree: two segments share a theme exactly when they join below the cut.
        let cut = try #require(SegmentThemes.cutHeight(insights))
        let grouped = Set(proper.flatMap(\.segments))
        let themeOf = Dictionary(uniqueKeysWithValues: proper.enumerated().flatMap { n, t in t.segments.map { ($0, n) } })
        for a in grouped { for b in grouped where a < b {
            #expect((themeOf[a] == themeOf[b]) == (joinHeight(a, b, insights, grouped: grouped) < cut), "\(a), \(b)")
        } }
    }

    @Test func theSettingsMoveTheCutAndTheOtherGroup() throws {
        var insights = try plantedInsights()
        insights.settings.minThemes = 3
        insights.settings.maxThemes = 3
        #expect(SegmentThemes.group(insights).filter { $0.kind == .theme }.count == 3)
        // With "other" starting at the 5th-largest share, five segments remain: each is its own theme.
        let shares = insights.segments.map(\.share).sorted(by: >)
        insights.settings.minThemes = 6
        insights.settings.maxThemes = 8
        insights.settings.otherShare = shares[4]
        let themes = SegmentThemes.group(insights)
        let proper = themes.filter { $0.kind == .theme }
        #expect(proper.count == insights.segments.filter { $0.share >= shares[4] }.count)
        #expect(proper.allSatisfy { $0.segments.count == 1 })
        #expect(themes.flatMap(\.segments).count == insights.segments.count)
    }
}
