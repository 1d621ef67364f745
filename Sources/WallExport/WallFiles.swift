import Foundation
import ProfileLoading

/// The files of one export, built in memory and then written atomically (see `WallExporter`).
public struct WallFile: Sendable {
    /// Path relative to the output folder (may contain one folder level, e.g. `miro-bulk/000.json`).
    public var path: String
    public var data: Data
    public init(path: String, data: Data) { self.path = path; self.data = data }
    public init(path: String, text: String) { self.init(path: path, data: Data(text.utf8)) }
}

enum JSONFiles {
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value) + Data("\n".utf8)
    }

    /// `items` in numbered batches of at most `size`: `folder/000.json`, `folder/001.json`, …
    /// A batch that cannot be encoded stops the export (an empty file would be imported as nothing).
    static func batches<T: Encodable>(_ items: [T], size: Int, folder: String) throws -> [WallFile] {
        try stride(from: 0, to: items.count, by: size).enumerated().map { number, start in
            let name = String(format: "%@/%03d.json", folder, number)
            return WallFile(path: name, data: try encode(Array(items[start..<min(items.count, start + size)])))
        }
    }
}
