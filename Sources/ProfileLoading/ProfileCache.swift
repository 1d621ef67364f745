import Foundation
import CZlib
import LinearAlgebra
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A binary cache of a loaded audience, so re-runs skip parsing.
///
/// Layout (little-endian, version 3): a 64-byte header (`TESSERA\0` magic, version, section count,
/// payload length, CRC-32 of the whole file computed with its own four bytes as zero), a section
/// table (kind, offset, length), then sections each aligned to 64
/// bytes so that arrays can be memory-mapped in place: row starts (Int64), columns (Int32), values
/// (Float32), document frequencies (Int32), string tables (count, Int64 offsets, UTF-8 bytes) for
/// interests, profile ids, empty ids, tag names and attribute keys/values, tag and attribute CSR
/// arrays, and a JSON section with the settings, the report and the rejects.
public enum ProfileCache {
    package static let magic: [UInt8] = Array("TESSERA\0".utf8)
    /// Version 2: the checksum covers the header too (version 1 left it out, so a damaged header
    /// went unnoticed). Version 3: the settings record interest hygiene and the report its counts
    /// (a version 2 cache was built without hygiene). Other versions are refused with "reload from
    /// the source files".
    package static let version: UInt32 = 3
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
        var offset = align(headerSize + sections.count * tableEntrySize)
        var layout: [(padding: Int, payload: Payload)] = []
        var position = headerSize + sections.count * tableEntrySize
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
        var header = [UInt8](repeating: 0, count: headerSize)
        header.replaceSubrange(0..<8, with: magic)
        withUnsafeBytes(of: version.littleEndian) { header.replaceSubrange(8..<12, with: $0) }
        withUnsafeBytes(of: UInt32(sections.count).littleEndian) { header.replaceSubrange(12..<16, with: $0) }
        withUnsafeBytes(of: UInt64(total - headerSize).littleEndian) { header.replaceSubrange(16..<24, with: $0) }

