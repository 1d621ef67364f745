import Foundation

/// A setting outside its documented bound: the job key, what it must be and what it was.
public struct InvalidJobSetting: Error, CustomStringConvertible, Equatable {
    /// The job-file key (`kmeans.tolerance`); the CLI flag of the same setting is `--` + the last part in kebab case.
    public var key: String
    public var expected: String
    public var got: String
    public var description: String { "key '\(key)' must be \(expected) (got \(got))" }
    /// The same problem phrased for the command line: `--max-df` rather than `pruning.max_df`.
    public var flagDescription: String {
        let flag = "--" + (key.split(separator: ".").last.map(String.init) ?? key).replacingOccurrences(of: "_", with: "-")
        return "\(flag) must be \(expected) (got \(got))"
    }
}

extension JobSpec {
    /// Every numeric setting's bound, in one place. The bounds keep a job finite: no setting can ask
    /// for unbounded work or memory (a million restarts, 10¹² k-means++ candidates).
    public static let bounds: [(key: String, range: ClosedRange<Double>)] = [
        ("k", 1...100_000),
        ("restarts", 1...1_000),
        ("max_line_bytes", 64...Double(1 << 30)),
        ("pruning.min_df", 1...Double(Int32.max)),
        ("pruning.max_vocabulary", 1...Double(Int32.max)),
        ("kmeans.init_trials", 1...1_000),
        ("kmeans.parallel_rounds", 1...100),
        ("kmeans.max_iterations", 1...100_000),
        ("kmeans.tolerance", 0...1),
        ("kmeans.batch_size", 1...Double(1 << 28)),
        ("kmeans.epochs", 1...10_000),
        ("kmeans.patience", 1...100_000),
        ("nmf.max_iterations", 1...100_000),
        ("nmf.tolerance", 0...1),
        ("nmf.check_every", 1...100_000),
        ("nmf.svd_power_iterations", 0...50),
        ("nmf.svd_oversampling", 0...1_000),
        ("nmf.l1_w", 0...1e6), ("nmf.l2_w", 0...1e6), ("nmf.l1_h", 0...1e6), ("nmf.l2_h", 0...1e6),
        ("stability", 0...1_000),
        ("stability_sample", 1...Double(1 << 31)),
        ("top_interests", 1...10_000),
        ("insights.min_count", 1...Double(Int32.max)),
        ("insights.prior_strength", 0...1e9),
        ("insights.top_interests", 1...10_000),
        ("insights.label_interests", 1...10),
        ("insights.min_segment_size", 1...Double(Int32.max)),
        ("insights.overlap_similarity", 0...1), ("insights.unstable_stability", 0...1), ("insights.general_audience_index", 0...1e6),
    ]

    /// The numeric value of each bounded key (nil where an optional setting is unset).
    var boundedValues: [String: Double?] {
        [
            "k": Double(k), "restarts": Double(restarts), "max_line_bytes": Double(maxLineBytes),
            "pruning.min_df": Double(pruning.minDF), "pruning.max_vocabulary": pruning.maxVocabulary.map(Double.init),
            "kmeans.init_trials": kmeans.initTrials.map(Double.init), "kmeans.parallel_rounds": Double(kmeans.parallelRounds),
            "kmeans.max_iterations": Double(kmeans.maxIterations), "kmeans.tolerance": kmeans.tolerance,
            "kmeans.batch_size": Double(kmeans.batchSize), "kmeans.epochs": Double(kmeans.epochs), "kmeans.patience": Double(kmeans.patience),
            "nmf.max_iterations": Double(nmf.maxIterations), "nmf.tolerance": nmf.tolerance, "nmf.check_every": Double(nmf.checkEvery),
            "nmf.svd_power_iterations": Double(nmf.svdPowerIterations), "nmf.svd_oversampling": Double(nmf.svdOversampling),
            "nmf.l1_w": Double(nmf.l1W), "nmf.l2_w": Double(nmf.l2W), "nmf.l1_h": Double(nmf.l1H), "nmf.l2_h": Double(nmf.l2H),
            "stability": Double(stability), "stability_sample": Double(stabilitySample), "top_interests": Double(topInterests),
            "insights.min_count": Double(insights.minCount), "insights.prior_strength": insights.priorStrength,
            "insights.top_interests": Double(insights.topInterests), "insights.label_interests": Double(insights.labelInterests),
            "insights.min_segment_size": Double(insights.minSegmentSize),
            "insights.overlap_similarity": insights.overlapSimilarity, "insights.unstable_stability": insights.unstableStability,
            "insights.general_audience_index": insights.generalAudienceIndex,
        ]
    }

    /// Checks every setting against its bound and the combinations that cannot work. This is the
    /// only place settings are checked before a run: the CLI flags, job files and `run` overrides all
    /// come here.
    public func validate() throws {
        let values = boundedValues
        for (key, range) in Self.bounds {
            guard let value = values[key] ?? nil else { continue }
            guard value.isFinite, range.contains(value) else {
                throw InvalidJobSetting(key: key, expected: "a number in \(Self.text(range.lowerBound))…\(Self.text(range.upperBound))", got: Self.text(value))
            }
        }
        func require(_ ok: Bool, _ key: String, _ expected: String, _ got: String) throws {
            if !ok { throw InvalidJobSetting(key: key, expected: expected, got: got) }
        }
        try require(pruning.maxDF > 0 && pruning.maxDF <= 1, "pruning.max_df", "a fraction of profiles in (0, 1]", Self.text(pruning.maxDF))
        try require(kmeans.parallelOversampling > 0 && kmeans.parallelOversampling <= 100, "kmeans.parallel_oversampling",
                    "a number in (0, 100]", Self.text(kmeans.parallelOversampling))
        try require(insights.minPrevalence >= 0 && insights.minPrevalence < 1, "insights.min_prevalence", "a fraction in [0, 1)",
                    Self.text(insights.minPrevalence))
        try require(insights.confidence > 0 && insights.confidence < 1, "insights.confidence", "a level in (0, 1)", Self.text(insights.confidence))
        try require(!inputs.isEmpty, "inputs", "a list of profile files or one cache", "nothing")
        try require(!out.isEmpty, "out", "a folder", "nothing")
        try require(!(method == .nmf && kmeans.algorithm == .minibatch), "kmeans.algorithm",
                    "lloyd with method nmf (mini-batch is a k-means option; NMF always uses the whole matrix)", "minibatch")
    }

    /// A number as a person writes it: integers without a fraction.
    static func text(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x)
    }
}
