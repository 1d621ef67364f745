/// Parameters of a planted audience. Defaults match the benchmark data of the performance brief:
/// 40 segments over 20,000 interests, about 50 interests per profile.
public struct GeneratorSettings: Sendable, Equatable, Codable {
    /// Number of follower profiles. Default 10,000.
    public var profiles: Int = 10_000
    /// Number of planted segments. Default 40.
    public var segments: Int = 40
    /// Seed: the same settings and seed give byte-identical output. Default 1.
    public var seed: UInt64 = 1
    /// Vocabulary size (distinct interests). Default 20,000.
    public var interests: Int = 20_000
    /// Mean number of interests per profile (log-normal spread). Default 50.
    public var meanInterestsPerProfile: Double = 50
    /// Fraction of a profile's interests drawn from its segment(s); the rest are popular
    /// background interests (Zipfian over the whole vocabulary). Default 0.6.
    public var segmentShare: Double = 0.6
    /// Fraction of profiles with a secondary segment (mixed membership). Default 0.15.
    public var mixedFraction: Double = 0.15
    /// Size of each segment's own pool of interests (Zipfian within the pool). Default 250.
    public var interestsPerSegment: Int = 250
    /// Emit engagement weights (`{"#yoga": 3}`) instead of plain lists. Default false.
    public var weighted: Bool = false
    /// Uneven segment sizes: when set, the planted segments' expected sizes are spread geometrically
    /// from 1 to `sizeRatio` (segment 0 the smallest, segment k − 1 the largest, so largest/smallest
    /// = `sizeRatio`; 1 makes every segment the same size). Default `nil`: sizes vary log-normally
    /// (σ = 0.55, about five-fold between the largest and the smallest of 40), as before this setting
    /// existed — the same seed gives the same bytes.
    public var sizeRatio: Double? = nil

    public init() {}

    public func validate() throws {
        func check(_ ok: Bool, _ message: String) throws { if !ok { throw GeneratorError.invalidSetting(message) } }
        try check((1...1_000_000_000).contains(profiles), "profiles must be 1 to 1,000,000,000")
        try check((1...10_000).contains(segments), "segments must be 1 to 10,000")
        try check((100...10_000_000).contains(interests), "the vocabulary needs 100 to 10,000,000 interests")
        try check(meanInterestsPerProfile >= 1 && meanInterestsPerProfile <= 10_000, "mean interests per profile must be 1 to 10,000")
        try check((0...1).contains(segmentShare), "segment share must be in [0, 1]")
        try check((0...1).contains(mixedFraction), "mixed fraction must be in [0, 1]")
        try check(interestsPerSegment >= 5 && interestsPerSegment <= interests, "interests per segment must be in 5...interests")
        if let sizeRatio {
            try check(sizeRatio >= 1 && sizeRatio <= 1_000_000, "the size ratio (largest / smallest segment) must be 1 to 1,000,000")
        }
    }
}

public enum GeneratorError: Error, CustomStringConvertible {
    case invalidSetting(String)
    public var description: String {
        switch self { case let .invalidSetting(s): return "generator: \(s)" }
    }
}
