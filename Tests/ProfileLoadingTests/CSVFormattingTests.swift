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

