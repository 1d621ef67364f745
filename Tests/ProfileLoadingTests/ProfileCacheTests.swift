import Foundation
import Testing
import ProfileLoading

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
}
