import Foundation

/// The one segmentation job: load → prepare and fit (the method) → stability → describe → link the
/// catalogue → write the run folder. `segment`, `run` and `demo` run it whole; `wall` re-describes a
/// saved run through the same stages; `sweep` fits through the same method seam. Each stage is a
/// method of its own, so it can be tested in-process.
public struct SegmentationPipeline: Sendable {
    public let spec: JobSpec
    public let method: any SegmentationMethod
    public let progress: ProgressReporter
    /// The processes the job runs on (one by default; `mpirun` starts several).
    public let communicator: Communicator

    /// Checks the job (every bound, in `JobSpec.validate`) and builds its method.
    public init(spec: JobSpec, progress: ProgressReporter, communicator: Communicator = SingleProcessCommunicator()) throws {
        try spec.validate()
        self.spec = spec
        self.method = spec.segmentationMethod()
        self.progress = progress
        self.communicator = communicator
    }

    /// Runs the job over every rank of `communicator`: rank 0 loads the inputs and sends each rank
    /// whole blocks of rows (`SpreadRows`); every rank fits its rows with the same collective
    /// steps; rank 0 gathers the per-row results, describes, measures stability and writes the run
    /// folder exactly as one process would (the same bytes). Returns the run on rank 0, nil elsewhere.
    /// An error on any rank is thrown there; the caller stops every rank (`MPI_Abort`).
    public func runOnRanks() throws -> (run: SegmentationRun, written: [String])? {
        let start = ContinuousClock.now
        let spread = try method.spread(over: communicator)
        let root = communicator.rank == 0
        let (input, inputBytes) = try loadOnRanks()
        communicator.barrier()   // the other ranks wait asleep while rank 0 merges and assembles
        let blockRows = RowBlocks.rows
        let share = SpreadRows.scatter(input?.audience.matrix, communicator: communicator, blockRows: blockRows)
        let clock = ContinuousClock()
        let fitStart = clock.now
        let bytesBefore = communicator.bytesCommunicated
        let local = try spread.fit(share.local, rows: nil, progress: root ? progress : ProgressReporter(mode: .quiet))
        let bytes = communicator.bytesCommunicated - bytesBefore
        let gathered = SpreadRows.gather(local, communicator: communicator)
        let fitSeconds = (clock.now - fitStart).inSeconds
        guard root, let input, var result = gathered else {
            communicator.barrier()   // asleep while rank 0 describes and writes; an error there aborts every rank
            return nil
        }
        spread.completeSpread(&result, allRows: input.audience.matrix)
        var run = try segment(input, result: result, fitSeconds: fitSeconds)
        run.ranks = RanksRecord(count: communicator.size, backend: communicator.backend,
                                rowsPerRank: share.rowsPerRank, bytesPerRank: share.bytesPerRank, inputBytesPerRank: inputBytes,
                                blockRows: blockRows,
                                bytesCommunicated: bytes, bytesReducedPerIteration: result.reducedBytesPerIteration)
        let written = try write(&run, totalSince: start)
        reportRejects(input.audience)
        communicator.barrier()
        return (run, written)
    }

    /// Runs every stage and writes the run folder; returns the run and the paths written.
    public func run() throws -> (run: SegmentationRun, written: [String]) {
        let start = ContinuousClock.now
        let input = try load()
        var run = try segment(input)
        let written = try write(&run, totalSince: start)
        reportRejects(input.audience)
        return (run, written)
    }

    // MARK: Stages

    /// `sweep` over every rank of `communicator`: the inputs loaded as `runOnRanks` loads them, rows
    /// spread in whole blocks, every fit spread; rank 0 scores each k. The report on rank 0, nil elsewhere.
    public func sweepOnRanks(_ settings: KSweep.Settings) throws -> KSweep.Report? {
        let (input, _) = try loadOnRanks()
        communicator.barrier()   // the other ranks wait asleep while rank 0 merges and assembles
        let share = SpreadRows.scatter(input?.audience.matrix, communicator: communicator, blockRows: RowBlocks.rows)
        return try KSweep.run(rows: share.local, communicator: communicator, settings: settings, progress: progress)
    }

    /// Loads the inputs (files through the streaming loader, or one cache), writes the side files
    /// (rejects, empty ids) the job asks for. A method that streams rows reads a cache without loading
    /// its matrix: the decision is made here, once.
    public func load() throws -> LoadedInput {
        let clock = ContinuousClock()
        let start = clock.now
        let (audience, rows) = try AudienceFiles.load(spec.inputs, settings: spec.loaderSettings, streamingRows: method.streamsRows,
                                                      progress: progress)
        try writeOutsideSideFiles(audience)
        return LoadedInput(audience: audience, rows: rows, seconds: (clock.now - start).inSeconds)
    }

