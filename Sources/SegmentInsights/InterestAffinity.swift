import Foundation

/// One interest's standing in one segment — every number needed to check it by hand.
///
/// - `prevalence` = P(i | s) = count / segment size; `audiencePrevalence` = P(i) = followers of i / audience.
/// - `index` = P(i | s) / P(i) × 100 (100 = as common as in the whole audience), with a
///   `confidence` interval from the log ratio of two proportions (Katz):
///   ln(index) ± z · √(1/count − 1/size + 1/followers − 1/audience).
/// - `shrunkIndex` uses (count + m·P(i)) / (size + m) for P(i | s), m = `priorStrength`.
/// - `score` = shrunk P(i | s) · ln(shrunk index / 100): the interest's term in the Kullback–Leibler
///   divergence of the segment from the audience, so it rewards lift and prevalence together.
public struct InterestAffinity: Codable, Sendable, Equatable {
    public var interest: String
    public var count: Int
    public var prevalence: Double
    public var audiencePrevalence: Double
    public var index: Double
    public var indexLow: Double
    public var indexHigh: Double
    public var shrunkIndex: Double
    public var score: Double

    enum CodingKeys: String, CodingKey {
        case interest, count, prevalence, index, score
        case audiencePrevalence = "audience_prevalence"
        case indexLow = "index_low"
        case indexHigh = "index_high"
        case shrunkIndex = "shrunk_index"
    }

    /// The affinity of an interest followed by `count` of a segment's `size` members and by
    /// `followers` of the `audience`.
    package init(interest: String, count: Int, size: Int, followers: Int, audience: Int, settings: InsightSettings) {
        self.interest = interest
        self.count = count
        let p = size > 0 ? Double(count) / Double(size) : 0
        let p0 = audience > 0 ? Double(followers) / Double(audience) : 0
        prevalence = p
        audiencePrevalence = p0
        index = p0 > 0 ? p / p0 * 100 : 0
        // Katz interval; a zero count uses 0.5 (continuity) for the upper bound.
        let z = Self.normalQuantile(0.5 + settings.confidence / 2)
        let c = max(Double(count), 0.5)
        let variance = max(0, 1 / c - 1 / Double(max(size, 1)) + 1 / Double(max(followers, 1)) - 1 / Double(max(audience, 1)))
        let center = p0 > 0 ? log(c / Double(max(size, 1)) / p0 * 100) : 0
        indexLow = count == 0 ? 0 : exp(center - z * variance.squareRoot())
        indexHigh = p0 > 0 ? exp(center + z * variance.squareRoot()) : 0
        let shrunk = (Double(count) + settings.priorStrength * p0) / (Double(size) + settings.priorStrength)
        shrunkIndex = p0 > 0 ? shrunk / p0 * 100 : 0
        score = shrunkIndex > 0 ? shrunk * log(shrunkIndex / 100) : 0
    }

    /// Whether the interest has enough support in the segment to be listed.
    public func isSupported(_ settings: InsightSettings) -> Bool {
        count >= settings.minCount && prevalence >= settings.minPrevalence
    }

    /// The standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9).
    static func normalQuantile(_ p: Double) -> Double {
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        if p > 1 - low { return -normalQuantile(1 - p) }
        let q = p - 0.5, r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
}
