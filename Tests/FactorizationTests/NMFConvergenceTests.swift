import Foundation
import Testing
@testable import Factorization
import LinearAlgebra
import ProfileLoading
import TesseraTestSupport

/// The stopping rule (projected-gradient violation relative to the first iteration's), `converged`,
/// and the repair of components that no row has as its primary segment.
@Suite(.serialized) struct NMFConvergenceTests {
    /// Deezer Hungary (real users and the music genres they like), the first `rows` profiles.
    func deezer(rows: Int) throws -> CSRMatrix {
        let audience = try ProfileLoader(settings: LoaderSettings()).load([Fixtures.dataset("deezer/hu_genres.jsonl.gz")])
        return audience.matrix.gatherRows(Array(0..<rows))
    }

    /// The rule stops where a much longer run gains almost nothing: 300 more iterations from the
    /// result lower the error by less than 0.1 %. (The rule it replaced stopped after a handful of
    /// iterations on this data, where further iterations still gained several per cent.)
    @Test func stopsWhereALongerRunGainsLessThanATenthOfAPercent() throws {
        let x = try deezer(rows: 4000)
        var s = NMFSettings(k: 12)
        s.seed = 3
        let fit = try NMF.fit(x, settings: s)
        #expect(fit.converged)
        #expect(fit.iterations < s.maxIterations)
        let last = try #require(fit.history.last)
        #expect(try #require(last.violation) <= s.tolerance)
        #expect(fit.emptyComponents.isEmpty)

        var longer = s
        longer.tolerance = 0
        longer.maxIterations = 300
        let further = try NMF.fit(x, settings: longer, initial: (fit.w, fit.h))
        #expect(!further.converged)
        #expect(further.reconstructionError >= fit.reconstructionError * (1 - 1e-3),
                "\(fit.iterations) iterations: \(fit.reconstructionError); 300 more: \(further.reconstructionError)")
    }

    @Test func convergedIsFalseWhenTheIterationCapIsHit() throws {
        let x = try deezer(rows: 2000)
        for solver in NMFSolver.allCases {
            var s = NMFSettings(k: 8)
            s.solver = solver
            s.maxIterations = 3
            let capped = try NMF.fit(x, settings: s)
            #expect(!capped.converged, "\(solver)")
            #expect(capped.iterations == 3, "\(solver)")
            // Every check records the violation; it is what the rule compares with the tolerance.
            #expect(capped.history.dropFirst().allSatisfy { ($0.violation ?? -1) > s.tolerance }, "\(solver)")
        }
        // The same data with room to converge: the rule is met before the cap.
        var s = NMFSettings(k: 8)
        s.maxIterations = 500
        let free = try NMF.fit(x, settings: s)
        #expect(free.converged && free.iterations < 500)
        // A tolerance of 0 is never met by a fit that is still moving.
        s.tolerance = 0
        s.maxIterations = 20
        #expect(try !NMF.fit(x, settings: s).converged)
    }

    /// The HALS kernel's violation is scikit-learn's: Σ over coordinates, in update order, of the
    /// projected gradient just before each coordinate's update.
    @Test func violationIsTheSumOfProjectedGradients() throws {
        let rows = 37, k = 5, kp = 16
        var rng = SeededGenerator(seed: 8)
        var m = DenseMatrix(rowCount: rows, columnCount: kp), target = DenseMatrix(rowCount: rows, columnCount: kp)
        var factors = DenseMatrix(rowCount: 12, columnCount: kp)
        for i in 0..<rows { for t in 0..<k { m[i, t] = rng.nextUnit() < 0.3 ? 0 : Float(rng.nextUnit()); target[i, t] = Float(rng.nextUnit()) } }
        for j in 0..<12 { for t in 0..<k { factors[j, t] = Float(rng.nextUnit()) } }
        let gram = BLAS.gram(factors)
        let (l1, l2): (Float, Float) = (0.05, 0.1)
        var expected = 0.0
        var reference = m
        for i in 0..<rows {
            for t in 0..<k {
                var gradient = Double(l1) - Double(target[i, t])
                for s in 0..<k { gradient += Double(reference[i, s]) * Double(gram[s, t] + (s == t ? l2 : 0)) }
                expected += reference[i, t] > 0 ? abs(gradient) : max(0, -gradient)
                reference[i, t] = Float(max(0, Double(reference[i, t]) - gradient / Double(gram[t, t] + l2)))
            }
        }
        let step = RowUpdate.hals(&m, target: target, gram: gram, l1: l1, l2: l2, components: k)
        #expect(abs(step.violation - expected) <= 1e-4 * expected, "\(step.violation) vs \(expected)")
        for i in 0..<rows { for t in 0..<k { #expect(abs(m[i, t] - reference[i, t]) <= 1e-4) } }
    }

    /// Three groups of profiles on disjoint interests, k = 3, started with components 0 and 1 on the
    /// first two groups and component 2 on an interest nobody has, with an empty W column. That is a
    /// stationary point: component 2 explains nothing, so W's column stays exactly zero, so H's row
    /// has nothing to fit and stays; the third group has no component. The rule is met there with
    /// component 2 no row's primary segment. It is re-seeded from the worst explained rows (the third
    /// group's) and the fit ends with every group its own segment.
    @Test func reseedsAComponentNoRowHasAsItsPrimarySegment() throws {
        let (x, groups) = threeGroups()
        let (w, h) = stuckStart(x, groups)
        var s = NMFSettings(k: 3)
        s.maxIterations = 100
        let r = try NMF.fit(x, settings: s, initial: (w, h))
        #expect(r.reseededComponents == [2])
        #expect(r.emptyComponents.isEmpty)
        #expect(r.converged)
        let reseedCheck = try #require(r.history.first { $0.reseeded != nil })
        #expect(reseedCheck.reseeded == [2])
        let segments = r.memberships().map(\.segment)
        for g in 0..<3 {
            let members = Set(groups.indices.filter { groups[$0] == g }.map { segments[$0] })
            #expect(members.count == 1, "group \(g) spread over \(members)")
        }
        #expect(Set(segments).count == 3)
        // Stuck, the error includes the third group's whole norm; re-seeded, only what a rank-one fit of
        // each group leaves (26.94 against 34.59 here).
        let stuck = try #require(r.history.first { $0.reseeded != nil }).error
        #expect(r.reconstructionError < 0.9 * stuck, "\(r.reconstructionError) vs \(stuck)")

        // Without the repair the same start ends with the empty component (the cap stops the fit
        // just as the rule is met, and the component is reported).
        s.maxIterations = reseedCheck.iteration
        let capped = try NMF.fit(x, settings: s, initial: (w, h))
        #expect(capped.emptyComponents == [2] && capped.reseededComponents.isEmpty)
    }

    /// Ten profiles of two kinds and k = 3: a third segment cannot exist. Re-seeding is tried (a
    /// bounded number of rounds) and the component that stays empty is reported.
    @Test func reportsAComponentThatCannotBeFilled() throws {
        var rows: [[Float]] = []
        for i in 0..<10 { rows.append(i % 2 == 0 ? [1, 1, 0, 0] : [0, 0, 1, 1]) }
        let x = CSRMatrix(dense: try DenseMatrix(rows: rows))
        var s = NMFSettings(k: 3)
        s.maxIterations = 200
        let r = try NMF.fit(x, settings: s)
        #expect(r.emptyComponents.count == 1)
        #expect(r.reseededComponents.count == NMF.maxReseedRounds)
        #expect(Set(r.memberships().map(\.segment)).count == 2)
    }

    /// The re-seeding and its result do not depend on the thread count.
    @Test func reseedingIsTheSameOnOneOrTwoThreads() throws {
        let (x, groups) = threeGroups()
        let (w, h) = stuckStart(x, groups)
        let s = NMFSettings(k: 3)
        let one = try Parallel.withThreads(1) { try NMF.fit(x, settings: s, initial: (w, h)) }
        let two = try Parallel.withThreads(2) { try NMF.fit(x, settings: s, initial: (w, h)) }
        #expect(one.reseededComponents == [2])
        #expect(one.w == two.w && one.h == two.h && one.reseededComponents == two.reseededComponents)
    }

    /// 300 profiles in three groups of 100 (interests 0–9, 10–19, 20–29), each liking a random
    /// half or more of its group's interests with random weights; interest 30 is nobody's.
    func threeGroups() -> (CSRMatrix, [Int]) {
        var rng = SeededGenerator(seed: 5)
        var rows: [[Float]] = [], groups: [Int] = []
        for i in 0..<300 {
            let g = i % 3
            var row = [Float](repeating: 0, count: 31)
            for j in (g * 10)..<(g * 10 + 10) where rng.nextUnit() < 0.6 || j == g * 10 { row[j] = Float(0.5 + rng.nextUnit()) }
            rows.append(row)
            groups.append(g)
        }
        return (CSRMatrix(dense: try! DenseMatrix(rows: rows)), groups)
    }

    /// Components 0 and 1 on groups 0 and 1, component 2 on interest 30 with an empty W column.
    func stuckStart(_ x: CSRMatrix, _ groups: [Int]) -> (DenseMatrix, DenseMatrix) {
        var w = DenseMatrix(rowCount: x.rowCount, columnCount: 3), h = DenseMatrix(rowCount: 3, columnCount: x.columnCount)
        for i in 0..<x.rowCount where groups[i] < 2 { w[i, groups[i]] = 1 }
        for j in 0..<10 { h[0, j] = 0.3; h[1, 10 + j] = 0.3 }
        h[2, 30] = 0.3
        return (w, h)
    }
}
