import Foundation
import Testing
@testable import Tessera

@Suite struct SegmentsSchemaTests {
    @Test func schemaFileInTheRepositoryMatchesTheEmbeddedSchema() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/Tessera/Pipeline/segments.schema.v1.json")
        let onDisk = try String(contentsOf: url, encoding: .utf8)
        #expect(onDisk == SegmentsSchema.text + "\n")
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(onDisk.utf8)) as? [String: Any])
        // The document's version is the schema's.
        let version = ((schema["properties"] as? [String: Any])?["schema_version"] as? [String: Any])?["const"] as? Int
        #expect(version == SegmentsSchema.version)
    }
}
