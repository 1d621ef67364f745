import ArgumentParser
import Foundation
import Tessera

/// The `tessera` command: social-audience segmentation.
struct TesseraCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tessera",
        abstract: "Segment a brand's social audience by what its followers follow.",
        discussion: """
        Exit codes: 0 success, 1 bad input (unreadable file, bad record in --strict mode, bad cache), \
        2 usage error (unknown option, bad value), 3 nothing to segment (fewer profiles than segments), \
        4 a board refused a push or could not be reached (`tessera push`).
        """,
        version: TesseraVersion.current,
        groupedSubcommands: [
            CommandGroup(name: "Data", subcommands: [LoadCommand.self, GenerateCommand.self]),
            CommandGroup(name: "Segments", subcommands: [SegmentCommand.self, SweepCommand.self, AssignCommand.self, WallCommand.self, PushCommand.self]),
            CommandGroup(name: "Jobs", subcommands: [RunCommand.self, DemoCommand.self, RanksCheckCommand.self]),
        ]
    )
}

@main
struct Main {
    static func main() {
        MemoryTuning.prepareProcessForLargeLoads()
        if !KernelBuild.isSupportedByThisCPU {
            fail("this build of Tessera uses \(KernelBuild.instructionSets) instructions, which this CPU lacks; rebuild with `TESSERA_PORTABLE=1 make demo` (or `TESSERA_PORTABLE=1 swift build -c release`)", status: .usage)
        }
        do {
            var command = try TesseraCommand.parseAsRoot()
            try command.run()
        } catch let error as TesseraError {
            // The exit code of every Tessera error comes from one table (Sources/Tessera/Job/ExitStatus.swift).
            fail(error.description, status: error.exitStatus)
        } catch {
            let code = TesseraCommand.exitCode(for: error)
            if code == .success {
                TesseraCommand.exit(withError: error)   // --help, --version
            }
            if code == .validationFailure {
                let message = TesseraCommand.fullMessage(for: error)
                FileHandle.standardError.write(Data((message + "\n").utf8))
                exit(ExitStatus.usage.rawValue)
            }
            TesseraCommand.exit(withError: error)
        }
    }

    static func fail(_ message: String, status: ExitStatus) -> Never {
        FileHandle.standardError.write(Data("error: \(TerminalText.safe(message))\n".utf8))
        exit(status.rawValue)
    }
}

extension InputFormat: ExpressibleByArgument {}
extension Weighting: ExpressibleByArgument {}
extension DuplicatePolicy: ExpressibleByArgument {}
extension HeaderPolicy: ExpressibleByArgument {}
