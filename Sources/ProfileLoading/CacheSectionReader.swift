import Foundation

/// Reads the sections of a mapped profile cache whose header and table `ProfileCache.sections`
/// has checked. Every count and offset inside a section is checked against the section's size
/// before use, so a forged file (one whose checksum was made to match) is refused with a message
/// naming the file and the section, never a trap.
struct CacheSectionReader {
    let raw: UnsafeRawBufferPointer
    let found: [UInt32: (offset: Int, length: Int)]
    let path: String

    init(_ raw: UnsafeRawBufferPointer, path: String) throws {
        self.raw = raw
        self.path = path
        found = try ProfileCache.sections(of: raw, path: path)
    }

    func damaged(_ section: ProfileCache.Section, _ what: String) -> LoadError {
        LoadError.cache("\(path): section \(section) is damaged (\(what)); reload from the source files")
    }

    /// The bytes of a section.
    func bytes(_ section: ProfileCache.Section) throws -> UnsafeRawBufferPointer {
        guard let (offset, length) = found[section.rawValue] else {
            throw LoadError.cache("\(path): section \(section) is missing; reload from the source files")
        }
        return UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + length)])
    }

    /// The JSON description section (settings, report, rejects).
    func meta() throws -> ProfileCache.Meta {
        do {
            return try JSONDecoder().decode(ProfileCache.Meta.self, from: Data(try bytes(.meta)))
        } catch let error as LoadError {
            throw error
        } catch {
            throw damaged(.meta, "its description cannot be decoded")
        }
    }

    /// A section of fixed-size little-endian numbers, copied out.
    func array<T>(_ section: ProfileCache.Section, _ type: T.Type) throws -> [T] {
        let bytes = try bytes(section)
        let stride = MemoryLayout<T>.stride
        guard bytes.count % stride == 0 else { throw damaged(section, "\(bytes.count) bytes is not a whole number of \(stride)-byte values") }
        let n = bytes.count / stride
        return [T](unsafeUninitializedCapacity: n) { buffer, initialized in
            if n > 0 { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: bytes) }
            initialized = n
        }
    }

    /// A section of Int64 offsets as `Int`s.
    func offsets(_ section: ProfileCache.Section) throws -> [Int] {
        try array(section, Int64.self).map { Int(Int64(littleEndian: $0)) }
    }

    /// A string table: count n (UInt64), n + 1 offsets (UInt64) into the text that follows, the
    /// UTF-8 text.
    func strings(_ section: ProfileCache.Section) throws -> [String] {
        let bytes = try bytes(section)
        guard bytes.count >= 16 else { throw damaged(section, "shorter than a string table's head") }
        let stored = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        // n + 1 offsets of 8 bytes each must fit after the count.
        guard stored <= UInt64(bytes.count - 8) / 8 - 1 else { throw damaged(section, "it claims \(stored) strings") }
        let n = Int(stored)
        let textStart = 8 + (n + 1) * 8
        let textLength = UInt64(bytes.count - textStart)
        func offset(_ i: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 + i * 8, as: UInt64.self)) }
        guard offset(0) == 0, offset(n) == textLength else { throw damaged(section, "its offsets do not span its text") }
        var result: [String] = []
        result.reserveCapacity(n)
        var previous = 0
        for i in 0..<n {
            let next = offset(i + 1)
            guard next >= UInt64(previous), next <= textLength else { throw damaged(section, "string \(i) has a bad offset") }
            result.append(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(textStart + previous)..<(textStart + Int(next))]), as: UTF8.self))
            previous = Int(next)
        }
        return result
    }
}
