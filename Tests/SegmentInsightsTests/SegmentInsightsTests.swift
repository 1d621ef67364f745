import Foundation
import Testing
import LinearAlgebra
import SegmentInsights
import TesseraTestSupport

@Suite struct SegmentInsightsTests {
    @Test func affinityIntervalAndShrinkageByHand() {
        // 30 of a segment's 100 members follow the interest; 100 of the 1,000-strong audience do.
        let a = InterestAffinity(interest: "#gravel", count: 30, size: 100, followers: 100, audience: 1000, settings: InsightSettings())
        #expect(abs(a.prevalence - 0.3) < 1e-12)
        #expect(abs(a.audiencePrevalence - 0.1) < 1e-12)
        #expect(abs(a.index - 300) < 1e-9)
        // Katz: se = √(1/30 − 1/100 + 1/100 − 1/1000) = 0.179815; 300·exp(∓1.959964·se).
        #expect(abs(a.indexLow - 210.90) < 0.05)
        #expect(abs(a.indexHigh - 426.74) < 0.05)
        // Shrunk: (30 + 30·0.1) / (100 + 30) = 0.253846 → index 253.846; score = 0.253846·ln 2.53846.
        #expect(abs(a.shrunkIndex - 253.846) < 1e-3)
        #expect(abs(a.score - 0.236469) < 1e-5)
        #expect(a.isSupported(InsightSettings()))
    }

    @Test func rareInterestsCannotTopTheListByChance() {
        var settings = InsightSettings()
        settings.minCount = 1
        settings.minPrevalence = 0
        // 3 of 12 members follow a niche interest (raw index 5,000); 40 of 100 follow a broad one (index 400).
        let niche = InterestAffinity(interest: "niche", count: 3, size: 12, followers: 5, audience: 1000, settings: settings)
        let broad = InterestAffinity(interest: "broad", count: 40, size: 100, followers: 100, audience: 1000, settings: settings)
        #expect(niche.index > broad.index)
        #expect(niche.shrunkIndex < niche.index / 3)
        #expect(broad.score > niche.score)
        // With the default minimum support the niche interest is not listed at all.
        #expect(!InterestAffinity(interest: "niche", count: 3, size: 12, followers: 5, audience: 1000, settings: InsightSettings()).isSupported(InsightSettings()))
    }

    /// Two segments of 60 and 40 rows over 4 interests, one small segment of 5, with tags.
    func fixture() throws -> (CSRMatrix, [Int32], DenseMatrix, RowTags) {
        var rows: [[Float]] = []
        var labels: [Int32] = []
        for i in 0..<60 { rows.append([1, i < 30 ? 1 : 0, 0, 0]); labels.append(0) }
        for i in 0..<40 { rows.append([0, i < 10 ? 1 : 0, 1, 1]); labels.append(1) }
        for _ in 0..<5 { rows.append([0, 0, 0, 1]); labels.append(2) }
        let x = CSRMatrix(dense: try DenseMatrix(rows: rows))
        var centres = DenseMatrix(rowCount: 3, columnCount: 4)
        for (i, l) in labels.enumerated() { for j in 0..<4 { centres[Int(l), j] += rows[i][j] } }
        let sizes: [Float] = [60, 40, 5]
        for c in 0..<3 { for j in 0..<4 { centres[c, j] /= sizes[c] } }
        // Tag 0 ("lapsed") on the first 20 rows of segment 1 and 6 rows of segment 0.
        var rowStart = [0], values: [Int32] = []
        for i in 0..<105 {
            if (60..<80).contains(i) || (0..<6).contains(i) { values.append(0) }
            rowStart.append(values.count)
        }
        return (x, labels, centres, RowTags(names: ["lapsed"], rowStart: rowStart, values: values))
    }

