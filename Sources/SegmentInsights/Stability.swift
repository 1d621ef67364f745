import LinearAlgebra

/// How far a team can trust each segment: bootstrap re-fits, scored by best-match Jaccard (Hennig's
/// clusterboot). Each round draws `sampleSize` rows with replacement, re-fits on the distinct rows
/// drawn, and for every original segment s takes max over re-fitted segments t of
/// |A_s ∩ B_t| / |A_s ∪ B_t| (A_s: the drawn rows labelled s by the original fit, B_t: those the re-fit
/// labels t). The score is the mean over rounds: ≥ 0.85 highly stable, ≥ 0.75 stable, < 0.6 the segment
/// dissolves under resampling (Hennig 2007).
public enum Stability {
    public struct Settings: Sendable, Equatable {
        /// Bootstrap rounds (default 5; 0 turns stability off).
        public var rounds = 5
        /// Rows drawn per round (default 20,000, or all rows if fewer): keeps a round to a fraction of the fit.
        public var sampleSize = 20_000
        public var seed: UInt64 = 0
        public init() {}
    }

    /// - Parameters:
    ///   - labels: the original segment of every row (k segments).
    ///   - refit: re-fits the method on the given rows (distinct, ascending) and returns their labels.
    /// - Returns: the mean best-match Jaccard of each segment (0 for a segment never drawn).
    public static func bootstrapJaccard(labels: [Int32], k: Int, settings: Settings,
                                        refit: ([Int]) throws -> [Int32]) rethrows -> [Double] {
        let n = labels.count
        guard settings.rounds > 0, n > 0 else { return [Double](repeating: 0, count: k) }
        var totals = [Double](repeating: 0, count: k)
        let draws = min(n, settings.sampleSize)
        for round in 0..<settings.rounds {
            var rng = SeededGenerator(seed: settings.seed, stream: 0x5354_4142 + UInt64(round))
            var drawn = [Bool](repeating: false, count: n)
            for _ in 0..<draws { drawn[Int(rng.next() % UInt64(n))] = true }
            let rows = (0..<n).filter { drawn[$0] }
            let refitted = try refit(rows)
            let kb = Int(refitted.max() ?? 0) + 1
            var table = [Int](repeating: 0, count: k * kb)
            var original = [Int](repeating: 0, count: k), bootstrap = [Int](repeating: 0, count: kb)
            for (t, row) in rows.enumerated() {
                let a = Int(labels[row]), b = Int(refitted[t])
                table[a * kb + b] += 1
                original[a] += 1
                bootstrap[b] += 1
            }
            for s in 0..<k where original[s] > 0 {
                var best = 0.0
                for t in 0..<kb where table[s * kb + t] > 0 {
                    let both = Double(table[s * kb + t])
                    best = max(best, both / (Double(original[s] + bootstrap[t]) - both))
                }
                totals[s] += best
            }
        }
        return totals.map { $0 / Double(settings.rounds) }
    }
}
