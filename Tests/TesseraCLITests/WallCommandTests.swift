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

extension WallCommandTests {
    /// The wall on a run of 30 segments linked to the demo catalogue prints as one poster page (A0 or
    /// A1 landscape), and the report's segment map renders with no two labels overlapping (label boxes
    /// measured in the page by a script added to a copy of it; the report itself has none).
    @Test func renderedWallIsOnePosterPageAndMapLabelsDoNotCollide() throws {
        let required = ProcessInfo.processInfo.environment["TESSERA_RENDER_CHECK"] == "1"
        let browser = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let browser else {
            #expect(!required, "chromium is not installed (make test installs it)")
            return
        }
        let dir = CLI.folder()
        let input = dir + "/audience.jsonl", out = dir + "/run"
        #expect(try CLI.run(["generate", "--profiles", "9000", "--segments", "30", "--seed", "12", "--out", input, "--quiet"]).status == 0)
        let r = try CLI.run(["segment", input, "--k", "30", "--out", out, "--stability", "2", "--quiet",
                             "--assets", CLI.dataset("demo/assets.csv"), "--partners", CLI.dataset("demo/partners.csv")])
        #expect(r.status == 0, "\(r.stderr)")
        let document = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: out + "/segments.json")))
        guard case .array(let themes)? = document["themes"] else { Issue.record("no themes"); return }
        let proper = themes.filter { if case .string("theme")? = $0["kind"] { return true } else { return false } }
        #expect((6...8).contains(proper.count), "\(proper.count) themes")
        #expect(document["cross_segment"]?["partner_cover"] != nil)

        // The wall: one page, of a poster size, in landscape.
        let pdf = dir + "/wall.pdf"
        #expect(try Process.run(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--print-to-pdf=" + pdf, "file://" + out + "/wall.html"]) == 0)
        let pages = PDFPages(try Data(contentsOf: URL(fileURLWithPath: pdf)))
        #expect(pages.count == 1, "wall.html prints on \(pages.count) pages")
        let a0 = (3370.0, 2384.0), a1 = (2384.0, 1684.0)
        #expect(pages.sizes.allSatisfy { size in [a0, a1].contains { abs($0.0 - size.0) < 3 && abs($0.1 - size.1) < 3 } }, "\(pages.sizes)")

        // The report's map: label boxes as rendered.
        let check = """
        <script>
        (function () {
          var labels = Array.prototype.slice.call(document.querySelectorAll('svg.map text.label'));
          var svg = document.querySelector('svg.map').getBoundingClientRect();
          var boxes = labels.map(function (t) { var r = t.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; });
          var overlaps = [], outside = 0;
          for (var i = 0; i < boxes.length; i++) {
            var a = boxes[i];
            if (a[0] < svg.left - 0.5 || a[2] > svg.right + 0.5 || a[1] < svg.top - 0.5 || a[3] > svg.bottom + 0.5) outside++;
            for (var j = i + 1; j < boxes.length; j++) {
              var b = boxes[j];
              if (a[0] < b[2] - 0.5 && b[0] < a[2] - 0.5 && a[1] < b[3] - 0.5 && b[1] < a[3] - 0.5) overlaps.push(labels[i].textContent + ' / ' + labels[j].textContent);
            }
          }
          var pre = document.createElement('pre');
          pre.id = 'render-check';
          pre.textContent = 'RENDER-CHECK ' + JSON.stringify({labels: boxes.length, overlaps: overlaps, outside: outside}) + ' END';
          document.body.appendChild(pre);
        })();
        </script>
        """
        var report = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(!report.contains("<script"), "the report itself has no script")
        report = report.replacingOccurrences(of: "</body>", with: check + "</body>")
        try report.write(toFile: dir + "/report-check.html", atomically: true, encoding: .utf8)
        let dom = try Process.output(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000", "--dump-dom", "file://" + dir + "/report-check.html"])
        // The result is in the <pre> the script added (the script's own text holds the marker too).
        guard let pre = dom.range(of: "<pre id=\"render-check\">"), let start = dom.range(of: "RENDER-CHECK ", range: pre.upperBound..<dom.endIndex),
              let end = dom.range(of: " END", range: start.upperBound..<dom.endIndex) else {
            Issue.record("the check script did not run"); return
        }
        let json = String(dom[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let labels = result["labels"] as? Int ?? 0
        #expect(labels >= 20, "only \(labels) of 30 segments labelled on the map")
        #expect((result["overlaps"] as? [String])?.isEmpty == true, "overlapping labels: \(result["overlaps"] ?? "")")
        #expect(result["outside"] as? Int == 0)
        // The report prints (to PDF, as a browser would), with its cross-segment section.
        let reportPDF = dir + "/report.pdf"
        #expect(try Process.run(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--print-to-pdf=" + reportPDF, "file://" + out + "/report.html"]) == 0)
        #expect(PDFPages(try Data(contentsOf: URL(fileURLWithPath: reportPDF))).count >= 2)
        for section in ["id=\"missing-assets\"", "id=\"partners\"", "class=\"heat-legend\"", "class=\"axis\"", "class=\"stability\""] {
            #expect(report.contains(section), "\(section)")
        }
    }
}

/// The pages of a PDF as Chromium writes it (uncompressed page dictionaries): their count and sizes.
struct PDFPages {
    var count: Int
    var sizes: [(Double, Double)]

    init(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        let page = try! NSRegularExpression(pattern: "/Type\\s*/Page(?![a-zA-Z])")
        count = page.numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text))
        let box = try! NSRegularExpression(pattern: "/MediaBox\\s*\\[\\s*0\\s+0\\s+([0-9.]+)\\s+([0-9.]+)\\s*\\]")
        sizes = box.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { m in
            guard let w = Range(m.range(at: 1), in: text), let h = Range(m.range(at: 2), in: text) else { return nil }
            return (Double(text[w]) ?? 0, Double(text[h]) ?? 0)
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
