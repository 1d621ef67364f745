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
    /// A numeric setting with its bound: the job key, the range, and how to read the value (nil where an
    /// optional setting is unset, which needs no check).
    struct BoundedSetting: Sendable {
        var key: String
        var range: ClosedRange<Double>
        var value: @Sendable (JobSpec) -> Double?
        init(_ key: String, _ range: ClosedRange<Double>, _ value: @escaping @Sendable (JobSpec) -> Double?) {
            self.key = key
            self.range = range
            self.value = value
        }
    }

    /// Every numeric setting's bound, in one place, beside the value it bounds. The bounds keep a job
    /// finite: no setting can ask for unbounded work or memory (a million restarts, 10¹² k-means++ candidates).
    static let boundedSettings: [BoundedSetting] = [
        .init("k", 1...100_000) { Double($0.k) },
        .init("restarts", 1...1_000) { Double($0.restarts) },
        .init("max_line_bytes", 64...Double(1 << 30)) { Double($0.maxLineBytes) },
        .init("pruning.min_df", 1...Double(Int32.max)) { Double($0.pruning.minDF) },
        .init("pruning.max_vocabulary", 1...Double(Int32.max)) { $0.pruning.maxVocabulary.map(Double.init) },
        .init("kmeans.init_trials", 1...1_000) { $0.kmeans.initTrials.map(Double.init) },
        .init("kmeans.parallel_rounds", 1...100) { Double($0.kmeans.parallelRounds) },
        .init("kmeans.max_iterations", 1...100_000) { Double($0.kmeans.maxIterations) },
        .init("kmeans.tolerance", 0...1) { $0.kmeans.tolerance },
        .init("kmeans.batch_size", 1...Double(1 << 28)) { Double($0.kmeans.batchSize) },
        .init("kmeans.epochs", 1...10_000) { Double($0.kmeans.epochs) },
        .init("kmeans.patience", 1...100_000) { Double($0.kmeans.patience) },
        .init("kmeans.space_dimensions", 1...10_000) { $0.kmeans.spaceDimensions.map(Double.init) },
        .init("kmeans.space_sample_rows", 0...Double(Int32.max)) { Double($0.kmeans.spaceSampleRows) },
        .init("nmf.max_iterations", 1...100_000) { Double($0.nmf.maxIterations) },
        .init("nmf.tolerance", 0...1) { $0.nmf.tolerance },
        .init("nmf.check_every", 1...100_000) { Double($0.nmf.checkEvery) },
        .init("nmf.svd_power_iterations", 0...50) { Double($0.nmf.svdPowerIterations) },
        .init("nmf.svd_oversampling", 0...1_000) { Double($0.nmf.svdOversampling) },
        .init("nmf.l1_w", 0...1e6) { Double($0.nmf.l1W) },
        .init("nmf.l2_w", 0...1e6) { Double($0.nmf.l2W) },
        .init("nmf.l1_h", 0...1e6) { Double($0.nmf.l1H) },
        .init("nmf.l2_h", 0...1e6) { Double($0.nmf.l2H) },
        .init("stability", 0...1_000) { Double($0.stability) },
        .init("stability_sample", 1...Double(1 << 31)) { Double($0.stabilitySample) },
        .init("top_interests", 1...10_000) { Double($0.topInterests) },
        .init("insights.min_count", 1...Double(Int32.max)) { Double($0.insights.minCount) },
        .init("insights.prior_strength", 0...1e9) { $0.insights.priorStrength },
        .init("insights.top_interests", 1...10_000) { Double($0.insights.topInterests) },
        .init("insights.label_interests", 1...10) { Double($0.insights.labelInterests) },
        .init("insights.min_segment_size", 1...Double(Int32.max)) { Double($0.insights.minSegmentSize) },
        .init("insights.overlap_similarity", 0...1) { $0.insights.overlapSimilarity },
        .init("insights.unstable_stability", 0...1) { $0.insights.unstableStability },
        .init("insights.general_audience_index", 0...1e6) { $0.insights.generalAudienceIndex },
        .init("insights.min_themes", 1...1_000) { Double($0.insights.minThemes) },
        .init("insights.max_themes", 1...1_000) { Double($0.insights.maxThemes) },
        .init("insights.other_share", 0...1) { $0.insights.otherShare },
        .init("insights.gap_min_prevalence", 0...1) { $0.insights.gapMinPrevalence },
        .init("insights.gap_min_index", 0...1e6) { $0.insights.gapMinIndex },
    ]

    /// The bounds by job key (what the README and the tests list).
    public static var bounds: [(key: String, range: ClosedRange<Double>)] { boundedSettings.map { ($0.key, $0.range) } }

    /// Checks every setting against its bound and the combinations that cannot work. This is the
    /// only place settings are checked before a run: the CLI flags, job files and `run` overrides all
    /// come here.
    public func validate() throws {
        for setting in Self.boundedSettings {
            let key = setting.key, range = setting.range
            guard let value = setting.value(self) else { continue }
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
