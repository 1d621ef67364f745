import Foundation
import CZlib
import LinearAlgebra

/// A binary cache of a loaded audience, so re-runs skip parsing.
///
/// Layout (little-endian, version 1): a 64-byte header (`TESSERA\0` magic, version, section count,
/// payload length, CRC-32 of the payload), a section table, then sections each aligned to 64
/// bytes so that arrays can be memory-mapped in place: row starts (Int64), columns (Int32), values
/// (Float32), document frequencies (Int32), string tables (count, Int64 offsets, UTF-8 bytes) for
/// interests, profile ids, empty ids, tag names and attribute keys/values, tag and attribute CSR
/// arrays, and a JSON section with the settings, the report and the rejects.
public enum ProfileCache {
    package static let magic: [UInt8] = Array("TESSERA\0".utf8)
    package static let version: UInt32 = 1
    static let alignment = 64

    enum Section: UInt32, CaseIterable {
        case meta = 1, rowStart, columns, values, interests, documentFrequencies, profileIds, emptyProfileIds
        case tagNames, tagRowStart, tagValues, attributeKeys, attributeRowStart, attributeKeyIndex, attributeValues
    }

    struct Meta: Codable {
        var rowCount: Int
        var columnCount: Int
        var settings: LoaderSettings
        var report: LoadReport
        var rejects: [Reject]
    }

    /// Writes `audience` to `path` atomically.
    public static func save(_ audience: LoadedAudience, to path: String) throws {
        let meta = Meta(rowCount: audience.matrix.rowCount, columnCount: audience.matrix.columnCount,
                        settings: audience.settings, report: audience.report, rejects: audience.rejects)
        let metaJSON = try JSONEncoder().encode(meta)
        let m = audience.matrix
        var sections: [(Section, Payload)] = [
            (.meta, .bytes([UInt8](metaJSON))),
            (.rowStart, .int64(m.rowStart.map { Int64($0) })),
            (.columns, .int32(m.columns)),
            (.values, .float(m.values)),
            (.interests, .strings(audience.vocabulary.interests)),
            (.documentFrequencies, .int32(audience.vocabulary.documentFrequencies)),
            (.profileIds, .strings(audience.profileIds)),
            (.emptyProfileIds, .strings(audience.emptyProfileIds)),
            (.tagNames, .strings(audience.tags.names)),
            (.tagRowStart, .int64(audience.tags.rowStart.map { Int64($0) })),
            (.tagValues, .int32(audience.tags.values)),
            (.attributeKeys, .strings(audience.attributes.keys)),
            (.attributeRowStart, .int64(audience.attributes.rowStart.map { Int64($0) })),
            (.attributeKeyIndex, .int32(audience.attributes.keyIndex)),
            (.attributeValues, .strings(audience.attributes.values)),
        ]
        // Section table: offsets relative to the file start.
        var table = [UInt8]()
        var offset = align(64 + sections.count * 24)
        var layout: [(padding: Int, payload: Payload)] = []
        var position = 64 + sections.count * 24
        for (kind, payload) in sections {
            withUnsafeBytes(of: kind.rawValue.littleEndian) { table.append(contentsOf: $0) }
            table.append(contentsOf: [0, 0, 0, 0])
            withUnsafeBytes(of: UInt64(offset).littleEndian) { table.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt64(payload.byteCount).littleEndian) { table.append(contentsOf: $0) }
            layout.append((offset - position, payload))
            position = offset + payload.byteCount
            offset = align(position)
        }
        let total = offset
        var header = [UInt8](repeating: 0, count: 64)
        header.replaceSubrange(0..<8, with: magic)
        withUnsafeBytes(of: version.littleEndian) { header.replaceSubrange(8..<12, with: $0) }
        withUnsafeBytes(of: UInt32(sections.count).littleEndian) { header.replaceSubrange(12..<16, with: $0) }
        withUnsafeBytes(of: UInt64(total - 64).littleEndian) { header.replaceSubrange(16..<24, with: $0) }

        try AtomicFile.write(to: path) { out in
            // One pass: everything after the header is written and checksummed together; the
            // checksum then goes into the header's slot (bytes 24..<28).
            var crc = crc32(0, nil, 0)
            let zeros = [UInt8](repeating: 0, count: alignment)
            func emit(_ bytes: UnsafeRawBufferPointer) throws {
                crc = update(crc, bytes)
                try out.write(bytes)
            }
            func pad(_ count: Int) throws {
                try zeros.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            }
            try header.withUnsafeBytes { try out.write($0) }
            try table.withUnsafeBytes { try emit($0) }
            for (padding, payload) in layout {
                try pad(padding)
                try payload.withBytes { chunks in for chunk in chunks { try emit(chunk) } }
            }
            try pad(total - position)
            try withUnsafeBytes(of: UInt32(crc).littleEndian) { try out.overwrite($0, at: 24) }
        }
        sections.removeAll()
    }

