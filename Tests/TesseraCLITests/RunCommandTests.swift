import Foundation
import Testing

@Suite struct RunCommandTests {
    @Test func savedJobRepeatsTheRunByteForByte() throws {
        let dir = CLI.folder()
        let input = dir + "/audience.jsonl"
        #expect(try CLI.run(["generate", "--profiles", "2000", "--segments", "5", "--interests", "1500", "--out", input, "--quiet"]).status == 0)
        let job = dir + "/job.yaml"
        let first = try CLI.run(["segment", input, "--k", "5", "--seed", "4", "--stability", "2", "--out", dir + "/a", "--save-job", job, "--quiet"])
        #expect(first.status == 0, "\(first.stderr)")
        let text = try String(contentsOfFile: job, encoding: .utf8)
        for key in ["inputs:", "k: 5", "seed: 4", "stability: 2", "kmeans:", "nmf:", "normalization:", "pruning:"] { #expect(text.contains(key), "\(key)") }
        let again = try CLI.run(["run", job, "--out", dir + "/b", "--quiet"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/a/segments.json")) == Data(contentsOf: URL(fileURLWithPath: dir + "/b/segments.json")))
        // Flags override the file.
        let other = try CLI.run(["run", job, "--k", "3", "--out", dir + "/c", "--json", "--quiet"])
        #expect(other.status == 0 && other.json["k"] as? Int == 3)
    }

    @Test func relativePathsAndClearErrorsNamingTheKey() throws {
        let dir = CLI.folder()
        #expect(try CLI.run(["generate", "--profiles", "800", "--segments", "3", "--interests", "800", "--out", dir + "/audience.jsonl", "--quiet"]).status == 0)
        try "inputs: [audience.jsonl]\nk: 3\nstability: 0\nout: result\n".write(toFile: dir + "/job.yaml", atomically: true, encoding: .utf8)
        let ok = try CLI.run(["run", dir + "/job.yaml", "--quiet"])   // run from another folder: paths follow the job file
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir + "/result/segments.json"))
        let cases = [("inputs: [audience.jsonl]\nkk: 3\n", "unknown key 'kk'"),
                     ("inputs: [audience.jsonl]\nk: forty\n", "key 'k' must be an integer"),
                     ("inputs: [audience.jsonl]\nkmeans: {init: fast}\n", "key 'kmeans.init' must be one of"),
                     ("inputs: [audience.jsonl]\npruning: {max_df: 2}\n", "key 'pruning.max_df'"),
                     ("inputs: [audience.jsonl]\nnmf: {speed: 1}\n", "unknown key 'nmf.speed'"),
                     ("k: 3\n", "key 'inputs' is required"),
                     ("- just\n- a list\n", "expected a mapping")]
        for (n, (yaml, message)) in cases.enumerated() {
            let path = dir + "/bad\(n).yaml"
            try yaml.write(toFile: path, atomically: true, encoding: .utf8)
            let r = try CLI.run(["run", path])
            #expect(r.status == 2, "\(yaml)")
            #expect(r.stderr.contains(path) && r.stderr.contains(message), "\(r.stderr)")
        }
    }
}
