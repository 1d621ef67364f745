import Foundation
import Testing
@testable import WallExport

@Suite struct JSONBatchesTests {
    @Test func itemsAreSplitIntoNumberedBatches() throws {
        let files = try JSONFiles.batches(Array(0..<45), size: 20, folder: "board")
        #expect(files.map(\.path) == ["board/000.json", "board/001.json", "board/002.json"])
        let counts = try files.map { try JSONDecoder().decode([Int].self, from: $0.data).count }
        #expect(counts == [20, 20, 5])
    }

    /// A batch that cannot be encoded (JSON has no NaN) stops the export instead of leaving an empty
    /// file that a board import would read as nothing.
    @Test func aBatchThatCannotBeEncodedThrows() {
        #expect(throws: EncodingError.self) {
            try JSONFiles.batches([1.0, .nan], size: 20, folder: "board")
        }
    }
}
