import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import SegmentInsights
import WallExport

/// Hostile text as it arrives from social media and catalogues.
let hostile = [
    "=HYPERLINK(\"http://evil.example\",\"click\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
    "<script>alert('x')</script>", "\"quoted\" and 'single'", "line one\nline two\r\nline three\ttabbed",
    "\u{202E}evil\u{202C} reversed", "مرحبا بالعالم", "🔥🚀 emoji", String(repeating: "very long name ", count: 40), "a & b < c > d",
]

/// A small RFC 4180 parser (independent of the code under test).
func parseCSV(_ text: String) -> [[String]] {
    var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
    var chars = Array(text), i = 0
    while i < chars.count {
        let c = chars[i]
        if quoted {
            if c == "\"" { if i + 1 < chars.count && chars[i + 1] == "\"" { field.append("\""); i += 1 } else { quoted = false } } else { field.append(c) }
        } else if c == "\"" { quoted = true } else if c == "," { row.append(field); field = "" } else if c == "\n" || c == "\r\n" {
            row.append(field); rows.append(row); row = []; field = ""
        } else { field.append(c) }
        i += 1
    }
    if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
    chars.removeAll()
    return rows
}

func isWellFormedXML(_ data: Data) -> (Bool, String) {
    let parser = XMLParser(data: data)
    let ok = parser.parse()
    return (ok, parser.parserError.map { "\($0)" } ?? "")
}

@Suite struct WallExportTests {
    func affinity(_ interest: String, score: Double) -> InterestAffinity {
        var a = InterestAffinity(interest: interest, count: 40, size: 100, followers: 100, audience: 1000, settings: InsightSettings())
        a.score = score
        return a
    }

    /// Three segments whose interests, labels, assets and partners are all hostile strings.
    func model(renumber: Bool = false) -> WallModel {
        var segments: [SegmentDescription] = []
        for s in 0..<3 {
            let interests = (0..<4).map { affinity(hostile[(s * 4 + $0) % hostile.count], score: Double(4 - $0)) }
            let id = renumber ? 2 - s : s
            segments.append(SegmentDescription(id: id, size: 100 * (s + 1), share: Double(s + 1) / 6, label: hostile[s + 4] + " · " + hostile[s],
                                               labelEvidence: Array(interests.prefix(2)), distinctiveInterests: interests, tags: [],
                                               cohesion: 0.5, nearestSegment: (id + 1) % 3, nearestSimilarity: 0.2, tooSmall: false))
        }
        segments.append(SegmentDescription(id: 3, size: 7, share: 0.01, label: "too small to describe (segment 3)", labelEvidence: [],
                                           distinctiveInterests: [], tags: [], cohesion: 0, nearestSegment: 0, nearestSimilarity: 0, tooSmall: true))
        let insights = AudienceInsights(settings: InsightSettings(), profiles: 607, segments: segments,
                                        similarity: (0..<4).map { a in (0..<4).map { $0 == a ? 1 : 0.1 } },
                                        mergeTree: [MergeStep(left: 0, right: 1, distance: 1, size: 300), MergeStep(left: 2, right: 4, distance: 2, size: 600),
                                                    MergeStep(left: 3, right: 5, distance: 3, size: 607)],
                                        map: [[0, 0], [1, 0], [0, 1], [1, 1]])
        let assets = hostile.prefix(6).enumerated().map { InterestServer(id: "a\($0.offset)", name: $0.element, kind: hostile[11], interests: [hostile[$0.offset]]) }
        let partners = hostile.suffix(6).enumerated().map { InterestServer(id: "p\($0.offset)", name: $0.element, kind: "media", interests: Array(hostile), reach: 10) }
        let gaps = GapAnalysis.link(insights, assets: Array(assets), partners: Array(partners))
        return WallModel(title: hostile[4], insights: insights, gaps: gaps)
    }

