import Foundation
import Testing
import LinearAlgebra
@testable import ProfileLoading

@Suite struct ProfileCacheTests {
    func sample() throws -> LoadedAudience {
        let text = """
        {"id": "a", "interests": ["#nba", "@espn"], "tags": ["lapsed"], "city": "Lyon"}
        {"id": "b", "interests": {"#yoga": 3, "café": 1}, "tags": ["customer", "vip"]}
        {"id": "c", "interests": []}
        broken
        """
        return try ProfileLoader.load([TestFiles.write(text + "\n", name: "c.jsonl")])
    }

    @Test func roundTripKeepsEverything() throws {
        let a = try sample()
        let path = TestFiles.folder() + "/a.tcache"
        try ProfileCache.save(a, to: path)
        #expect(ProfileCache.isCache(path))
        let b = try ProfileCache.load(from: path)
        #expect(b.matrix == a.matrix)
        #expect(b.vocabulary == a.vocabulary)
        #expect(b.profileIds == a.profileIds)
        #expect(b.tags == a.tags)
        #expect(b.attributes == a.attributes)
        #expect(b.emptyProfileIds == ["c"])
        #expect(b.rejects == a.rejects)
        #expect(b.report == a.report)
        #expect(b.settings == a.settings)
    }

    @Test func corruptionIsDetected() throws {
        let path = TestFiles.folder() + "/a.tcache"
        try ProfileCache.save(try sample(), to: path)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count / 2] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect { try ProfileCache.load(from: path) } throws: { "\($0)".contains("checksum") }
        try Data(bytes.prefix(bytes.count - 10)).write(to: URL(fileURLWithPath: path))
        #expect { try ProfileCache.load(from: path) } throws: { "\($0)".contains("truncated") }
        let other = TestFiles.write("{}", name: "x.tcache")
        #expect { try ProfileCache.load(from: other) } throws: { "\($0)".contains("not a Tessera profile cache") }
    }

    @Test func sectionsAreAlignedForMemoryMapping() throws {
        let path = TestFiles.folder() + "/a.tcache"
        try ProfileCache.save(try sample(), to: path)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let count = Int(bytes[12]) | Int(bytes[13]) << 8
        for s in 0..<count {
            let base = 64 + s * 24 + 8
            let offset = (0..<8).reduce(0) { $0 | Int(bytes[base + $1]) << (8 * $1) }
            #expect(offset % 64 == 0)
        }
    }

    // MARK: Damaged and forged caches

    func bytes(_ path: String) throws -> [UInt8] { try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) }

    /// Whether `b` holds what `a` holds (LoadedAudience is not Equatable: its parts are).
    func same(_ a: LoadedAudience, _ b: LoadedAudience) -> Bool {
        a.matrix == b.matrix && a.vocabulary == b.vocabulary && a.profileIds == b.profileIds && a.tags == b.tags
            && a.attributes == b.attributes && a.emptyProfileIds == b.emptyProfileIds && a.rejects == b.rejects
            && a.report == b.report && a.settings == b.settings
    }

    /// Writes `bytes` with a checksum made to match, as a forger would: what the checksum cannot
    /// catch must be caught by the checks of every value.
    func resealed(_ bytes: [UInt8], to path: String) throws {
        var sealed = bytes
        sealed.replaceSubrange(24..<28, with: [0, 0, 0, 0])
        let crc = Zlib.crc32(sealed)
        withUnsafeBytes(of: crc.littleEndian) { sealed.replaceSubrange(24..<28, with: $0) }
        try Data(sealed).write(to: URL(fileURLWithPath: path))
    }

    /// A flipped bit anywhere in the header (where the section count and payload length are) or in
    /// the body is refused with a `LoadError`, by `load` and by the row reader alike: never a trap,
    /// never an audience that differs from the one saved.
    @Test func everyFlippedBitIsRefused() throws {
        let folder = TestFiles.folder()
        let original = folder + "/a.tcache", damaged = folder + "/b.tcache"
        let audience = try sample()
        try ProfileCache.save(audience, to: original)
        let clean = try bytes(original)
        var bits = Array(0..<(min(512, clean.count) * 8))
        var generator = SeededGenerator(seed: 1952)
        for _ in 0..<500 { bits.append(Int.random(in: (512 * 8)..<(clean.count * 8), using: &generator)) }
        var refused = 0
        // One copy of the file, one byte changed in place and put back for each bit.
        try Data(clean).write(to: URL(fileURLWithPath: damaged))
        let fd = open(damaged, O_WRONLY)
        defer { close(fd) }
        func put(_ byte: UInt8, at offset: Int) { withUnsafeBytes(of: byte) { _ = pwrite(fd, $0.baseAddress, 1, off_t(offset)) } }
        for bit in bits {
            put(clean[bit / 8] ^ (UInt8(1) << UInt8(bit % 8)), at: bit / 8)
            defer { put(clean[bit / 8], at: bit / 8) }
            do {
                let loaded = try ProfileCache.load(from: damaged)
                #expect(same(loaded, audience), "bit \(bit) (byte \(bit / 8)) was accepted and changed the audience")
            } catch is LoadError {
                refused += 1
            } catch {
                Issue.record("bit \(bit) (byte \(bit / 8)): \(error) is not a LoadError")
            }
            do {
                let rows = try CachedMatrixReader(path: damaged)
                #expect(try rows.rows(0..<rows.rowCount) == audience.matrix, "bit \(bit): the row reader accepted it and read other rows")
            } catch is LoadError {
            } catch {
                Issue.record("bit \(bit) (byte \(bit / 8)), row reader: \(error) is not a LoadError")
            }
        }
        #expect(refused == bits.count, "a CRC-32 over the whole file catches every single-bit flip")
    }

    @Test func anOldVersionIsRefusedWithWhatToDo() throws {
        let path = TestFiles.folder() + "/a.tcache"
        try ProfileCache.save(try sample(), to: path)
        var old = try bytes(path)
        old[8] = 1   // version 1: its checksum left the header out
        try resealed(old, to: path)
        #expect(throws: LoadError.cache("\(path) has cache version 1; this Tessera reads version 3: reload from the source files")) {
            try ProfileCache.load(from: path)
        }
    }

    /// Header and table values far out of range, with a checksum that matches: refused by checks
    /// done in the values' own unsigned types (no `Int(...)` trap, no read past the file).
    @Test func forgedHeaderAndTableValuesAreRefused() throws {
        let path = TestFiles.folder() + "/a.tcache"
        try ProfileCache.save(try sample(), to: path)
        let clean = try bytes(path)
        func forged(_ edit: (inout [UInt8]) -> Void) throws -> String {
            var b = clean
            edit(&b)
            try resealed(b, to: path)
            do {
                _ = try ProfileCache.load(from: path)
                Issue.record("a forged cache was accepted")
                return ""
            } catch let error as LoadError {
                // The row reader reads only the matrix: it may not notice damage elsewhere, but
                // never traps (a forged matrix is the last case below).
                do {
                    let reader = try CachedMatrixReader(path: path)
                    _ = try reader.rows(0..<reader.rowCount)
                } catch is LoadError {}
                #expect("\(error)".contains(path), "\(error)")
                return "\(error)"
            }
        }
        func put<T: FixedWidthInteger>(_ value: T, at offset: Int, in b: inout [UInt8]) {
            withUnsafeBytes(of: value.littleEndian) { b.replaceSubrange(offset..<(offset + MemoryLayout<T>.size), with: $0) }
        }
        #expect(try forged { put(UInt64.max, at: 16, in: &$0) }.contains("truncated"))          // payload length above Int.max
        #expect(try forged { put(UInt64(1) << 40, at: 16, in: &$0) }.contains("truncated"))
        #expect(try forged { put(UInt32.max, at: 12, in: &$0) }.contains("section table is damaged"))   // 64 + s * 24 past the file
        #expect(try forged { put(UInt64.max, at: 64 + 8, in: &$0) }.contains("runs past the end"))      // first section's offset
        #expect(try forged { put(UInt64.max - 10, at: 64 + 16, in: &$0) }.contains("runs past the end")) // offset + length wraps
        #expect(try forged { put(UInt32(ProfileCache.Section.interests.rawValue), at: 64 + 24, in: &$0) }.contains("appears twice"))
        // A string table claiming 2^64 − 1 strings.
        let table = Int(ProfileCache.Section.profileIds.rawValue - 1)
        let idsOffset = Int(UInt64(littleEndian: clean.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 64 + table * 24 + 8, as: UInt64.self) }))
        #expect(try forged { put(UInt64.max, at: idsOffset, in: &$0) }.contains("section profileIds is damaged"))
        // A row start that goes backwards: the matrix check names the file, not just "invalid CSR matrix".
        let rowStarts = Int(ProfileCache.Section.rowStart.rawValue - 1)
        let rowStartOffset = Int(UInt64(littleEndian: clean.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 64 + rowStarts * 24 + 8, as: UInt64.self) }))
        let message = try forged { put(Int64(-5), at: rowStartOffset + 8, in: &$0) }
        #expect(message.contains("\(path): the profile matrix is damaged (invalid CSR matrix") && message.contains("reload from the source files"), "\(message)")
        #expect(throws: LoadError.self) { _ = try CachedMatrixReader(path: path).rows(0..<2) }
        // A row count in the description that disagrees with the ids.
        let meta = String(decoding: clean, as: UTF8.self)
        #expect(meta.contains("\"rowCount\":2"))
        let forgedCount = try forged { b in
            let range = b.firstRange(of: Array("\"rowCount\":2".utf8))!
            b.replaceSubrange(range, with: Array("\"rowCount\":9".utf8))
        }
        #expect(forgedCount.contains("do not match"), "\(forgedCount)")
    }

    @Test func aMissingOrUnreadableCacheIsToldInWords() throws {
        let folder = TestFiles.folder()
        #expect(throws: LoadError.cannotOpen(file: folder + "/none.tcache", reason: "No such file or directory")) {
            try ProfileCache.load(from: folder + "/none.tcache")
        }
        #expect(throws: LoadError.cannotOpen(file: folder, reason: "it is a directory")) { try ProfileCache.load(from: folder) }
        #expect(throws: LoadError.cannotOpen(file: folder + "/none.tcache", reason: "No such file or directory")) {
            try CachedMatrixReader(path: folder + "/none.tcache")
        }
        // Writing into a folder that is a file: the reason in words, naming the folder.
        _ = FileManager.default.createFile(atPath: folder + "/blocker", contents: Data())
        #expect { try ProfileCache.save(try sample(), to: folder + "/blocker/a.tcache") } throws: { error in
            let text = "\(error)"
            return text.contains("blocker") && !text.contains("NSCocoaErrorDomain") && text.contains("is a file, not a folder")
        }
    }
}
