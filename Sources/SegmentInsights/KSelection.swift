/// One k of a sweep: the fit's objective and the quality measures.
public struct SweepPoint: Codable, Sendable, Equatable {
    public var k: Int
    /// k-means inertia or NMF ‖X − W·H‖_F.
    public var objective: Double
    public var silhouette: Double
    public var calinskiHarabasz: Double
    public var daviesBouldin: Double
    /// Mean adjusted Rand index between fits from different seeds (1: the same segments every time).
    public var stability: Double
    public var seconds: Double

    public init(k: Int, objective: Double, silhouette: Double, calinskiHarabasz: Double, daviesBouldin: Double, stability: Double, seconds: Double) {
        self.k = k
        self.objective = objective
        self.silhouette = silhouette
        self.calinskiHarabasz = calinskiHarabasz
        self.daviesBouldin = daviesBouldin
        self.stability = stability
        self.seconds = seconds
    }

    enum CodingKeys: String, CodingKey {
        case k, objective, silhouette, stability, seconds
        case calinskiHarabasz = "calinski_harabasz"
        case daviesBouldin = "davies_bouldin"
    }
}

/// The recommendation rule, documented so that the reasons can be checked: among the k whose seed
/// agreement (ARI) is at least `minimumStability` (default 0.8), take the highest silhouette;
/// silhouettes within `tolerance` (default 0.005) of the best count as tied, and ties go to the k
/// with the lower Davies–Bouldin index, then the smaller k.
///
/// When no k reaches the agreement threshold, no k stands out: the segments change with the seed at
/// every k tried, so the sweep names no k (`k` is nil) and says so, with the most reproducible k for
/// reference. Scores are measured in the space the segments are found in (`SegmentationMethod.measuredRows`).
public enum KSelection {
    public static func recommend(_ points: [SweepPoint], minimumStability: Double = 0.8,
                                 tolerance: Double = 0.005) -> (k: Int?, reasons: [String])? {
        guard !points.isEmpty else { return nil }
        let stable = points.filter { $0.stability >= minimumStability }
        guard !stable.isEmpty else {
            let steadiest = points.max { ($0.stability, -$0.k) < ($1.stability, -$1.k) }!
            return (nil, ["no k stands out: at every k tried the segments change with the seed (seed agreement ARI below \(minimumStability); the highest, \(rounded(steadiest.stability)), is at k = \(steadiest.k))",
                          "choose k from what the segments are for (e.g. a number a workshop can handle) and check each segment's stability in segments.json"])
        }
        let best = stable.map(\.silhouette).max()!
        let tied = stable.filter { $0.silhouette >= best - tolerance }
        let choice = tied.min { ($0.daviesBouldin, $0.k) < ($1.daviesBouldin, $1.k) }!
        var reasons: [String] = []
        reasons.append("\(stable.count) of \(points.count) k values give the same segments across seeds (ARI ≥ \(minimumStability)); k = \(choice.k) has ARI \(rounded(choice.stability))")
        reasons.append("highest silhouette among them: \(rounded(choice.silhouette)) (best \(rounded(best)))" + (tied.count > 1 ? "; \(tied.count) k within \(tolerance) of it" : ""))
        if tied.count > 1 { reasons.append("lowest Davies–Bouldin index among those: \(rounded(choice.daviesBouldin))") }
        reasons.append("Calinski–Harabasz \(rounded(choice.calinskiHarabasz)), objective \(rounded(choice.objective))")
        if choice.k == points.map(\.k).max(), points.count > 1 {
            reasons.append("k = \(choice.k) is the largest k tried: a larger k may score higher still")
        }
        return (choice.k, reasons)
    }

    static func rounded(_ x: Double) -> String { x.isFinite ? String(format: "%.3f", x) : "∞" }
}
