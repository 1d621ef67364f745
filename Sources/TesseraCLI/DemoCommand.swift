import ArgumentParser
import Foundation
import Tessera

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the main job on the built-in planted audience and say where the results are.",
        discussion: """
        Generates the demo audience once (300,000 profiles, 40 planted segments), loads it, segments it \
        with k-means (k = 40) and writes the segmentation outputs into OUT/segments/.
        """
    )

    @Option(help: "Folder for the demo's data and results.") var out: String = "demo-output"
    @Option(help: "Number of profiles in the demo audience.") var profiles: Int = 300_000
    @Option(help: "Random seed of the demo audience.") var seed: UInt64 = 2026
    @Option(help: "Number of segments.") var k: Int = 40
    @Option(help: "The demo brand's assets (CSV).") var assets: String = "datasets/demo/assets.csv"
    @Option(help: "The demo brand's potential partners (CSV).") var partners: String = "datasets/demo/partners.csv"
    @Flag(help: "No progress on stderr.") var quiet = false

    func run() throws {
        let clock = ContinuousClock()
        let progress = ProgressReporter(quiet: quiet)
        let data = "\(out)/audience-\(profiles)-seed\(seed).jsonl"
        let labels = "\(out)/audience-\(profiles)-seed\(seed)-labels.csv"
        if !FileManager.default.fileExists(atPath: data) {
            var settings = GeneratorSettings()
            settings.profiles = profiles
            settings.seed = seed
            let summary = try PlantedAudienceFiles.write(try PlantedAudienceGenerator(settings: settings), to: data,
                                                         labels: labels, progress: progress)
            print(String(format: "Generated the demo audience: %d profiles in %.1f s → %@", summary.profiles, summary.seconds, data))
        } else {
            print("Using the demo audience generated earlier: \(data)")
        }
        let start = clock.now
        let cache = "\(out)/audience.tcache"
        let rejects = "\(out)/rejects.csv"
        let segments = "\(out)/segments"
        var spec = JobSpec()
        spec.inputs = [data]
        spec.k = k
        spec.seed = seed
        spec.out = segments
        spec.assignments = true
        spec.rejects = rejects
        if FileManager.default.fileExists(atPath: assets) { spec.assets = assets } else { progress.note("no \(assets): the wall will show gaps without assets") }
        if FileManager.default.fileExists(atPath: partners) { spec.partners = partners } else { progress.note("no \(partners): no partner candidates") }
        let pipeline = try SegmentationPipeline(spec: spec, progress: progress)
        let input = try pipeline.load()
        try ProfileCache.save(input.audience, to: cache)
        print(LoadSummary(input.audience).text(cache: cache, rejectsFile: rejects))
        var run = try pipeline.segment(input)
        let written = try pipeline.write(&run, totalSince: start)
        print(SegmentSummary(run: run, outputs: written, folder: segments).text())
        pipeline.reportRejects(input.audience)
        print("")
        print(Self.table(run))
        print("Results are in \(out)/:")
        print("  \(data)  the follower profiles (JSON Lines)")
        print("  \(labels)  the planted ground truth")
        print("  \(cache)  the loaded matrix (binary cache: pass it as INPUT to segment or sweep)")
        print("  \(rejects)  rejected lines (none expected for generated data)")
        print("  \(segments)/  segments.json, model.tessera, run.json, assignments.csv and the wall exports")
        print("")
        print("Open the wall:    \(segments)/wall.html")
        print("Open the report:  \(segments)/report.html")
    }

    /// Segments, sizes, labels, coverage and top gap, largest segment first.
    static func table(_ run: SegmentationRun) -> String {
        guard let insights = run.insights else { return "" }
        func cell(_ text: String, _ width: Int) -> String {
            let t = text.count > width ? String(text.prefix(width - 1)) + "…" : text
            return t.padding(toLength: width, withPad: " ", startingAt: 0)
        }
        var lines = [cell("seg", 4) + cell("size", 8) + cell("label", 44) + cell("coverage", 10) + "top gap"]
        for s in insights.segments.sorted(by: { $0.size != $1.size ? $0.size > $1.size : $0.id < $1.id }) {
            let g = run.gaps?.segments.first { $0.segment == s.id }
            lines.append(cell(String(s.id), 4) + cell(String(s.size), 8) + cell(s.label, 44)
                         + cell(g.map { String(format: "%.0f%%", $0.coverage * 100) } ?? "–", 10) + (g?.gaps.first?.interest ?? "–"))
        }
        return lines.joined(separator: "\n")
    }
}
