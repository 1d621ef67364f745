import Foundation
import Testing
import ProfileLoading

@Suite struct RejectsFileTests {
    @Test func rejectsFileIsWrittenAtomically() throws {
        let folder = TestFiles.folder()
        let path = folder + "/rejects.csv"
        try RejectsFile.write([Reject(file: "f.jsonl", line: 3, kind: .malformedJSON, reason: "bad, very", excerpt: "=cmd")], to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == "file,line,kind,reason,excerpt\nf.jsonl,3,malformed-json,\"bad, very\",'=cmd\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }
}
