import Foundation
import Testing
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
                                                 vectorizer: FittedVectorizer(audience: audience)), centres: fit.profiles)
        let path = NSTemporaryDirectory() + "tessera-model-" + UUID().uuidString + ".tessera"
        try model.save(to: path)
        return (model, path)
    }

    @Test func roundTrip() throws {
        let (model, path) = try Self.savedModel()
        let loaded = try SegmentModel.load(from: path)
        #expect(loaded.centres == model.centres && loaded.metadata == model.metadata)
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
