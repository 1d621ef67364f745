import Foundation
import LinearAlgebra

/// A global step after Lloyd that moves centres from where they are redundant to where they are missing.
///
/// Lloyd only moves centres locally: when k-means++ puts two centres in one real segment and one
/// centre between two others, Lloyd keeps the twin and the glued pair forever, and restarts only
/// draw more tickets in the same lottery. Each round here:
/// 1. prices every *merge* of two segments (Ward's cost n_a·n_b/(n_a+n_b)·‖c_a − c_b‖², the exact
///    rise in the objective if their rows shared one centre) and every *split* of one segment in
///    two (the drop in its squared error from a seeded 2-means on its rows);
/// 2. pairs the best splits with the cheapest merges on disjoint segments while a split gains more
///    than its merge costs (greedy, at most `maxMovesPerRound`);
/// 3. moves the centres accordingly (the merged pair's centre goes to their weighted mean, the two
///    freed slots to the halves of the split segment) and runs Lloyd from there;
/// 4. keeps the result only if the objective fell; otherwise retries the best single move once,
///    and stops;
/// 5. then tries up to `swaps` single moves that were priced as no gain (a split paired with the
///    cheapest merge, priced to raise the objective by at most `swapMaxRise`), one at a time, each
///    judged after a few Lloyd iterations and kept only if the objective fell; a kept swap's fit is
///    finished by Lloyd. On real data, where segments blend into each other, the price taken before
///    Lloyd moves the other centres is often wrong in sign; on well-separated segments no swap is
///    priced near zero and none is tried.
///
/// Everything is seeded per segment and round and reduced in a fixed order, so the outcome depends
/// on the seed only, not on the thread count. Every move tried and kept is reported.
public enum SplitMergeRefinement {
    public struct Settings: Sendable, Equatable {
        /// Run the step at all (default on; `--no-refine` turns it off for comparison).
        public var enabled = true
        /// Rounds of split–merge (default 10); the step usually ends earlier, when no split gains
        /// more than a merge costs.
        public var maxRounds = 10
        /// Moves tried together in one round (default 8): a k = 40 fit from k-means++ typically
        /// has a handful of twins and glued pairs, which one Lloyd run repairs at once.
        public var maxMovesPerRound = 8
        /// 2-means iterations when pricing a split (default 10).
        public var splitIterations = 10
        /// Swaps tried once no split gains more than its merge costs (default 8): the best-priced
        /// split paired with the cheapest merge, tried alone, in order of predicted change. The price
        /// is taken before Lloyd moves the other centres, so a swap priced as a small loss can still
        /// lower the objective; like every move it is kept only if the objective fell.
        public var swaps = 8
        /// Lloyd iterations a swap is judged on (default 10): a kept swap's fit is finished by Lloyd
        /// to convergence at the end (which only lowers the objective further).
        public var swapIterations = 10
        /// Swaps priced to raise the objective by more than this share of it are not tried (default
        /// 0.02). Measured: on the real sets (20 Newsgroups, Deezer, Last.fm) kept swaps were priced
        /// between −0.03 % and +1.06 %; on the planted audiences every swap is priced above +4 % and
        /// none is kept, so there the step costs nothing.
        public var swapMaxRise = 0.02
        /// Work for the swaps, in rows × segments (default 16,777,216): at most this ÷ (n · k) swaps
        /// are tried (never fewer than 1, never more than `swaps`), since each costs up to
        /// `swapIterations` Lloyd passes over every row. All 8 on the real sets above (n · k ≤ 2
        /// million); 1 at 100,000 profiles with k = 100, where planted segments price swaps at +0.2 %
        /// and none was kept in 3 seeds × 8 tries, at 2.8–4.2 s.
        public var swapWork = 16_777_216
        public init() {}
    }

