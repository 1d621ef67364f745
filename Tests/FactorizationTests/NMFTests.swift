import Foundation
import Testing
import Factorization
import LinearAlgebra
import ProfileLoading
import TesseraTestSupport

@Suite(.serialized) struct NMFTests {
    /// ‖X − W·H‖_F computed densely (the reference for the sparse-aware formula).
    func denseError(_ x: CSRMatrix, _ w: DenseMatrix, _ h: DenseMatrix) throws -> Double {
        let product = try BLAS.product(w, h)
        let dense = x.toDense()
        var s = 0.0
        for t in dense.values.indices { let r = Double(dense.values[t] - product.values[t]); s += r * r }
        return s.squareRoot()
    }

    func randomStart(rows: Int, columns: Int, k: Int, seed: UInt64) -> (DenseMatrix, DenseMatrix) {
        var rng = SeededGenerator(seed: seed)
        var w = DenseMatrix(rowCount: rows, columnCount: k), h = DenseMatrix(rowCount: k, columnCount: columns)
        for t in w.values.indices { w.values[t] = Float(rng.nextUnit()) * 0.5 }
        for t in h.values.indices { h.values[t] = Float(rng.nextUnit()) * 0.5 }
        return (w, h)
    }

    @Test func halsErrorNeverIncreasesAndMatchesTheDenseError() throws {
        let x = Fixtures.clusteredSparse(rows: 300, columns: 60, groups: 5, seed: 4)
        var s = NMFSettings(k: 5)
        s.checkEvery = 1
        s.maxIterations = 60
        s.tolerance = 0
        for initialization in NMFInitialization.allCases {
            s.initialization = initialization
            let r = try NMF.fit(x, settings: s)
            for (a, b) in zip(r.history, r.history.dropFirst()) { #expect(b.error <= a.error * (1 + 1e-5), "\(initialization)") }
            #expect(abs(r.reconstructionError - (try denseError(x, r.w, r.h))) < 1e-3 * max(1, r.reconstructionError))
            #expect(r.w.values.allSatisfy { $0 >= 0 } && r.h.values.allSatisfy { $0 >= 0 })
        }
        s.solver = .mu
        s.initialization = .nndsvda
        let mu = try NMF.fit(x, settings: s)
        for (a, b) in zip(mu.history, mu.history.dropFirst()) { #expect(b.error <= a.error * (1 + 1e-5)) }
    }

    /// A textbook HALS in Double on the dense matrix, from the same start.
    func referenceHALS(_ x: DenseMatrix, w start: DenseMatrix, h hStart: DenseMatrix, iterations: Int) -> (DenseMatrix, DenseMatrix) {
        let n = x.rowCount, d = x.columnCount, k = start.columnCount
        var w = (0..<n).map { i in (0..<k).map { Double(start[i, $0]) } }
        var h = (0..<k).map { t in (0..<d).map { Double(hStart[t, $0]) } }
        for _ in 0..<iterations {
            // W: A = X·Hᵀ, G = H·Hᵀ.
            let g = (0..<k).map { a in (0..<k).map { b in (0..<d).reduce(0.0) { $0 + h[a][$1] * h[b][$1] } } }
            for i in 0..<n {
                let a = (0..<k).map { t in (0..<d).reduce(0.0) { $0 + Double(x[i, $1]) * h[t][$1] } }
                for t in 0..<k where g[t][t] > 0 {
                    let dot = (0..<k).reduce(0.0) { $0 + w[i][$1] * g[$1][t] }
                    w[i][t] = max(0, w[i][t] + (a[t] - dot) / g[t][t])
                }
            }
            // H: B = Wᵀ·X, F = WᵀW.
            let f = (0..<k).map { a in (0..<k).map { b in (0..<n).reduce(0.0) { $0 + w[$1][a] * w[$1][b] } } }
            for j in 0..<d {
                let b = (0..<k).map { t in (0..<n).reduce(0.0) { $0 + w[$1][t] * Double(x[$1, j]) } }
                for t in 0..<k where f[t][t] > 0 {
                    let dot = (0..<k).reduce(0.0) { $0 + h[$1][j] * f[$1][t] }
                    h[t][j] = max(0, h[t][j] + (b[t] - dot) / f[t][t])
                }
            }
        }
        return (try! DenseMatrix(rows: w.map { $0.map(Float.init) }), try! DenseMatrix(rows: h.map { $0.map(Float.init) }))
    }

    @Test func agreesWithADenseReferenceFactorisation() throws {
        let x = Fixtures.clusteredSparse(rows: 80, columns: 30, groups: 4, seed: 9)
        let (w0, h0) = randomStart(rows: 80, columns: 30, k: 4, seed: 2)
        var s = NMFSettings(k: 4)
        s.maxIterations = 15
        s.tolerance = 0
        let fast = try NMF.fit(x, settings: s, initial: (w0, h0))
        let (wRef, hRef) = referenceHALS(x.toDense(), w: w0, h: h0, iterations: 15)
        let refError = try denseError(x, wRef, hRef)
        #expect(abs(fast.reconstructionError - refError) <= 1e-3 * refError)
        // The factors agree up to the per-component scaling that `fit` applies to H's rows.
        let product = try BLAS.product(fast.w, fast.h), reference = try BLAS.product(wRef, hRef)
        var worst: Float = 0
        for t in product.values.indices { worst = max(worst, abs(product.values[t] - reference.values[t])) }
        #expect(worst < 1e-3)
    }

    @Test func truncatedSVDMatchesTheFullSVD() throws {
        // A matrix of rank about 6 plus noise.
        let x = Fixtures.clusteredSparse(rows: 400, columns: 50, groups: 6, seed: 12)
        let full = try LAPACK.svd(x.toDense())
        var settings = TruncatedSVD.Settings()
        settings.powerIterations = 4
        let svd = try TruncatedSVD(x, rank: 6, settings: settings)
        for c in 0..<6 {
            #expect(abs(svd.singularValues[c] - full.singularValues[c]) <= 2e-3 * full.singularValues[0], "σ\(c)")
            // Same singular vector up to sign.
            var dot: Float = 0
            for j in 0..<50 { dot += svd.vt[c, j] * full.vt[c, j] }
            #expect(abs(abs(dot) - 1) < 1e-2, "v\(c)")
        }
    }

    @Test func recoversPlantedSegmentsWithSoftMembership() throws {
        let (audience, truth, secondary) = try Fixtures.plantedWithSecondary(profiles: 8000, segments: 12, interests: 3000)
        var s = NMFSettings(k: 12)
        s.seed = 1
        let r = try NMF.fit(audience.matrix, settings: s)
        let memberships = r.memberships()
        // Profiles planted in one segment are recovered (the 15% planted in two are ambiguous by
        // construction: on all rows NMF reaches 0.957 here, exactly as scikit-learn's NMF(cd, nndsvda)
        // on the same vectors, whose error 82.63106 this fit matches to 7 digits).
        let single = truth.indices.filter { secondary[$0] < 0 }
        let nmi = normalizedMutualInformation(single.map { truth[$0] }, single.map { memberships[$0].segment })
        #expect(nmi >= 0.98, "NMI \(nmi)")
        #expect(normalizedMutualInformation(truth, memberships.map(\.segment)) >= 0.95)
        // Mixed profiles: the soft membership names both of their planted segments.
        var votes: [Int: [Int: Int]] = [:]
        for i in single { votes[memberships[i].segment, default: [:]][truth[i], default: 0] += 1 }
        let mapped = votes.mapValues { $0.max { $0.value < $1.value }!.key }
        let mixed = truth.indices.filter { secondary[$0] >= 0 }
        let both = mixed.filter {
            Set([mapped[memberships[$0].segment] ?? -1, mapped[memberships[$0].secondary] ?? -1]) == Set([truth[$0], secondary[$0]])
        }
        #expect(Double(both.count) / Double(mixed.count) > 0.8, "\(both.count) of \(mixed.count)")
        #expect(memberships.allSatisfy { $0.strength > 0 && $0.strength <= 1 && $0.secondaryStrength <= $0.strength })
        #expect(memberships.allSatisfy { $0.secondary != $0.segment })
        // H rows have unit length.
        for t in 0..<12 {
            let norm = (0..<r.h.columnCount).reduce(Float(0)) { $0 + r.h[t, $1] * r.h[t, $1] }
            #expect(abs(norm - 1) < 1e-3)
        }
        // transform with H fixed reproduces W for the training rows.
        let w = try NMF.transform(audience.matrix, h: r.h)
        var difference = 0.0, size = 0.0
        for t in w.values.indices {
            difference += Double((w.values[t] - r.w.values[t]) * (w.values[t] - r.w.values[t]))
            size += Double(r.w.values[t] * r.w.values[t])
        }
        #expect((difference / size).squareRoot() < 0.05, "relative difference \((difference / size).squareRoot())")
        let again = NMFResult.memberships(of: w).map(\.segment)
        let agreement = Double(zip(again, memberships.map(\.segment)).filter { $0 == $1 }.count) / Double(again.count)
        #expect(agreement > 0.98)
    }

    @Test func sameResultOnOneOrTwoThreadsAndAcrossRanks() throws {
        let (audience, _) = try Fixtures.planted(profiles: 3000, segments: 6, interests: 2000)
        var s = NMFSettings(k: 6)
        s.maxIterations = 30
        let one = try Parallel.withThreads(1) { try NMF.fit(audience.matrix, settings: s) }
        let two = try Parallel.withThreads(2) { try NMF.fit(audience.matrix, settings: s) }
        #expect(one.w == two.w && one.h == two.h)

        // Two ranks holding half the rows each, from the same start, reach the single-process factors.
        let m = audience.matrix
        let half = m.rowCount / 2
        let parts = [m.gatherRows(Array(0..<half)), m.gatherRows(Array(half..<m.rowCount))]
        let (w0, h0) = randomStart(rows: m.rowCount, columns: m.columnCount, k: 6, seed: 3)
        let w0Parts = [try DenseMatrix(rows: (0..<half).map { w0.row($0) }), try DenseMatrix(rows: (half..<m.rowCount).map { w0.row($0) })]
        let reference = try NMF.fit(m, settings: s, initial: (w0, h0))
        let group = ThreadedCommunicatorGroup(size: 2)
        var outcomes = [NMFResult?](repeating: nil, count: 2)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: 2) { rank in
            let r = try? NMF.fit(parts[rank], settings: s, communicator: group.member(rank), initial: (w0Parts[rank], h0))
            lock.lock(); outcomes[rank] = r; lock.unlock()
        }
        let a = try #require(outcomes[0]), b = try #require(outcomes[1])
        #expect(a.h == b.h)
        #expect(abs(a.reconstructionError - reference.reconstructionError) <= 1e-3 * reference.reconstructionError)
        var worst: Float = 0
        for t in a.h.values.indices { worst = max(worst, abs(a.h.values[t] - reference.h.values[t])) }
        #expect(worst < 1e-3)
    }

    @Test func convergenceIsCheckedEveryIterationForHALSAndEveryTenForMU() throws {
        let x = Fixtures.clusteredSparse(rows: 200, columns: 40, groups: 4, seed: 9)
        var s = NMFSettings(k: 4)
        s.tolerance = 0
        s.maxIterations = 25
        let hals = try NMF.fit(x, settings: s)
        #expect(hals.iterations > 1)
        #expect(hals.history.map(\.iteration) == Array(0...hals.iterations))
        s.solver = .mu
        let mu = try NMF.fit(x, settings: s)
        #expect(mu.history.map(\.iteration) == [0, 10, 20, 25])
    }

    @Test func rejectsBadInput() throws {
        var x = Fixtures.clusteredSparse(rows: 20, columns: 10, groups: 2, seed: 1)
        #expect(throws: FactorizationError.self) { try NMF.fit(x, settings: NMFSettings(k: 21)) }
        x.values[0] = -1
        #expect(throws: FactorizationError.self) { try NMF.fit(x, settings: NMFSettings(k: 2)) }
    }
}

@Suite struct NarrowMatrixTests {
    /// 84 interests and k = 77 (the shape of Deezer's genres): the SVD sketch cannot take its usual
    /// oversampling; it shrinks to fit instead of failing with a shape error. k above the number of
    /// interests is refused with a plain error. (The CLI test runs the same on Deezer itself.)
    @Test func kCloseToTheNumberOfInterests() throws {
        let x = Fixtures.clusteredSparse(rows: 3000, columns: 84, groups: 12, seed: 5)
        var s = NMFSettings(k: 77)
        s.maxIterations = 5
        let r = try NMF.fit(x, settings: s)
        #expect(r.h.rowCount == 77 && r.reconstructionError.isFinite)
        var beyond = NMFSettings(k: 85)
        beyond.maxIterations = 5
        #expect(throws: FactorizationError.self) { try NMF.fit(x, settings: beyond) }
    }
}
