import ArgumentParser
import Foundation
import Tessera

/// A range of k: `10...60` (with --step), `10..60`, `8,12,16` or a single number.
struct KRange: ExpressibleByArgument {
    var lower: Int
    var upper: Int
    var list: [Int]?

    init?(argument: String) {
        let text = argument.replacingOccurrences(of: " ", with: "")
        if text.contains(",") {
            let values = text.split(separator: ",").compactMap { Int($0) }
            guard !values.isEmpty, values.count == text.split(separator: ",").count else { return nil }
            lower = values.min()!; upper = values.max()!; list = values
        } else if let range = text.range(of: "...") ?? text.range(of: "..") {
            guard let a = Int(text[..<range.lowerBound]), let b = Int(text[range.upperBound...]), a <= b else { return nil }
            lower = a; upper = b
        } else if let single = Int(text) {
            lower = single; upper = single
        } else {
            return nil
        }
    }

    func values(step: Int) -> [Int] { list ?? Array(stride(from: lower, through: upper, by: step)) }
}

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Fit a range of k and measure each fit, to choose the number of segments.",
        discussion: """
        For each k: the objective, the silhouette on a seeded sample, Calinski–Harabasz, Davies–Bouldin and \\
        the agreement between seeds (adjusted Rand index). Recommends a k with its reasons: among the k whose \\
        seed agreement is at least 0.8, the highest silhouette (near-ties to the lower Davies–Bouldin, then the \\
        smaller k). Writes DIR/sweep.json and DIR/sweep.html.
        """
    )

    @Argument(help: "Profile files (JSON Lines, CSV, TSV; .gz allowed) or one cache file.")
    var inputs: [String]

    @OptionGroup var loader: LoaderOptions

    @Option(help: "The values of k: 10...60 (with --step), 8,12,16, or one number.")
    var k: KRange

    @Option(help: "Step between values of k in a range.")
    var step: Int = 5

    @Option(help: "Segmentation method: kmeans or nmf.")
    var method: SegmentMethod = JobSpec().method

    @Option(help: "Seed of the first fit of each k.")
    var seed: UInt64 = JobSpec().seed

    @Option(help: "Fits per k from consecutive seeds, compared for agreement (1: no agreement measure).")
    var seeds: Int = 2

    @Option(help: "Rows in the silhouette sample.")
    var silhouetteSample: Int = 2_000

    @Option(help: "Output folder.")
    var out: String = "tessera-sweep"

    @Flag(help: "No progress or messages on stderr.")
    var quiet = false

    @Flag(help: "Print one JSON summary object on stdout (recommended_k, points).")
    var json = false

    func validate() throws {
        if step < 1 { throw ValidationError("--step must be at least 1") }
        if !(1...100).contains(seeds) { throw ValidationError("--seeds must be 1 to 100") }
        if !(2...10_000_000).contains(silhouetteSample) { throw ValidationError("--silhouette-sample must be 2 to 10,000,000") }
        if k.values(step: step).count > 1_000 { throw ValidationError("a sweep fits at most 1,000 values of k; use a larger --step") }
        if k.values(step: step).contains(where: { $0 < 2 }) { throw ValidationError("every k of a sweep must be at least 2") }
        for value in k.values(step: step) {
            var spec = job
            spec.k = value
            try spec.validateAsFlags()
        }
    }

    /// The job each k is fitted with.
    var job: JobSpec {
        var spec = JobSpec()
        spec.inputs = inputs
        loader.apply(to: &spec)
        spec.method = method
        spec.seed = seed
        spec.out = out
        return spec
    }

    func run() throws {
        try Parallel.withThreads(loader.threads) { try sweep() }
    }

    /// On several ranks (mpirun) every fit is spread over them; rank 0 scores and writes.
    func sweep() throws {
        let communicator = Ranks.communicator
        let progress = ProgressReporter(quiet: quiet || communicator.rank != 0)
        let pipeline = try SegmentationPipeline(spec: job, progress: progress, communicator: communicator)
        var settings = KSweep.Settings(ks: k.values(step: step))
        settings.job = job
        settings.seeds = seeds
        settings.silhouetteSample = silhouetteSample
        let report: KSweep.Report
        if communicator.size > 1 {
            guard let spread = try pipeline.sweepOnRanks(settings) else { return }
            report = spread
        } else {
            report = try KSweep.run(try pipeline.load().audience, settings: settings, progress: progress)
        }
        let written = try KSweep.write(report, to: out)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            struct Summary: Encodable { var recommended_k: Int?; var reasons: [String]; var points: [SweepPoint]; var outputs: [String] }
            print(String(decoding: try encoder.encode(Summary(recommended_k: report.recommendedK, reasons: report.reasons,
                                                             points: report.points, outputs: written)), as: UTF8.self))
        } else {
            print("k      objective  silhouette  Calinski–Harabasz  Davies–Bouldin  seed ARI  seconds")
            for p in report.points {
                print(String(format: "%-4d %12.2f %11.4f %18.2f %15.4f %9.3f %8.2f", p.k, p.objective, p.silhouette, p.calinskiHarabasz, p.daviesBouldin, p.stability, p.seconds))
            }
            print(report.recommendedK.map { "\nRecommended k = \($0):" } ?? "\nNo k recommended:")
            for reason in report.reasons { print("  - \(reason)") }
            print("\nWrote:\n" + written.map { "  " + $0 }.joined(separator: "\n"))
        }
    }
}