        try AtomicFile.write(to: path) { out in
            // One pass: everything is written and checksummed together, the header with its
            // checksum slot still zero; the checksum then goes into that slot (`checksumRange`).
            var crc = crc32(0, nil, 0)
            let zeros = [UInt8](repeating: 0, count: alignment)
            func emit(_ bytes: UnsafeRawBufferPointer) throws {
                crc = update(crc, bytes)
                try out.write(bytes)
            }
            func pad(_ count: Int) throws {
                try zeros.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            }
            try header.withUnsafeBytes { try emit($0) }
            try table.withUnsafeBytes { try emit($0) }
            for (padding, payload) in layout {
                try pad(padding)
                try payload.withBytes { chunks in for chunk in chunks { try emit(chunk) } }
            }
            try pad(total - position)
            try withUnsafeBytes(of: UInt32(crc).littleEndian) { try out.overwrite($0, at: checksumRange.lowerBound) }
        }
        sections.removeAll()
    }

    /// Reads a cache written by `save`, checking magic, version, size and checksum, then that every
    /// part agrees with the others (a forged file is refused as surely as a damaged one).
    /// With `matrix: false` the matrix is left out (its rows are there but empty) — for jobs that stream
    /// the rows through `CachedMatrixReader` and only need ids, vocabulary, tags and the report.
    public static func load(from path: String, matrix includeMatrix: Bool = true) throws -> LoadedAudience {
        let data = try MappedFile.map(path)
        return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> LoadedAudience in
            let file = try CacheSectionReader(raw, path: path)
            let meta = try file.meta()
            guard meta.rowCount >= 0, meta.columnCount >= 0, meta.columnCount <= Int(Int32.max) else {
                throw file.damaged(.meta, "\(meta.rowCount) rows by \(meta.columnCount) columns")
            }
            let profileIds = try file.strings(.profileIds)
            let vocabulary = Vocabulary(interests: try file.strings(.interests), documentFrequencies: try file.array(.documentFrequencies, Int32.self))
            guard profileIds.count == meta.rowCount, vocabulary.interests.count == meta.columnCount,
                  vocabulary.documentFrequencies.count == meta.columnCount else {
                throw LoadError.cache("\(path): ids or vocabulary do not match the matrix; reload from the source files")
            }
            let matrix: CSRMatrix
            if includeMatrix {
                let rowStart = try file.offsets(.rowStart)
                guard rowStart.count == profileIds.count + 1 else { throw file.damaged(.rowStart, "\(rowStart.count) row starts for \(profileIds.count) rows") }
                matrix = try named(path, "profile matrix") {
                    try CSRMatrix(rowCount: meta.rowCount, columnCount: meta.columnCount, rowStart: rowStart,
                                  columns: try file.array(.columns, Int32.self), values: try file.array(.values, Float.self))
                }
            } else {
                matrix = CSRMatrix(zeroRows: meta.rowCount, columnCount: meta.columnCount)
            }
            let tagRowStart = try file.offsets(.tagRowStart)
            guard tagRowStart.count == profileIds.count + 1 else { throw file.damaged(.tagRowStart, "\(tagRowStart.count) row starts for \(profileIds.count) rows") }
            let tags = try named(path, "tags") {
                try ProfileTags(validating: try file.strings(.tagNames), rowStart: tagRowStart, values: try file.array(.tagValues, Int32.self))
            }
            let attributes = ProfileAttributes(keys: try file.strings(.attributeKeys), rowStart: try file.offsets(.attributeRowStart),
                                               keyIndex: try file.array(.attributeKeyIndex, Int32.self), values: try file.strings(.attributeValues))
            guard attributes.isConsistent(rowCount: profileIds.count) else {
                throw LoadError.cache("\(path): the attributes are damaged; reload from the source files")
            }
            return LoadedAudience(matrix: matrix, vocabulary: vocabulary, profileIds: profileIds, tags: tags, attributes: attributes,
                                  emptyProfileIds: try file.strings(.emptyProfileIds), rejects: meta.rejects, report: meta.report,
                                  settings: meta.settings)
        }
    }

    /// Refuses a cache built with interest hygiene set otherwise than `requested` asks: its vocabulary
    /// was made with the other rule, so reusing it would silently give the run the interests it
    /// asked to clean (or drop the ones it asked to keep). The other loader settings of a cache
    /// are adopted as they are, as they always were.
    public static func checkHygiene(of cached: LoaderSettings, requested: LoaderSettings, path: String) throws {
        let built = cached.normalization.interestHygiene, asked = requested.normalization.interestHygiene
        guard built != asked else { return }
        let how = built ? "with interest hygiene" : "without interest hygiene (--no-interest-hygiene)"
        let fix = asked
            ? "rebuild it from the source files (`tessera load FILES --cache \(path)`), or run with --no-interest-hygiene (job key normalization.interest_hygiene: false)"
            : "rebuild it from the source files with --no-interest-hygiene, or run without --no-interest-hygiene (job key normalization.interest_hygiene: true)"
        throw LoadError.cache("\(path) was built \(how) and this run asks for it \(asked ? "on" : "off"): \(fix)")
    }

    /// Runs `body`, turning a broken invariant of a matrix read from the cache into an error that
    /// names the file.
    static func named<T>(_ path: String, _ part: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as LinearAlgebraError {
            throw LoadError.cache("\(path): the \(part) is damaged (\(error)); reload from the source files")
        }
    }

    /// Whether a file is a profile cache (starts with the cache magic), so commands can accept a
    /// cache in place of inputs. Only regular files are looked at: reading the head of a pipe or
    /// a FIFO would take those bytes from the loader (or wait for a writer), so a stream is never
    /// a cache.
    public static func isCache(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: magic.count)
        let got = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        return got == magic.count && head == magic
    }

    static func align(_ n: Int) -> Int { (n + alignment - 1) / alignment * alignment }

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