    /// Side files outside the run folder are written as soon as the inputs are loaded (a failed fit
    /// still leaves them); those inside it are written with the run, so the folder stays all old or all new.
    func writeOutsideSideFiles(_ audience: LoadedAudience) throws {
        for side in sideFiles(audience) where runFolderName(of: side.path) == nil { try side.file.write(side.path) }
    }

    /// The load stage over every rank: each rank reads and parses its share of the profile files and
    /// rank 0 merges them (`ProfileLoader.loadSpread`); a cache is read by rank 0. Returns the input on
    /// rank 0 (nil elsewhere) and the input bytes each rank read.
    func loadOnRanks() throws -> (LoadedInput?, [Int]) {
        let clock = ContinuousClock()
        let start = clock.now
        let root = communicator.rank == 0
        if spec.inputs.count == 1, ProfileCache.isCache(spec.inputs[0]) {
            let input = root ? try load() : nil
            let size = ((try? FileManager.default.attributesOfItem(atPath: spec.inputs[0]))?[.size] as? Int) ?? 0
            return (input, (0..<communicator.size).map { $0 == 0 ? size : 0 })
        }
        let loader = ProfileLoader(settings: spec.loaderSettings, progress: root ? progress.loaderCallback() : nil)
        let (audience, bytes) = try loader.loadSpread(spec.inputs, communicator: communicator)
        guard let audience else { return (nil, bytes) }
        progress.finish(stage: "loading")
        try writeOutsideSideFiles(audience)
        return (LoadedInput(audience: audience, rows: nil, seconds: (clock.now - start).inSeconds), bytes)
    }

    /// Fits, describes, measures stability and links the catalogue.
    public func segment(_ input: LoadedInput) throws -> SegmentationRun {
        let clock = ContinuousClock()
        let fitStart = clock.now
        let result = try fit(input)
        return try segment(input, result: result, fitSeconds: (clock.now - fitStart).inSeconds)
    }

    /// Describes, measures stability and links the catalogue for a fit already made.
    func segment(_ input: LoadedInput, result: SegmentFit, fitSeconds: Double) throws -> SegmentationRun {
        let clock = ContinuousClock()
        let audience = input.audience
        var spec = self.spec
        spec.adopt(audience.settings)
        let model = SegmentModel(metadata: .init(tesseraVersion: TesseraVersion.current, parameters: spec,
                                                 vectorizer: FittedVectorizer(audience: audience)),
                                 centres: result.profiles, space: result.space)
        var run = SegmentationRun(spec: spec, audience: audience, inputs: spec.inputs, result: result, model: model,
                                  insights: nil,
                                  timings: ["load": input.seconds, "prepare": result.prepareSeconds, "init": result.initSeconds,
                                            "fit": fitSeconds, "stability": 0])
        guard !input.streamed else {
            progress.note("segments streamed from the cache: descriptions need the matrix in memory and are left out")
            run.timings["describe"] = 0
            return run
        }
        let describeStart = clock.now
        var insights = try describe(audience, result)
        var describeSeconds = (clock.now - describeStart).inSeconds
        let stabilityStart = clock.now
        try addStabilityAndCautions(&insights, matrix: audience.matrix, result: result)
        run.timings["stability"] = (clock.now - stabilityStart).inSeconds
        run.insights = insights
        let m = ClusterQuality.measures(try method.measuredRows(audience.matrix, fit: result), labels: result.labels, k: result.profiles.rowCount,
                                        silhouetteSample: 2_000, seed: spec.seed)
        run.metrics = ["silhouette": m.silhouette, "calinski_harabasz": m.calinskiHarabasz, "davies_bouldin": m.daviesBouldin]
        let linkStart = clock.now
        try link(&run)
        describeSeconds += (clock.now - linkStart).inSeconds
        run.timings["describe"] = describeSeconds
        return run
    }

    /// The method's fit on the loaded rows.
    public func fit(_ input: LoadedInput) throws -> SegmentFit {
        try method.fit(input.audience.matrix, rows: input.rows, progress: progress)
    }

    /// Each segment described on the raw interests: size, distinctive interests, label, tags, cohesion.
    public func describe(_ audience: LoadedAudience, _ result: SegmentFit) throws -> AudienceInsights {
        try SegmentInsights.describe(matrix: audience.matrix, labels: result.labels, profiles: result.profiles,
                                     interests: audience.vocabulary.interests, tags: audience.tags,
                                     settings: spec.insights)
    }

