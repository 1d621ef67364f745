import Foundation
import Testing
import TesseraTestSupport
@testable import Tessera

/// A job spread over ranks (threads here, Open MPI processes in the CLI tests) gives the same bytes
/// as one process: segments.json and assignments.csv, k-means and NMF.
@Suite struct SpreadRunTests {
    static let blockRows = 1024

    /// Runs `spec` over `ranks` threaded ranks; returns rank 0's run.
    static func runSpread(_ spec: JobSpec, ranks: Int) throws -> SegmentationRun {
        let results = try ThreadedCommunicatorGroup.run(ranks: ranks, blockRows: blockRows) { member in
            try SegmentationPipeline(spec: spec, progress: ProgressReporter(mode: .quiet), communicator: member).runOnRanks()?.run
        }
        #expect(results.dropFirst().allSatisfy { $0 == nil })
        return try #require(results[0])
    }

    static func spec(method: SegmentMethod, out: String) throws -> JobSpec {
        var spec = JobSpec()
        spec.inputs = [try SegmentationPipelineTests.plantedFile(profiles: 4000, segments: 6, seed: 9)]
        spec.k = 6
        spec.seed = 4
        spec.stability = 1
        spec.method = method
        spec.out = out
        spec.assignments = true
        return spec
    }

    static func bytes(_ folder: String, _ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
    }

    @Test(arguments: [SegmentMethod.kmeans, .nmf])
    func spreadRunsWriteTheSameSegmentsAsOneProcess(method: SegmentMethod) throws {
        let root = SegmentationPipelineTests.folder()
        var spec = try Self.spec(method: method, out: root + "/single")
        try RowBlocks.$rows.withValue(Self.blockRows) {
            _ = try SegmentationPipeline(spec: spec, progress: ProgressReporter(mode: .quiet)).run()
        }
        for ranks in [1, 2, 3] {
            spec.out = root + "/ranks\(ranks)"
            let run = try Self.runSpread(spec, ranks: ranks)
            for name in ["segments.json", "assignments.csv"] {
                #expect(try Self.bytes(spec.out, name) == Self.bytes(root + "/single", name), "\(name) differs on \(ranks) ranks")
            }
            let record = try #require(run.ranks)
            #expect(record.count == ranks && record.rowsPerRank.reduce(0, +) == run.result.labels.count)
            if ranks > 1 { #expect(record.rowsPerRank.allSatisfy { $0 > 0 } && record.bytesCommunicated >= 0) }
        }
    }

    /// The latent directions found on a sample (drawn by global row, gathered whole by every rank)
    /// give the same segments on 1, 2 and 3 ranks as on one process.
    @Test func sampledLatentSpaceGivesTheSameSegmentsOnAnyRanks() throws {
        let root = SegmentationPipelineTests.folder()
        var spec = try Self.spec(method: .kmeans, out: root + "/single")
        spec.kmeans.spaceSampleRows = 512
        spec.stability = 0
        let single = try RowBlocks.$rows.withValue(Self.blockRows) {
            try SegmentationPipeline(spec: spec, progress: ProgressReporter(mode: .quiet)).run().run
        }
        #expect(RunRecord(run: single, outputs: []).space.sampleRows == 512)
        for ranks in [1, 2, 3] {
            spec.out = root + "/ranks\(ranks)"
            let run = try Self.runSpread(spec, ranks: ranks)
            #expect(run.result.space == single.result.space)
            for name in ["segments.json", "assignments.csv"] {
                #expect(try Self.bytes(spec.out, name) == Self.bytes(root + "/single", name), "\(name) differs on \(ranks) ranks")
            }
        }
    }
}

@Suite struct SpreadRowsTests {
    @Test func encodedSizeIsTheEncodingsLength() {
        let x = Fixtures.clusteredSparse(rows: 300, columns: 50, groups: 3, seed: 2)
        #expect(SpreadRows.encodedSize(x) == SpreadRows.encode(x).count)
        #expect(SpreadRows.decode(SpreadRows.encode(x)) == x)
    }
}
