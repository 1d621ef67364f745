import Foundation
import Testing
import Clustering
import LinearAlgebra
import ProfileLoading
import TesseraTestSupport

@Suite(.serialized) struct KMeansTests {
    func settings(k: Int, seed: UInt64 = 1) -> KMeansSettings {
        var s = KMeansSettings(k: k)
        s.seed = seed
        return s
    }

    /// Rows drawn as initial centres, the same for every variant compared.
    func initialCentres(_ x: DenseMatrix, rows: [Int]) throws -> DenseMatrix {
        try DenseMatrix(rows: rows.map { x.row($0) })
    }

    @Test func matchesBruteForceLloydOnSmallData() throws {
        let sparse = Fixtures.clusteredSparse(rows: 240, columns: 40, groups: 5, seed: 3)
        let dense = sparse.toDense()
        let start = try initialCentres(dense, rows: [0, 7, 19, 33, 101])
        var s = settings(k: 5)
        s.metric = .euclidean
        s.tolerance = 0
        s.maxIterations = 50
        let fast = try KMeans.fit(.sparse(sparse), settings: s, initialCentres: start)
        let reference = referenceLloyd(dense, centres: start, iterations: fast.iterations)
        #expect(fast.labels.map(Int.init) == reference.labels)
        #expect(abs(fast.inertia - reference.inertia) <= 1e-4 * reference.inertia)
        for c in 0..<5 {
            for j in 0..<40 { #expect(abs(Double(fast.centres[c, j]) - reference.centres[c][j]) < 1e-4) }
        }
        // The final labels are the nearest centres of the returned centres.
        for i in 0..<240 {
            let own = (0..<40).reduce(Float(0)) { let t = dense[i, $1] - fast.centres[Int(fast.labels[i]), $1]; return $0 + t * t }
            for c in 0..<5 {
                let other = (0..<40).reduce(Float(0)) { let t = dense[i, $1] - fast.centres[c, $1]; return $0 + t * t }
                #expect(own <= other + 1e-4)
            }
        }
    }

    @Test func sparseAndDenseKernelsAgree() throws {
        let sparse = Fixtures.clusteredSparse(rows: 600, columns: 60, groups: 6, seed: 5)
        let dense = sparse.toDense()
        let start = try initialCentres(dense, rows: [1, 50, 120, 300, 411, 599])
        for metric in KMeansMetric.allCases {
            var s = settings(k: 6)
            s.metric = metric
            let a = try KMeans.fit(.sparse(sparse), settings: s, initialCentres: start)
            let b = try KMeans.fit(.dense(dense), settings: s, initialCentres: start)
            #expect(a.labels == b.labels)
            #expect(abs(a.inertia - b.inertia) <= 1e-4 * max(1, b.inertia))
            #expect(a.iterations == b.iterations)
            let p = try KMeans.predict(.dense(dense), centres: a.centres, metric: metric)
            #expect(p.labels == a.labels)
        }
    }

    @Test func boundsGiveTheSameResultAsPlainLloyd() throws {
        let (audience, _) = try Fixtures.planted(profiles: 4000, segments: 12)
        var s = settings(k: 12, seed: 4)
        let bounded = try KMeans.fit(.sparse(audience.matrix), settings: s)
        s.useBounds = false
        let plain = try KMeans.fit(.sparse(audience.matrix), settings: s)
        #expect(bounded.labels == plain.labels)
        #expect(bounded.iterations == plain.iterations)
        #expect(abs(bounded.inertia - plain.inertia) <= 1e-5 * plain.inertia)
        // The bounds really skipped work once few rows moved.
        #expect(bounded.history.dropFirst().contains { $0.skippedRows > 0 })
        #expect(plain.history.allSatisfy { $0.skippedRows == 0 })
    }

    @Test func sameSeedSameResultOnOneOrTwoThreads() throws {
        let (audience, _) = try Fixtures.planted(profiles: 6000, segments: 10)
        var results: [KMeansResult] = []
        for threads in [1, 2] {
            for initialization in KMeansInitialization.allCases {
                var s = settings(k: 10, seed: 9)
                s.initialization = initialization
                results.append(try Parallel.withThreads(threads) { try KMeans.fit(.sparse(audience.matrix), settings: s) })
            }
        }
        for (a, b) in zip(results.prefix(3), results.suffix(3)) {
            #expect(a.labels == b.labels)
            #expect(a.centres == b.centres)
            #expect(a.inertia == b.inertia)
        }
        // A different seed gives a different start.
        let other = try KMeans.fit(.sparse(audience.matrix), settings: settings(k: 10, seed: 10))
        #expect(other.history.first?.objective != results[0].history.first?.objective)
    }

    @Test func emptyClustersAreRefilled() throws {
        let sparse = Fixtures.clusteredSparse(rows: 300, columns: 30, groups: 3, seed: 8)
        let dense = sparse.toDense()
        var start = try initialCentres(dense, rows: [0, 1, 2, 3, 4])
        // Two centres far from every row and one duplicate: all three would stay empty without refilling.
        for j in 0..<30 { start[3, j] = 100; start[4, j] = -100 }
        for j in 0..<30 { start[2, j] = start[1, j] }
        var s = settings(k: 5)
        s.metric = .euclidean
        let result = try KMeans.fit(.sparse(sparse), settings: s, initialCentres: start)
        #expect(result.sizes.allSatisfy { $0 > 0 })
        #expect(result.sizes.reduce(0, +) == 300)
        #expect(result.history.reduce(0) { $0 + $1.relocatedClusters } >= 2)
        #expect(Set(result.labels).count == 5)
        #expect(result.inertia.isFinite)
    }

    @Test func recoversPlantedSegments() throws {
        let (audience, truth) = try Fixtures.planted(profiles: 12_000, segments: 16, interests: 4000)
        var s = settings(k: 16, seed: 2)
        s.restarts = 2
        let result = try KMeans.fit(.sparse(audience.matrix), settings: s)
        let nmi = normalizedMutualInformation(truth, result.labels.map(Int.init))
        #expect(nmi >= 0.95, "NMI \(nmi)")
        #expect(result.restartInertias.count == 2)
        #expect(result.inertia == result.restartInertias.min())
        // The objective never increases from one Lloyd iteration to the next.
        for (a, b) in zip(result.history, result.history.dropFirst()) { #expect(b.objective <= a.objective * (1 + 1e-6)) }

        var parallel = settings(k: 16, seed: 2)
        parallel.initialization = .kmeansParallel
        let viaParallel = try KMeans.fit(.sparse(audience.matrix), settings: parallel)
        // k-means|| trades some start quality for passes that work across ranks (measured on this data:
        // NMI 0.87–0.90 against 0.90–0.92 for single-start k-means++).
        #expect(normalizedMutualInformation(truth, viaParallel.labels.map(Int.init)) >= 0.85)

        var mini = settings(k: 16, seed: 2)
        mini.algorithm = .minibatch
        mini.batchSize = 1024
        let viaMiniBatch = try KMeans.fit(.sparse(audience.matrix), settings: mini)
        let miniNMI = normalizedMutualInformation(truth, viaMiniBatch.labels.map(Int.init))
        #expect(miniNMI >= 0.9, "mini-batch NMI \(miniNMI)")
        #expect(viaMiniBatch.sizes.reduce(0, +) == audience.matrix.rowCount)
    }

    @Test func twoRanksReachTheSameSegmentsAsOneProcess() throws {
        let (audience, _) = try Fixtures.planted(profiles: 3000, segments: 8)
        let m = audience.matrix
        let half = m.rowCount / 2
        let parts = [m.gatherRows(Array(0..<half)), m.gatherRows(Array(half..<m.rowCount))]
        var s = settings(k: 8, seed: 3)
        // Same initial centres on both ranks; the algorithm exchanges only partial sums.
        let initial = try DenseMatrix(rows: (0..<8).map { c in m.toDense().row(c * 300) })
        s.initialization = .random
        let reference = try KMeans.fit(.sparse(m), settings: s, initialCentres: initial)
        let group = ThreadedCommunicatorGroup(size: 2)
        var outcomes = [KMeansResult?](repeating: nil, count: 2)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: 2) { rank in
            let r = try? KMeans.fit(.sparse(parts[rank]), settings: s, communicator: group.member(rank), initialCentres: initial)
            lock.lock(); outcomes[rank] = r; lock.unlock()
        }
        let a = try #require(outcomes[0]), b = try #require(outcomes[1])
        #expect(a.labels + b.labels == reference.labels)
        #expect(a.sizes == reference.sizes && b.sizes == reference.sizes)
        #expect(abs(a.inertia - reference.inertia) <= 1e-4 * reference.inertia)
        #expect(a.iterations == reference.iterations)
        // k-means|| works across ranks too and every rank ends with the same centres.
        var parallel = s
        parallel.initialization = .kmeansParallel
        var distributed = [KMeansResult?](repeating: nil, count: 2)
        let group2 = ThreadedCommunicatorGroup(size: 2)
        DispatchQueue.concurrentPerform(iterations: 2) { rank in
            let r = try? KMeans.fit(.sparse(parts[rank]), settings: parallel, communicator: group2.member(rank))
            lock.lock(); distributed[rank] = r; lock.unlock()
        }
        let c = try #require(distributed[0]), d = try #require(distributed[1])
        #expect(c.centres == d.centres)
        #expect(c.sizes.reduce(0, +) == m.rowCount)
    }

    @Test func rejectsBadSettingsAndInput() throws {
        let m = Fixtures.clusteredSparse(rows: 10, columns: 5, groups: 2, seed: 1)
        #expect(throws: ClusteringError.self) { try KMeans.fit(.sparse(m), settings: KMeansSettings(k: 11)) }
        #expect(throws: ClusteringError.self) { try KMeans.fit(.sparse(m), settings: KMeansSettings(k: 0)) }
        var bad = m
        bad.values[0] = .nan
        #expect(throws: ClusteringError.self) { try KMeans.fit(.sparse(bad), settings: KMeansSettings(k: 2)) }
        do {
            _ = try KMeans.fit(.sparse(m), settings: KMeansSettings(k: 11))
        } catch let error as ClusteringError {
            #expect(error.description.contains("at least 11"))
        }
    }

    /// 20 Newsgroups (18,830 non-empty posts × 121,237 words, counts → tf-idf, L2) at k = 20.
    /// Measured once: scikit-learn 1.9.1 `KMeans(20, n_init=1, random_state=s)` on the same vectors
    /// (lower-cased DictVectorizer + TfidfTransformer, float32) reached NMI 0.276, 0.234, 0.246, 0.263,
    /// 0.229 for s = 0…4 (inertia 17,336–17,359). The threshold, 0.22, is one scikit-learn reaches with
    /// every one of those seeds.
    @Test func twentyNewsgroupsAtK20() throws {
        let audience = try ProfileLoader(settings: LoaderSettings()).load([Fixtures.dataset("20newsgroups/docs.jsonl.gz")])
        let truth: [String] = audience.profileIds.map { String($0.split(separator: "/")[1]) }
        let names = Array(Set(truth)).sorted()
        var index: [String: Int] = [:]
        for (t, name) in names.enumerated() { index[name] = t }
        var s = KMeansSettings(k: 20)
        s.seed = 0
        let result = try KMeans.fit(.sparse(audience.matrix), settings: s)
        let nmi = normalizedMutualInformation(truth.map { index[$0]! }, result.labels.map(Int.init))
        #expect(nmi >= 0.22, "NMI \(nmi)")
        #expect(result.inertia < 17_600, "inertia \(result.inertia)")
    }
}
