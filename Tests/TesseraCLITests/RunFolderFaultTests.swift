import Foundation
import Testing

/// A run folder is all old or all new, whatever happens to the process writing it.
@Suite(.serialized) struct RunFolderFaultTests {
    static func digest(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    /// The files of a complete run folder, by name.
    static func snapshot(_ folder: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: folder)
        while let name = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = folder + "/" + name
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[name] = FileManager.default.contents(atPath: path)
            }
        }
        // Timings (run.json) and the output path (the model's job) differ between two runs of the same
        // job; both are checked through the seed they record instead.
        files["run.json"] = nil
        files["model.tessera"] = nil
        return files
    }

    /// The seed run.json records, if the model records the same one (nil otherwise).
    static func seed(ofRun folder: String) throws -> Int? {
        guard let data = FileManager.default.contents(atPath: folder + "/run.json"),
              let run = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let model = FileManager.default.contents(atPath: folder + "/model.tessera"), model.count > 32 else { return nil }
        // model.tessera: 32-byte header whose last 8 bytes are the length of the JSON metadata after it.
        let length = model.subdata(in: 24..<32).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        guard let metadata = try JSONSerialization.jsonObject(with: model.subdata(in: 32..<(32 + length))) as? [String: Any] else { return nil }
        let runSeed = (run["parameters"] as? [String: Any])?["seed"] as? Int
        let modelSeed = (metadata["parameters"] as? [String: Any])?["seed"] as? Int
        return runSeed == modelSeed ? runSeed : nil
    }

    /// kill -9 at many points of a run into a folder that holds an earlier run: afterwards the folder
    /// is exactly the earlier run or exactly the new one, never a mix, and the next run cleans up.
    @Test func killedRunsLeaveAllOldOrAllNew() throws {
        let dir = CLI.folder()
        let input = dir + "/audience.jsonl"
        #expect(try CLI.run(["generate", "--profiles", "20000", "--segments", "8", "--interests", "3000", "--out", input, "--quiet"]).status == 0)
        let job = ["segment", input, "--k", "8", "--stability", "1", "--assignments", "--quiet"]
        // The two complete runs a killed run can leave: seed 1 (already there) or seed 2 (the new one).
        #expect(try CLI.run(job + ["--seed", "2", "--out", dir + "/reference-new"]).status == 0)
        let newRun = try Self.snapshot(dir + "/reference-new")
        let out = dir + "/run"
        let clock = ContinuousClock()
        let start = clock.now
        #expect(try CLI.run(job + ["--seed", "1", "--out", out]).status == 0)
        let seconds = (clock.now - start).inSeconds
        let oldRun = try Self.snapshot(out)
        #expect(oldRun != newRun)
        var sawOld = false, sawNew = false
        for step in 1...12 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CLI.binary)
            process.arguments = job + ["--seed", "2", "--out", out]
            process.standardError = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            usleep(useconds_t(seconds * Double(step) / 12 * 1_000_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let now = try Self.snapshot(out)
            let seed = try Self.seed(ofRun: out)
            #expect((now == oldRun && seed == 1) || (now == newRun && seed == 2), "kill \(step): a mixed folder (seed \(String(describing: seed)))")
            if now == oldRun { sawOld = true } else if now == newRun { sawNew = true }
            if now == newRun {
                // Put the old run back so later kills test the swap again.
                #expect(try CLI.run(job + ["--seed", "1", "--out", out]).status == 0)
            }
        }
        #expect(sawOld, "at least one kill landed before the swap")
        // A complete run removes every leftover of the killed ones.
        #expect(try CLI.run(job + ["--seed", "2", "--out", out]).status == 0)
        #expect(try Self.snapshot(out) == newRun)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".run.") }
        #expect(leftovers.isEmpty, "\(leftovers)")
        _ = sawNew
    }

    /// A run that fails late (here: the disk fills up while writing) leaves the previous run as it was
    /// and no staging folder. Needs a small tmpfs (mounting needs root); skipped where it cannot mount.
    @Test func fullDiskLeavesThePreviousRun() throws {
        let dir = CLI.folder()
        let disk = dir + "/disk"
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=1m", "tmpfs", disk]
        mount.standardError = FileHandle.nullDevice
        guard (try? mount.run()) != nil else { return }
        mount.waitUntilExit()
        guard mount.terminationStatus == 0 else { return }   // not allowed here: nothing to test
        defer {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = [disk]
            try? umount.run()
            umount.waitUntilExit()
        }
        let small = dir + "/small.jsonl", large = dir + "/large.jsonl"
        #expect(try CLI.run(["generate", "--profiles", "600", "--segments", "3", "--interests", "300", "--out", small, "--quiet"]).status == 0)
        #expect(try CLI.run(["generate", "--profiles", "150000", "--segments", "3", "--interests", "300", "--out", large, "--quiet"]).status == 0)
        let out = disk + "/run"
        #expect(try CLI.run(["segment", small, "--k", "3", "--stability", "0", "--out", out, "--quiet"]).status == 0)
        let before = try Self.snapshot(out)
        let full = try CLI.run(["segment", large, "--k", "3", "--stability", "0", "--assignments", "--out", out, "--quiet"])
        #expect(full.status == 1, "\(full.stderr)")
        #expect(full.stderr.lowercased().contains("space"), "\(full.stderr)")
        #expect(!full.stderr.contains("NSCocoaErrorDomain"), "\(full.stderr)")
        #expect(try Self.snapshot(out) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: disk).filter { $0.hasPrefix(".") }.isEmpty)
    }
}

extension Duration {
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
