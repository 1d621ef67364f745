import ArgumentParser
import Foundation
import Tessera

struct WallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wall",
        abstract: "Re-describe a saved run and re-export its wall files without refitting.",
        discussion: """
        DIR is a folder written by `tessera segment`. Its inputs are reloaded (as recorded in run.json), \\
        placed into the saved model's segments, described again and linked to the assets and partners given \\
        here; segments.json and every wall export are rewritten. The model, run.json and assignments stay.
        """
    )

    @Argument(help: "A run folder written by `tessera segment`.")
    var directory: String

    @OptionGroup var catalogue: CatalogueOptions

    @Flag(help: "No progress or messages on stderr.")
    var quiet = false

    @Flag(help: "Print one JSON summary object on stdout.")
    var json = false

    func run() throws {
        let progress = ProgressReporter(quiet: quiet)
        let run = try SegmentationPipeline.redescribe(directory: directory, assets: catalogue.assets, partners: catalogue.partners,
                                                      aliases: catalogue.aliases, progress: progress)
        let written = try RunFolder.rewriteDescriptions(run, in: directory)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            struct Summary: Encodable { var k: Int; var rows: Int; var outputs: [String]; var unused_assets: [String]; var unknown_catalog_interests: Int }
            print(String(decoding: try encoder.encode(Summary(k: run.result.profiles.rowCount, rows: run.result.labels.count, outputs: written,
                                                             unused_assets: run.gaps?.unusedAssets ?? [],
                                                             unknown_catalog_interests: run.unknownCatalogInterests.count)), as: UTF8.self))
        } else {
            print("Re-exported \(run.result.profiles.rowCount) segments of \(run.result.labels.count) profiles into \(directory):")
            for path in written { print("  \(path)") }
        }
    }
}
