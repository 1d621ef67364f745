import Foundation

/// `run.json`: the job (`parameters`, the same keys as a job file), inputs, counts, per-stage seconds
/// (`timings`), iterations, objective, metrics and the method's per-iteration history.
public struct RunRecord: Encodable, Sendable {
    public struct InputFile: Codable, Sendable {
        public var path: String
        public var bytes: Int
        /// SHA-256 of the file's bytes (nil when the file is no longer readable).
        public var sha256: String?
    }
    public struct Counts: Codable, Sendable {
        public var linesRead: Int, linesLoaded: Int, rejected: Int, profiles: Int, rows: Int, empty: Int
        public var interests: Int, nonzeros: Int, prunedInterests: Int
        /// Interest occurrences dropped by interest hygiene, by rule (`LoadReport.hygieneDropped`).
        public var hygieneDropped: [String: Int] = [:]
        /// Interests pruned by max-df as too common, most held first (`LoadReport.prunedTooCommon`).
        public var prunedTooCommon: [String] = []
        enum CodingKeys: String, CodingKey {
            case rejected, profiles, rows, empty, interests, nonzeros
            case linesRead = "lines_read", linesLoaded = "lines_loaded", prunedInterests = "pruned_interests"
            case hygieneDropped = "hygiene_dropped", prunedTooCommon = "pruned_too_common"
        }
    }
    public var tesseraVersion: String
    public var command: String
    public var method: String
    public var seed: UInt64
    /// The job as it ran: the same keys and values as its job file.
    public var parameters: JobSpec
    public var inputs: [InputFile]
    /// The INPUT arguments as given (files or one cache): what `tessera wall` reloads.
    public var sources: [String]
    public var counts: Counts
    public var timings: [String: Double]
    public var iterations: Int
    public var converged: Bool
    public var objective: Double
    /// silhouette (on a seeded sample of 2,000 rows), calinski_harabasz, davies_bouldin.
    public var metrics: [String: Double]
    public var restartObjectives: [Double]
    public var history: IterationHistory
    public var outputs: [String]
    /// Every file of the run, relative to its folder: what a complete run folder holds.
    public var files: [String] = []
    /// The space the segments were found in: `latent` with its dimensions and the share of the
    /// matrix's squared norm they hold, or `interests`.
    public var space: SpaceRecord
    /// k-means in the latent space: the split–merge step's moves and objective before and after.
    public var refinement: SplitMergeRefinement.Report?
    /// How the job was spread over processes (absent on one process).
    public var ranks: RanksRecord?

    public struct SpaceRecord: Codable, Sendable {
        public var kind: String
        public var dimensions: Int
        /// Σσ² / ‖X‖²_F over the latent dimensions (nil for the interest space).
        public var explainedShare: Double?
        public var seconds: Double
        /// The profiles the latent directions were found on (all rows, or a seeded sample).
        public var sampleRows: Int?
        enum CodingKeys: String, CodingKey {
            case kind, dimensions, seconds
            case explainedShare = "explained_share"
            case sampleRows = "sample_rows"
        }
    }

    enum CodingKeys: String, CodingKey {
        case command, method, seed, parameters, inputs, sources, counts, timings, iterations, converged, objective, metrics, history, outputs, files
        case space, refinement, ranks
        case tesseraVersion = "tessera_version"
        case restartObjectives = "restart_objectives"
    }

    public init(run: SegmentationRun, outputs: [String]) {
        let report = run.audience.report
        tesseraVersion = TesseraVersion.current
        command = "segment"
        method = run.spec.method.rawValue
        seed = run.spec.seed
        parameters = run.spec
        inputs = report.files.map { InputFile(path: $0.path, bytes: $0.bytes, sha256: try? FileDigest.sha256($0.path)) }
        sources = run.inputs
        counts = Counts(linesRead: report.linesRead, linesLoaded: report.linesLoaded, rejected: report.linesRejected,
                        profiles: report.profiles, rows: report.rows, empty: report.emptyProfiles,
                        interests: report.interests, nonzeros: report.nonzeros,
                        prunedInterests: report.prunedMinDocumentFrequency + report.prunedMaxDocumentFrequency + report.prunedVocabularyLimit,
                        hygieneDropped: report.hygieneDropped, prunedTooCommon: report.prunedTooCommon.map(\.interest))
        timings = run.timings
        iterations = run.result.iterations
        converged = run.result.converged
        objective = run.result.objective
        metrics = run.metrics
        restartObjectives = run.result.restartObjectives
        history = run.result.history
        refinement = run.result.refinement
        ranks = run.ranks
        if let fitted = run.result.space {
            let total = run.audience.matrix.values.reduce(0.0) { $0 + Double($1) * Double($1) }
            let kept = fitted.space.singularValues.reduce(0.0) { $0 + Double($1) * Double($1) }
            space = SpaceRecord(kind: "latent", dimensions: fitted.space.dimensions,
                                explainedShare: total > 0 ? min(1, kept / total) : nil, seconds: run.result.spaceSeconds,
                                sampleRows: run.result.spaceFittedRows)
        } else {
            space = SpaceRecord(kind: "interests", dimensions: run.audience.matrix.columnCount, explainedShare: nil, seconds: 0)
        }
        self.outputs = outputs
    }
}
