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

    /// Every flag of `segment` that changes the run goes into the saved job, and `run` on that job
    /// repeats the run: the same parameters in run.json and the same segments, byte for byte.
    @Test func everyFlagRoundTripsThroughTheJobFile() throws {
        let dir = CLI.folder()
        let input = dir + "/audience.jsonl"
        #expect(try CLI.run(["generate", "--profiles", "1500", "--segments", "4", "--interests", "900", "--out", input, "--quiet"]).status == 0)
        try "id,name,kind,interests\na1,Shop,product,#running\n".write(toFile: dir + "/assets.csv", atomically: true, encoding: .utf8)
        let shared = ["--min-df", "2", "--max-df", "0.9", "--max-vocabulary", "800", "--weighting", "bm25", "--no-case-fold", "--no-nfkc",
                      "--strip-sigil", "--no-interest-hygiene", "--duplicates", "reject", "--header", "absent", "--max-line-bytes", "5000", "--strict",
                      "--top-interests", "7", "--stability", "2", "--stability-sample", "900", "--assets", dir + "/assets.csv",
                      "--assignments", "--rejects", dir + "/rejects.csv", "--empty-ids", dir + "/empty.txt"]
        let kmeans = ["--k", "4", "--seed", "11", "--restarts", "2", "--init", "kmeans||", "--init-trials", "3", "--metric", "euclidean",
                      "--max-iterations", "40", "--tolerance", "0.001", "--no-bounds", "--batch-size", "512", "--epochs", "3",
                      "--space-dimensions", "12", "--no-refine"]
        let nmf = ["--method", "nmf", "--k", "4", "--seed", "5", "--solver", "mu", "--nmf-init", "nndsvdar", "--max-iterations", "60",
                   "--tolerance", "0.00001", "--svd-power-iterations", "2", "--l1-w", "0.01", "--l2-w", "0.02", "--l1-h", "0.03", "--l2-h", "0.04"]
        for (name, flags) in [("kmeans", kmeans), ("nmf", nmf)] {
            let job = dir + "/\(name).yaml"
            let first = try CLI.run(["segment", input, "--out", dir + "/\(name)-a", "--save-job", job, "--quiet"] + shared + flags)
            #expect(first.status == 0, "\(first.stderr)")
            let again = try CLI.run(["run", job, "--out", dir + "/\(name)-b", "--quiet"])
            #expect(again.status == 0, "\(again.stderr)")
            func parameters(_ folder: String) throws -> [String: Any] {
                let run = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/run.json"))) as! [String: Any]
                var p = run["parameters"] as! [String: Any]
                p["out"] = nil
                p["inputs"] = (p["inputs"] as! [String]).map { URL(fileURLWithPath: $0).lastPathComponent }
                return p
            }
            // Compared as canonical JSON text (sorted keys).
            func canonical(_ p: [String: Any]) throws -> String {
                String(decoding: try JSONSerialization.data(withJSONObject: p, options: [.sortedKeys]), as: UTF8.self)
            }
            let a = try canonical(try parameters(dir + "/\(name)-a")), b = try canonical(try parameters(dir + "/\(name)-b"))
            #expect(a == b)
            #expect(a.contains("\"restarts\":2") || name == "nmf")
            #expect(a.contains("\"interest_hygiene\":false"))
            for file in ["segments.json", "assignments.csv"] {
                #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/\(name)-a/" + file)) == Data(contentsOf: URL(fileURLWithPath: dir + "/\(name)-b/" + file)), "\(name) \(file)")
            }
            // The flags really reached the job.
            let text = try String(contentsOfFile: job, encoding: .utf8)
            for line in ["min_df: 2", "weighting: bm25", "strip_sigil: true", "interest_hygiene: false", "strict: true", "top_interests: 7", "stability_sample: 900"] {
                #expect(text.contains(line), "\(name): \(line)")
            }
            #expect(text.contains(name == "nmf" ? "solver: mu" : "init_trials: 3"))
        }
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

@Suite struct StabilityEndToEndTests {
    /// Five planted segments fitted with k = 6: one planted segment must be split in two, and the extra
    /// part is what bootstrap re-fits reproduce least. (The swaps after split–merge find the best
    /// sixth segment: the profiles that mix two planted segments, cut from their primary one. Two
    /// halves of one segment, Lloyd's usual answer, are both unstable.)
    @Test func stabilitySeparatesPlantedFromSplitSegments() throws {
        let dir = CLI.folder()
        let input = dir + "/audience.jsonl", labels = dir + "/labels.csv"
        #expect(try CLI.run(["generate", "--profiles", "5000", "--segments", "5", "--interests", "2000", "--seed", "9",
                             "--out", input, "--labels", labels, "--quiet"]).status == 0)
        let r = try CLI.run(["segment", input, "--k", "6", "--seed", "1", "--stability", "6", "--assignments", "--out", dir + "/run", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        func rows(_ path: String) throws -> [[String]] {
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        }
        let truth = Dictionary(uniqueKeysWithValues: try rows(labels).map { ($0[0], $0[1]) })
        // Which planted segment dominates each found segment.
        var votes: [String: [String: Int]] = [:]
        for row in try rows(dir + "/run/assignments.csv") { votes[row[1], default: [:]][truth[row[0]]!, default: 0] += 1 }
        let planted = votes.mapValues { $0.max { $0.value < $1.value }!.key }
        let counts = Dictionary(grouping: planted.keys, by: { planted[$0]! })
        let split = Set(counts.values.filter { $0.count > 1 }.flatMap { $0 })
        #expect(split.count == 2, "one planted segment split in two: \(counts)")
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/run/segments.json"))) as? [String: Any]
        let segments = try #require(document?["segments"] as? [[String: Any]])
        var stability: [String: Double] = [:]
        for s in segments { stability[String(s["id"] as! Int)] = s["stability"] as? Double }
        let intact = planted.keys.filter { !split.contains($0) }.compactMap { stability[$0] }
        let halves = split.compactMap { stability[$0] }
        #expect(intact.count == 4 && halves.count == 2)
        #expect(halves.min()! < intact.min()!, "halves \(halves), intact \(intact)")
        #expect(halves.min()! < 0.99, "halves \(halves)")
        // Re-fits with k = 6 sometimes split another planted segment instead, so intact segments score
        // below 1 too; what matters is that the halves score lowest.
        #expect(intact.reduce(0, +) / Double(intact.count) > 0.75, "intact \(intact)")
    }
}