    @Test func describesSegmentsWithEvidence() throws {
        let (x, labels, centres, tags) = try fixture()
        var settings = InsightSettings()
        settings.minCount = 5
        settings.minSegmentSize = 10
        let insights = try SegmentInsights.describe(matrix: x, labels: labels, profiles: centres,
                                                    interests: ["#running", "#coffee", "@gamer", "#pc"], tags: tags, settings: settings)
        #expect(insights.profiles == 105)
        let s0 = insights.segments[0], s1 = insights.segments[1], s2 = insights.segments[2]
        #expect(s0.size == 60 && s1.size == 40 && s2.size == 5)
        // Segment 0: #running in 60/60 vs 60/105 overall → index 175; #coffee 30/60 vs 40/105 → 131.25.
        #expect(s0.distinctiveInterests.first?.interest == "#running")
        #expect(abs(s0.distinctiveInterests[0].index - 175) < 1e-9)
        #expect(abs(s0.distinctiveInterests.first { $0.interest == "#coffee" }!.index - 131.25) < 1e-9)
        #expect(s0.label == "#running · #coffee")
        #expect(s0.labelEvidence.map(\.interest) == ["#running", "#coffee"])
        // Segment 1: #coffee (10/40 vs 40/105 → 65.6) is not distinctive; @gamer and #pc are.
        #expect(!s1.distinctiveInterests.contains { $0.interest == "#coffee" })
        #expect(Set(s1.labelEvidence.map(\.interest)) == ["@gamer", "#pc"])
        // Too small: counts only.
        #expect(s2.tooSmall && s2.distinctiveInterests.isEmpty && s2.label.hasPrefix("too small to describe"))
        // Tags: 20 of 40 lapsed in segment 1 vs 26 of 105 overall → index 201.9.
        let lapsed = s1.tags[0]
        #expect(lapsed.count == 20 && abs(lapsed.share - 0.5) < 1e-12)
        #expect(abs(lapsed.index - 0.5 / (26.0 / 105) * 100) < 1e-9)
        // Geometry: symmetric similarity, cohesion in (0, 1], a full merge tree, a 2-D map.
        for a in 0..<3 { for b in 0..<3 { #expect(abs(insights.similarity[a][b] - insights.similarity[b][a]) < 1e-6) } }
        #expect(insights.segments.allSatisfy { $0.cohesion > 0 && $0.cohesion <= 1 + 1e-6 })
        #expect(insights.mergeTree.count == 2 && insights.mergeTree.last?.size == 105)
        #expect(insights.map.count == 3 && insights.map.allSatisfy { $0.count == 2 })
        #expect(s2.nearestSegment == 1)
        #expect(SegmentInsights.rollUp(insights.mergeTree, segments: 3, into: 2).count == 3)
        #expect(Set(SegmentInsights.rollUp(insights.mergeTree, segments: 3, into: 2)).count == 2)
        #expect(Set(SegmentInsights.rollUp(insights.mergeTree, segments: 3, into: 1)) == [0])
    }

    @Test func mergeTreeMatchesWardOnExplicitCentres() throws {
        var rng = SeededGenerator(seed: 4)
        let k = 7, d = 5
        var centres = DenseMatrix(rowCount: k, columnCount: d)
        for t in centres.values.indices { centres.values[t] = Float(rng.nextUnit()) }
        let sizes = (0..<k).map { 10 + $0 * 7 }
        // Rows: each segment's rows sit exactly on its centre, so the centres are the means.
        var rows: [[Float]] = [], labels: [Int32] = []
        for c in 0..<k { for _ in 0..<sizes[c] { rows.append(centres.row(c)); labels.append(Int32(c)) } }
        let x = CSRMatrix(dense: try DenseMatrix(rows: rows))
        var settings = InsightSettings()
        settings.minSegmentSize = 1
        let tree = try SegmentInsights.describe(matrix: x, labels: labels, profiles: centres,
                                                interests: (0..<d).map { "i\($0)" }, tags: nil, settings: settings).mergeTree
        // Naive Ward on the unit-length profiles, each segment counting once (whatever its size):
        // explicit merged centres, all pairs every step.
        func unit(_ v: [Float]) -> [Double] {
            let norm = v.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            return v.map { Double($0) / norm }
        }
        var clusters: [(id: Int, centre: [Double], n: Double)] = (0..<k).map { ($0, unit(centres.row($0)), 1) }
        for (t, step) in tree.enumerated() {
            var best = (0, 1), cost = Double.infinity
            for a in 0..<clusters.count {
                for b in (a + 1)..<clusters.count {
                    let squared = zip(clusters[a].centre, clusters[b].centre).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
                    let c = clusters[a].n * clusters[b].n / (clusters[a].n + clusters[b].n) * squared
                    if c < cost { cost = c; best = (a, b) }
                }
            }
            let (a, b) = (clusters[best.0], clusters[best.1])
            #expect(Set([step.left, step.right]) == Set([a.id, b.id]), "step \(t)")
            #expect(abs(step.distance - cost) <= 1e-4 * max(1, cost))
            let merged = (id: k + t, centre: zip(a.centre, b.centre).map { (a.n * $0 + b.n * $1) / (a.n + b.n) }, n: a.n + b.n)
            clusters.remove(at: best.1)
            clusters[best.0] = merged
        }
        #expect(tree.count == k - 1 && tree.last?.size == sizes.reduce(0, +))
    }

    @Test func plantedSegmentsGetUniqueLabelsFromTheirOwnInterests() throws {
        let (audience, truth) = try Fixtures.planted(profiles: 6000, segments: 10, interests: 3000)
        let x = audience.matrix, d = x.columnCount
        var centres = DenseMatrix(rowCount: 10, columnCount: d)
        var sizes = [Float](repeating: 0, count: 10)
        for i in 0..<x.rowCount {
            sizes[truth[i]] += 1
            for p in x.range(ofRow: i) { centres[truth[i], Int(x.columns[p])] += x.values[p] }
        }
        for c in 0..<10 { for j in 0..<d { centres[c, j] /= max(1, sizes[c]) } }
        let insights = try SegmentInsights.describe(matrix: x, labels: truth.map(Int32.init), profiles: centres,
                                                    interests: audience.vocabulary.interests, tags: nil)
        let labels = insights.segments.map(\.label)
        #expect(Set(labels).count == 10)
        for segment in insights.segments {
            #expect(!segment.distinctiveInterests.isEmpty)
            #expect(segment.distinctiveInterests.allSatisfy { $0.shrunkIndex > 100 && $0.count >= 10 })
            let scores = segment.distinctiveInterests.map(\.score)
            #expect(scores == scores.sorted(by: >))
            // Evidence: the label's interests are far more common in the segment than in the audience.
            #expect(segment.labelEvidence.allSatisfy { $0.indexLow > 150 })
        }
    }
}

@Suite struct GapAnalysisTests {
    func affinity(_ interest: String, score: Double) -> InterestAffinity {
        var a = InterestAffinity(interest: interest, count: 50, size: 100, followers: 100, audience: 1000, settings: InsightSettings())
        a.score = score
        return a
    }

    @Test func coverageGapsAndGreedyPartnersOnAFixture() {
        // Demand: a 4, b 3, c 2, d 1 (total 10).
        let interests = [affinity("a", score: 4), affinity("b", score: 3), affinity("c", score: 2), affinity("d", score: 1)]
        let segment = SegmentDescription(id: 0, size: 100, share: 1, label: "a · b", labelEvidence: Array(interests.prefix(2)),
                                         distinctiveInterests: interests, tags: [], cohesion: 1, nearestSegment: -1, nearestSimilarity: 0, tooSmall: false)
        let insights = AudienceInsights(settings: InsightSettings(), profiles: 100, segments: [segment], similarity: [[1]], mergeTree: [], map: [[0, 0]])
        let assets = [InterestServer(id: "A1", name: "Blog", kind: "content", interests: ["a", "zzz"]),
                      InterestServer(id: "A2", name: "Shop", kind: "product", interests: ["nothing"])]
        // Greedy: P2 covers b+c (5) before P1 (b, 3) or P3 (d, 1); then P3 adds d; P1 adds nothing new.
        let partners = [InterestServer(id: "P1", name: "One", kind: "media", interests: ["b"], reach: 100),
                        InterestServer(id: "P2", name: "Two", kind: "club", interests: ["b", "c"], reach: 10),
                        InterestServer(id: "P3", name: "Three", kind: "venue", interests: ["d"], reach: 5)]
        let report = GapAnalysis.link(insights, assets: assets, partners: partners)
        let g = report.segments[0]
        #expect(g.assets.map(\.id) == ["A1"])
        #expect(g.assets[0].matched == ["a"] && abs(g.assets[0].demandShare - 0.4) < 1e-12)
        #expect(abs(g.coverage - 0.4) < 1e-12)
        #expect(g.gaps.map(\.interest) == ["b", "c", "d"])
        #expect(abs(g.gaps[0].demandShare - 0.3) < 1e-12)
        #expect(g.partners.map(\.id) == ["P2", "P3"])
        #expect(g.partners[0].covers == ["b", "c"] && abs(g.partners[0].demandShare - 0.5) < 1e-12)
        #expect(report.unusedAssets == ["A2"])
        // Ties go to the larger reach.
        let tie = GapAnalysis.link(insights, assets: [], partners: [InterestServer(id: "X", name: "x", kind: "k", interests: ["a"], reach: 1),
                                                                   InterestServer(id: "Y", name: "y", kind: "k", interests: ["a"], reach: 9)])
        #expect(tie.segments[0].partners.first?.id == "Y")
    }
}

@Suite struct StabilityTests {
    @Test func reproducibleSegmentsScoreOneAndRandomOnesLow() {
        let labels = (0..<3000).map { Int32($0 % 6) }
        var settings = Stability.Settings()
        settings.rounds = 4
        settings.sampleSize = 1000
        // A re-fit that finds the same segments (under other numbers) is perfectly stable.
        let same = Stability.bootstrapJaccard(labels: labels, k: 6, settings: settings) { rows in rows.map { (labels[$0] + 2) % 6 } }
        #expect(same.allSatisfy { abs($0 - 1) < 1e-12 })
        // A re-fit that labels rows at random is not: best-match Jaccard ≈ 1/11 for 6 equal segments.
        var rng = SeededGenerator(seed: 3)
        let random = Stability.bootstrapJaccard(labels: labels, k: 6, settings: settings) { rows in rows.map { _ in Int32(rng.next() % 6) } }
        #expect(random.allSatisfy { $0 > 0.05 && $0 < 0.2 })
        // A re-fit that merges segments 0 and 1: both score about 1/2, the others 1.
        let merged = Stability.bootstrapJaccard(labels: labels, k: 6, settings: settings) { rows in rows.map { labels[$0] == 1 ? 0 : labels[$0] } }
        #expect(abs(merged[0] - 0.5) < 0.05 && abs(merged[1] - 0.5) < 0.05)
        #expect(merged[2...].allSatisfy { abs($0 - 1) < 1e-12 })
        // Off: zeros, no re-fit.
        settings.rounds = 0
        #expect(Stability.bootstrapJaccard(labels: labels, k: 6, settings: settings) { _ in [] } == [Double](repeating: 0, count: 6))
    }
}

@Suite struct ClusterQualityTests {
    /// Dense, textbook versions of the measures.
    func reference(_ x: DenseMatrix, _ labels: [Int], k: Int) -> (silhouette: Double, ch: Double, db: Double) {
        let n = x.rowCount, d = x.columnCount
        func dist(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() }
        let rows = (0..<n).map { i in (0..<d).map { Double(x[i, $0]) } }
        var centres = [[Double]](repeating: [Double](repeating: 0, count: d), count: k), sizes = [Int](repeating: 0, count: k)
        for i in 0..<n { sizes[labels[i]] += 1; for j in 0..<d { centres[labels[i]][j] += rows[i][j] } }
        for c in 0..<k { centres[c] = centres[c].map { $0 / Double(sizes[c]) } }
        var silhouette = 0.0
        for i in 0..<n {
            var sums = [Double](repeating: 0, count: k), counts = [Int](repeating: 0, count: k)
            for t in 0..<n where t != i { sums[labels[t]] += dist(rows[i], rows[t]); counts[labels[t]] += 1 }
            guard counts[labels[i]] > 0 else { continue }
            let a = sums[labels[i]] / Double(counts[labels[i]])
            let b = (0..<k).filter { $0 != labels[i] && counts[$0] > 0 }.map { sums[$0] / Double(counts[$0]) }.min()!
            silhouette += (b - a) / max(a, b)
        }
        let mean = (0..<d).map { j in rows.reduce(0.0) { $0 + $1[j] } / Double(n) }
        let between = (0..<k).reduce(0.0) { $0 + Double(sizes[$1]) * pow(dist(centres[$1], mean), 2) }
        let within = (0..<n).reduce(0.0) { $0 + pow(dist(rows[$1], centres[labels[$1]]), 2) }
        let spread = (0..<k).map { c in (0..<n).filter { labels[$0] == c }.reduce(0.0) { $0 + dist(rows[$1], centres[c]) } / Double(sizes[c]) }
        let db = (0..<k).reduce(0.0) { total, a in total + (0..<k).filter { $0 != a }.map { (spread[a] + spread[$0]) / dist(centres[a], centres[$0]) }.max()! } / Double(k)
        return (silhouette / Double(n), (between / Double(k - 1)) / (within / Double(n - k)), db)
    }

    @Test func measuresMatchTextbookVersions() throws {
        var rng = SeededGenerator(seed: 12)
        let k = 3, n = 60, d = 5
        var x = DenseMatrix(rowCount: n, columnCount: d)
        var labels = [Int]()
        for i in 0..<n {
            let c = i % k
            labels.append(c)
            for j in 0..<d where rng.nextUnit() < 0.6 { x[i, j] = Float(rng.nextUnit()) + (j % k == c ? 2 : 0) }
        }
        let sparse = CSRMatrix(dense: x), l32 = labels.map(Int32.init)
        let ref = reference(x, labels, k: k)
        #expect(abs(ClusterQuality.silhouette(sparse, labels: l32, k: k, sampleSize: n, seed: 1) - ref.silhouette) < 1e-4)
        #expect(abs(ClusterQuality.calinskiHarabasz(sparse, labels: l32, k: k) - ref.ch) < 1e-3 * ref.ch)
        #expect(abs(ClusterQuality.daviesBouldin(sparse, labels: l32, k: k) - ref.db) < 1e-4 * ref.db)
        // A sample gives an estimate close to the full value.
        #expect(abs(ClusterQuality.silhouette(sparse, labels: l32, k: k, sampleSize: 40, seed: 1) - ref.silhouette) < 0.1)
        // Dense rows are measured in place and agree with the sparse copy of the same rows.
        let dense = ClusterQuality.measures(.dense(x), labels: l32, k: k, silhouetteSample: n, seed: 1)
        #expect(abs(dense.silhouette - ref.silhouette) < 1e-4)
        #expect(abs(dense.calinskiHarabasz - ref.ch) < 1e-3 * ref.ch)
        #expect(abs(dense.daviesBouldin - ref.db) < 1e-4 * ref.db)
    }

    @Test func adjustedRandIndex() {
        let a: [Int32] = [0, 0, 0, 1, 1, 1, 2, 2, 2]
        #expect(abs(ClusterQuality.adjustedRandIndex(a, [5, 5, 5, 7, 7, 7, 9, 9, 9]) - 1) < 1e-12)
        // By hand: Σ C(n_ij, 2) = 3, row pairs 9, column pairs 9, C(9, 2) = 36, expected 9·9/36 = 2.25
        // → (3 − 2.25) / (9 − 2.25) = 0.1111.
        #expect(abs(ClusterQuality.adjustedRandIndex(a, [0, 0, 1, 1, 1, 2, 2, 2, 0]) - 0.75 / 6.75) < 1e-12)
    }

    @Test func recommendationFollowsItsRule() {
        func p(_ k: Int, sil: Double, db: Double, ari: Double) -> SweepPoint {
            SweepPoint(k: k, objective: 100 - Double(k), silhouette: sil, calinskiHarabasz: 10, daviesBouldin: db, stability: ari, seconds: 0)
        }
        // k = 10 has the best silhouette but is not reproducible; among stable k, 8 and 12 tie on silhouette
        // and 12 has the lower Davies–Bouldin.
        let points = [p(6, sil: 0.05, db: 3, ari: 0.9), p(8, sil: 0.08, db: 2.5, ari: 0.95), p(10, sil: 0.2, db: 1, ari: 0.4), p(12, sil: 0.078, db: 2, ari: 0.85)]
        let r = KSelection.recommend(points)!
        #expect(r.k == 12)
        #expect(r.reasons.contains { $0.contains("ARI") } && r.reasons.contains { $0.contains("Davies–Bouldin") })
        // Nothing stable: no k stands out, and the reasons say so with the steadiest k.
        let unstable = KSelection.recommend(points.enumerated().map { var q = $1; q.stability = 0.1 + 0.1 * Double($0); return q })!
        #expect(unstable.k == nil)
        #expect(unstable.reasons[0].contains("no k stands out") && unstable.reasons[0].contains("k = 12"))
    }
}