    /// One tried move: segments `merged` shared a centre, `split` was cut in two.
    public struct Move: Codable, Sendable, Equatable {
        public var round: Int
        public var merged: [Int]
        public var split: Int
        /// Predicted objective change (merge cost − split gain, negative = better), before Lloyd.
        public var predictedChange: Double
        public var accepted: Bool
        /// Tried as a swap (priced as no gain; see `Settings.swaps`).
        public var swap: Bool = false
        enum CodingKeys: String, CodingKey {
            case round, merged, split, accepted, swap
            case predictedChange = "predicted_change"
        }
    }

    /// What the step did, as written to run.json (`refinement`).
    public struct Report: Codable, Sendable, Equatable {
        public var enabled: Bool
        public var objectiveBefore: Double
        public var objectiveAfter: Double
        public var rounds: Int
        public var movesTried: Int
        public var movesAccepted: Int
        public var lloydIterations: Int
        public var seconds: Double
        public var moves: [Move]
        enum CodingKeys: String, CodingKey {
            case enabled, rounds, moves, seconds
            case objectiveBefore = "objective_before"
            case objectiveAfter = "objective_after"
            case movesTried = "moves_tried"
            case movesAccepted = "moves_accepted"
            case lloydIterations = "lloyd_iterations"
        }
    }

    /// Refines a converged Lloyd fit of dense `data` (the rows the fit saw).
    public static func refine(_ data: DenseMatrix, fit: KMeansResult, kmeans: KMeansSettings,
                              settings: Settings,
                              communicator: Communicator = SingleProcessCommunicator()) throws -> (KMeansResult, Report) {
        let clock = ContinuousClock()
        let start = clock.now
        var best = fit
        var moves: [Move] = []
        var rounds = 0, iterations = 0
        let k = fit.centres.rowCount
        guard settings.enabled, k >= 3 else {
            return (fit, Report(enabled: settings.enabled, objectiveBefore: fit.inertia, objectiveAfter: fit.inertia, rounds: 0,
                                movesTried: 0, movesAccepted: 0, lloydIterations: 0, seconds: 0, moves: []))
        }
        var lloyd = kmeans
        lloyd.restarts = 1
        var bounded = lloyd
        bounded.maxIterations = max(1, settings.swapIterations)
        /// Runs Lloyd (`settings`) from `best` with `attempt` applied, records the moves, and keeps the
        /// result if it lowered the objective.
        func tryMoves(_ attempt: [Planned], round: Int, swap: Bool, settings: KMeansSettings) throws -> Bool {
            let candidate = try KMeans.fit(.dense(data), settings: settings, communicator: communicator,
                                           initialCentres: apply(attempt, to: best.centres))
            iterations += candidate.iterations
            let accepted = candidate.inertia < best.inertia * (1 - 1e-7)
            moves += attempt.map { Move(round: round, merged: [$0.a, $0.b], split: $0.split, predictedChange: $0.change,
                                        accepted: accepted, swap: swap) }
            if accepted { best = candidate }
            return accepted
        }
        // Swap candidates priced on the current best fit (nil once the fit has changed since).
        var pendingSwaps: [Planned]?
        for round in 1...max(1, settings.maxRounds) {
            rounds = round
            let (planned, swaps) = plan(data, labels: best.labels, centres: best.centres, round: round, seed: kmeans.seed,
                                        settings: settings, communicator: communicator, swaps: settings.swaps)
            pendingSwaps = swaps
            guard !planned.isEmpty else { break }
            var attempts = [planned]
            if planned.count > 1 { attempts.append([planned[0]]) }
            var improved = false
            for attempt in attempts {
                if try tryMoves(attempt, round: round, swap: false, settings: lloyd) {
                    pendingSwaps = nil
                    improved = true
                    break
                }
            }
            if !improved { break }
        }
        // Swaps: moves priced as no gain, tried one at a time; after a kept swap, the next are
        // priced afresh from the new fit.
        let rowsTimesK = max(1, best.sizes.reduce(0, +) * k)   // sizes count every rank's rows
        var swapsLeft = settings.swaps <= 0 ? 0 : min(settings.swaps, max(1, settings.swapWork / rowsTimesK))
        var unfinished = false
        while swapsLeft > 0 {
            let candidates: [Planned]
            if let pendingSwaps {
                candidates = Array(pendingSwaps.prefix(swapsLeft))
            } else {
                rounds += 1
                candidates = plan(data, labels: best.labels, centres: best.centres, round: rounds, seed: kmeans.seed,
                                  settings: settings, communicator: communicator, swaps: swapsLeft).swaps
            }
            pendingSwaps = nil
            var improved = false
            for move in candidates where move.change <= settings.swapMaxRise * best.inertia {
                swapsLeft -= 1
                if try tryMoves([move], round: rounds, swap: true, settings: bounded) {
                    unfinished = !best.converged
                    improved = true
                    break
                }
            }
            if !improved { break }
        }
        if unfinished {
            let finished = try KMeans.fit(.dense(data), settings: lloyd, communicator: communicator, initialCentres: best.centres)
            iterations += finished.iterations
            if finished.inertia <= best.inertia { best = finished }
        }
        best.restartInertias = fit.restartInertias
        best.chosenRestart = fit.chosenRestart
        best.initSeconds = fit.initSeconds
        best.prepareSeconds = fit.prepareSeconds
        best.history = fit.history
        best.iterations = fit.iterations
        best.converged = fit.converged
        let report = Report(enabled: true, objectiveBefore: fit.inertia, objectiveAfter: best.inertia, rounds: rounds,
                            movesTried: moves.count, movesAccepted: moves.filter(\.accepted).count,
                            lloydIterations: iterations, seconds: (clock.now - start).inSeconds, moves: moves)
        return (best, report)
    }

