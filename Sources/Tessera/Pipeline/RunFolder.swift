import Foundation

/// A share in [0, 1] with four decimals ("0.7971"), without the cost of `String(format:)`.
func fixed4(_ x: Float) -> String {
    let scaled = Int((Double(min(max(x, 0), 1)) * 10_000).rounded())
    let fraction = String(scaled % 10_000)
    return "\(scaled / 10_000)." + String(repeating: "0", count: 4 - fraction.count) + fraction
}

/// Writes a segmentation's run folder: segments.json, model.tessera, run.json, assignments.csv and
/// the wall exports. The folder is all old or all new: the run is written into a staging folder beside
/// it and swapped in as one step (`StagedFolder`). run.json is written last and lists every file of the
/// run (`files`), so a reader can check that a folder is complete.
public enum RunFolder {
    /// A file written into the run folder besides the run's own (a rejects list or empty ids the job
    /// asked for inside its folder): its name relative to the folder and how to write it.
    public struct SideFile {
        public var name: String
        public var write: (String) throws -> Void
        public init(name: String, write: @escaping (String) throws -> Void) {
            self.name = name
            self.write = write
        }
    }

    /// Writes the whole run folder `directory` and swaps it in. Returns the paths written;
    /// `run.timings["write"]` and `["total"]` are filled in on the way.
    @discardableResult
    public static func write(_ run: inout SegmentationRun, to directory: String, assignments: Bool, sideFiles: [SideFile] = [],
                             totalSince start: ContinuousClock.Instant) throws -> [String] {
        let clock = ContinuousClock()
        let writeStart = clock.now
        let stage = try StagedFolder.begin(directory)
        do {
            var names = try describe(run, into: stage.staging)
            try run.model.save(to: stage.path(SegmentModel.fileName))
            names.append(SegmentModel.fileName)
            if assignments {
                try writeAssignments(run, to: stage.path("assignments.csv"))
                names.append("assignments.csv")
            }
            for side in sideFiles {
                try side.write(stage.path(side.name))
                names.append(side.name)
            }
            names.append("run.json")
            let outputs = names.map { Self.path($0, in: directory) }
            run.timings["write"] = (clock.now - writeStart).inSeconds
            run.timings["total"] = (clock.now - start).inSeconds
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            var record = RunRecord(run: run, outputs: outputs)
            record.files = names.map(entryName).sorted()
            try AtomicFile.write(try encoder.encode(record) + Data("\n".utf8), to: stage.path("run.json"))
            try stage.commit()
            return outputs
        } catch {
            stage.abandon()
            throw stage.naming(error)
        }
    }

    /// Rewrites segments.json and the wall exports of an existing, complete run folder (`tessera wall`),
    /// keeping its model, run.json, assignments and side files; the folder is swapped as one step.
    @discardableResult
    public static func rewriteDescriptions(_ run: SegmentationRun, in directory: String) throws -> [String] {
        try requireComplete(directory)
        let stage = try StagedFolder.begin(directory)
        do {
            let names = try describe(run, into: stage.staging)
            let described = Set(names.map(entryName))
            for name in try FileManager.default.contentsOfDirectory(atPath: directory) where !described.contains(name) {
                try keep((directory as NSString).appendingPathComponent(name), as: stage.path(name))
            }
            try stage.commit()
            return names.map { Self.path($0, in: directory) }
        } catch {
            stage.abandon()
            throw stage.naming(error)
        }
    }

    /// The folder entry an output name stands for (a folder's name without its trailing slash).
    static func entryName(_ name: String) -> String { name.hasSuffix("/") ? String(name.dropLast()) : name }

    /// `name` inside `directory`; a folder's name keeps its one trailing slash.
    static func path(_ name: String, in directory: String) -> String {
        let joined = (directory as NSString).appendingPathComponent(name)
        return name.hasSuffix("/") && !joined.hasSuffix("/") ? joined + "/" : joined
    }

