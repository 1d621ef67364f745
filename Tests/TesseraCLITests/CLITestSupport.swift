import Foundation

/// Runs the built `tessera` binary: $TESSERA_BIN, or the debug build beside the package.
enum CLI {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["TESSERA_BIN"], FileManager.default.fileExists(atPath: path) { return path }
        for candidate in [".build/debug/tessera", ".build/release/tessera"] {
            let path = packageRoot.appendingPathComponent(candidate).path
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        return packageRoot.appendingPathComponent(".build/debug/tessera").path
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] ?? [:]
        }
    }

    /// `environment` entries are added to (or, with an empty value, removed from) the inherited environment.
    /// `launcher` (e.g. `mpirun -np 3`) runs the binary through another program; `started` is called
    /// with the process once it runs (a hang guard may terminate it).
    static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:],
                    launcher: [String] = [], started: ((Process) -> Void)? = nil) throws -> Result {
        let process = Process()
        if launcher.isEmpty {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = launcher + [binary] + arguments
        }
        if !environment.isEmpty {
            var merged = ProcessInfo.processInfo.environment
            for (name, value) in environment { merged[name] = value.isEmpty ? nil : value }
            process.environment = merged
        }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        started?(process)
        // Read both pipes before waiting so a full pipe cannot block the child.
        var outData = Data(), errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    static func folder() -> String {
        let path = NSTemporaryDirectory() + "tessera-cli-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func dataset(_ relative: String) -> String {
        packageRoot.appendingPathComponent("datasets/" + relative).path
    }
}
