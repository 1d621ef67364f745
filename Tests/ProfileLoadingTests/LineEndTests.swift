import Foundation
import Testing
import ProfileLoading

/// LF, CRLF and a lone CR (old Mac files) all end a line, in edge lists and JSON Lines alike, at
/// every place a block can be cut; CRLF stays one line end.
@Suite struct LineEndTests {
    /// Lines joined by `end`, with a final `end`.
    static func join(_ lines: [String], _ end: String) -> String { lines.map { $0 + end }.joined() }

    @Test(arguments: [false, true])
    func aCROnlyEdgeListLoadsLineByLine(strict: Bool) throws {
        let path = TestFiles.write(Self.join(["id,interest", "1,#a", "2,#b", "2,#c"], "\r"), name: "mac.csv")
        let a = try ProfileLoader.load([path]) { $0.strict = strict }
        #expect(a.report.headerLines == 1)
        #expect(a.report.linesRead == 4 && a.report.linesLoaded == 3, "\(a.report)")
        #expect(a.profileIds == ["1", "2"])
        #expect(Set(a.interests(of: "2").keys) == ["#b", "#c"])
    }

    @Test func aCROnlyFileReportsTheRightLineNumbers() throws {
        let lines = ["1,#a,1", "2,#b,abc", "", "3,\"#open,1", "4,#d", "5"]
        let path = TestFiles.write(Self.join(lines, "\r"), name: "mac.csv")
        let a = try ProfileLoader.load([path]) { $0.header = .absent }
        #expect(a.rejects.map(\.line) == [2, 4, 6])
        #expect(a.rejects.map(\.kind) == [.badWeight, .malformedCSV, .badFields])
        #expect(a.report.blankLines == 1 && a.report.linesRead == 6)
        #expect(a.rejects[1].excerpt == "3,\"#open,1", "the excerpt ends at the CR")
        #expect(throws: LoadError.badRecord(file: path, line: 2, reason: "the weight (field 3) must be a number, found 'abc'")) {
            try ProfileLoader.load([path]) { $0.header = .absent; $0.strict = true }
        }
    }

    @Test func jsonLinesWithCROnlyEnds() throws {
        let lines = [##"{"id": "a", "interests": ["#x"]}"##, ##"{"id": "b", "interests": ["#y"]} "##, "not json",
                     ##"{"id": "c", "interests": ["#z"], "city": "Lyon"}"##]
        let path = TestFiles.write(Self.join(lines, "\r"), name: "mac.jsonl")
        let a = try ProfileLoader.load([path])
        #expect(a.profileIds == ["a", "b", "c"])
        #expect(a.rejects.map(\.line) == [3])
        #expect(a.report.linesRead == 4)
        // A CR inside a record ends it there: both halves are lines of their own.
        let split = TestFiles.write(##"{"id": "a",\##r"interests": []}\##n{"id": "b", "interests": ["q\##rr"]}\##n"##, name: "split.jsonl")
        let b = try ProfileLoader.load([split])
        #expect(b.report.linesRead == 4 && b.report.linesRejected == 4)
        #expect(b.rejects.map(\.line) == [1, 2, 3, 4])
    }

    @Test func mixedLineEndsCountEveryLineOnce() throws {
        // LF, CRLF, CR, CR CRLF (an empty line), then no end at all.
        let text = "1,#a\n2,#b\r\n3,#c\r4,#d\r\r\n5,#e"
        let path = TestFiles.write(text, name: "mixed.csv")
        let a = try ProfileLoader.load([path]) { $0.header = .absent }
        #expect(a.report.linesRead == 6 && a.report.linesLoaded == 5 && a.report.blankLines == 1, "\(a.report)")
        #expect(a.profileIds == ["1", "2", "3", "4", "5"])
        #expect(a.rejects.isEmpty)
    }

    /// Small blocks put cuts everywhere, including between the CR and LF of a CRLF and just after a
    /// lone CR: the lines and their numbers do not change.
    @Test(arguments: ["\r", "\r\n", "\n"])
    func blockCutsNeverSplitALineEnd(end: String) throws {
        var lines: [String] = []
        for i in 0..<4000 { lines.append(i == 2500 ? "bad line" : ##"{"id": "p\##(i % 40)", "interests": ["#\##(String(repeating: "t", count: i % 37))"]}"##) }
        let path = TestFiles.write(Self.join(lines, end), name: "cuts.jsonl")
        for blockBytes in [4096, 4097, 5000] {
            let a = try ProfileLoader.load([path]) { $0.blockBytes = blockBytes }
            #expect(a.report.linesRead == 4000 && a.report.blankLines == 0, "blocks of \(blockBytes): \(a.report.linesRead) lines")
            #expect(a.rejects.map(\.line) == [2501], "blocks of \(blockBytes)")
        }
    }

    @Test(arguments: ["\r", "\r\n"])
    func anOversizedLineEndedByCRLosesNothingAfterIt(end: String) throws {
        let huge = ##"{"id": "big", "interests": [""## + String(repeating: "y", count: 20_000) + "\"]}"
        let lines = [##"{"id": "x", "interests": ["#a"]}"##, huge, ##"{"id": "z", "interests": ["#b"]}"##, ""]
        let path = TestFiles.write(Self.join(lines, end), name: "huge.jsonl")
        let a = try ProfileLoader.load([path]) { $0.blockBytes = 4096; $0.maxLineBytes = 1000 }
        #expect(a.profileIds == ["x", "z"])
        #expect(a.rejects.map(\.line) == [2] && a.rejects.first?.kind == .lineTooLong)
        #expect(a.report.linesRead == 4 && a.report.blankLines == 1, "\(a.report)")
        #expect(a.report.isBalanced)
    }

    /// One run of CR-ended lines with no LF is cut line by line without rereading the rest of the
    /// run for each line (which made a 450 KB CR-only file take a second, and longer ones minutes).
    @Test(arguments: [false, true])
    func aLongCROnlyFileIsReadInOnePass(bad: Bool) throws {
        let lines = (0..<30_000).map { bad ? "x\($0 % 7)" : "u\($0 % 20),#t\($0 % 300)" }
        let path = TestFiles.write(Self.join(lines, "\r"), name: "long.csv")
        let a = try ProfileLoader.load([path]) { $0.header = .absent }
        #expect(a.report.linesRead == 30_000)
        #expect(a.report.linesLoaded == (bad ? 0 : 30_000) && a.report.linesRejected == (bad ? 30_000 : 0))
        #expect(a.report.seconds < 20, "\(a.report.seconds) s: each line must not reread the rest of the file")
    }
}
