import Foundation
import Testing

/// `tessera push`: the calls a dry run prints, credentials only from the environment, exit codes.
@Suite struct PushCommandTests {
    func run() throws -> String {
        let dir = CLI.folder()
        let input = dir + "/audience.jsonl"
        #expect(try CLI.run(["generate", "--profiles", "2000", "--segments", "4", "--interests", "800", "--seed", "3", "--out", input, "--quiet"]).status == 0)
        let out = dir + "/run"
        let r = try CLI.run(["segment", input, "--k", "4", "--out", out, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        return out
    }

    @Test func dryRunPrintsTheCallsOfCallsJSONInOrder() throws {
        let out = try run()
        let noCredentials = ["TESSERA_MIRO_TOKEN": "", "TESSERA_MURAL_TOKEN": "", "TESSERA_TRELLO_KEY": "", "TESSERA_TRELLO_TOKEN": ""]
        for (tool, folder) in [("miro", "miro-bulk"), ("mural", "mural-stickies"), ("trello", "trello")] {
            let r = try CLI.run(["push", tool, out, "--board", "board-1", "--dry-run"], environment: noCredentials)
            #expect(r.status == 0, "\(tool): \(r.stderr)")
            let plan = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: out + "/" + folder + "/calls.json")))
            guard case .array(let calls)? = plan["calls"] else { Issue.record("no calls"); continue }
            let requests = r.stdout.split(separator: "\n").filter { $0.hasPrefix("POST ") }
            #expect(requests.count == calls.count, "\(tool)")
            for (line, call) in zip(requests, calls) {
                guard case .string(let path)? = call["path"] else { continue }
                #expect(line.contains(path.replacingOccurrences(of: "{board_id}", with: "board-1")), "\(line)")
            }
            #expect(!FileManager.default.fileExists(atPath: out + ".push-\(tool)-board-1.json"), "a dry run keeps no mapping")
        }
    }

    @Test func credentialsComeOnlyFromTheEnvironmentAndFailuresHaveTheirExitCode() throws {
        let out = try run()
        let missing = try CLI.run(["push", "miro", out, "--board", "b"], environment: ["TESSERA_MIRO_TOKEN": ""])
        #expect(missing.status == 2 && missing.stderr.contains("TESSERA_MIRO_TOKEN"), "\(missing.stderr)")
        // Nothing listens on port 1: one attempt, then exit code 4; the token appears in no file or message.
        let token = "secret-token-\(UUID().uuidString)"
        let refused = try CLI.run(["push", "miro", out, "--board", "b", "--api-base", "http://127.0.0.1:1", "--attempts", "1", "--quiet"],
                                  environment: ["TESSERA_MIRO_TOKEN": token])
        #expect(refused.status == 4, "\(refused.stderr)")
        #expect(refused.stderr.contains("push again later") && !refused.stderr.contains(token) && !refused.stdout.contains(token))
        let parent = (out as NSString).deletingLastPathComponent
        let enumerator = FileManager.default.enumerator(atPath: parent)
        while let name = enumerator?.nextObject() as? String {
            let path = parent + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            #expect(!String(decoding: data, as: UTF8.self).contains(token), "\(name) holds the token")
        }
        // An export written before calls.json existed: say how to re-export it.
        try FileManager.default.removeItem(atPath: out + "/trello/calls.json")
        let old = try CLI.run(["push", "trello", out, "--board", "b", "--dry-run"])
        #expect(old.status == 1 && old.stderr.contains("tessera wall"), "\(old.stderr)")
        let usage = try CLI.run(["push", "asana", out, "--board", "b"])
        #expect(usage.status == 2)
        let notARun = try CLI.run(["push", "miro", parent, "--board", "b", "--dry-run"])
        #expect(notARun.status == 1 && notARun.stderr.contains("run.json"))
    }
}
