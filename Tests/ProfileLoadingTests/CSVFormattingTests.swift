import Foundation
import Testing
import ProfileLoading

@Suite struct CSVFormattingTests {
    @Test(arguments: ["=SUM(A1)", "+1", "-2", "@cmd", "\tx", "\rx"])
    func formulaPrefixesAreNeutralised(cell: String) {
        let out = CSVFormatting.cell(cell)
        #expect(out.hasPrefix("'") || out.hasPrefix("\"'"))
    }

    @Test func quotingFollowsRFC4180() {
        #expect(CSVFormatting.cell("plain") == "plain")
        #expect(CSVFormatting.cell("a,b") == "\"a,b\"")
        #expect(CSVFormatting.cell("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVFormatting.cell("two\nlines") == "\"two\nlines\"")
        #expect(CSVFormatting.row(["a", "b,c"]) == "a,\"b,c\"\n")
    }

    @Test func rejectsFileIsWrittenAtomically() throws {
        let folder = TestFiles.folder()
        let path = folder + "/rejects.csv"
        try RejectsFile.write([Reject(file: "f.jsonl", line: 3, kind: "malformed-json", reason: "bad, very", excerpt: "=cmd")], to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == "file,line,kind,reason,excerpt\nf.jsonl,3,malformed-json,\"bad, very\",'=cmd\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }
}

@Suite struct SHA256Tests {
    func digest(_ text: String) -> String {
        var h = SHA256()
        h.update(Data(text.utf8))
        return h.hexDigest()
    }

    @Test func knownVectors() throws {
        #expect(digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // Fed in uneven pieces, a million 'a's give the FIPS 180-4 digest.
        var h = SHA256()
        let piece = Data(repeating: UInt8(ascii: "a"), count: 999)
        var fed = 0
        while fed + 999 <= 1_000_000 { h.update(piece); fed += 999 }
        h.update(Data(repeating: UInt8(ascii: "a"), count: 1_000_000 - fed))
        #expect(h.hexDigest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
