import ArgumentParser
import Foundation
import Tessera

struct SegmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segment",
        abstract: "Load follower profiles and segment them; write segments.json, model.tessera and run.json.",
        discussion: """
        Inputs are read as by `tessera load` (same options), or one cache file. Outputs go to --out: \
        segments.json (per segment: id, size, share, top interests), model.tessera (for `tessera assign`), \
        run.json (parameters, inputs, counts, timings, iterations, objective), the wall exports (wall.html, \
        report.html, report.md, cards.csv, miro-paste.tsv, miro-bulk/, mural-stickies/, trello-cards.csv, \
        trello/, figjam.csv, segments.schema.json) and, with --assignments, \
        assignments.csv (id,segment; with --method nmf: id,segment,strength,secondary,secondary_strength).
        """
    )

    @Argument(help: "Profile files (JSON Lines, CSV, TSV; .gz allowed) or one cache file.")
    var inputs: [String]

    @OptionGroup var loader: LoaderOptions
    @OptionGroup var clustering: ClusteringOptions

    @Option(help: "Output folder (created if missing).")
    var out: String = JobSpec().out

    @Flag(help: "Also write assignments.csv with every profile's segment (id,segment; NMF adds strength,secondary,secondary_strength).")
    var assignments = false

    @Option(help: "Interests listed per segment in segments.json.")
    var topInterests: Int = JobSpec().topInterests

    @OptionGroup var catalogue: CatalogueOptions

    @Option(help: "Bootstrap re-fits for each segment's stability (0: off).")
    var stability: Int = JobSpec().stability

    @Option(help: "Rows drawn per stability re-fit.")
    var stabilitySample: Int = JobSpec().stabilitySample

    @Flag(help: "No progress or messages on stderr.")
    var quiet = false

    @Flag(help: "Print one JSON summary object on stdout.")
    var json = false

    @Option(help: "Also write this run's settings as a job file (YAML) for `tessera run`.")
    var saveJob: String?

    /// The job these flags describe (paths as given).
    var spec: JobSpec {
        var s = JobSpec()
        s.inputs = inputs
        loader.apply(to: &s)
        clustering.apply(to: &s)
        catalogue.apply(to: &s)
        s.topInterests = topInterests
        s.stability = stability
        s.stabilitySample = stabilitySample
        s.out = out
        s.assignments = assignments
        return s
    }

    func validate() throws {
        try spec.validateAsFlags()
    }

    func run() throws {
        if let saveJob {
            try AtomicFile.write(try spec.resolvingPaths(against: FileManager.default.currentDirectoryPath).yaml(), to: saveJob)
        }
        try Parallel.withThreads(loader.threads) {
            try SegmentRunner.execute(spec, quiet: quiet, json: json)
        }
    }
}

/// Runs a segmentation job (from flags or a job file) through the pipeline and prints its summary.
enum SegmentRunner {
    /// On several ranks (mpirun) the job is spread over them (`runOnRanks`); rank 0 prints.
    static func execute(_ spec: JobSpec, quiet: Bool, json: Bool) throws {
        let communicator = Ranks.communicator
        let pipeline = try SegmentationPipeline(spec: spec, progress: ProgressReporter(quiet: quiet || communicator.rank != 0),
                                                communicator: communicator)
        let outcome = communicator.size > 1 ? try pipeline.runOnRanks() : try pipeline.run()
        guard let (run, written) = outcome else { return }
        let summary = SegmentSummary(run: run, outputs: written, folder: spec.out)
        print(json ? try summary.jsonString() : summary.text())
    }
}

/// What `segment --json` prints: the run's key numbers and where the files are.
struct SegmentSummary: Encodable {
    var method: String
    var k: Int
    var profiles: Int
    var rows: Int
    var interests: Int
    var rejected: Int
    var empty: Int
    var iterations: Int
    var converged: Bool
    var objective: Double
    var sizes: [Int]
    var timings: [String: Double]
    var out: String
    var outputs: [String]

    init(run: SegmentationRun, outputs: [String], folder: String) {
        method = run.spec.method.rawValue
        k = run.result.profiles.rowCount
        profiles = run.audience.report.profiles
        rows = run.result.labels.count
        interests = run.audience.vocabulary.count
        rejected = run.audience.report.linesRejected
        empty = run.audience.report.emptyProfiles
        iterations = run.result.iterations
        converged = run.result.converged
        objective = run.result.objective
        sizes = run.result.sizes
        timings = run.timings
        out = folder
        self.outputs = outputs
    }

    func jsonString() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    func text() -> String {
        var lines = [String(format: "Segmented %d profiles × %d interests into %d segments (%@, %d iterations%@, objective %.2f)",
                            rows, interests, k, method, iterations, converged ? "" : ", not converged", objective)]
        lines.append(String(format: "  seconds: load %.2f · init %.2f · fit %.2f · write %.2f · total %.2f",
                            timings["load"] ?? 0, timings["init"] ?? 0, timings["fit"] ?? 0, timings["write"] ?? 0, timings["total"] ?? 0))
        let sorted = sizes.sorted()
        if let smallest = sorted.first, let largest = sorted.last {
            lines.append("  segment sizes: \(smallest) to \(largest) profiles")
        }
        let emptySegments = sizes.indices.filter { sizes[$0] == 0 }
        if !emptySegments.isEmpty {
            lines.append("  \(emptySegments.count) segment(s) have no profile: " + emptySegments.map { "S\($0)" }.joined(separator: ", ") + " (try a lower --k)")
        }
        if empty > 0 {
            lines.append("  \(empty) profile(s) had no interest left and are in no segment (run.json counts.empty; listed with an empty segment in assignments.csv, and by --empty-ids FILE)")
        }
        lines.append("  wrote:")
        for path in outputs { lines.append("    \(path)") }
        return lines.joined(separator: "\n")
    }
}
