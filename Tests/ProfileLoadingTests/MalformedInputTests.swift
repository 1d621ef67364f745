import Testing
import ProfileLoading

/// One line per kind of fault, with the exact accounting expected for each.
@Suite struct MalformedInputTests {
    static let longLine = ##"{"id": "long", "interests": [""## + String(repeating: "x", count: 10_000) + ##""]}"##

    /// The corpus: (bytes of the line, expected outcome). The last line has no newline.
    static var corpus: [([UInt8], String)] {
        [
            (Array(##"{"id": "a", "interests": ["#nba", "@espn"], "tags": ["lapsed"], "country": "FR"}"##.utf8), "loaded"),
            ([], "blank"),
            (Array(##"{"id": "b", "interests": ["#yoga"]"##.utf8), "malformed-json"),
            (Array(##"{"id": "c", "interests": "#yoga"}"##.utf8), "wrong-type"),
            (Array(##"{"id": "d", "interests": [1, 2]}"##.utf8), "wrong-type"),
            (Array(##"{"id": "e", "interests": ["caf"##.utf8) + [0xC3] + Array(##""]}"##.utf8), "invalid-utf8"),
            (Array(##"{"interests": ["#nba"]}"##.utf8), "missing-id"),
            (Array(##"{"id": "f"}"##.utf8), "missing-interests"),
            (Array(##"{"id": "g", "interests": {"#nba": -1}}"##.utf8), "bad-weight"),
            (Array(longLine.utf8), "line-too-long"),
            (Array("   \t".utf8), "blank"),
            (Array(##"{"id": "h", "interests": ["#NBA", " #nba ", "Ｃａｆé"]}"##.utf8), "loaded"),
            (Array(##"{"id": "a", "interests": ["#golf"], "tags": ["customer"]}"##.utf8), "loaded-duplicate"),
            (Array("not json".utf8), "malformed-json"),
            (Array(##"{"id": "i", "interests": []}"##.utf8), "loaded"),
            (Array(##"{"id": "j", "interests": ["#nba"]} trailing"##.utf8), "malformed-json"),
            (Array(##"{"id": 42, "interests": {"#chess": 2.5e0, "\u0041\u00e9": 1}}"##.utf8), "loaded"),
            (Array(##"{"id": "k", "interests": ["#n"##.utf8), "truncated"),
        ]
    }

    static func corpusFile(blank: Bool = true) -> String {
        var bytes: [UInt8] = []
        let lines = corpus
        for (i, (line, _)) in lines.enumerated() {
            bytes += line
            if i < lines.count - 1 { bytes.append(0x0A) }
        }
        return TestFiles.write(bytes, name: "corpus.jsonl")
    }

    @Test(arguments: [8 << 20, 4096])
    func everyLineIsAccountedFor(blockBytes: Int) throws {
        let path = Self.corpusFile()
        let a = try ProfileLoader.load([path]) { $0.maxLineBytes = 200; $0.blockBytes = blockBytes }
        let expected = Self.corpus.map(\.1)
        let r = a.report
        #expect(r.linesRead == expected.count)
        #expect(r.linesLoaded == expected.filter { $0.hasPrefix("loaded") }.count)
        #expect(r.blankLines == 2)
        #expect(r.linesRejected == a.rejects.count)
        #expect(r.isBalanced)
        // Each rejected line is reported at its own line number with its kind.
        let rejectedLines = expected.enumerated().filter { !$0.element.hasPrefix("loaded") && $0.element != "blank" }
        #expect(a.rejects.map(\.line) == rejectedLines.map { $0.offset + 1 })
        #expect(a.rejects.map(\.kind.rawValue) == rejectedLines.map(\.element))
        #expect(a.rejects.allSatisfy { $0.file == path && !$0.reason.isEmpty })
        #expect(r.rejectsByKind["malformed-json"] == 3)
        #expect(r.rejectsByKind["wrong-type"] == 2)
        #expect(r.rejectsByKind["truncated"] == 1)
        // Profiles: a (two lines merged), h, i (empty), 42.
        #expect(r.profiles == 4)
        #expect(r.duplicateLinesMerged == 1)
        #expect(a.emptyProfileIds == ["i"])
        #expect(Set(a.interests(of: "a").keys) == ["#nba", "@espn", "#golf"])
        #expect(a.tags.tags(ofRow: a.row(of: "a")!) == ["lapsed", "customer"].sorted { a.tags.names.firstIndex(of: $0)! < a.tags.names.firstIndex(of: $1)! })
        #expect(a.attributes.attributes(ofRow: a.row(of: "a")!) == ["country": "FR"])
        // "#NBA" and " #nba " normalise to one interest; full-width letters fold through NFKC.
        #expect(Set(a.interests(of: "h").keys) == ["#nba", "café"])
        #expect(Set(a.interests(of: "42").keys) == ["#chess", "aé"])
    }

    @Test func duplicatesCanBeRejected() throws {
        let a = try ProfileLoader.load([Self.corpusFile()]) { $0.maxLineBytes = 200; $0.duplicates = .reject }
        let duplicate = try #require(a.rejects.first { $0.kind == .duplicateID })
        #expect(duplicate.line == 13)
        #expect(duplicate.reason.contains("first seen at line 1"))
        #expect(a.report.isBalanced)
        #expect(Set(a.interests(of: "a").keys) == ["#nba", "@espn"])
    }

    @Test func strictModeStopsAtTheFirstBadRecord() throws {
        let path = Self.corpusFile()
        #expect {
            _ = try ProfileLoader.load([path]) { $0.strict = true; $0.maxLineBytes = 200 }
        } throws: { error in
            guard case let LoadError.badRecord(file, line, reason) = error else { return false }
            return file == path && line == 3 && reason.contains("expected ',' or '}'") || reason.contains("not closed")
        }
    }

    @Test func oversizedLineLongerThanABlockIsSkippedWithoutLosingTheNext() throws {
        let huge = ##"{"id": "big", "interests": [""## + String(repeating: "y", count: 50_000) + "\"]}"
        let text = ##"{"id": "x", "interests": ["#a"]}"## + "\n" + huge + "\n" + ##"{"id": "z", "interests": ["#b"]}"## + "\n"
        let path = TestFiles.write(text, name: "huge.jsonl")
        let a = try ProfileLoader.load([path]) { $0.blockBytes = 4096; $0.maxLineBytes = 1000 }
        #expect(a.profileIds == ["x", "z"])
        #expect(a.rejects.count == 1)
        #expect(a.rejects[0].line == 2)
        #expect(a.rejects[0].kind == .lineTooLong)
        #expect(a.report.linesRead == 3)
        #expect(a.report.isBalanced)
    }

    @Test func edgeListFaults() throws {
        let text = """
        user,artist,plays
        1,#nba,3
        1,"unterminated,5
        2,#yoga
        3,#golf,abc
        ,#golf,1
        4,#a,1,extra

        1,#NBA,2
        2,"Earth, Wind & Fire",1
        """
        let path = TestFiles.write(text + "\n", name: "edges.csv")
        let a = try ProfileLoader.load([path]) { $0.weighting = .raw; $0.normalizeRows = false }
        #expect(a.report.headerLines == 1)
        #expect(a.report.blankLines == 1)
        #expect(a.rejects.map(\.line) == [3, 5, 6, 7])
        #expect(a.rejects.map(\.kind.rawValue) == ["malformed-csv", "bad-weight", "missing-id", "bad-fields"])
        #expect(a.report.linesLoaded == 4)
        #expect(a.report.isBalanced)
        // Unsorted rows are grouped by id; repeated interests add up (3 + 2).
        #expect(a.interests(of: "1") == ["#nba": 5])
        #expect(a.interests(of: "2") == ["#yoga": 1, "earth, wind & fire": 1])
    }
}