    /// Reads a cache written by `save`, checking magic, version, size and checksum.
    /// With `matrix: false` the matrix is left out (its rows are there but empty) — for jobs that stream
    /// the rows through `CachedMatrixReader` and only need ids, vocabulary, tags and the report.
    public static func load(from path: String, matrix includeMatrix: Bool = true) throws -> LoadedAudience {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            throw LoadError.cannotOpen(file: path, reason: error.localizedDescription)
        }
        return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> LoadedAudience in
            let found = try sections(of: raw, path: path)
            func section(_ s: Section) throws -> UnsafeRawBufferPointer {
                guard let (offset, length) = found[s.rawValue] else { throw LoadError.cache("\(path): section \(s) is missing") }
                return UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + length)])
            }
            func array<T>(_ s: Section, _ type: T.Type) throws -> [T] {
                let bytes = try section(s)
                let n = bytes.count / MemoryLayout<T>.stride
                return [T](unsafeUninitializedCapacity: n) { buffer, initialized in
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<(n * MemoryLayout<T>.stride)]))
                    initialized = n
                }
            }
            func strings(_ s: Section) throws -> [String] {
                let bytes = try section(s)
                guard bytes.count >= 8 else { throw LoadError.cache("\(path): string table \(s) is too short") }
                let n = Int(bytes.loadUnaligned(as: UInt64.self).littleEndian)
                let textStart = 8 + (n + 1) * 8
                guard textStart <= bytes.count else { throw LoadError.cache("\(path): string table \(s) is damaged") }
                var result: [String] = []
                result.reserveCapacity(n)
                var previous = Int(bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self).littleEndian)
                for i in 0..<n {
                    let next = Int(bytes.loadUnaligned(fromByteOffset: 8 + (i + 1) * 8, as: UInt64.self).littleEndian)
                    guard previous <= next, textStart + next <= bytes.count else { throw LoadError.cache("\(path): string table \(s) is damaged") }
                    result.append(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(textStart + previous)..<(textStart + next)]), as: UTF8.self))
                    previous = next
                }
                return result
            }
            let meta = try JSONDecoder().decode(Meta.self, from: Data(try section(.meta)))
            let matrix = includeMatrix
                ? try CSRMatrix(rowCount: meta.rowCount, columnCount: meta.columnCount,
                                rowStart: try array(.rowStart, Int64.self).map { Int($0) },
                                columns: try array(.columns, Int32.self), values: try array(.values, Float.self))
                : CSRMatrix(zeroRows: meta.rowCount, columnCount: meta.columnCount)
            let audience = LoadedAudience(
                matrix: matrix,
                vocabulary: Vocabulary(interests: try strings(.interests), documentFrequencies: try array(.documentFrequencies, Int32.self)),
                profileIds: try strings(.profileIds),
                tags: try ProfileTags(validating: try strings(.tagNames), rowStart: try array(.tagRowStart, Int64.self).map { Int($0) },
                                      values: try array(.tagValues, Int32.self)),
                attributes: ProfileAttributes(keys: try strings(.attributeKeys),
                                              rowStart: try array(.attributeRowStart, Int64.self).map { Int($0) },
                                              keyIndex: try array(.attributeKeyIndex, Int32.self), values: try strings(.attributeValues)),
                emptyProfileIds: try strings(.emptyProfileIds), rejects: meta.rejects, report: meta.report, settings: meta.settings)
            guard audience.profileIds.count == matrix.rowCount, audience.vocabulary.count == matrix.columnCount else {
                throw LoadError.cache("\(path): ids or vocabulary do not match the matrix")
            }
            return audience
        }
    }

    /// Checks magic, version, size and checksum of a mapped cache; returns each section's (offset, length).
    static func sections(of raw: UnsafeRawBufferPointer, path: String) throws -> [UInt32: (Int, Int)] {
        guard raw.count >= 64, Array(raw[0..<8]) == magic else {
            throw LoadError.cache("\(path) is not a Tessera profile cache")
        }
        let fileVersion = raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian
        guard fileVersion == version else {
            throw LoadError.cache("\(path) has cache version \(fileVersion); this Tessera reads version \(version): reload from the source files")
        }
        let count = Int(raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self).littleEndian)
        let payloadLength = Int(raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self).littleEndian)
        let expected = raw.loadUnaligned(fromByteOffset: 24, as: UInt32.self).littleEndian
        guard raw.count == 64 + payloadLength else {
            throw LoadError.cache("\(path) is \(raw.count) bytes, expected \(64 + payloadLength): the file is truncated")
        }
        let actual = UInt32(update(crc32(0, nil, 0), UnsafeRawBufferPointer(rebasing: raw[64...])))
        guard actual == expected else { throw LoadError.cache("\(path) fails its checksum: the file is corrupt; reload from the source files") }
        var found: [UInt32: (Int, Int)] = [:]
        for s in 0..<count {
            let base = 64 + s * 24
            let kind = raw.loadUnaligned(fromByteOffset: base, as: UInt32.self).littleEndian
            let offset = Int(raw.loadUnaligned(fromByteOffset: base + 8, as: UInt64.self).littleEndian)
            let length = Int(raw.loadUnaligned(fromByteOffset: base + 16, as: UInt64.self).littleEndian)
            guard offset + length <= raw.count else { throw LoadError.cache("\(path): section \(kind) runs past the end") }
            found[kind] = (offset, length)
        }
        return found
    }

    /// Whether a file starts with the cache magic (so commands can accept a cache in place of inputs).
    public static func isCache(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 8)) ?? Data()
        return Array(head) == magic
    }

    static func align(_ n: Int) -> Int { (n + alignment - 1) / alignment * alignment }

    static func update(_ crc: UInt, _ bytes: UnsafeRawBufferPointer) -> UInt {
        var crc = crc
        var offset = 0
        while offset < bytes.count {
            let n = min(bytes.count - offset, 1 << 30)
            crc = crc32(crc, bytes.baseAddress!.advanced(by: offset).assumingMemoryBound(to: Bytef.self), uInt(n))
            offset += n
        }
        return crc
    }

    /// A section's contents, viewable as raw byte chunks without copying arrays.
    enum Payload {
        case bytes([UInt8]), int64([Int64]), int32([Int32]), float([Float]), strings([String])

        var byteCount: Int {
            switch self {
            case let .bytes(b): return b.count
            case let .int64(a): return a.count * 8
            case let .int32(a): return a.count * 4
            case let .float(a): return a.count * 4
            case let .strings(s): return 8 + (s.count + 1) * 8 + s.reduce(0) { $0 + $1.utf8.count }
            }
        }

        func withBytes<R>(_ body: ([UnsafeRawBufferPointer]) throws -> R) rethrows -> R {
            switch self {
            case let .bytes(b): return try b.withUnsafeBytes { try body([$0]) }
            case let .int64(a): return try a.withUnsafeBytes { try body([$0]) }
            case let .int32(a): return try a.withUnsafeBytes { try body([$0]) }
            case let .float(a): return try a.withUnsafeBytes { try body([$0]) }
            case let .strings(s):
                var head: [UInt64] = [UInt64(s.count).littleEndian, 0]
                var text: [UInt8] = []
                text.reserveCapacity(s.reduce(0) { $0 + $1.utf8.count })
                for string in s {
                    text.append(contentsOf: string.utf8)
                    head.append(UInt64(text.count).littleEndian)
                }
                return try head.withUnsafeBytes { h in try text.withUnsafeBytes { t in try body([h, t]) } }
            }
        }
    }
}
