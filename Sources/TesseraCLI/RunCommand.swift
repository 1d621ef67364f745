import ArgumentParser
import Foundation
import Tessera

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a segmentation job file (YAML): every parameter of `tessera segment` in one place.",
        discussion: """
        Keys: inputs, format, normalization {trim, nfkc, case_fold, strip_sigil}, pruning {min_df, max_df, \\
        max_vocabulary}, weighting, l2, duplicates, header, max_line_bytes, method, k, seed, restarts, \\
        kmeans {init, init_trials, algorithm, metric, max_iterations, tolerance, bounds, batch_size, epochs}, \\
        nmf {solver, init, max_iterations, tolerance, svd_power_iterations, l1_w, l2_w, l1_h, l2_h}, stability, \\
        stability_sample, top_interests, assets, partners, aliases, out, assignments. `tessera segment … \\
        --save-job FILE` writes one. Flags given here override the file.
        """
    )

    @Argument(help: "The job file (YAML).")
    var jobFile: String

    @Option(help: "Override: number of segments.") var k: Int?
    @Option(help: "Override: seed.") var seed: UInt64?
    @Option(help: "Override: method (kmeans or nmf).") var method: SegmentMethod?
    @Option(help: "Override: output folder.") var out: String?
    @Option(help: "Override: k-means restarts.") var restarts: Int?
    @Option(help: "Override: stability rounds (0: off).") var stability: Int?
    @OptionGroup var catalogue: CatalogueOptions
    @Option(help: "Worker threads (default: all cores). Results do not depend on it.") var threads: Int?
    @Option(help: "Write rejected lines to this CSV file.") var rejects: String?
    @Flag(help: "No progress or messages on stderr.") var quiet = false
    @Flag(help: "Print one JSON summary object on stdout.") var json = false

    func validate() throws {
        if let k, k < 1 { throw ValidationError("--k must be at least 1") }
        if let restarts, restarts < 1 { throw ValidationError("--restarts must be at least 1") }
        if let stability, stability < 0 { throw ValidationError("--stability must be 0 or more") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        if let threads { Parallel.threadCount = threads }
        var job = try JobFile.read(jobFile)
        if let k { job.job.kmeans.k = k; job.job.nmf.k = k }
        if let seed { job.job.kmeans.seed = seed; job.job.nmf.seed = seed }
        if let method { job.job.method = method }
        if let out { job.out = out }
        if let restarts { job.job.kmeans.restarts = restarts }
        if let stability { job.job.stability.rounds = stability }
        if let assets = catalogue.assets { job.job.assets = assets }
        if let partners = catalogue.partners { job.job.partners = partners }
        if let aliases = catalogue.aliases { job.job.aliases = aliases }
        try SegmentRunner.execute(job, rejects: rejects, emptyIds: nil, quiet: quiet, json: json)
    }
}
