import Foundation
import Tessera

/// Loading profiles the same way for every command: source files or a cache.
enum AudienceInput {
    static func load(_ inputs: [String], options: LoaderOptions, progress: ProgressReporter) throws -> LoadedAudience {
        try load(inputs, settings: options.settings, progress: progress)
    }

    static func load(_ inputs: [String], settings: LoaderSettings, progress: ProgressReporter) throws -> LoadedAudience {
        if inputs.count == 1, ProfileCache.isCache(inputs[0]) {
            progress.note("reading cache \(inputs[0])")
            return try ProfileCache.load(from: inputs[0])
        }
        let loader = ProfileLoader(settings: settings, progress: progress.loaderCallback())
        let audience = try loader.load(inputs)
        progress.finish(stage: "loading")
        return audience
    }

    static func writeSideFiles(_ audience: LoadedAudience, options: LoaderOptions) throws {
        try writeSideFiles(audience, rejects: options.rejects, emptyIds: options.emptyIds)
    }

    /// The rejects CSV and the list of empty profile ids, each when asked for.
    static func writeSideFiles(_ audience: LoadedAudience, rejects: String?, emptyIds: String?) throws {
        if let path = rejects { try RejectsFile.write(audience.rejects, to: path) }
        if let path = emptyIds {
            try EmptyIdsFile.write(audience.emptyProfileIds, to: path)
        }
    }

    /// Rejects are never silent: without a rejects file, the first few go to stderr.
    static func reportRejects(_ audience: LoadedAudience, rejectsFile: String?, progress: ProgressReporter) {
        guard !audience.rejects.isEmpty, rejectsFile == nil else { return }
        let shown = audience.rejects.prefix(5)
        var lines = ["\(audience.rejects.count) line(s) rejected; the first \(shown.count):"]
        for r in shown { lines.append("  \(r.file):\(r.line): [\(r.kind)] \(r.reason)") }
        lines.append("pass --rejects FILE to write them all")
        progress.note(lines.joined(separator: "\n"))
    }
}
