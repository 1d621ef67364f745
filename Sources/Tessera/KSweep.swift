import Foundation

/// `tessera sweep`: fits the method for each k of a range and measures every fit, to choose k.
public enum KSweep {
    public struct Settings: Sendable {
        public var ks: [Int]
        /// The job whose method, settings and seed each k is fitted with.
        public var job = JobSpec()
        /// Seeds per k for the agreement measure (default 2: the main seed and one more).
        public var seeds = 2
        /// Rows in the silhouette sample (default 2,000).
        public var silhouetteSample = 2_000
        public init(ks: [Int]) { self.ks = ks }
    }

    public struct Report: Codable, Sendable {
        public var method: String
        public var seed: UInt64
        public var profiles: Int
        public var points: [SweepPoint]
        public var recommendedK: Int?
        public var reasons: [String]
        enum CodingKeys: String, CodingKey {
            case method, seed, profiles, points, reasons
            case recommendedK = "recommended_k"
        }
    }

    public static func run(_ audience: LoadedAudience, settings: Settings, progress: ProgressReporter) throws -> Report {
        try run(rows: audience.matrix, communicator: SingleProcessCommunicator(), settings: settings, progress: progress)!
    }

    /// The sweep over rows spread across ranks (each rank passes its own rows): every fit is spread
    /// like `segment`'s, and rank 0 gathers the labels and the measured rows to score each k.
    /// Returns the report on rank 0, nil elsewhere.
    public static func run(rows x: CSRMatrix, communicator: Communicator, settings: Settings,
                           progress: ProgressReporter) throws -> Report? {
        let clock = ContinuousClock()
        let root = communicator.rank == 0
        var points: [SweepPoint] = []
        // One space for every k (fitted for the largest), and the scores measured in it.
        let method = try settings.job.segmentationMethod().spread(over: communicator)
            .preparingSpace(x, maxK: settings.ks.max() ?? settings.job.k)
        let measured = SpreadRows.gatherRows(try method.measuredRows(x, fit: nil), communicator: communicator)
        let profiles = communicator.placement(localRows: x.rowCount).totalRows
        for (index, k) in settings.ks.enumerated() {
            let start = clock.now
            progress.update(stage: "sweep", done: Double(index), total: Double(settings.ks.count), detail: "k = \(k)")
            var labelings: [[Int32]] = []
            var objective = 0.0
            let silent = ProgressReporter(mode: .quiet)
            for s in 0..<max(1, settings.seeds) {
                let fit = try method.refitting(k: k, seed: settings.job.seed &+ UInt64(s)).fit(x, rows: nil, progress: silent)
                if s == 0 { objective = fit.objective }
                if let labels = SpreadRows.gatherLabels(fit.labels, communicator: communicator) { labelings.append(labels) }
            }
            guard root, let measured else { continue }
            var agreement = 0.0, pairs = 0
            for a in 0..<labelings.count { for b in (a + 1)..<labelings.count { agreement += ClusterQuality.adjustedRandIndex(labelings[a], labelings[b]); pairs += 1 } }
            let m = ClusterQuality.measures(measured, labels: labelings[0], k: k, silhouetteSample: settings.silhouetteSample, seed: settings.job.seed)
            points.append(SweepPoint(k: k, objective: objective, silhouette: m.silhouette,
                                     calinskiHarabasz: m.calinskiHarabasz, daviesBouldin: m.daviesBouldin,
                                     stability: pairs > 0 ? agreement / Double(pairs) : 1,
                                     seconds: (clock.now - start).inSeconds))
        }
        progress.finish(stage: "sweep")
        guard root else { return nil }
        let recommendation = KSelection.recommend(points)
        return Report(method: settings.job.method.rawValue, seed: settings.job.seed, profiles: profiles, points: points,
                      recommendedK: recommendation?.k ?? nil, reasons: recommendation?.reasons ?? [])
    }

    /// Writes `sweep.json` and `sweep.html` into `directory` (atomically); returns their paths.
    public static func write(_ report: Report, to directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = (directory as NSString).appendingPathComponent("sweep.json")
        try AtomicFile.write(try encoder.encode(report) + Data("\n".utf8), to: json)
        let html = SweepHTML.render(report.points, recommended: report.recommendedK, reasons: report.reasons,
                                    title: "Choosing k: \(report.method), \(report.profiles) profiles")
        return [json] + (try WallExporter.write([html], to: directory))
    }
}
