import ArgumentParser
import Foundation
import Tessera

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a segmentation job file (YAML): every parameter of `tessera segment` in one place.",
        discussion: """
        Keys: inputs, format, normalization {trim, nfkc, case_fold, strip_sigil, interest_hygiene}, pruning {min_df, max_df, \\
        max_vocabulary}, weighting, l2, duplicates, header, max_line_bytes, strict, method, k, seed, restarts, \\
        kmeans {init, init_trials, parallel_rounds, parallel_oversampling, algorithm, metric, max_iterations, \\
        tolerance, bounds, batch_size, epochs, patience, space, space_dimensions, space_sample_rows, refine}, nmf {solver, init, max_iterations, tolerance, \\
        check_every, svd_power_iterations, svd_oversampling, l1_w, l2_w, l1_h, l2_h}, stability, \\
        stability_sample, top_interests, insights {min_count, min_prevalence, prior_strength, confidence, \\
        top_interests, label_interests, min_segment_size}, assets, partners, aliases, out, assignments, \\
        rejects, empty_ids. Missing keys take their defaults. `tessera segment … --save-job FILE` writes one \\
        with every key. The same keys are run.json's `parameters`. Flags given here override the file.
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
    @Option(help: "Override: write rejected lines to this CSV file.") var rejects: String?
    @Flag(help: "No progress or messages on stderr.") var quiet = false
    @Flag(help: "Print one JSON summary object on stdout.") var json = false

    func validate() throws {
        if let threads, !(1...Parallel.maximumThreads).contains(threads) { throw ValidationError("--threads must be 1 to \(Parallel.maximumThreads)") }
    }

    /// The job file with the flags given here applied; checked, with problems named by file and key.
    func spec() throws -> JobSpec {
        var spec = try JobSpec.read(jobFile: jobFile)
        if let k { spec.k = k }
        if let seed { spec.seed = seed }
        if let method { spec.method = method }
        if let out { spec.out = out }
        if let restarts { spec.restarts = restarts }
        if let stability { spec.stability = stability }
        if let rejects { spec.rejects = rejects }
        catalogue.apply(to: &spec)
        do { try spec.validate() } catch let error as InvalidJobSetting {
            throw JobFileError(file: jobFile, message: error.description)
        }
        return spec
    }

    func run() throws {
        let spec = try spec()
        try Parallel.withThreads(threads) {
            try SegmentRunner.execute(spec, quiet: quiet, json: json)
        }
    }
}
