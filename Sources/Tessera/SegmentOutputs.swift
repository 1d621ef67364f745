import Foundation

/// `segments.json`: one entry per segment (id, size, share, top interests by centre weight).
public struct SegmentsDocument: Codable, Sendable, Equatable {
    public struct TopInterest: Codable, Sendable, Equatable {
        public var interest: String
        public var weight: Double
    }
    /// A segment: id, size, share and top interests by weight, plus (when the matrix was in memory)
    /// the full description — label with evidence, distinctive interests with affinity index,
    /// interval and shrinkage, tag composition, cohesion, nearest segment — flattened into the object.
    public struct Segment: Codable, Sendable, Equatable {
        public var id: Int
        public var size: Int
        public var share: Double
        public var topInterests: [TopInterest]
        public var description: SegmentDescription?
        public var gaps: SegmentGaps?
        enum CodingKeys: String, CodingKey {
            case id, size, share, assets, coverage, gaps, partners
            case topInterests = "top_interests"
        }

        public init(id: Int, size: Int, share: Double, topInterests: [TopInterest], description: SegmentDescription?, gaps: SegmentGaps? = nil) {
            self.id = id
            self.size = size
            self.share = share
            self.topInterests = topInterests
            self.description = description
            self.gaps = gaps
        }

        public func encode(to encoder: Encoder) throws {
            try description?.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(size, forKey: .size)
            try container.encode(share, forKey: .share)
            try container.encode(topInterests, forKey: .topInterests)
            if let gaps {
                try container.encode(gaps.assets, forKey: .assets)
                try container.encode(SegmentsDocument.rounded(gaps.coverage), forKey: .coverage)
                try container.encode(gaps.gaps, forKey: .gaps)
                try container.encode(gaps.partners, forKey: .partners)
            }
        }

        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(Int.self, forKey: .id)
            size = try container.decode(Int.self, forKey: .size)
            share = try container.decode(Double.self, forKey: .share)
            topInterests = try container.decode([TopInterest].self, forKey: .topInterests)
            description = try? SegmentDescription(from: decoder)
            if let assets = try container.decodeIfPresent([ServingAsset].self, forKey: .assets) {
                gaps = SegmentGaps(segment: id, assets: assets, coverage: try container.decode(Double.self, forKey: .coverage),
                                   gaps: try container.decode([Gap].self, forKey: .gaps), partners: try container.decode([PartnerCandidate].self, forKey: .partners))
            }
        }
    }
    public var schemaVersion = 1
    public var method: String
    public var k: Int
    public var profiles: Int
    public var interests: Int
    public var segments: [Segment]
    /// The rules behind the descriptions, the k×k segment similarities, the merge tree and the 2-D map.
    public var insightSettings: InsightSettings?
    public var similarity: [[Double]]?
    public var mergeTree: [MergeStep]?
    public var map: [[Double]]?
    /// With a catalogue: assets that serve no segment, and catalogue interests unknown to the audience.
    public var unusedAssets: [String]?
    public var unknownCatalogInterests: [AssetCatalog.UnknownInterest]?

    enum CodingKeys: String, CodingKey {
        case method, k, profiles, interests, segments, similarity, map
        case unusedAssets = "unused_assets"
        case unknownCatalogInterests = "unknown_catalog_interests"
        case schemaVersion = "schema_version"
        case insightSettings = "insight_settings"
        case mergeTree = "merge_tree"
    }

    public init(run: SegmentationRun) {
        let r = run.result
        let rows = max(1, run.result.labels.count)
        let vocabulary = run.audience.vocabulary.interests
        let d = r.profiles.columnCount
        method = run.settings.method.rawValue
        k = r.profiles.rowCount
        profiles = run.result.labels.count
        interests = d
        segments = (0..<k).map { c in
            let row = Array(r.profiles.values[(c * d)..<((c + 1) * d)])
            let top = row.indices.filter { row[$0] > 0 }
                .sorted { row[$0] != row[$1] ? row[$0] > row[$1] : $0 < $1 }
                .prefix(run.settings.topInterests)
                .map { TopInterest(interest: vocabulary[$0], weight: Self.rounded(Double(row[$0]))) }
            return Segment(id: c, size: r.sizes[c], share: Self.rounded(Double(r.sizes[c]) / Double(rows)), topInterests: Array(top),
                           description: run.insights.map { Self.rounded($0.segments[c]) },
                           gaps: run.gaps?.segments.first { $0.segment == c }.map(Self.rounded))
        }
        if let gaps = run.gaps {
            unusedAssets = gaps.unusedAssets
            unknownCatalogInterests = run.unknownCatalogInterests
        }
        if let insights = run.insights {
            insightSettings = insights.settings
            similarity = insights.similarity.map { $0.map(Self.rounded) }
            mergeTree = insights.mergeTree.map { var step = $0; step.distance = Self.rounded(step.distance); return step }
            map = insights.map.map { $0.map(Self.rounded) }
        }
    }

    static func rounded(_ g: SegmentGaps) -> SegmentGaps {
        var g = g
        g.assets = g.assets.map { var a = $0; a.demandShare = rounded(a.demandShare); return a }
        g.gaps = g.gaps.map { var x = $0; x.index = rounded(x.index); x.demandShare = rounded(x.demandShare); return x }
        g.partners = g.partners.map { var p = $0; p.demandShare = rounded(p.demandShare); return p }
        return g
    }

    /// The description with every number rounded to six decimals (stable, readable text).
    static func rounded(_ d: SegmentDescription) -> SegmentDescription {
        func r(_ a: InterestAffinity) -> InterestAffinity {
            var a = a
            a.prevalence = rounded(a.prevalence); a.audiencePrevalence = rounded(a.audiencePrevalence)
            a.index = rounded(a.index); a.indexLow = rounded(a.indexLow); a.indexHigh = rounded(a.indexHigh)
            a.shrunkIndex = rounded(a.shrunkIndex); a.score = rounded(a.score)
            return a
        }
        var d = d
        d.share = rounded(d.share)
        d.cohesion = rounded(d.cohesion)
        d.nearestSimilarity = rounded(d.nearestSimilarity)
        d.stability = d.stability.map(rounded)
        d.distinctiveInterests = d.distinctiveInterests.map(r)
        d.labelEvidence = d.labelEvidence.map(r)
        d.tags = d.tags.map { var t = $0; t.share = rounded(t.share); t.audienceShare = rounded(t.audienceShare); t.index = rounded(t.index); return t }
        return d
    }

    /// Six decimals: stable text, enough precision for shares and weights.
    static func rounded(_ x: Double) -> Double { (x * 1e6).rounded() / 1e6 }
}