    /// Throws unless every file run.json lists is present (folders written before run.json listed its
    /// files: run.json, the model and segments.json).
    public static func requireComplete(_ directory: String) throws {
        let manager = FileManager.default
        let runFile = (directory as NSString).appendingPathComponent("run.json")
        guard manager.fileExists(atPath: runFile) else {
            throw LoadError.cannotOpen(file: runFile, reason: "not a run folder written by `tessera segment` (no run.json)")
        }
        let expected = listedFiles(in: directory) ?? ["run.json", SegmentModel.fileName, "segments.json"]
        let missing = expected.filter { !manager.fileExists(atPath: (directory as NSString).appendingPathComponent($0)) }
        guard missing.isEmpty else {
            throw LoadError.readFailed(file: directory, reason: "not a complete run folder: \(missing.joined(separator: ", ")) missing; re-run `tessera segment`")
        }
    }

    /// The files run.json says the run wrote (nil when run.json is missing, unreadable or predates the list).
    static func listedFiles(in directory: String) -> [String]? {
        struct Listing: Decodable { var files: [String]? }
        let runFile = URL(fileURLWithPath: (directory as NSString).appendingPathComponent("run.json"))
        guard let data = try? Data(contentsOf: runFile) else { return nil }
        return (try? JSONDecoder().decode(Listing.self, from: data))?.files
    }

    /// Hard-links (or, across file systems, copies) a file or folder of the old run into the staging folder.
    static func keep(_ source: String, as destination: String) throws {
        let manager = FileManager.default
        do { try manager.linkItem(atPath: source, toPath: destination) } catch {
            do { try manager.copyItem(atPath: source, toPath: destination) } catch {
                throw AtomicFileError(path: destination, reason: "cannot carry \(source) into the new run (\(SystemError.reason(error)))")
            }
        }
    }

    /// segments.json, its schema and, when the segments were described, every wall export, written into
    /// `directory`; returns their names relative to it (folders with a trailing slash).
    static func describe(_ run: SegmentationRun, into directory: String) throws -> [String] {
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(SegmentsDocument(run: run)) + Data("\n".utf8), to: path("segments.json"))
        try AtomicFile.write(SegmentsSchema.text + "\n", to: path("segments.schema.json"))
        var names = ["segments.json", "segments.schema.json"]
        if let insights = run.insights {
            let inputNames = run.audience.report.files.map { ($0.path as NSString).lastPathComponent }
            let title = "Tessera segments — " + (inputNames.isEmpty ? "audience" : inputNames.joined(separator: ", "))
            let wall = WallModel(title: title, insights: Self.roundedInsights(insights), gaps: run.gaps)
            let prefix = directory.hasSuffix("/") ? directory : directory + "/"
            names += try WallExporter.write(try WallExporter.files(wall), to: directory).map { String($0.dropFirst(prefix.count)) }
        }
        return names
    }

    static func roundedInsights(_ insights: AudienceInsights) -> AudienceInsights {
        var i = insights
        i.segments = i.segments.map(SegmentsDocument.rounded)
        return i
    }

    /// `id,segment` (NMF: `id,segment,strength,secondary,secondary_strength`), one line per profile that
    /// was segmented (empty profiles are listed by `--empty-ids`).
    /// A data file (ids kept exactly, RFC 4180 quoting): every segmented profile with its segment, then
    /// every profile left with no interest with an empty segment, so each profile of the input is listed.
    static func writeAssignments(_ run: SegmentationRun, to path: String) throws {
        try AtomicFile.write(to: path) { out in
            let memberships = run.result.memberships
            var text = memberships == nil ? "id,segment\n" : "id,segment,strength,secondary,secondary_strength\n"
            func flush() throws {
                if text.utf8.count > 1 << 20 {
                    try out.write(text)
                    text = ""
                }
            }
            let ids = run.audience.profileIds
            for (i, label) in run.result.labels.enumerated() {
                if let m = memberships?[i] {
                    text += CSVWriter.row([ids[i], String(m.segment), fixed4(m.strength),
                                           m.secondary >= 0 ? String(m.secondary) : "",
                                           m.secondary >= 0 ? fixed4(m.secondaryStrength) : ""], purpose: .data)
                } else {
                    text += CSVWriter.row([ids[i], String(label)], purpose: .data)
                }
                try flush()
            }
            let blanks = [String](repeating: "", count: memberships == nil ? 1 : 4)
            for id in run.audience.emptyProfileIds {
                text += CSVWriter.row([id] + blanks, purpose: .data)
                try flush()
            }
            try out.write(text)
        }
    }
}
