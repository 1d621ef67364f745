import ArgumentParser
import Foundation
import Tessera

struct AssignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign",
        abstract: "Place new follower profiles into the segments of a saved model.",
        discussion: """
        MODEL is the model.tessera written by `tessera segment`. The new profiles are read with the model's \
        interest normalisation and weighted with the training audience's weighting (its idf), so they land \
        in the same space. Writes id,segment,distance (k-means) or id,segment,strength,secondary,secondary_strength \
        (NMF: the new profiles' W with the segments' loadings held fixed) as CSV to --out (or stdout). Profiles with no interest \
        the model knows get an empty segment and are counted in the summary on stderr.
        """
    )

    @Argument(help: "The model file (model.tessera).")
    var model: String

    @Argument(help: "Profile files (JSON Lines, CSV, TSV; .gz allowed).")
    var inputs: [String]

    @OptionGroup var loader: LoaderOptions

    @Option(help: "Write the CSV here (atomically) instead of stdout.")
    var out: String?

    @Flag(help: "No progress or messages on stderr.")
    var quiet = false

    @Flag(help: "Print a JSON summary on stdout (requires --out).")
    var json = false

    func validate() throws {
        if json && out == nil { throw ValidationError("--json prints a summary on stdout, so the CSV needs --out FILE") }
    }

    func run() throws {
        try Parallel.withThreads(loader.threads) { try assign() }
    }

    func assign() throws {
        let progress = ProgressReporter(quiet: quiet)
        if let cache = inputs.first(where: ProfileCache.isCache) {
            throw LoadError.readFailed(file: cache, reason: "a profile cache holds values weighted with its own audience's idf; `assign` weights new profiles as the model's audience was, so give it the profile files (JSON Lines, CSV, TSV)")
        }
        let segmentModel = try SegmentModel.load(from: model)
        let settings = segmentModel.metadata.vectorizer.rawLoaderSettings(from: loader.settings)
        let raw = try ProfileLoader(settings: settings, progress: progress.loaderCallback()).load(inputs)
        progress.finish(stage: "loading")
        try AudienceFiles.writeRejects(raw, to: loader.rejects)
        try AudienceFiles.writeEmptyIds(raw, to: loader.emptyIds)
        let placement = try segmentModel.place(raw)
        let soft = placement.memberships != nil
        var csv = soft ? "id,segment,strength,secondary,secondary_strength\n" : "id,segment,distance\n"
        for (t, id) in placement.ids.enumerated() {
            let segment = placement.segments[t].map(String.init) ?? ""
            if soft {
                let m = placement.memberships?[t] ?? nil
                csv += CSVWriter.row([id, segment, m.map { String(format: "%.4f", $0.strength) } ?? "",
                                      m.flatMap { $0.secondary >= 0 ? String($0.secondary) : nil } ?? "",
                                      m.flatMap { $0.secondary >= 0 ? String(format: "%.4f", $0.secondaryStrength) : nil } ?? ""],
                                     purpose: .data)
            } else {
                let distance = (placement.distances?[t] ?? nil).map { String(format: "%.6f", $0.squareRoot()) } ?? ""
                csv += CSVWriter.row([id, segment, distance], purpose: .data)
            }
        }
        let blanks = [String](repeating: "", count: soft ? 4 : 2)
        for id in placement.emptyProfileIds { csv += CSVWriter.row([id] + blanks, purpose: .data) }
        if let out { try AtomicFile.write(csv, to: out) } else { FileHandle.standardOutput.write(Data(csv.utf8)) }
        let unplaced = placement.segments.filter { $0 == nil }.count + placement.emptyProfileIds.count
        let placed = placement.ids.count - placement.segments.filter { $0 == nil }.count
        if json {
            let summary: [String: Int] = ["profiles": placement.ids.count + placement.emptyProfileIds.count, "placed": placed,
                                          "unplaced": unplaced, "rejected": raw.report.linesRejected,
                                          "unknown_interests": placement.unknownInterests]
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        }
        progress.note("placed \(placed) profiles; \(unplaced) without any interest the model knows; \(placement.unknownInterests) interests unknown to the model ignored")
        AudienceFiles.reportRejects(raw, rejectsFile: loader.rejects, progress: progress)
    }
}
