import ArgumentParser
import Foundation
import Tessera

struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load follower profiles, report what was loaded and rejected, optionally write a binary cache.",
        discussion: """
        Inputs are JSON Lines profiles ({"id": "…", "interests": ["@nba", "#yoga"] or {"@nba": 3}, "tags": […]}) \
        or CSV/TSV edge lists (follower_id,interest[,weight]), plain or gzip-compressed. Every line is loaded, \
        rejected (with file, line and reason), blank or a header. A cache file written by --cache can be given \
        as INPUT to `segment`, `sweep` and job files instead of the original files.
        """
    )

    @Argument(help: "Profile files (JSON Lines, CSV, TSV; .gz allowed) or one cache file.")
    var inputs: [String]

    @OptionGroup var loader: LoaderOptions

    @Option(help: "Write the loaded matrix, vocabulary, ids and tags to this binary cache file.")
    var cache: String?

    @Flag(help: "No progress or messages on stderr.")
    var quiet = false

    @Flag(help: "Print one JSON summary object on stdout.")
    var json = false

    func run() throws {
        try Parallel.withThreads(loader.threads) { try load() }
    }

    func load() throws {
        let progress = ProgressReporter(quiet: quiet)
        let audience = try AudienceFiles.load(inputs, settings: loader.settings, progress: progress).audience
        if let cache {
            try ProfileCache.save(audience, to: cache)
        }
        try AudienceFiles.writeRejects(audience, to: loader.rejects)
        try AudienceFiles.writeEmptyIds(audience, to: loader.emptyIds)
        if json {
            var summary = LoadSummary(audience)
            summary.cache = cache
            summary.rejectsFile = loader.rejects
            print(try summary.jsonString())
        } else {
            print(LoadSummary(audience).text(cache: cache, rejectsFile: loader.rejects))
        }
        AudienceFiles.reportRejects(audience, rejectsFile: loader.rejects, progress: progress)
    }
}
