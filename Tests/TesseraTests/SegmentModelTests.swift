import Foundation
import Testing
import Crypto
import TesseraTestSupport
@testable import Tessera

@Suite struct SegmentModelTests {
    static func savedModel() throws -> (SegmentModel, String) {
        let (audience, _) = try Fixtures.planted(profiles: 600, segments: 3, interests: 400)
        var spec = JobSpec()
        spec.inputs = ["x"]
        spec.k = 3
        let fit = try spec.segmentationMethod().fit(audience.matrix, rows: nil, progress: ProgressReporter(mode: .quiet))
        let model = SegmentModel(metadata: .init(tesseraVersion: TesseraVersion.current, parameters: spec,
                                                 vectorizer: FittedVectorizer(audience: audience)), centres: fit.profiles, space: fit.space)
        let path = NSTemporaryDirectory() + "tessera-model-" + UUID().uuidString + ".tessera"
        try model.save(to: path)
        return (model, path)
    }

    @Test func roundTrip() throws {
        let (model, path) = try Self.savedModel()
        let loaded = try SegmentModel.load(from: path)
        #expect(loaded.centres == model.centres && loaded.metadata == model.metadata)
        // The default k-means finds segments in the latent space, and the model carries it.
        let space = try #require(model.space)
        #expect(loaded.space == space)
        #expect(space.space.interestCount == model.centres.columnCount && space.centres.rowCount == 3)
    }

    /// A saved model places the rows it was fitted on into the segments the fit gave them: the
    /// projection and the latent centres come back from the file and are used.
    @Test func placesTrainingRowsThroughItsLatentSpace() throws {
        let (audience, _) = try Fixtures.planted(profiles: 600, segments: 3, interests: 400)
        var spec = JobSpec()
        spec.k = 3
        let method = spec.segmentationMethod()
        let fit = try method.fit(audience.matrix, rows: nil, progress: ProgressReporter(mode: .quiet))
        let model = SegmentModel(metadata: .init(tesseraVersion: TesseraVersion.current, parameters: spec,
                                                 vectorizer: FittedVectorizer(audience: audience)), centres: fit.profiles, space: fit.space)
        let path = NSTemporaryDirectory() + "tessera-model-" + UUID().uuidString + ".tessera"
        try model.save(to: path)
        let loaded = try SegmentModel.load(from: path)
        let placed = try loaded.method.place(audience.matrix, profiles: loaded.centres, space: loaded.space)
        #expect(placed.segments == fit.labels)
        // Without the space, the interest profiles give other placements for some rows, so the space matters.
        #expect(loaded.space != nil)
    }

    /// A model written by the previous version (2: no latent space) is still read.
    @Test func readsVersionTwoModels() throws {
        let (audience, _) = try Fixtures.planted(profiles: 300, segments: 2, interests: 400)
        var spec = JobSpec()
        spec.k = 2
        spec.kmeans.space = .interests
        let fit = try spec.segmentationMethod().fit(audience.matrix, rows: nil, progress: ProgressReporter(mode: .quiet))
        let model = SegmentModel(metadata: .init(tesseraVersion: TesseraVersion.current, parameters: spec,
                                                 vectorizer: FittedVectorizer(audience: audience)), centres: fit.profiles)
        let path = NSTemporaryDirectory() + "tessera-model-" + UUID().uuidString + ".tessera"
        try model.save(to: path)
        // Rewrite as version 2: drop the r field (8 bytes before the digest), set the version, re-digest.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes = bytes.prefix(bytes.count - 32 - 8)
        bytes.replaceSubrange(8..<12, with: withUnsafeBytes(of: UInt32(2).littleEndian) { Data($0) })
        bytes.append(contentsOf: SHA256.hash(data: bytes))
        try bytes.write(to: URL(fileURLWithPath: path))
        let loaded = try SegmentModel.load(from: path)
        #expect(loaded.space == nil && loaded.centres == model.centres)
    }

    /// Every single-bit flip in the header, the metadata and a sample of the body is refused with a
    /// ModelError: never a trap, never a model that silently differs.
    @Test func everyBitFlipIsRefused() throws {
        let (_, path) = try Self.savedModel()
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        var offsets = Array(0..<min(original.count, 256))
        var rng = SeededGenerator(seed: 4)
        for _ in 0..<200 { offsets.append(Int(rng.next() % UInt64(original.count))) }
        let damaged = path + ".damaged"
        for offset in offsets {
            for bit in [0, 3, 7] {
                var bytes = original
                bytes[offset] ^= UInt8(1 << bit)
                try bytes.write(to: URL(fileURLWithPath: damaged))
                #expect(throws: ModelError.self, "byte \(offset) bit \(bit)") { try SegmentModel.load(from: damaged) }
            }
        }
        // Truncated anywhere: refused.
        for length in [0, 7, 31, 64, original.count - 33, original.count - 1] {
            try original.prefix(length).write(to: URL(fileURLWithPath: damaged))
            #expect(throws: ModelError.self) { try SegmentModel.load(from: damaged) }
        }
    }
}

@Suite struct ExitStatusTests {
    /// The documented codes: 1 bad input, 2 usage, 3 nothing to segment.
    @Test func theTable() {
        let cases: [(any TesseraError, Tessera.ExitStatus)] = [
            (LoadError.cannotOpen(file: "a", reason: "b"), .badInput),
            (LoadError.invalidSetting("x"), .usage),
            (ModelError(file: "m", reason: "r"), .badInput),
            (ClusteringError.tooFewRows("x"), .nothingToSegment),
            (FactorizationError.tooFewRows("x"), .nothingToSegment),
            (ClusteringError.invalidSettings("x"), .usage),
            (InvalidJobSetting(key: "k", expected: "e", got: "g"), .usage),
            (JobFileError(file: "f", message: "m"), .usage),
            (CatalogError(file: "c", line: 2, message: "m"), .badInput),
        ]
        for (error, status) in cases { #expect(error.exitStatus == status, "\(error)") }
    }
}