/// `run.json`: parameters, inputs, counts, per-stage seconds (`timings`), iterations and objective.
public struct RunRecord: Codable, Sendable {
    public struct InputFile: Codable, Sendable {
        public var path: String
        public var bytes: Int
        /// SHA-256 of the file's bytes (nil when the file is no longer readable).
        public var sha256: String?
    }
    public struct Counts: Codable, Sendable {
        public var linesRead: Int, linesLoaded: Int, rejected: Int, profiles: Int, rows: Int, empty: Int
        public var interests: Int, nonzeros: Int, prunedInterests: Int
        enum CodingKeys: String, CodingKey {
            case rejected, profiles, rows, empty, interests, nonzeros
            case linesRead = "lines_read", linesLoaded = "lines_loaded", prunedInterests = "pruned_interests"
        }
    }
    /// The rest of the resolved job: description rules, stability, catalogue files.
    public struct JobSettings: Codable, Sendable {
        public var topInterests: Int
        public var insights: InsightSettings
        public var stability: Stability.Settings
        public var assets: String?
        public var partners: String?
        public var aliases: String?
        enum CodingKeys: String, CodingKey {
            case insights, stability, assets, partners, aliases
            case topInterests = "top_interests"
        }
    }
    public var tesseraVersion: String
    public var command: String
    public var method: String
    public var seed: UInt64
    /// The method's settings: k-means or NMF.
    public var parameters: MethodParameters
    public var job: JobSettings
    public var loader: LoaderSettings
    public var inputs: [InputFile]
    /// The INPUT arguments as given (files or one cache): what `tessera wall` reloads.
    public var sources: [String]
    public var counts: Counts
    public var timings: [String: Double]
    public var iterations: Int
    public var converged: Bool
    public var objective: Double
    /// silhouette (on a seeded sample of 2,000 rows), calinski_harabasz, davies_bouldin.
    public var metrics: [String: Double]
    public var restartObjectives: [Double]
    public var history: MethodHistory
    public var outputs: [String]

