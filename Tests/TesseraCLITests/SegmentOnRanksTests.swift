import Foundation
import Testing

/// `tessera segment` over the ranks of an Open MPI job (`make test` sets `TESSERA_MPIRUN` and builds
/// the MPI binary): segments.json and assignments.csv are the same bytes as one process's, for
/// k-means and NMF on 1, 2 and 3 ranks, and a rank that meets bad input stops the whole job.
/// Without `TESSERA_MPIRUN` the comparison runs on one rank only (the single-process path).
@Suite(.serialized) struct SegmentOnRanksTests {
    /// Small blocks so that 6,000 profiles spread over three ranks (every rank gets rows).
    static let environment = ["TESSERA_ROW_BLOCK": "1024"]

    static func folder() -> String {
        let path = NSTemporaryDirectory() + "tessera-ranks-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test(arguments: ["kmeans", "nmf"])
    func spreadRunsWriteTheSameBytesAsOneProcess(method: String) throws {
        let dir = Self.folder()
        let input = dir + "/audience.jsonl"
        #expect(try CLI.run(["generate", "--profiles", "6000", "--segments", "6", "--seed", "3", "--out", input, "--quiet"]).status == 0)
        let job = ["segment", input, "--k", "6", "--method", method, "--stability", "1", "--assignments", "--quiet"]
        let single = try CLI.run(job + ["--out", dir + "/single"], environment: Self.environment)
        #expect(single.status == 0, "\(single.stderr)")
        for ranks in RanksCheckTests.rankCounts {
            let out = dir + "/ranks\(ranks)"
            let r = try RanksCheckTests.run(ranks: ranks, job + ["--out", out], environment: Self.environment)
            #expect(r.status == 0, "\(r.stderr)")
            for name in ["segments.json", "assignments.csv"] {
                let spread = try Data(contentsOf: URL(fileURLWithPath: out + "/" + name))
                let one = try Data(contentsOf: URL(fileURLWithPath: dir + "/single/" + name))
                #expect(spread == one, "\(name) differs between one process and \(ranks) ranks (\(method))")
            }
            let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/run.json"))) as! [String: Any]
            if ranks > 1 {
                let spread = try #require(record["ranks"] as? [String: Any])
                #expect(spread["count"] as? Int == ranks && spread["backend"] as? String == "mpi")
                let rows = try #require(spread["rows_per_rank"] as? [Int])
                #expect(rows.count == ranks && rows.reduce(0, +) == 6000 && rows.allSatisfy { $0 > 0 })
                #expect((spread["input_bytes_per_rank"] as? [Int])?.allSatisfy { $0 > 0 } == true)
                #expect((spread["bytes_reduced_per_iteration"] as? Int ?? 0) > 0)
            } else {
                #expect(record["ranks"] == nil)
            }
        }
    }

    /// `sweep` over ranks scores every k exactly as one process does (timings aside).
    @Test func sweepOnRanksScoresEveryKAsOneProcess() throws {
        let dir = Self.folder()
        let input = dir + "/audience.jsonl"
        #expect(try CLI.run(["generate", "--profiles", "5000", "--segments", "5", "--seed", "4", "--out", input, "--quiet"]).status == 0)
        let job = ["sweep", input, "--k", "3...6", "--seeds", "2", "--quiet"]
        func points(_ folder: String) throws -> String {
            let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/sweep.json"))) as! [String: Any]
            var points = report["points"] as! [[String: Any]]
            for i in points.indices { points[i]["seconds"] = nil }
            let kept: [String: Any] = ["points": points, "recommended_k": report["recommended_k"] ?? NSNull(), "profiles": report["profiles"] ?? 0]
            return String(decoding: try JSONSerialization.data(withJSONObject: kept, options: [.sortedKeys]), as: UTF8.self)
        }
        #expect(try CLI.run(job + ["--out", dir + "/single"], environment: Self.environment).status == 0)
        let single = try points(dir + "/single")
        #expect(single.contains("\"profiles\":5000"))
        for ranks in RanksCheckTests.rankCounts where ranks > 1 || RanksCheckTests.launcher == nil {
            let r = try RanksCheckTests.run(ranks: ranks, job + ["--out", dir + "/ranks\(ranks)"], environment: Self.environment)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(try points(dir + "/ranks\(ranks)") == single, "sweep differs on \(ranks) ranks")
        }
    }

    /// The second of two input files is a damaged gzip file: the rank that reads it stops the job
    /// with exit code 1 (bad input) and its message; no rank is left waiting.
    @Test func aRankMeetingBadInputStopsTheJob() throws {
        guard let _ = RanksCheckTests.launcher else { return }
        let dir = Self.folder()
        let first = dir + "/a.jsonl", second = dir + "/b.jsonl.gz"
        #expect(try CLI.run(["generate", "--profiles", "3000", "--segments", "4", "--out", first, "--quiet"]).status == 0)
        // A gzip header followed by garbage.
        try Data([0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03] + Array(repeating: 0xAB, count: 4000)).write(to: URL(fileURLWithPath: second))
        let r = try RanksCheckTests.run(ranks: 2, ["segment", first, second, "--k", "4", "--quiet", "--out", dir + "/out"])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("rank 1 of 2") && r.stderr.contains("b.jsonl.gz"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out/segments.json"))
    }
}
