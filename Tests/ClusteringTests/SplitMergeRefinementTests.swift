import Foundation
import Testing
import Clustering
import LinearAlgebra
import TesseraTestSupport

/// The split–merge step repairs what Lloyd cannot: two centres in one group and one centre spanning two.
@Suite struct SplitMergeRefinementTests {
    /// Six tight, well-separated groups on a circle in 2-D (plus 2 noise dimensions), 100 rows each.
    static func groups(seed: UInt64 = 5) -> (DenseMatrix, [Int]) {
        var rng = SeededGenerator(seed: seed)
        var values: [Float] = [], truth: [Int] = []
        for g in 0..<6 {
            let angle = Double(g) * .pi / 3
            for _ in 0..<100 {
                values += [Float(10 * cos(angle) + 0.3 * rng.nextGaussianForTests()), Float(10 * sin(angle) + 0.3 * rng.nextGaussianForTests()),
                           Float(0.3 * rng.nextGaussianForTests()), Float(0.3 * rng.nextGaussianForTests())]
                truth.append(g)
            }
        }
        return (try! DenseMatrix(rowCount: 600, columnCount: 4, values: values), truth)
    }

    /// Lloyd from a bad start: groups 0 and 1 get two centres each... rather group 0 gets two, and
    /// groups 4 and 5 share one centre placed between them.
    static func badStart(_ x: DenseMatrix) -> DenseMatrix {
        func row(_ i: Int) -> [Float] { x.row(i) }
        let between = zip(row(400), row(500)).map { ($0 + $1) / 2 }
        return try! DenseMatrix(rows: [row(0), row(1), row(100), row(200), row(300), between])
    }

    static func settings() -> KMeansSettings {
        var s = KMeansSettings(k: 6)
        s.metric = .euclidean
        s.seed = 3
        return s
    }

    /// Each fitted segment holds exactly one true group.
    static func pure(_ labels: [Int32], _ truth: [Int]) -> Bool {
        var groupOf: [Int32: Int] = [:], segmentOf: [Int: Int32] = [:]
        for (label, group) in zip(labels, truth) {
            if let g = groupOf[label], g != group { return false }
            if let s = segmentOf[group], s != label { return false }
            groupOf[label] = group
            segmentOf[group] = label
        }
        return true
    }

    @Test func repairsATwinAndAGluedPair() throws {
        let (x, truth) = Self.groups()
        let lloyd = try KMeans.fit(.dense(x), settings: Self.settings(), initialCentres: Self.badStart(x))
        // Lloyd alone keeps the twin in group 0 and the shared centre of groups 4 and 5.
        #expect(!Self.pure(lloyd.labels, truth))
        let (refined, report) = try SplitMergeRefinement.refine(x, fit: lloyd, kmeans: Self.settings(), settings: .init())
        #expect(Self.pure(refined.labels, truth))
        #expect(report.movesAccepted >= 1 && report.movesTried >= report.movesAccepted)
        #expect(report.objectiveAfter < report.objectiveBefore)
        #expect(abs(report.objectiveAfter - refined.inertia) < 1e-9 * refined.inertia)
        #expect(report.objectiveBefore == lloyd.inertia)
        // The accepted move merged the twin (two segments of group 0) and split the glued pair.
        let accepted = try #require(report.moves.first { $0.accepted })
        let twin = accepted.merged.map { segment in lloyd.labels[0 ..< 100].filter { $0 == Int32(segment) }.count }
        #expect(twin.allSatisfy { $0 > 0 }, "the merged segments are the two halves of group 0")
        #expect(accepted.predictedChange < 0)
    }

    @Test func leavesAGoodFitAlone() throws {
        let (x, truth) = Self.groups()
        let start = try DenseMatrix(rows: [0, 100, 200, 300, 400, 500].map { x.row($0) })
        let lloyd = try KMeans.fit(.dense(x), settings: Self.settings(), initialCentres: start)
        #expect(Self.pure(lloyd.labels, truth))
        let (refined, report) = try SplitMergeRefinement.refine(x, fit: lloyd, kmeans: Self.settings(), settings: .init())
        #expect(refined.labels == lloyd.labels)
        #expect(report.movesAccepted == 0)
        #expect(report.objectiveAfter == report.objectiveBefore)
        // Well-separated groups: every swap is priced far above `swapMaxRise`, so none is tried.
        #expect(report.moves.allSatisfy { !$0.swap })
    }

    /// Blended data (16 overlapping blobs, k = 12): no split gains more than a merge costs, yet
    /// swaps priced near zero lower the objective after Lloyd. Each swap is recorded, only swaps
    /// that lowered the objective are kept, and the result is never worse than without swaps.
    static func blended(rows: Int = 4096, seed: UInt64 = 11) -> DenseMatrix {
        var rng = SeededGenerator(seed: seed)
        let centres = (0..<16).map { _ in (0..<6).map { _ in 4 * rng.nextUnit() } }
        var values: [Float] = []
        for i in 0..<rows { values += centres[i % 16].map { Float($0 + rng.nextGaussianForTests()) } }
        return try! DenseMatrix(rowCount: rows, columnCount: 6, values: values)
    }

    static func blendedSettings(seed: UInt64) -> KMeansSettings {
        var s = KMeansSettings(k: 12)
        s.metric = .euclidean
        s.seed = seed
        return s
    }