@Suite struct RunRecordTests {
    @Test func runJsonRecordsTheInputsSHA256() throws {
        let dir = CLI.folder()
        let input = dir + "/audience.jsonl"
        #expect(try CLI.run(["generate", "--profiles", "300", "--segments", "2", "--interests", "300", "--out", input, "--quiet"]).status == 0)
        #expect(try CLI.run(["segment", input, "--k", "2", "--stability", "0", "--out", dir + "/run", "--quiet"]).status == 0)
        let run = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/run/run.json"))) as? [String: Any]
        let inputs = try #require(run?["inputs"] as? [[String: Any]])
        // The reference digest from coreutils, an independent implementation.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        p.arguments = [input]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let expected = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: " ").first.map(String.init)
        p.waitUntilExit()
        #expect(inputs.first?["sha256"] as? String == expected)
        #expect(inputs.first?["bytes"] as? Int == (try FileManager.default.attributesOfItem(atPath: input)[.size] as? Int))
        #expect((run?["sources"] as? [String]) == [input])
        for key in ["tessera_version", "parameters", "counts", "timings", "seed", "objective"] { #expect(run?[key] != nil, "\(key)") }
        // `parameters` is the job itself, in the job file's keys.
        let parameters = try #require(run?["parameters"] as? [String: Any])
        #expect(parameters["k"] as? Int == 2 && parameters["stability"] as? Int == 0 && parameters["kmeans"] is [String: Any])
        let metrics = try #require(run?["metrics"] as? [String: Double])
        #expect(Set(metrics.keys) == ["silhouette", "calinski_harabasz", "davies_bouldin"])
        #expect(metrics["silhouette"]! > -1 && metrics["silhouette"]! < 1 && metrics["calinski_harabasz"]! > 0 && metrics["davies_bouldin"]! > 0)
    }
}
