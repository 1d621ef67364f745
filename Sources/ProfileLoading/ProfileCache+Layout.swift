import CZlib

extension ProfileCache {
    /// Bytes of the header; the section table follows it.
    static let headerSize = 64
    /// Bytes of one section-table entry: kind (UInt32), reserved (4), offset (UInt64), length (UInt64).
    static let tableEntrySize = 24
    /// Where the CRC-32 sits in the header; it is computed with these four bytes read as zero.
    static let checksumRange = 24..<28
    /// More sections than any version writes: a larger count is damage, refused before it is used.
    static let maximumSectionCount = 64

    /// Checks magic, version, size, checksum and section table of a mapped cache; returns each
    /// section's (offset, length), both within the file.
    ///
    /// Every header and table value is read as the unsigned number it is stored as and compared in
    /// that type before it becomes an `Int`, so a damaged or hostile file is refused with a message,
    /// never a trap or a read past the mapping. The checksum covers the whole file, header included.
    static func sections(of raw: UnsafeRawBufferPointer, path: String) throws -> [UInt32: (offset: Int, length: Int)] {
        guard raw.count >= headerSize, raw.starts(with: magic) else {
            throw LoadError.cache("\(path) is not a Tessera profile cache")
        }
        let fileVersion = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        guard fileVersion == version else {
            throw LoadError.cache("\(path) has cache version \(fileVersion); this Tessera reads version \(version): reload from the source files")
        }
        let count = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
        let payloadLength = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        let expected = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: checksumRange.lowerBound, as: UInt32.self))
        let actualPayload = UInt64(raw.count - headerSize)
        guard payloadLength <= actualPayload else {
            throw LoadError.cache("\(path) is \(raw.count) bytes but its header announces \(payloadLength) bytes after the \(headerSize)-byte header: the file is truncated or its header is damaged; reload from the source files")
        }
        guard payloadLength == actualPayload else {
            throw LoadError.cache("\(path) is \(raw.count) bytes but its header announces \(payloadLength) bytes after the \(headerSize)-byte header: the file has bytes after its end or its header is damaged; reload from the source files")
        }
        guard checksum(of: raw) == expected else {
            throw LoadError.cache("\(path) fails its checksum: the file is corrupt; reload from the source files")
        }
        // From here on the bytes are as written, unless the file was forged with a matching
        // checksum: the table is still checked value by value.
        guard count <= maximumSectionCount, headerSize + Int(count) * tableEntrySize <= raw.count else {
            throw LoadError.cache("\(path): the section table is damaged (\(count) sections); reload from the source files")
        }
        var found: [UInt32: (offset: Int, length: Int)] = [:]
        let fileSize = UInt64(raw.count)
        for s in 0..<Int(count) {
            let base = headerSize + s * tableEntrySize
            let kind = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: base, as: UInt32.self))
            let offset = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: base + 8, as: UInt64.self))
            let length = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: base + 16, as: UInt64.self))
            guard offset <= fileSize, length <= fileSize - offset else {
                throw LoadError.cache("\(path): section \(Section(rawValue: kind).map { "\($0)" } ?? "\(kind)") runs past the end of the file; reload from the source files")
            }
            guard found[kind] == nil else {
                throw LoadError.cache("\(path): section \(Section(rawValue: kind).map { "\($0)" } ?? "\(kind)") appears twice; reload from the source files")
            }
            found[kind] = (Int(offset), Int(length))
        }
        return found
    }

    /// CRC-32 of the whole file with the checksum field read as zero (as it was when computed).
    static func checksum(of raw: UnsafeRawBufferPointer) -> UInt32 {
        var crc = crc32(0, nil, 0)
        crc = update(crc, UnsafeRawBufferPointer(rebasing: raw[0..<checksumRange.lowerBound]))
        let zeros: [UInt8] = [0, 0, 0, 0]
        crc = zeros.withUnsafeBytes { update(crc, $0) }
        crc = update(crc, UnsafeRawBufferPointer(rebasing: raw[checksumRange.upperBound...]))
        return UInt32(crc)
    }

    /// Continues a CRC-32 over `bytes` (in pieces below zlib's 32-bit length limit).
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
}
