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
    var out: String = "tessera-output"

    @Flag(help: "Also write assignments.csv with every profile's segment (id,segment; NMF adds strength,secondary,secondary_strength).")
    var assignments = false

    @Option(help: "Interests listed per segment in segments.json.")
    var topInterests: Int = 10

    @OptionGroup var catalogue: CatalogueOptions

    @Option(help: "Bootstrap re-fits for each segment's stability (0: off).")
    var stability: Int = 5

    @Option(help: "Rows drawn per stability re-fit.")
    var stabilitySample: Int = 20_000

    @Flag(help: "No progress or messages on stderr.")
    var quiet = false

    @Flag(help: "Print one JSON summary object on stdout.")
    var json = false

    func validate() throws {
        if stability < 0 { throw ValidationError("--stability must be 0 (off) or more rounds") }
        if stabilitySample < 1 { throw ValidationError("--stability-sample must be at least 1") }
    }

    @Option(help: "Also write this run's settings as a job file (YAML) for `tessera run`.")
    var saveJob: String?

    /// The job this command describes.
    var jobFile: JobFile {
        var f = JobFile()
        let cwd = FileManager.default.currentDirectoryPath
        func absolute(_ p: String) -> String { p.hasPrefix("/") ? p : (cwd as NSString).appendingPathComponent(p) }
        f.inputs = inputs.map(absolute)
        f.loader = loader.settings
        f.job.method = clustering.method
        f.job.kmeans = clustering.kmeans
        f.job.nmf = clustering.nmf
        f.job.topInterests = topInterests
        catalogue.apply(to: &f.job)
        f.job.assets = f.job.assets.map(absolute)
        f.job.partners = f.job.partners.map(absolute)
        f.job.aliases = f.job.aliases.map(absolute)
        f.job.stability.rounds = stability
        f.job.stability.sampleSize = stabilitySample
        f.out = absolute(out)
        f.assignments = assignments
        return f
    }

    func run() throws {
        loader.applyThreads()
        if let saveJob { try AtomicFile.write(jobFile.yaml(), to: saveJob) }
        var job = jobFile
        job.inputs = inputs
        job.out = out
        try SegmentRunner.execute(job, rejects: loader.rejects, emptyIds: loader.emptyIds, quiet: quiet, json: json)
    }
}

/// Runs a segmentation job (from flags or a job file) and prints its summary.
enum SegmentRunner {
    static func execute(_ job: JobFile, rejects: String?, emptyIds: String?, quiet: Bool, json: Bool) throws {
        let clock = ContinuousClock()
        let start = clock.now
        let progress = ProgressReporter(quiet: quiet)
        let inputs = job.inputs
        let settings = job.job
        // Mini-batch on a cache streams the rows from the mapped file instead of loading the matrix.
        let streamed = settings.method == .kmeans && settings.kmeans.algorithm == .minibatch && inputs.count == 1 && ProfileCache.isCache(inputs[0])
        let audience = streamed
            ? try ProfileCache.load(from: inputs[0], matrix: false)
            : try AudienceInput.load(inputs, settings: job.loader, progress: progress)
        let rowSource: RowSource? = streamed ? try CachedMatrixReader(path: inputs[0]) : nil
        let loadSeconds = (clock.now - start).inSeconds
        try AudienceInput.writeSideFiles(audience, rejects: rejects, emptyIds: emptyIds)
        var run = try SegmentationJob.fit(audience, rows: rowSource, inputs: inputs, settings: settings, loadSeconds: loadSeconds, progress: progress)
        let written = try SegmentOutputs.write(&run, to: job.out, assignments: job.assignments, totalSince: start)
        if json {
            print(try SegmentSummary(run: run, outputs: written, folder: job.out).jsonString())
        } else {
            print(SegmentSummary(run: run, outputs: written, folder: job.out).text())
        }
        AudienceInput.reportRejects(audience, rejectsFile: rejects, progress: progress)
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
        method = run.settings.method.rawValue
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
        lines.append("  wrote:")
        for path in outputs { lines.append("    \(path)") }
        return lines.joined(separator: "\n")
    }
}