    @Test func swapsLowerTheObjectiveOnBlendedData() throws {
        let x = Self.blended()
        var noSwaps = SplitMergeRefinement.Settings()
        noSwaps.swaps = 0
        var kept = 0
        for seed in UInt64(1)...4 {
            let settings = Self.blendedSettings(seed: seed)
            let lloyd = try KMeans.fit(.dense(x), settings: settings)
            let (without, plain) = try SplitMergeRefinement.refine(x, fit: lloyd, kmeans: settings, settings: noSwaps)
            let (with, report) = try SplitMergeRefinement.refine(x, fit: lloyd, kmeans: settings, settings: .init())
            #expect(plain.moves.allSatisfy { !$0.swap })
            #expect(with.inertia <= without.inertia)
            #expect(report.objectiveAfter == with.inertia && report.objectiveBefore == lloyd.inertia)
            let swaps = report.moves.filter(\.swap)
            #expect(swaps.count <= SplitMergeRefinement.Settings().swaps)
            #expect(swaps.allSatisfy { $0.predictedChange <= 0.02 * report.objectiveBefore })
            kept += swaps.filter(\.accepted).count
            // A kept swap's fit is finished: one more Lloyd run from its centres changes nothing.
            let again = try KMeans.fit(.dense(x), settings: settings, initialCentres: with.centres)
            #expect(again.labels == with.labels)
        }
        #expect(kept >= 1, "no swap was kept on any seed")
    }

    /// Swaps too depend on the seed only: the same moves and labels on 1 or 2 threads, and on 1, 2
    /// or 3 ranks (rows spread in blocks of 1,024).
    @Test func swapsAreIndependentOfThreadsAndRanks() throws {
        let x = Self.blended()
        // The first seed whose fit gets to try swaps.
        let seed = try #require(try (UInt64(1)...8).first { seed in
            let s = Self.blendedSettings(seed: seed)
            let fit = try RowBlocks.$rows.withValue(1024) { try KMeans.fit(.dense(x), settings: s) }
            return try RowBlocks.$rows.withValue(1024) {
                try SplitMergeRefinement.refine(x, fit: fit, kmeans: s, settings: .init()).1.moves.contains { $0.swap }
            }
        })
        let settings = Self.blendedSettings(seed: seed)
        let lloyd = try RowBlocks.$rows.withValue(1024) { try KMeans.fit(.dense(x), settings: settings) }
        let one = try RowBlocks.$rows.withValue(1024) {
            try Parallel.withThreads(1) { try SplitMergeRefinement.refine(x, fit: lloyd, kmeans: settings, settings: .init()) }
        }
        let two = try RowBlocks.$rows.withValue(1024) {
            try Parallel.withThreads(2) { try SplitMergeRefinement.refine(x, fit: lloyd, kmeans: settings, settings: .init()) }
        }
        #expect(one.0.labels == two.0.labels && one.1.moves == two.1.moves)
        #expect(one.1.moves.contains { $0.swap })
        for ranks in [1, 2, 3] {
            let blocks = 4, perRank = (0..<ranks).map { blocks / ranks + ($0 < blocks % ranks ? 1 : 0) }
            let results = try ThreadedCommunicatorGroup.run(ranks: ranks, blockRows: 1024) { member in
                let first = perRank[0..<member.rank].reduce(0, +) * 1024, count = perRank[member.rank] * 1024
                let mine = try DenseMatrix(rowCount: count, columnCount: 6, values: Array(x.values[(first * 6)..<((first + count) * 6)]))
                var local = lloyd
                local.labels = Array(lloyd.labels[first..<(first + count)])
                return try SplitMergeRefinement.refine(mine, fit: local, kmeans: settings, settings: .init(), communicator: member)
            }
            #expect(results.flatMap(\.0.labels) == one.0.labels, "labels differ on \(ranks) ranks")
            #expect(results.allSatisfy { $0.1.moves == one.1.moves })
        }
    }

    @Test func offMeansOff() throws {
        let (x, _) = Self.groups()
        let lloyd = try KMeans.fit(.dense(x), settings: Self.settings(), initialCentres: Self.badStart(x))
        var off = SplitMergeRefinement.Settings()
        off.enabled = false
        let (refined, report) = try SplitMergeRefinement.refine(x, fit: lloyd, kmeans: Self.settings(), settings: off)
        #expect(refined.labels == lloyd.labels && !report.enabled && report.movesTried == 0)
    }

    /// The same seed gives the same moves and labels on 1 or 2 threads.
    @Test func independentOfThreadCount() throws {
        let (x, _) = Self.groups(seed: 9)
        let lloyd = try KMeans.fit(.dense(x), settings: Self.settings(), initialCentres: Self.badStart(x))
        let one = try Parallel.withThreads(1) { try SplitMergeRefinement.refine(x, fit: lloyd, kmeans: Self.settings(), settings: .init()) }
        let two = try Parallel.withThreads(2) { try SplitMergeRefinement.refine(x, fit: lloyd, kmeans: Self.settings(), settings: .init()) }
        #expect(one.0.labels == two.0.labels)
        #expect(one.1.moves == two.1.moves && one.1.objectiveAfter == two.1.objectiveAfter)
    }
}

extension SeededGenerator {
    /// A standard normal draw (Box–Muller) for building test data.
    mutating func nextGaussianForTests() -> Double {
        let u = Double(next() >> 11) / Double(1 << 53), v = Double(next() >> 11) / Double(1 << 53)
        return (-2 * log(max(u, 1e-300))).squareRoot() * cos(2 * .pi * v)
    }
}
