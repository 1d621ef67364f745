import ArgumentParser
import Foundation
import Tessera

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate a planted audience: follower profiles with known segments, for demos, tests and benchmarks.",
        discussion: """
        Profiles have readable interests (handles and hashtags across sports, music, food, tech, fashion, travel, \
        gaming, finance, parenting, …) with Zipfian popularity, segment-specific interests plus popular background \
        ones, mixed membership and relationship tags (prospect, customer, lapsed). The same settings and seed \
        give byte-identical files.
        """
    )

    @Option(help: "Number of follower profiles.") var profiles: Int = 10_000
    @Option(help: "Number of planted segments.") var segments: Int = 40
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Output JSON Lines file (gzip-compressed when it ends in .gz).") var out: String
    @Option(help: "Also write ground-truth labels (id,segment,secondary,segment_name) to this CSV file.") var labels: String?
    @Option(help: "Vocabulary size (distinct interests).") var interests: Int = 20_000
    @Option(name: .customLong("mean-interests"), help: "Mean number of interests per profile.") var meanInterests: Double = 50
    @Option(name: .customLong("segment-share"), help: "Fraction of each profile's interests drawn from its segments.") var segmentShare: Double = 0.6
    @Option(name: .customLong("size-ratio"),
            help: ArgumentHelp("Uneven segment sizes: spread the planted segments' sizes geometrically from 1 to R (largest / smallest = R; 1 = all equal). Without it sizes vary log-normally, about five-fold, as in earlier versions.",
                               valueName: "R")) var sizeRatio: Double?
    @Flag(help: "Write engagement weights ({\"#yoga\": 3}) instead of lists.") var weighted = false
    @Flag(help: "No progress on stderr.") var quiet = false
    @Flag(help: "Print a JSON summary on stdout.") var json = false

    func run() throws {
        var settings = GeneratorSettings()
        settings.profiles = profiles
        settings.segments = segments
        settings.seed = seed
        settings.interests = interests
        settings.meanInterestsPerProfile = meanInterests
        settings.segmentShare = segmentShare
        settings.weighted = weighted
        settings.sizeRatio = sizeRatio
        let generator = try PlantedAudienceGenerator(settings: settings)
        let progress = ProgressReporter(quiet: quiet)
        let summary = try PlantedAudienceFiles.write(generator, to: out, labels: labels, progress: progress)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else {
            print(String(format: "Wrote %d profiles (%d planted segments, %d interests, %.1f MB) to %@ in %.2f s",
                         summary.profiles, summary.segments, summary.interests, Double(summary.bytes) / 1_048_576, out, summary.seconds))
            if let labels { print("Ground-truth labels: \(labels)") }
        }
    }
}
