import Foundation
import Testing

/// Damaged inputs through the command line: the documented exit code (1 bad input) and a message
/// naming the file; good inputs with unusual line ends or from a pipe load whole.
@Suite struct DamagedInputTests {
    static let lines = (0..<500).map { ##"{"id": "p\##($0)", "interests": ["#t\##($0 % 23)", "@a\##($0 % 5)"]}"## }.joined(separator: "\n") + "\n"

    func gzip(_ text: String, in dir: String) throws -> [UInt8] {
        let plain = dir + "/plain.jsonl"
        try text.write(toFile: plain, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "gzip -c '\(plain)' > '\(plain).gz'"]
        try process.run()
        process.waitUntilExit()
        return try [UInt8](Data(contentsOf: URL(fileURLWithPath: plain + ".gz")))
    }

    @Test func aTruncatedGzipFileExitsWithOne() throws {
        let dir = CLI.folder()
        let whole = try gzip(Self.lines, in: dir)
        let cut = dir + "/cut.jsonl.gz"
        try Data(whole[0..<(whole.count / 2)]).write(to: URL(fileURLWithPath: cut))
        let r = try CLI.run(["load", cut, "--quiet"])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("\(cut) is a truncated gzip file: it ends after \(whole.count / 2) bytes of compressed data"), "\(r.stderr)")
    }

    @Test func aCacheWithAFlippedHeaderBitExitsWithOne() throws {
        let dir = CLI.folder()
        let input = dir + "/a.jsonl", cache = dir + "/a.tcache"
        try Self.lines.write(toFile: input, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["load", input, "--cache", cache, "--quiet"]).status == 0)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: cache)))
        bytes[13] ^= 0x80   // the section count
        try Data(bytes).write(to: URL(fileURLWithPath: cache))
        for command in [["load", cache], ["segment", cache, "--k", "2", "--out", dir + "/run"]] {
            let r = try CLI.run(command + ["--quiet"])
            #expect(r.status == 1, "\(command[0]): \(r.stderr)")
            #expect(r.stderr.contains("\(cache) fails its checksum"), "\(r.stderr)")
        }
    }

    @Test func crOnlyLineEndsLoadLineByLineEvenWhenStrict() throws {
        let dir = CLI.folder()
        let path = dir + "/mac.csv"
        try "id,interest\r1,#a\r2,#b\r2,#c\r".write(toFile: path, atomically: true, encoding: .utf8)
        let r = try CLI.run(["load", path, "--strict", "--json", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.json["lines_read"] as? Int == 4 && r.json["lines_loaded"] as? Int == 3 && r.json["profiles"] as? Int == 2, "\(r.stdout)")
    }

    @Test func aBadWeightNamesItsLine() throws {
        let dir = CLI.folder()
        let path = dir + "/w.jsonl"
        try (##"{"id": "a", "interests": {"#x": 1}}"## + "\n" + ##"{"id": "b", "interests": {"#x": 1e-42}}"## + "\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let lenient = try CLI.run(["load", path, "--json", "--quiet"])
        #expect(lenient.status == 0 && lenient.json["rejected"] as? Int == 1, "\(lenient.stdout)")
        let strict = try CLI.run(["load", path, "--strict", "--quiet"])
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("\(path):2: the weight of interest '#x' is 1e-42, below the smallest weight accepted (1e-30)"), "\(strict.stderr)")
    }

    @Test func aProcessSubstitutionIsReadWhole() throws {
        let dir = CLI.folder()
        let input = dir + "/a.jsonl"
        try Self.lines.write(toFile: input, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "'\(CLI.binary)' load <(cat '\(input)') --format jsonl --json --quiet"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        #expect(json["lines_loaded"] as? Int == 500 && json["rejected"] as? Int == 0, "\(String(decoding: data, as: UTF8.self))")
    }
}