    /// Bootstrap stability of each segment: the same method re-fitted on resampled rows (nil when off).
    public func stability(_ matrix: CSRMatrix, _ result: SegmentFit) throws -> [Double]? {
        let settings = spec.stabilitySettings
        guard settings.rounds > 0 else { return nil }
        let k = result.profiles.rowCount
        let silent = ProgressReporter(mode: .quiet)
        let method = self.method.reusing(result)
        var round = 0
        let scores = try Stability.bootstrapJaccard(labels: result.labels, k: k, settings: settings) { rows in
            round += 1
            progress.update(stage: "stability", done: Double(round), total: Double(settings.rounds), detail: "bootstrap \(round)")
            let sample = matrix.gatherRows(rows)
            guard sample.rowCount >= k else { return [Int32](repeating: 0, count: sample.rowCount) }
            return try method.refitting(k: k, seed: spec.seed &+ UInt64(round)).fit(sample, rows: nil, progress: silent).labels
        }
        progress.finish(stage: "stability")
        return scores
    }

    /// Writes each segment's bootstrap stability (when on) and then its cautions, which depend on it.
    public func addStabilityAndCautions(_ insights: inout AudienceInsights, matrix: CSRMatrix, result: SegmentFit) throws {
        if let scores = try stability(matrix, result) {
            for s in insights.segments.indices { insights.segments[s].stability = scores[s] }
        }
        SegmentInsights.addCautions(&insights)
    }

    /// Reads the catalogue (assets, partners, aliases), links it to the described segments and builds
    /// the cross-segment view over the rows.
    public func link(_ run: inout SegmentationRun) throws {
        let s = run.spec
        guard let insights = run.insights, s.assets != nil || s.partners != nil else { return }
        let catalog = try AssetCatalog.read(assets: s.assets, partners: s.partners, aliases: s.aliases,
                                            normalization: run.audience.settings.normalization,
                                            vocabulary: run.audience.vocabulary.interests)
        var gaps = GapAnalysis.link(insights, assets: catalog.assets, partners: catalog.partners)
        // People are counted once across segments, so the cross-segment view reads the rows themselves
        // (loaded here for `segment` and for `wall`, which reloads the run's inputs).
        gaps.crossSegment = CrossSegmentAnalysis.analyse(matrix: run.audience.matrix, labels: run.result.labels,
                                                         interests: run.audience.vocabulary.interests, insights: insights,
                                                         assets: catalog.assets, partners: catalog.partners, perSegment: gaps)
        run.gaps = gaps
        run.unknownCatalogInterests = catalog.unknownInterests
        if !catalog.unknownInterests.isEmpty {
            let shown = catalog.unknownInterests.prefix(5).map { "  \($0.file):\($0.line): \($0.id): \($0.interest)" }
            progress.note((["\(catalog.unknownInterests.count) catalogue interest(s) match nothing in the audience (listed in segments.json under unknown_catalog_interests); the first:"] + shown).joined(separator: "\n"))
        }
    }

    /// Writes the run folder (`spec.out`) as one step; fills in the `write` and `total` timings.
    public func write(_ run: inout SegmentationRun, totalSince start: ContinuousClock.Instant) throws -> [String] {
        let inside = sideFiles(run.audience).compactMap { side in
            runFolderName(of: side.path).map { RunFolder.SideFile(name: $0, write: side.file.write) }
        }
        return try RunFolder.write(&run, to: spec.out, assignments: spec.assignments, sideFiles: inside, totalSince: start)
    }

    /// The rejects list and the empty profile ids, where the job asks for them.
    func sideFiles(_ audience: LoadedAudience) -> [(path: String, file: RunFolder.SideFile)] {
        var files: [(String, RunFolder.SideFile)] = []
        if let path = spec.rejects {
            files.append((path, RunFolder.SideFile(name: path) { try AudienceFiles.writeRejects(audience, to: $0) }))
        }
        if let path = spec.emptyIds {
            files.append((path, RunFolder.SideFile(name: path) { try AudienceFiles.writeEmptyIds(audience, to: $0) }))
        }
        return files
    }

    /// The name of `path` inside the run folder when it lies directly in it; nil otherwise.
    func runFolderName(of path: String) -> String? {
        let file = URL(fileURLWithPath: path).standardized
        let folder = URL(fileURLWithPath: spec.out).standardized
        return file.deletingLastPathComponent().path == folder.path ? file.lastPathComponent : nil
    }

    /// Rejects are never silent: without a rejects file, the first few go to stderr.
    public func reportRejects(_ audience: LoadedAudience) {
        AudienceFiles.reportRejects(audience, rejectsFile: spec.rejects, progress: progress)
    }
}

/// The binary profile cache as a source of row batches (mini-batch k-means streams from it).
extension CachedMatrixReader: RowSource {
    public func rows(at indices: [Int]) throws -> ClusteringData { .sparse(try rows(at: indices) as CSRMatrix) }
    public func rows(_ range: Range<Int>) throws -> ClusteringData { .sparse(try rows(range) as CSRMatrix) }
}
