import Foundation
import Testing
import TesseraTestSupport
@testable import Tessera

/// The pipeline's stages, in-process.
@Suite struct SegmentationPipelineTests {
    static func folder() -> String {
        let path = NSTemporaryDirectory() + "tessera-pipeline-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func plantedFile(profiles: Int, segments: Int, seed: UInt64 = 5, meanInterests: Double? = nil) throws -> String {
        var g = GeneratorSettings()
        g.profiles = profiles
        g.segments = segments
        g.interests = 1500
        g.seed = seed
        if let meanInterests { g.meanInterestsPerProfile = meanInterests }
        let generator = try PlantedAudienceGenerator(settings: g)
        let path = folder() + "/audience.jsonl"
        var bytes: [UInt8] = []
        for chunk in 0..<generator.chunkCount { bytes += generator.jsonLines(inChunk: chunk) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static var quiet: ProgressReporter { ProgressReporter(mode: .quiet) }

    @Test func reFitsWorkInTheSpaceTheFitWorkedIn() throws {
        var settings = KMeansSettings()
        settings.k = 4
        settings.algorithm = .minibatch
        let streamed = try #require(KMeansMethod(settings: settings).refitting(k: 4, seed: 2) as? KMeansMethod)
        #expect(streamed.space == .interests && streamed.settings.algorithm == .lloyd)
        settings.algorithm = .lloyd
        let latent = try #require(KMeansMethod(settings: settings).refitting(k: 4, seed: 2) as? KMeansMethod)
        #expect(latent.space == .latent)
    }

    @Test func loadStageReadsFilesAndWritesTheSideFilesItIsAskedFor() throws {
        let dir = Self.folder()
        var spec = JobSpec()
        spec.inputs = [Fixtures.dataset("lastfm-2k/user_artist_plays.csv.gz")]
        spec.rejects = dir + "/rejects.csv"
        spec.emptyIds = dir + "/empty.txt"
        let input = try SegmentationPipeline(spec: spec, progress: Self.quiet).load()
        #expect(input.audience.report.profiles == 1892 && input.rows == nil)
        #expect(FileManager.default.fileExists(atPath: dir + "/rejects.csv") && FileManager.default.fileExists(atPath: dir + "/empty.txt"))
    }

    @Test func miniBatchStreamsFromACacheAndOtherMethodsLoadIt() throws {
        let dir = Self.folder()
        let audience = try ProfileLoader(settings: LoaderSettings()).load([try Self.plantedFile(profiles: 1500, segments: 4)])
        try ProfileCache.save(audience, to: dir + "/a.tcache")
        var spec = JobSpec()
        spec.inputs = [dir + "/a.tcache"]
        spec.k = 4
        spec.kmeans.algorithm = .minibatch
        #expect(try SegmentationPipeline(spec: spec, progress: Self.quiet).load().streamed)
        spec.kmeans.algorithm = .lloyd
        let loaded = try SegmentationPipeline(spec: spec, progress: Self.quiet).load()
        #expect(!loaded.streamed && loaded.audience.matrix == audience.matrix)
    }

    /// A row source that hands its rows through and counts them: how many rows were materialised by
    /// one request at most, and in all.
    final class CountingRowSource: RowSource {
        let inner: RowSource
        private(set) var largestRequest = 0, rowsRead = 0, requests = 0
        init(_ inner: RowSource) { self.inner = inner }
        var rowCount: Int { inner.rowCount }
        var columnCount: Int { inner.columnCount }
        func rows(at indices: [Int]) throws -> ClusteringData { note(indices.count); return try inner.rows(at: indices) }
        func rows(_ range: Range<Int>) throws -> ClusteringData { note(range.count); return try inner.rows(range) }
        private func note(_ count: Int) {
            requests += 1
            rowsRead += count
            largestRequest = max(largestRequest, count)
        }
    }

    /// Mini-batch on a cache is the path for inputs larger than memory: the pipeline must leave the
    /// matrix on disk and the fit must read it through the cache reader a bounded number of rows at a
    /// time (batches of `batchSize`, an initial sample of 3 × batchSize, the final assignment in blocks of
    /// 65,536 rows), never all rows at once. The audience has more rows than the largest block, so a fit
    /// that gathered the whole matrix in one request, or read it some other way, fails here.
    @Test func miniBatchFromACacheReadsTheMatrixInBoundedBatchesNeverWhole() throws {
        let dir = Self.folder()
        // A planted audience of 1,400 profiles repeated 50 times (70,000 rows): loading 70,000 profiles
        // takes minutes in a debug build, repeating rows does not.
        let small = try ProfileLoader(settings: LoaderSettings()).load([try Self.plantedFile(profiles: 1400, segments: 6)])
        var audience = small
        let repeats = 50, m = small.matrix.rowCount
        audience.matrix = small.matrix.gatherRows((0..<(repeats * m)).map { $0 % m })
        audience.profileIds = (0..<(repeats * m)).map { "p\($0)" }
        audience.tags = ProfileTags(names: small.tags.names, rowStart: [Int](repeating: 0, count: repeats * m + 1), values: [])
        audience.attributes = ProfileAttributes(keys: [], rowStart: [Int](repeating: 0, count: repeats * m + 1), keyIndex: [], values: [])
        let n = audience.matrix.rowCount
        let largestBlock = 65_536
        #expect(n > largestBlock)
        try ProfileCache.save(audience, to: dir + "/a.tcache")
        var spec = JobSpec()
        spec.inputs = [dir + "/a.tcache"]
        spec.k = 6
        spec.seed = 2
        spec.kmeans.algorithm = .minibatch
        spec.kmeans.batchSize = 512
        let pipeline = try SegmentationPipeline(spec: spec, progress: Self.quiet)
        let input = try pipeline.load()
        // Ids, vocabulary and tags are read; the matrix is not (its rows are there, empty).
        #expect(input.audience.matrix.rowCount == n && input.audience.matrix.nonzeroCount == 0)
        #expect(input.audience.profileIds == audience.profileIds)
        let reader = try #require(input.rows as? CachedMatrixReader)
        let counting = CountingRowSource(reader)
        let fit = try pipeline.fit(LoadedInput(audience: input.audience, rows: counting, seconds: 0))
        #expect(counting.largestRequest <= max(3 * spec.kmeans.batchSize, largestBlock), "largest request \(counting.largestRequest) rows")
        #expect(counting.largestRequest < n)
        // Every row went through the reader (the final assignment reads each once), in several requests.
        #expect(counting.rowsRead >= n && counting.requests >= 3, "\(counting.rowsRead) rows in \(counting.requests) requests")
        #expect(fit.labels.count == n && fit.sizes.reduce(0, +) == n)
        // The streamed fit is the same fit as mini-batch over the matrix in memory (same rows, same seed).
        let settings = try #require(pipeline.method as? KMeansMethod).settings
        let inMemory = try MiniBatchKMeans.fit(InMemoryRowSource(.sparse(audience.matrix)), settings: settings)
        #expect(fit.labels == inMemory.labels)
    }

    @Test func eachStageOnPlantedData() throws {
        var spec = JobSpec()
        spec.inputs = [try Self.plantedFile(profiles: 3000, segments: 5)]
        spec.k = 5
        spec.seed = 3
        spec.stability = 2
        let pipeline = try SegmentationPipeline(spec: spec, progress: Self.quiet)
        let input = try pipeline.load()
        let fit = try pipeline.fit(input)
        #expect(fit.labels.count == input.audience.matrix.rowCount && fit.sizes.reduce(0, +) == fit.labels.count)
        #expect(fit.profiles.rowCount == 5 && fit.history.count == fit.iterations)
        let insights = try pipeline.describe(input.audience, fit)
        #expect(insights.segments.count == 5 && insights.segments.allSatisfy { !$0.label.isEmpty })
        let stability = try #require(try pipeline.stability(input.audience.matrix, fit))
        // Jaccard scores; most planted segments are found again in every bootstrap (the rest is what
        // stability is for).
        #expect(stability.count == 5 && stability.allSatisfy { (0...1).contains($0) }, "\(stability)")
        #expect(stability.filter { $0 > 0.9 }.count >= 3, "\(stability)")
        // The model places the training rows where the fit put them.
        let placed = try pipeline.method.place(input.audience.matrix, profiles: fit.profiles, space: fit.space)
        #expect(placed.segments == fit.labels)
        // Stability off: no re-fits at all.
        var off = spec
        off.stability = 0
        #expect(try SegmentationPipeline(spec: off, progress: Self.quiet).stability(input.audience.matrix, fit) == nil)
    }

    @Test func nmfPlacesTrainingRowsWithTheirSoftMembership() throws {
        var spec = JobSpec()
        spec.inputs = [try Self.plantedFile(profiles: 2000, segments: 4)]
        spec.method = .nmf
        spec.k = 4
        let pipeline = try SegmentationPipeline(spec: spec, progress: Self.quiet)
        let input = try pipeline.load()
        let fit = try pipeline.fit(input)
        let memberships = try #require(fit.memberships)
        #expect(memberships.map { Int32($0.segment) } == fit.labels)
        let placed = try pipeline.method.place(input.audience.matrix, profiles: fit.profiles, space: fit.space)
        let agreement = zip(placed.segments, fit.labels).filter { $0 == $1 }.count
        #expect(Double(agreement) / Double(fit.labels.count) > 0.99)
        #expect(placed.distances == nil && placed.memberships != nil)
    }

    /// The whole run: the folder holds every output, run.json's parameters are the job, and the model's
    /// metadata is the same job.
    @Test func runWritesTheFolderAndRecordsTheJobOnce() throws {
        let dir = Self.folder()
        var spec = JobSpec()
        spec.inputs = [try Self.plantedFile(profiles: 2000, segments: 4)]
        spec.k = 4
        spec.stability = 1
        spec.out = dir + "/run"
        spec.assignments = true
        spec.assets = Fixtures.packageRoot.appendingPathComponent("datasets/demo/assets.csv").path
        let (run, written) = try SegmentationPipeline(spec: spec, progress: Self.quiet).run()
        for name in ["segments.json", "run.json", "model.tessera", "assignments.csv", "wall.html"] {
            #expect(written.contains(dir + "/run/" + name), "\(name)")
        }
        #expect(run.gaps != nil)
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/run/run.json"))) as! [String: Any]
        let parameters = try JSONSerialization.data(withJSONObject: record["parameters"]!)
        #expect(try JSONDecoder().decode(JobSpec.self, from: parameters) == run.spec)
        let model = try SegmentModel.load(from: dir + "/run/model.tessera")
        #expect(model.metadata.parameters == run.spec)
        #expect(Set(run.timings.keys).isSuperset(of: ["load", "prepare", "init", "fit", "stability", "describe", "write", "total"]))
    }

    @Test func wallRedescribesASavedRunToTheSameSegments() throws {
        let dir = Self.folder()
        var spec = JobSpec()
        spec.inputs = [try Self.plantedFile(profiles: 2000, segments: 4)]
        spec.k = 4
        spec.stability = 0
        spec.out = dir + "/run"
        let (run, _) = try SegmentationPipeline(spec: spec, progress: Self.quiet).run()
        let again = try SegmentationPipeline.redescribe(directory: dir + "/run", assets: nil, partners: nil, aliases: nil, progress: Self.quiet)
        #expect(again.result.labels == run.result.labels)
        #expect(again.insights?.segments.map(\.label) == run.insights?.segments.map(\.label))
    }

    @Test func badJobsAreRefusedBeforeAnyWork() {
        var spec = JobSpec()
        spec.inputs = ["/nonexistent.jsonl"]
        spec.stability = 5_000
        #expect { try SegmentationPipeline(spec: spec, progress: Self.quiet) } throws: { ($0 as? InvalidJobSetting)?.key == "stability" }
        spec.stability = 1
        spec.method = .nmf
        spec.kmeans.algorithm = .minibatch
        #expect(throws: InvalidJobSetting.self) { try SegmentationPipeline(spec: spec, progress: Self.quiet) }
    }
}
