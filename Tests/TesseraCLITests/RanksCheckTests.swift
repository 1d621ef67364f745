import Foundation
import Testing

/// `tessera ranks-check` over the ranks of a job: under `$TESSERA_MPIRUN` (set by `make test`, e.g.
/// `mpirun --oversubscribe`) with 1, 2 and 3 ranks of the MPI build in `$TESSERA_BIN`; without it,
/// as one process.
@Suite(.serialized) struct RanksCheckTests {
    /// The launcher's words, or nil to run the binary on its own.
    static var launcher: [String]? {
        guard let value = ProcessInfo.processInfo.environment["TESSERA_MPIRUN"], !value.isEmpty else { return nil }
        return value.split(separator: " ").map(String.init)
    }

    /// The rank counts to check: 1, 2, 3 under the launcher, else the single process.
    static var rankCounts: [Int] { launcher == nil ? [1] : [1, 2, 3] }

    /// Runs `tessera arguments` over `ranks` ranks (through the launcher when there is one). A job
    /// that has not ended after `hangGuard` seconds is killed and reported as hung: a guard against a
    /// deadlock, not a speed check.
    static func run(ranks: Int, _ arguments: [String], environment: [String: String] = [:], hangGuard: Double = 900) throws -> CLI.Result {
        guard let launcher else {
            precondition(ranks == 1)
            return try CLI.run(arguments, environment: environment)
        }
        let process = Process()
        if !environment.isEmpty {
            var merged = ProcessInfo.processInfo.environment
            for (name, value) in environment { merged[name] = value }
            process.environment = merged
        }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = launcher + ["-np", "\(ranks)", CLI.binary] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let killed = KilledFlag()
        let guardTimer = DispatchWorkItem {
            if process.isRunning { killed.set(); process.terminate() }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + hangGuard, execute: guardTimer)
        var outData = Data(), errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        guardTimer.cancel()
        #expect(!killed.value, "the job over \(ranks) ranks did not end (killed after \(Int(hangGuard)) s): \(arguments)")
        return CLI.Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                          stderr: String(decoding: errData, as: UTF8.self))
    }

    final class KilledFlag: @unchecked Sendable {
        private let lock = NSLock()
        private var killed = false
        func set() { lock.withLock { killed = true } }
        var value: Bool { lock.withLock { killed } }
    }

    @Test func everyCollectiveMatchesOnEveryRankCount() throws {
        var exactBits: [String] = []
        for ranks in Self.rankCounts {
            let r = try Self.run(ranks: ranks, ["ranks-check"])
            #expect(r.status == 0, "\(ranks) ranks: \(r.stderr)")
            // Only rank 0 prints: one JSON object.
            #expect(r.stdout.split(separator: "\n").count == 1, "\(ranks) ranks printed: \(r.stdout)")
            let json = r.json
            #expect(json["size"] as? Int == ranks)
            #expect(json["all_matched"] as? Bool == true)
            #expect((json["processors"] as? [String])?.count == ranks)
            #expect((json["bytes_communicated"] as? [Int])?.count == ranks)
            let checks = try #require(json["checks"] as? [String: Bool], "\(r.stdout)")
            for name in ["allreduce_double", "allreduce_float", "allreduce_int128", "exact_float_sum", "allgather", "allgather_large",
                         "broadcast_root_0", "broadcast_root_last", "scatter_root_0", "scatter_root_last",
                         "gather_root_0", "gather_root_last", "barrier", "identical_on_every_rank"] {
                #expect(checks[name] == true, "\(ranks) ranks: \(name) is \(String(describing: checks[name]))")
            }
            #expect(checks.values.allSatisfy { $0 }, "\(ranks) ranks: \(checks.filter { !$0.value })")
            if Self.launcher != nil {
                #expect(json["backend"] as? String == "mpi", "TESSERA_BIN must be an MPI build (make mpi)")
                // Transfers split into 3-byte rounds give the same results.
                #expect(checks.keys.filter { $0.hasPrefix("small_chunks.") }.count >= 13)
                if ranks > 1 { #expect((json["bytes_communicated"] as? [Int])?.allSatisfy { $0 > 1_000_000 } == true) }
            }
            exactBits.append(json["exact_float_sum_bits"] as? String ?? "")
        }
        // Exact sums: the same bits whatever the number of ranks.
        #expect(Set(exactBits).count == 1 && exactBits[0].split(separator: " ").count == 4, "\(exactBits)")
    }

    @Test func aFailingRankStopsTheWholeJob() throws {
        let ranks = Self.launcher == nil ? 1 : 3
        // The failing rank stops after the first collective while the others wait in the next one.
        for (failing, code) in [(ranks - 1, Int32(1)), (0, Int32(2))] {
            let r = try Self.run(ranks: ranks, ["ranks-check", "--fail-on-rank", "\(failing)", "--exit-code", "\(code)"])
            #expect(r.status == code, "\(r.stderr)")
            #expect(r.stdout.isEmpty)
            let expected = Self.launcher == nil ? "error: ranks-check stops the job on rank 0"
                                                : "tessera (rank \(failing) of \(ranks)): ranks-check stops the job on rank \(failing)"
            #expect(r.stderr.contains(expected), "\(r.stderr)")
        }
    }

    @Test func badFailureOptionsAreUsageErrors() throws {
        #expect(try CLI.run(["ranks-check", "--fail-on-rank", "-1"]).status == 2)
        #expect(try CLI.run(["ranks-check", "--fail-on-rank", "0", "--exit-code", "0"]).status == 2)
    }

    @Test func benchmarkReportsEveryCollectiveAndSize() throws {
        let ranks = Self.launcher == nil ? 1 : 2
        let r = try Self.run(ranks: ranks, ["ranks-check", "--benchmark"])
        #expect(r.status == 0, "\(r.stderr)")
        let entries = try #require(r.json["benchmark"] as? [[String: Any]], "\(r.stdout)")
        #expect(Set(entries.compactMap { $0["collective"] as? String }) == ["allreduce_int128", "allgather_bytes", "allreduce_double"])
        #expect(entries.count == 15)
        for entry in entries {
            #expect((entry["bytes_per_rank"] as? Int ?? 0) >= 16)
            #expect((entry["iterations"] as? Int ?? 0) >= 5)
            #expect((entry["microseconds_per_call"] as? Double ?? -1) >= 0)
        }
    }
}