    struct Planned {
        var a: Int, b: Int, split: Int
        var change: Double
        var mergedCentre: [Float]
        var halves: ([Float], [Float])
    }

    /// The moves of one round: best splits paired with cheapest merges on disjoint segments.
    ///
    /// Each segment's split is priced on its members at an even stride (at most `splitSampleRows`),
    /// counted in global row order; with rows spread over ranks the sampled rows are gathered, so the
    /// plan is the same on any number of ranks.
    ///
    /// Besides, up to `swaps` single moves whatever their price (`Settings.swaps`): for each of the
    /// best splits its cheapest merge of two other segments, in order of predicted change.
    static func plan(_ data: DenseMatrix, labels: [Int32], centres: DenseMatrix, round: Int, seed: UInt64,
                     settings: Settings, communicator: Communicator, swaps: Int) -> (moves: [Planned], swaps: [Planned]) {
        let k = centres.rowCount, r = centres.columnCount
        var localCounts = [Int](repeating: 0, count: k)
        for label in labels { localCounts[Int(label)] += 1 }
        let perRank: [[Int]] = communicator.size == 1 ? [localCounts]
            : communicator.allgather(localCounts.map(Double.init)).map { Int($0) }.chunked(k)
        var counts = [Int](repeating: 0, count: k), before = [Int](repeating: 0, count: k)
        for (q, rankCounts) in perRank.enumerated() {
            for c in 0..<k {
                if q < communicator.rank { before[c] += rankCounts[c] }
                counts[c] += rankCounts[c]
            }
        }
        let strides = counts.map { max(1, ($0 + splitSampleRows - 1) / splitSampleRows) }
        let sampleSizes = (0..<k).map { counts[$0] == 0 ? 0 : (counts[$0] + strides[$0] - 1) / strides[$0] }
        // This rank's sampled rows: (segment, slot) and the row.
        var slots: [Int64] = []
        var rows: [Float] = []
        var seen = before
        for (i, label) in labels.enumerated() {
            let c = Int(label)
            if seen[c] % strides[c] == 0 {
                slots += [Int64(c), Int64(seen[c] / strides[c])]
                rows.append(contentsOf: data.values[(i * r)..<((i + 1) * r)])
            }
            seen[c] += 1
        }
        var samples = (0..<k).map { [Float](repeating: 0, count: sampleSizes[$0] * r) }
        let parts = communicator.size == 1 ? [(slots, rows)]
            : communicator.allgather(bytes: ByteCoding.frame([ByteCoding.bytes(of: slots), ByteCoding.bytes(of: rows)])).map { framed in
                let two = ByteCoding.unframe(framed)
                return (ByteCoding.values(two[0]) as [Int64], ByteCoding.values(two[1]) as [Float])
            }
        for (partSlots, partRows) in parts {
            for q in 0..<(partSlots.count / 2) {
                let c = Int(partSlots[2 * q]), slot = Int(partSlots[2 * q + 1])
                samples[c].replaceSubrange((slot * r)..<((slot + 1) * r), with: partRows[(q * r)..<((q + 1) * r)])
            }
        }

        // Split gains, one segment per task (each task's result depends only on its segment).
        var gains = [Double](repeating: 0, count: k)
        var halves = [([Float], [Float])](repeating: ([], []), count: k)
        gains.withUnsafeMutableBufferPointer { gainOut in
            halves.withUnsafeMutableBufferPointer { halfOut in
                Parallel.forEach(k) { c in
                    var rng = SeededGenerator(seed: seed, stream: 0x5350_4C49_0000 &+ UInt64(round) << 16 &+ UInt64(c))
                    let result = samples[c].withUnsafeBufferPointer {
                        twoMeans($0, r: r, count: sampleSizes[c], population: counts[c],
                                 iterations: settings.splitIterations, rng: &rng)
                    }
                    gainOut[c] = result.gain
                    halfOut[c] = result.halves
                }
            }
        }
        // Ward merge costs of every pair.
        var merges: [(cost: Double, a: Int, b: Int)] = []
        for a in 0..<k where counts[a] > 0 {
            for b in (a + 1)..<k where counts[b] > 0 {
                var d2 = 0.0
                for j in 0..<r { let t = Double(centres[a, j] - centres[b, j]); d2 += t * t }
                let na = Double(counts[a]), nb = Double(counts[b])
                merges.append((na * nb / (na + nb) * d2, a, b))
            }
        }
        merges.sort { $0.cost != $1.cost ? $0.cost < $1.cost : ($0.a, $0.b) < ($1.a, $1.b) }
        let splitOrder = (0..<k).filter { counts[$0] >= 2 }.sorted { gains[$0] != gains[$1] ? gains[$0] > gains[$1] : $0 < $1 }
        func move(split s: Int, merge: (cost: Double, a: Int, b: Int)) -> Planned {
            let na = Float(counts[merge.a]), nb = Float(counts[merge.b])
            let mergedCentre = (0..<r).map { (na * centres[merge.a, $0] + nb * centres[merge.b, $0]) / (na + nb) }
            return Planned(a: merge.a, b: merge.b, split: s, change: merge.cost - gains[s], mergedCentre: mergedCentre, halves: halves[s])
        }
        var single: [Planned] = []
        for s in splitOrder.prefix(2 * swaps) where !halves[s].0.isEmpty {
            guard let merge = merges.first(where: { $0.a != s && $0.b != s }) else { continue }
            single.append(move(split: s, merge: merge))
        }
        single.sort { $0.change != $1.change ? $0.change < $1.change : $0.split < $1.split }
        var used = Set<Int>()
        var planned: [Planned] = []
        for s in splitOrder where !used.contains(s) {
            guard planned.count < settings.maxMovesPerRound else { break }
            guard let merge = merges.first(where: { !used.contains($0.a) && !used.contains($0.b) && $0.a != s && $0.b != s }) else { break }
            guard gains[s] > merge.cost else { break }
            planned.append(move(split: s, merge: merge))
            used.formUnion([s, merge.a, merge.b])
        }
        return (planned, Array(single.prefix(swaps)))
    }