    func file(_ files: [WallFile], _ path: String) throws -> String {
        String(decoding: try #require(files.first { $0.path == path }).data, as: UTF8.self)
    }

    @Test func everyFormatParsesBackAndNeutralisesHostileText() throws {
        let wall = model()
        let files = try WallExporter.files(wall)
        let cardCount = wall.cards.count
        #expect(cardCount > 10)

        for name in ["wall.html", "report.html"] {
            let data = try #require(files.first { $0.path == name }).data
            let (ok, error) = isWellFormedXML(data)
            #expect(ok, "\(name): \(error)")
            let text = String(decoding: data, as: UTF8.self)
            #expect(!text.contains("<script"), "\(name) contains a raw script tag")
            #expect(!text.contains("\u{202E}"), "\(name) keeps a bidi override")
        }
        let wallHTML = try file(files, "wall.html")
        #expect(wallHTML.components(separatedBy: "<section class=\"column\"").count - 1 == 4)
        #expect(wallHTML.contains("&lt;script&gt;"))

        // CSV files: a real parser gets the cells back; formula-looking cells are neutralised.
        // (trello-cards.csv is read by an importer, not a spreadsheet: its text is kept raw, see BoardExportSchemaTests.)
        for name in ["cards.csv", "figjam.csv"] {
            let rows = parseCSV(try file(files, name))
            #expect(!rows.isEmpty)
            for cell in rows.joined() {
                if let first = cell.unicodeScalars.first { #expect(!["=", "+", "-", "@", "\t", "\r"].contains(first), "\(name): \(cell)") }
            }
        }
        let cards = parseCSV(try file(files, "cards.csv"))
        #expect(cards[0] == ["id", "kind", "segment", "title", "body", "color", "x", "y"])
        #expect(cards.count == cardCount + 1 && cards.dropFirst().allSatisfy { $0.count == 8 })
        #expect(Set(cards.dropFirst().map { $0[0] }).count == cardCount)
        #expect(parseCSV(try file(files, "trello-cards.csv"))[0] == ["name", "description", "list", "labels"])

        // Miro paste grid: one card per cell, a row per segment, no blank cells, no tabs or breaks inside cells.
        let grid = try file(files, "miro-paste.tsv").split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(grid.count == 4)
        #expect(grid.map { $0.split(separator: "\t", omittingEmptySubsequences: false).count }.reduce(0, +) == cardCount)
        for cell in grid.flatMap({ $0.split(separator: "\t", omittingEmptySubsequences: false) }) {
            #expect(!cell.isEmpty)
            #expect(!["=", "+", "-", "@"].contains(cell.first!))
        }

        // Miro: one frame a call (frame-NNN.json), then bulk batches of ≤ 20 sticky notes whose parent is a
        // frame's placeholder; calls.json lists them all in order (checked against Miro's schema in
        // BoardExportSchemaTests).
        let miro = files.filter { $0.path.hasPrefix("miro-bulk/") && !$0.path.hasSuffix("/calls.json") }.sorted { $0.path < $1.path }
        var frames = 0, stickies = 0
        for batch in miro {
            if batch.path.hasPrefix("miro-bulk/frame-") {
                let frame = try #require(try JSONSerialization.jsonObject(with: batch.data) as? [String: Any])
                #expect((frame["data"] as? [String: String])?["title"] != nil)
                frames += 1
                continue
            }
            let items = try #require(try JSONSerialization.jsonObject(with: batch.data) as? [[String: Any]])
            #expect(items.count <= 20 && !items.isEmpty)
            for item in items {
                #expect(item["type"] as? String == "sticky_note")
                stickies += 1
                #expect((item["data"] as? [String: String])?["content"]?.contains("<script") == false)
                #expect((item["style"] as? [String: String])?["fillColor"] != nil)
                #expect((item["parent"] as? [String: String])?["id"]?.hasPrefix("{id:frame:") == true)
                #expect(item["position"] != nil && item["geometry"] != nil)
            }
        }
        #expect(frames == 4 && stickies == cardCount)

        // Mural: one area a group, then ≤ 1,000 stickies a batch with the fields its API takes.
        let mural = files.filter { $0.path.hasPrefix("mural-stickies/") && !$0.path.contains("/area-") && !$0.path.hasSuffix("/calls.json") }
        var muralCount = 0
        for batch in mural {
            let items = try #require(try JSONSerialization.jsonObject(with: batch.data) as? [[String: Any]])
            #expect(items.count <= 1000)
            for item in items { for key in ["x", "y", "text", "title", "shape", "width", "height", "parentId"] { #expect(item[key] != nil, "\(key)") } }
            muralCount += items.count
        }
        #expect(muralCount == cardCount)
        #expect(files.filter { $0.path.hasPrefix("mural-stickies/area-") }.count == 4)

        // Trello lists: one card a line, one file a segment; Markdown escapes HTML.
        let lists = files.filter { $0.path.hasPrefix("trello/") && $0.path.hasSuffix(".txt") }
        #expect(lists.count == 4)
        #expect(lists.map { String(decoding: $0.data, as: UTF8.self).split(separator: "\n").count }.reduce(0, +) == cardCount)
        let markdown = try file(files, "report.md")
        #expect(!markdown.contains("<script") && !markdown.contains("\u{202E}"))
        // No card title exceeds the limit.
        #expect(wall.cards.allSatisfy { $0.title.count <= WallText.maxLength })
    }

    /// TSV cells share the CSV neutraliser, which also guards a leading tab or CR; `clean` has already
    /// turned those into (dropped) spaces, so the cells are the same as under the old `= + - @` rule.
    @Test func tsvCellsAreCleanedThenNeutralisedLikeCSV() {
        for text in hostile + ["\t=x", "\r@y", "\r\n-3", " \t+4", "\u{2028}=z", "\t\tplain", "\u{202E}=rtl"] {
            let cleaned = WallText.clean(text, maxLength: 500)
            #expect(!["\t", "\r"].contains(cleaned.unicodeScalars.first ?? " "))
            let oldRule = ["=", "+", "-", "@"].contains(cleaned.unicodeScalars.first ?? " ") ? "'" + cleaned : cleaned
            #expect(WallText.tsvCell(text, maxLength: 500) == oldRule)
        }
        #expect(WallText.tsvCell("\t=x") == "'=x")
    }

    @Test func cardIdsAreStableAcrossRunsAndSegmentNumbers() throws {
        let a = model(), b = model(), renumbered = model(renumber: true)
        #expect(a.cards.map(\.id) == b.cards.map(\.id))
        // The same segments under other numbers keep their card ids (ids come from the evidence).
        #expect(Set(a.cards.filter { $0.kind != .small }.map(\.id)) == Set(renumbered.cards.filter { $0.kind != .small }.map(\.id)))
    }


    @Test func atomicFolderWritesReplaceWholeBatches() throws {
        let dir = NSTemporaryDirectory() + "tessera-wall-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try WallExporter.write(try WallExporter.files(model()), to: dir)
        // A stale extra batch from an earlier, larger export disappears with the next export.
        try Data("[]".utf8).write(to: URL(fileURLWithPath: dir + "/miro-bulk/999.json"))
        try WallExporter.write(try WallExporter.files(model()), to: dir)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/miro-bulk")
        #expect(!names.contains("999.json"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).allSatisfy { !$0.contains(".partial") && !$0.contains(".tmp") })
    }

    /// Titles come from input file names: bidi and control characters never reach `<title>` or `<h1>`,
    /// and `<`/`&` followed by a combining mark are still escaped.
    @Test func titlesAreCleanedAndEscaped() throws {
        var wall = model()
        wall.title = "run \u{202E}gpj.exe\u{202C} <\u{301}script> &\u{301}amp; \u{200F}x\u{1B}[2J"
        let files = try WallExporter.files(wall)
        for name in ["report.html", "wall.html"] {
            let page = try file(files, name)
            let head = String(page[page.range(of: "<title>")!.upperBound..<page.range(of: "</title>")!.lowerBound])
            #expect(!head.unicodeScalars.contains { [0x202E, 0x202C, 0x200F, 0x1B].contains($0.value) }, "\(name): \(head)")
            #expect(!page.contains("<\u{301}script") && !page.contains("&\u{301}amp"), "\(name)")
        }
    }

    /// A partner reach far beyond any audience is shown, never a trap.
    @Test func hugeReachDoesNotTrap() throws {
        #expect(WallText.count(1200) == "1200")
        #expect(WallText.count(9.3e18) == "9.3e+18")
        #expect(WallText.count(.infinity) == "inf")
    }

    /// Two segments whose labels are permutations of the same interests (and ran out of others to
    /// tell them apart) still get distinct card ids, so a re-import by id updates the right cards.
    @Test func permutedLabelsGetDistinctCardIds() throws {
        var wall = model()
        var insights = wall.insights
        insights.segments[1].labelEvidence = Array(insights.segments[0].labelEvidence.reversed())
        insights.segments[1].label = insights.segments[1].labelEvidence.map(\.interest).joined(separator: " · ")
        wall = WallModel(title: "t", insights: insights, gaps: wall.gaps)
        let ids = wall.cards.map(\.id)
        #expect(Set(ids).count == ids.count, "duplicate card ids")
        let cards = try file(try WallExporter.files(wall), "cards.csv").split(separator: "\n").dropFirst().map { $0.split(separator: ",").first.map(String.init) ?? "" }
        #expect(Set(cards).count == cards.count, "cards.csv has duplicate ids")
    }
}
