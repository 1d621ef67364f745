import Foundation
import Testing
import Clustering
import LinearAlgebra

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
