import Foundation
import CZlib
import ProfileLoading

/// Temporary files and the shared datasets for loader tests.
enum TestFiles {
    /// A fresh temporary folder.
    static func folder() -> String {
        let path = NSTemporaryDirectory() + "tessera-tests-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes raw bytes to a new temporary file with the given name.
    static func write(_ bytes: [UInt8], name: String) -> String {
        let path = folder() + "/" + name
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    static func write(_ text: String, name: String) -> String { write(Array(text.utf8), name: name) }

    /// `datasets/<relative>` inside the package (real public data, copied with its provenance).
    static func dataset(_ relative: String) -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent("datasets/" + relative).path
    }
}

extension ProfileLoader {
    static func load(_ paths: [String], _ configure: (inout LoaderSettings) -> Void = { _ in }) throws -> LoadedAudience {
        var settings = LoaderSettings()
        configure(&settings)
        return try ProfileLoader(settings: settings).load(paths)
    }
}

extension LoadedAudience {
    /// Row of a profile id.
    func row(of id: String) -> Int? { profileIds.firstIndex(of: id) }

    /// The interests of a profile as a name → value map.
    func interests(of id: String) -> [String: Float] {
        guard let i = row(of: id) else { return [:] }
        var result: [String: Float] = [:]
        for p in matrix.range(ofRow: i) { result[vocabulary.interests[Int(matrix.columns[p])]] = matrix.values[p] }
        return result
    }
}

/// gzip members and CRC-32s made with zlib, for tests of compressed input and of checksums.
enum Zlib {
    /// `bytes` as one gzip member (RFC 1952), compressed at `level` (zlib's deflate, as `generate` writes them).
    static func gzip(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] { GzipMember.compress(bytes, level: level) }

    static func gzip(_ text: String) -> [UInt8] { gzip(Array(text.utf8)) }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(CZlib.crc32(0, $0.baseAddress, uInt($0.count))) }
    }
}
