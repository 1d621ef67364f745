import Foundation
import Testing

@Suite struct WallCommandTests {
    func write(_ text: String, _ path: String) throws { try text.write(toFile: path, atomically: true, encoding: .utf8) }

    /// A planted audience, a catalogue with hostile names, and a segmentation run over them.
    func run() throws -> (dir: String, out: String, input: String) {
        let dir = CLI.folder()
        let input = dir + "/audience.jsonl"
        #expect(try CLI.run(["generate", "--profiles", "3000", "--segments", "6", "--interests", "2000", "--seed", "5", "--out", input, "--quiet"]).status == 0)
        // Interests that exist in the audience: the top ones of a first run.
        let probe = dir + "/probe"
        #expect(try CLI.run(["segment", input, "--k", "6", "--out", probe, "--quiet"]).status == 0)
        let segments = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: probe + "/segments.json")))
        guard case .array(let list)? = segments["segments"] else { Issue.record("no segments"); return (dir, "", input) }
        func interests(_ s: Int) -> [String] {
            guard case .array(let d)? = list[s]["distinctive_interests"] else { return [] }
            return d.compactMap { if case .string(let i)? = $0["interest"] { return i } else { return nil } }
        }
        try write("""
        id,name,kind,interests,url,notes
        a1,"=HYPERLINK(""http://evil"")",content,\(interests(0).prefix(2).joined(separator: ";")),,
        a2,<script>alert(1)</script>,event,\(interests(1).prefix(1).joined(separator: ";"));#not-in-the-audience,,
        a3,Quiet vault,product,#nothing-here,,

        """, dir + "/assets.csv")
        try write("""
        id,name,kind,interests,reach,notes
        p1,"Multi
        line ‮partner",club,\(interests(0).dropFirst(2).prefix(3).joined(separator: ";")),1200,
        p2,@handle partner,media,\(interests(1).dropFirst(1).prefix(3).joined(separator: ";")),300,

        """, dir + "/partners.csv")
        let out = dir + "/run"
        let r = try CLI.run(["segment", input, "--k", "6", "--out", out, "--assets", dir + "/assets.csv", "--partners", dir + "/partners.csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("#not-in-the-audience"), "unknown catalogue interests are reported")
        return (dir, out, input)
    }

    @Test func segmentWritesEveryWallExportValidAgainstTheSchema() throws {
        let (_, out, _) = try run()
        let fm = FileManager.default
        for name in ["segments.json", "segments.schema.json", "wall.html", "report.html", "report.md", "cards.csv", "miro-paste.tsv",
                     "trello-cards.csv", "figjam.csv", "miro-bulk", "mural-stickies", "trello"] {
            #expect(fm.fileExists(atPath: out + "/" + name), "\(name)")
        }
        let schema = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: out + "/segments.schema.json")))
        let document = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: out + "/segments.json")))
        let errors = SchemaValidator(root: schema).validate(document, against: schema)
        #expect(errors.isEmpty, "\(errors.prefix(5))")
        // The validator is strict enough to reject a broken document.
        let broken = try JSONValue.parse(Data(#"{"schema_version": 2, "method": "x", "k": 0, "profiles": 1, "interests": 1, "segments": [{"id": -1}]}"#.utf8))
        #expect(SchemaValidator(root: schema).validate(broken, against: schema).count >= 4)
        // Gaps and partners are linked, unused assets and unknown interests listed.
        guard case .array(let unused)? = document["unused_assets"] else { Issue.record("unused_assets"); return }
        #expect(unused.contains { if case .string("a3") = $0 { return true } else { return false } })
        guard case .array(let unknown)? = document["unknown_catalog_interests"] else { Issue.record("unknown"); return }
        #expect(unknown.count >= 2)
        // No follower id appears in any wall or report file.
        let ids = try String(contentsOfFile: out + "/../audience.jsonl", encoding: .utf8).split(separator: "\n").prefix(50)
            .compactMap { $0.split(separator: "\"").dropFirst(3).first.map(String.init) }
        #expect(ids.count == 50)
        for name in ["wall.html", "report.html", "report.md", "cards.csv", "miro-paste.tsv", "trello-cards.csv", "figjam.csv"] {
            let text = try String(contentsOfFile: out + "/" + name, encoding: .utf8)
            let leaked = ids.filter { text.contains("\"" + $0 + "\"") || text.contains($0 + ",") }
            #expect(leaked.isEmpty, "\(name) exposes follower ids \(leaked.prefix(3))")
            // Markup is escaped where it would be rendered (HTML, Markdown); CSV and TSV cells are plain text.
            if name.hasSuffix(".html") || name.hasSuffix(".md") { #expect(!text.contains("<script>"), "\(name)") }
        }
    }

    @Test func wallReExportsASavedRunWithANewCatalogue() throws {
        let (dir, out, _) = try run()
        let before = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: out + "/segments.json")))
        let model = try Data(contentsOf: URL(fileURLWithPath: out + "/model.tessera"))
        try write("id,name,kind,interests\nz1,Only asset,content,#nothing\n", dir + "/other-assets.csv")
        let r = try CLI.run(["wall", out, "--assets", dir + "/other-assets.csv", "--json", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.json["k"] as? Int == 6)
        let after = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: out + "/segments.json")))
        // Same segments and labels (no refit), new catalogue.
        func labels(_ v: JSONValue) -> [String] {
            guard case .array(let list)? = v["segments"] else { return [] }
            return list.compactMap { if case .string(let l)? = $0["label"] { return l } else { return nil } }
        }
        #expect(labels(before) == labels(after) && labels(after).count == 6)
        guard case .array(let unused)? = after["unused_assets"] else { Issue.record("unused_assets"); return }
        #expect(unused.count == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/model.tessera")) == model)
    }

    @Test func catalogueErrorsNameFileAndLine() throws {
        let dir = CLI.folder()
        let input = dir + "/audience.jsonl"
        #expect(try CLI.run(["generate", "--profiles", "500", "--segments", "3", "--interests", "500", "--out", input, "--quiet"]).status == 0)
        try write("id,name,kind,interests\na1,Blog,content,#x\na1,Again,content,#y\n", dir + "/dup.csv")
        let dup = try CLI.run(["segment", input, "--k", "3", "--out", dir + "/o", "--assets", dir + "/dup.csv", "--quiet"])
        #expect(dup.status == 1)
        #expect(dup.stderr.contains("dup.csv:3") && dup.stderr.contains("appears twice"))
        try write("id,name,kind,interests,reach\np1,P,media,#x,lots\n", dir + "/reach.csv")
        let reach = try CLI.run(["segment", input, "--k", "3", "--out", dir + "/o", "--partners", dir + "/reach.csv", "--quiet"])
        #expect(reach.status == 1 && reach.stderr.contains("reach.csv:2"))
        try write("name,id\n", dir + "/header.csv")
        let header = try CLI.run(["segment", input, "--k", "3", "--out", dir + "/o", "--assets", dir + "/header.csv", "--quiet"])
        #expect(header.status == 1 && header.stderr.contains("header.csv:1") && header.stderr.contains("id,name,kind,interests"))
    }

    /// `make test` installs Debian's chromium and sets TESSERA_RENDER_CHECK=1: the wall and the report
    /// are rendered headless to PNG and the rendered page must hold every segment.
    @Test func wallAndReportRenderInHeadlessChromium() throws {
        let required = ProcessInfo.processInfo.environment["TESSERA_RENDER_CHECK"] == "1"
        let browser = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let browser else {
            #expect(!required, "chromium is not installed (make test installs it)")
            return
        }
        let (dir, out, _) = try run()
        for page in ["wall.html", "report.html"] {
            let png = dir + "/" + page + ".png"
            let shot = try Process.run(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1600,1200",
                                                 "--screenshot=" + png, "file://" + out + "/" + page])
            #expect(shot == 0)
            let size = (try? FileManager.default.attributesOfItem(atPath: png)[.size] as? Int) ?? 0
            #expect(size > 10_000, "\(page): screenshot of \(size) bytes")
        }
        let dom = try Process.output(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://" + out + "/wall.html"])
        #expect(dom.components(separatedBy: "<section class=\"column\"").count - 1 == 6)
        let report = try Process.output(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://" + out + "/report.html"])
        for chart in ["class=\"sizes\"", "class=\"heatmap\"", "class=\"map\"", "class=\"tree\"", "class=\"tags\""] {
            #expect(report.contains(chart), "\(chart)")
        }
    }
}

extension Process {
    static func run(_ path: String, _ arguments: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    static func output(_ path: String, _ arguments: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