    enum CodingKeys: String, CodingKey {
        case command, method, seed, parameters, job, loader, inputs, sources, counts, timings, iterations, converged, objective, metrics, history, outputs
        case tesseraVersion = "tessera_version"
        case restartObjectives = "restart_objectives"
    }

    public init(run: SegmentationRun, outputs: [String]) {
        let report = run.audience.report
        tesseraVersion = TesseraVersion.current
        command = "segment"
        method = run.settings.method.rawValue
        seed = run.settings.seed
        parameters = run.settings.method == .kmeans ? .kmeans(run.settings.kmeans) : .nmf(run.settings.nmf)
        var stability = run.settings.stability
        stability.seed = run.settings.seed
        job = JobSettings(topInterests: run.settings.topInterests, insights: run.settings.insights, stability: stability,
                          assets: run.settings.assets, partners: run.settings.partners, aliases: run.settings.aliases)
        loader = run.audience.settings
        inputs = report.files.map { InputFile(path: $0.path, bytes: $0.bytes, sha256: try? FileDigest.sha256($0.path)) }
        sources = run.inputs
        counts = Counts(linesRead: report.linesRead, linesLoaded: report.linesLoaded, rejected: report.linesRejected,
                        profiles: report.profiles, rows: report.rows, empty: report.emptyProfiles,
                        interests: report.interests, nonzeros: report.nonzeros,
                        prunedInterests: report.prunedMinDocumentFrequency + report.prunedMaxDocumentFrequency + report.prunedVocabularyLimit)
        timings = run.timings
        iterations = run.result.iterations
        converged = run.result.converged
        objective = run.result.objective
        metrics = run.metrics
        restartObjectives = run.result.restartObjectives
        history = run.settings.method == .kmeans ? .kmeans(run.result.kmeansHistory) : .nmf(run.result.nmfHistory)
        self.outputs = outputs
    }
}

/// The settings of either method, encoded as that method's settings object.
public enum MethodParameters: Codable, Sendable {
    case kmeans(KMeansSettings)
    case nmf(NMFSettings)

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .kmeans(let s): try s.encode(to: encoder)
        case .nmf(let s): try s.encode(to: encoder)
        }
    }

    public init(from decoder: Decoder) throws {
        if let s = try? NMFSettings(from: decoder), (try? decoder.container(keyedBy: ProbeKeys.self).contains(.solver)) == true {
            self = .nmf(s)
        } else {
            self = .kmeans(try KMeansSettings(from: decoder))
        }
    }

    enum ProbeKeys: String, CodingKey { case solver }
}

/// Per-iteration statistics of either method.
public enum MethodHistory: Codable, Sendable {
    case kmeans([KMeansIteration])
    case nmf([NMFIteration])

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .kmeans(let h): try h.encode(to: encoder)
        case .nmf(let h): try h.encode(to: encoder)
        }
    }

    public init(from decoder: Decoder) throws {
        if let h = try? [KMeansIteration](from: decoder) { self = .kmeans(h) } else { self = .nmf(try [NMFIteration](from: decoder)) }
    }
}

/// A share in [0, 1] with four decimals ("0.7971"), without the cost of `String(format:)`.
func fixed4(_ x: Float) -> String {
    let scaled = Int((Double(min(max(x, 0), 1)) * 10_000).rounded())
    let fraction = String(scaled % 10_000)
    return "\(scaled / 10_000)." + String(repeating: "0", count: 4 - fraction.count) + fraction
}

/// Writes the outputs of a segmentation into a folder, each file atomically.
public enum SegmentOutputs {
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
        var written = [path("segments.json")]
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
