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
/// agreement (ARI) is at least `minimumStability` (default 0.8; if none reaches it, all k), take the
/// highest silhouette; silhouettes within `tolerance` (default 0.005) of the best count as tied, and
/// ties go to the k with the lower Davies–Bouldin index, then the smaller k.
public enum KSelection {
    public static func recommend(_ points: [SweepPoint], minimumStability: Double = 0.8,
                                 tolerance: Double = 0.005) -> (k: Int, reasons: [String])? {
        guard !points.isEmpty else { return nil }
        let stable = points.filter { $0.stability >= minimumStability }
        let pool = stable.isEmpty ? points : stable
        let best = pool.map(\.silhouette).max()!
        let tied = pool.filter { $0.silhouette >= best - tolerance }
        let choice = tied.min { ($0.daviesBouldin, $0.k) < ($1.daviesBouldin, $1.k) }!
        var reasons: [String] = []
        if stable.isEmpty {
            reasons.append("no k reached seed agreement ARI ≥ \(minimumStability); every k was considered")
        } else {
            reasons.append("\(stable.count) of \(points.count) k values give the same segments across seeds (ARI ≥ \(minimumStability)); k = \(choice.k) has ARI \(rounded(choice.stability))")
        }
        reasons.append("highest silhouette among them: \(rounded(choice.silhouette)) (best \(rounded(best)))" + (tied.count > 1 ? "; \(tied.count) k within \(tolerance) of it" : ""))
        if tied.count > 1 { reasons.append("lowest Davies–Bouldin index among those: \(rounded(choice.daviesBouldin))") }
        reasons.append("Calinski–Harabasz \(rounded(choice.calinskiHarabasz)), objective \(rounded(choice.objective))")
        return (choice.k, reasons)
    }

    static func rounded(_ x: Double) -> String { x.isFinite ? String(format: "%.3f", x) : "∞" }
}
