import Foundation
import Testing
import Tessera

/// Hostile ids, catalogues and job files: data files keep values exactly, nothing traps, nothing
/// reaches the terminal raw.
@Suite struct HostileInputTests {
    static let hostileIds = ["@alice", "-42", "=bob", "+1", "a,b", "say \"hi\"", "cr\r\nlf", "tab\there", "e\u{301},x"]

    /// An audience whose ids are hostile, plus one profile with no interest.
    func audience() throws -> (dir: String, input: String) {
        let dir = CLI.folder()
        var lines: [String] = []
        for (n, id) in Self.hostileIds.enumerated() {
            let encoded = String(decoding: try JSONSerialization.data(withJSONObject: [id], options: []), as: UTF8.self).dropFirst().dropLast()
            for copy in 0..<20 {
                let interests = (0..<4).map { "\"#t\((n + copy) % 6)_\($0)\"" }.joined(separator: ",")
                lines.append(copy == 0 ? "{\"id\": \(encoded), \"interests\": [\(interests)]}"
                                       : "{\"id\": \"p\(n)-\(copy)\", \"interests\": [\(interests)]}")
            }
        }
        lines.append("{\"id\": \"=empty\", \"interests\": []}")
        let input = dir + "/audience.jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        return (dir, input)
    }

    @Test func dataFilesKeepIdsExactlyAndListEveryProfile() throws {
        let (dir, input) = try audience()
        let r = try CLI.run(["segment", input, "--k", "3", "--stability", "0", "--assignments", "--out", dir + "/run",
                             "--empty-ids", dir + "/empty.csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("1 profile(s) had no interest"))
        let rows = try CSVReader.parse(String(contentsOfFile: dir + "/run/assignments.csv", encoding: .utf8), file: "assignments.csv")
        #expect(rows.first?.fields == ["id", "segment"])
        let ids = rows.dropFirst().map { $0.fields[0] }
        for id in Self.hostileIds { #expect(ids.contains(id), "\(id) kept exactly") }
        #expect(ids.count == Self.hostileIds.count * 20 + 1 && Set(ids).count == ids.count)
        #expect(rows.last?.fields == ["=empty", ""], "the empty profile is listed with no segment")
        let empty = try CSVReader.parse(String(contentsOfFile: dir + "/empty.csv", encoding: .utf8), file: "empty.csv")
        #expect(empty.map(\.fields) == [["id"], ["=empty"]])
        // assign: the same ids, kept exactly, and its --empty-ids written too.
        let placed = try CLI.run(["assign", dir + "/run/model.tessera", input, "--out", dir + "/placed.csv", "--empty-ids", dir + "/empty2.csv", "--quiet"])
        #expect(placed.status == 0, "\(placed.stderr)")
        let placedIds = try CSVReader.parse(String(contentsOfFile: dir + "/placed.csv", encoding: .utf8), file: "placed.csv").dropFirst().map { $0.fields[0] }
        #expect(Set(placedIds) == Set(ids))
        #expect(try String(contentsOfFile: dir + "/empty2.csv", encoding: .utf8) == "id\n=empty\n")
        // The people-facing cards still neutralise formulas.
        let cards = try String(contentsOfFile: dir + "/run/cards.csv", encoding: .utf8)
        #expect(!cards.split(separator: "\n").contains { $0.hasPrefix("=") })
    }

    @Test func assignRefusesACacheSayingWhy() throws {
        let (dir, input) = try audience()
        #expect(try CLI.run(["segment", input, "--k", "3", "--stability", "0", "--out", dir + "/run", "--quiet"]).status == 0)
        #expect(try CLI.run(["load", input, "--cache", dir + "/a.tcache", "--quiet"]).status == 0)
        let r = try CLI.run(["assign", dir + "/run/model.tessera", dir + "/a.tcache"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("a.tcache") && r.stderr.contains("profile files"), "\(r.stderr)")
    }

    @Test func hugeReachAndEscapeSequencesInACatalogue() throws {
        let (dir, input) = try audience()
        try "id,name,kind,interests,reach\np1,Big,club,#t0_0,9.3e18\n".write(toFile: dir + "/partners.csv", atomically: true, encoding: .utf8)
        let huge = try CLI.run(["segment", input, "--k", "3", "--stability", "0", "--out", dir + "/run", "--partners", dir + "/partners.csv"])
        #expect(huge.status == 1 && huge.stderr.contains("partners.csv:2") && huge.stderr.contains("reach"), "\(huge.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/run"), "nothing written by a run that failed")
        try "id,name,kind,interests\na1,Shop,product,#evil\u{1B}]0;pwned\u{07}\u{1B}[2J;#t0_0\n".write(toFile: dir + "/assets.csv", atomically: true, encoding: .utf8)
        let escaped = try CLI.run(["segment", input, "--k", "3", "--stability", "0", "--out", dir + "/run2", "--assets", dir + "/assets.csv"])
        #expect(escaped.status == 0, "\(escaped.stderr)")
        #expect(escaped.stderr.contains("#evil"), "the unknown interest is reported")
        #expect(!escaped.stderr.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "no raw escape reaches the terminal")
    }

    @Test func aliasBombJobFileIsRefusedAtOnce() throws {
        let dir = CLI.folder()
        var yaml = "inputs: [a.jsonl]\na: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n"
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        for (previous, name) in zip(names, names.dropFirst()) {
            yaml += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ",") + "]\n"
        }
        try yaml.write(toFile: dir + "/bomb.yaml", atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", dir + "/bomb.yaml"])
        #expect(r.status == 2 && r.stderr.contains("bomb.yaml") && r.stderr.contains("aliases"), "\(r.stderr)")
    }

    @Test func outOfBoundSettingsAreUsageErrors() throws {
        let dir = CLI.folder()
        for (yaml, key) in [("kmeans: {init_trials: 1000000000000}", "kmeans.init_trials"), ("restarts: 100000000", "restarts"),
                            ("stability: 99999999", "stability"), ("nmf: {svd_power_iterations: 1000000}", "nmf.svd_power_iterations")] {
            try "inputs: [a.jsonl]\n\(yaml)\n".write(toFile: dir + "/job.yaml", atomically: true, encoding: .utf8)
            let r = try CLI.run(["run", dir + "/job.yaml"])
            #expect(r.status == 2 && r.stderr.contains("'\(key)'"), "\(r.stderr)")
        }
        let flag = try CLI.run(["segment", "x.jsonl", "--init-trials", "1000000000000"])
        #expect(flag.status == 2 && flag.stderr.contains("--init-trials"), "\(flag.stderr)")
    }
}