    /// The centres after the planned moves: slot a ← the merged centre, slot b and slot split ← the halves.
    static func apply(_ moves: [Planned], to centres: DenseMatrix) -> DenseMatrix {
        var out = centres
        let r = centres.columnCount
        for move in moves {
            for j in 0..<r {
                out[move.a, j] = move.mergedCentre[j]
                out[move.b, j] = move.halves.0[j]
                out[move.split, j] = move.halves.1[j]
            }
        }
        return out
    }

    /// Rows of a segment used to price its split (default 2,048, taken at an even stride): the gain
    /// is scaled up to the whole segment. Pricing only ranks candidate moves; whether a move is kept
    /// is decided on the exact objective over every row.
    static let splitSampleRows = 2_048

    /// A seeded 2-means on the `count` sampled rows of a segment of `population` rows (r columns): the drop in squared error from
    /// one centre to two (scaled to the whole segment when it was priced on a sample), and the two
    /// centres. Seeds: one member drawn uniformly, the second by D² sampling from it (k-means++ for k = 2).
    static func twoMeans(_ sample: UnsafeBufferPointer<Float>, r: Int, count m: Int, population all: Int, iterations: Int,
                         rng: inout SeededGenerator) -> (gain: Double, halves: ([Float], [Float])) {
        guard all >= 2, m >= 1, let x = sample.baseAddress else { return (0, ([], [])) }
        do {
            @inline(__always) func distance(_ t: Int, _ c: UnsafePointer<Float>) -> Float {
                var s: Float = 0
                let row = x + t * r
                for j in 0..<r { let v = row[j] - c[j]; s += v * v }
                return s
            }
            var mean = [Float](repeating: 0, count: r)
            var sums = [Double](repeating: 0, count: r)
            for t in 0..<m { for j in 0..<r { sums[j] += Double(x[t * r + j]) } }
            for j in 0..<r { mean[j] = Float(sums[j] / Double(m)) }
            var sse = 0.0
            mean.withUnsafeBufferPointer { c in for t in 0..<m { sse += Double(distance(t, c.baseAddress!)) } }

            var a = Array(UnsafeBufferPointer(start: x + Int(rng.next() % UInt64(m)) * r, count: r))
            var weights = [Double](repeating: 0, count: m)
            var total = 0.0
            a.withUnsafeBufferPointer { c in for t in 0..<m { weights[t] = Double(distance(t, c.baseAddress!)); total += weights[t] } }
            guard total > 0 else { return (0, ([], [])) }
            var target = rng.nextUnit() * total
            var pick = m - 1
            for t in 0..<m { target -= weights[t]; if target <= 0 { pick = t; break } }
            var b = Array(UnsafeBufferPointer(start: x + pick * r, count: r))

            var sumA = [Double](repeating: 0, count: r), sumB = sumA
            for _ in 0..<max(1, iterations) {
                for j in 0..<r { sumA[j] = 0; sumB[j] = 0 }
                var na = 0, nb = 0
                a.withUnsafeBufferPointer { ca in
                    b.withUnsafeBufferPointer { cb in
                        for t in 0..<m {
                            let row = x + t * r
                            if distance(t, cb.baseAddress!) < distance(t, ca.baseAddress!) {
                                nb += 1
                                for j in 0..<r { sumB[j] += Double(row[j]) }
                            } else {
                                na += 1
                                for j in 0..<r { sumA[j] += Double(row[j]) }
                            }
                        }
                    }
                }
                guard na > 0, nb > 0 else { return (0, ([], [])) }
                for j in 0..<r {
                    a[j] = Float(sumA[j] / Double(na))
                    b[j] = Float(sumB[j] / Double(nb))
                }
            }
            var splitSSE = 0.0
            a.withUnsafeBufferPointer { ca in
                b.withUnsafeBufferPointer { cb in
                    for t in 0..<m { splitSSE += Double(min(distance(t, ca.baseAddress!), distance(t, cb.baseAddress!))) }
                }
            }
            let scale = Double(all) / Double(m)
            return (max(0, sse - splitSSE) * scale, (a, b))
        }
    }
}

extension Array {
    /// Consecutive runs of `size` elements.
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min(count, $0 + size)]) }
    }
}
