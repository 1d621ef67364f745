import Foundation

/// Reading an audience and writing what comes with it, the same way for every command (`load`, `assign`,
/// the pipeline, `wall`): one cache file or profile files, the rejects list and the empty profile ids,
/// and the rejects notice on stderr.
public enum AudienceFiles {
    /// One cache file (its matrix left on disk, returned as a row source, when `streamingRows`), or the
    /// profile files read with `settings`.
    public static func load(_ inputs: [String], settings: LoaderSettings, streamingRows: Bool = false,
                            progress: ProgressReporter) throws -> (audience: LoadedAudience, rows: RowSource?) {
        if inputs.count == 1, ProfileCache.isCache(inputs[0]) {
            if streamingRows {
                let audience = try ProfileCache.load(from: inputs[0], matrix: false)
                try ProfileCache.checkHygiene(of: audience.settings, requested: settings, path: inputs[0])
                return (audience, try CachedMatrixReader(path: inputs[0]))
            }
            progress.note("reading cache \(inputs[0])")
            let audience = try ProfileCache.load(from: inputs[0])
            try ProfileCache.checkHygiene(of: audience.settings, requested: settings, path: inputs[0])
            return (audience, nil)
        }
        let audience = try ProfileLoader(settings: settings, progress: progress.loaderCallback()).load(inputs)
        progress.finish(stage: "loading")
        return (audience, nil)
    }

    /// The rejects CSV (for people: formulas neutralised) at `rejects`, when asked for.
    public static func writeRejects(_ audience: LoadedAudience, to rejects: String?) throws {
        if let path = rejects { try RejectsFile.write(audience.rejects, to: path) }
    }

    /// The ids of profiles left with no interest at `emptyIds`, when asked for.
    public static func writeEmptyIds(_ audience: LoadedAudience, to emptyIds: String?) throws {
        if let path = emptyIds { try EmptyIdsFile.write(audience.emptyProfileIds, to: path) }
    }

    /// Rejects are never silent: without a rejects file, the first few go to stderr.
    public static func reportRejects(_ audience: LoadedAudience, rejectsFile: String?, progress: ProgressReporter) {
        guard !audience.rejects.isEmpty, rejectsFile == nil else { return }
        let shown = audience.rejects.prefix(5)
        var lines = ["\(audience.rejects.count) line(s) rejected; the first \(shown.count):"]
        for r in shown { lines.append("  \(r.file):\(r.line): [\(r.kind)] \(r.reason)") }
        lines.append("pass --rejects FILE to write them all")
        progress.note(lines.joined(separator: "\n"))
    }
}
