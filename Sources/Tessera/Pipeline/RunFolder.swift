import Foundation

/// A share in [0, 1] with four decimals ("0.7971"), without the cost of `String(format:)`.
func fixed4(_ x: Float) -> String {
    let scaled = Int((Double(min(max(x, 0), 1)) * 10_000).rounded())
    let fraction = String(scaled % 10_000)
    return "\(scaled / 10_000)." + String(repeating: "0", count: 4 - fraction.count) + fraction
}

/// Writes a segmentation's run folder: segments.json, model.tessera, run.json, assignments.csv and
/// the wall exports, each file atomically.
public enum RunFolder {
    /// Writes segments.json, model.tessera, run.json and (optionally) assignments.csv into `directory`.
    /// Returns the paths written; `run.timings["write"]` and `["total"]` are filled in on the way.
    @discardableResult
    public static func write(_ run: inout SegmentationRun, to directory: String, assignments: Bool,
                             totalSince start: ContinuousClock.Instant) throws -> [String] {
        let clock = ContinuousClock()
        let writeStart = clock.now
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw AtomicFileError(path: directory, reason: "cannot create the output folder (\(error.localizedDescription))")
        }
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var written: [String] = []
        written += try writeDescriptions(run, to: directory)
        try run.model.save(to: path(SegmentModel.fileName))
        written.append(path(SegmentModel.fileName))
        if assignments {
            try writeAssignments(run, to: path("assignments.csv"))
            written.append(path("assignments.csv"))
        }
        written.append(path("run.json"))
        run.timings["write"] = (clock.now - writeStart).inSeconds
        run.timings["total"] = (clock.now - start).inSeconds
        try AtomicFile.write(try encoder.encode(RunRecord(run: run, outputs: written)) + Data("\n".utf8), to: path("run.json"))
        return written
    }

    /// segments.json and, when the segments were described, every wall export.
    public static func writeDescriptions(_ run: SegmentationRun, to directory: String) throws -> [String] {
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(SegmentsDocument(run: run)) + Data("\n".utf8), to: path("segments.json"))
        try AtomicFile.write(SegmentsSchema.text + "\n", to: path("segments.schema.json"))
        var written = [path("segments.json"), path("segments.schema.json")]
        if let insights = run.insights {
            let names = run.audience.report.files.map { ($0.path as NSString).lastPathComponent }
            let title = "Tessera segments — " + (names.isEmpty ? "audience" : names.joined(separator: ", "))
            let wall = WallModel(title: title, insights: Self.roundedInsights(insights), gaps: run.gaps)
            written += try WallExporter.write(try WallExporter.files(wall), to: directory)
        }
        return written
    }

    static func roundedInsights(_ insights: AudienceInsights) -> AudienceInsights {
        var i = insights
        i.segments = i.segments.map(SegmentsDocument.rounded)
        return i
    }

    /// `id,segment` (NMF: `id,segment,strength,secondary,secondary_strength`), one line per profile that
    /// was segmented (empty profiles are listed by `--empty-ids`).
    static func writeAssignments(_ run: SegmentationRun, to path: String) throws {
        try AtomicFile.write(to: path) { out in
            let memberships = run.result.memberships
            var text = memberships == nil ? "id,segment\n" : "id,segment,strength,secondary,secondary_strength\n"
            let ids = run.audience.profileIds
            for (i, label) in run.result.labels.enumerated() {
                if let m = memberships?[i] {
                    text += CSVWriter.row([ids[i], String(m.segment), fixed4(m.strength),
                                           m.secondary >= 0 ? String(m.secondary) : "",
                                           m.secondary >= 0 ? fixed4(m.secondaryStrength) : ""], purpose: .spreadsheet)
                } else {
                    text += CSVWriter.row([ids[i], String(label)], purpose: .spreadsheet)
                }
                if text.utf8.count > 1 << 20 {
                    try out.write(text)
                    text = ""
                }
            }
            try out.write(text)
        }
    }
}
