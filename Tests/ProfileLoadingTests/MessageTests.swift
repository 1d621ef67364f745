import Foundation
import Testing
import ProfileLoading

/// Messages say what happened in words: no Foundation error numbers, no invisible characters.
@Suite struct MessageTests {
    @Test func aByteOrderMarkOpeningTheFileIsSkipped() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let json = TestFiles.write(bom + Array((##"{"id": "a", "interests": ["#x"]}"## + "\n").utf8), name: "bom.jsonl")
        let a = try ProfileLoader.load([json])
        #expect(a.profileIds == ["a"] && a.rejects.isEmpty)
        let csv = TestFiles.write(bom + Array("id,interest\n1,#x\n".utf8), name: "bom.csv")
        let b = try ProfileLoader.load([csv])
        #expect(b.report.headerLines == 1 && b.profileIds == ["1"])
    }

    @Test func aByteOrderMarkElsewhereIsNamed() throws {
        let text = Array((##"{"id": "a", "interests": ["#x"]}"## + "\n").utf8) + [0xEF, 0xBB, 0xBF]
            + Array((##"{"id": "b", "interests": ["#y"]}"## + "\n").utf8)
        let path = TestFiles.write(text, name: "bom2.jsonl")
        let a = try ProfileLoader.load([path])
        #expect(a.rejects.map(\.line) == [2])
        #expect(a.rejects.first?.reason == "expected a JSON object starting with '{', found a byte-order mark (U+FEFF) at column 1")
    }

    @Test func unreadableInputsAreToldInWords() throws {
        let folder = TestFiles.folder()
        #expect(throws: LoadError.cannotOpen(file: folder + "/none.jsonl", reason: "No such file or directory")) {
            try ProfileLoader.load([folder + "/none.jsonl"])
        }
        #expect(throws: LoadError.cannotOpen(file: folder, reason: "it is a directory")) {
            try ProfileLoader.load([folder]) { $0.format = .jsonl }
        }
    }
}
