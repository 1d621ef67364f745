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
        // Under mpirun/srun in an MPI build this starts MPI (on the main thread, before any work).
        let communicator = Ranks.communicator
        do {
            var command = try TesseraCommand.parseAsRoot()
            try RowBlocks.$rows.withValue(try rowBlock()) {
                if communicator.size > 1, !(command is SpreadCommand) {
                    // Commands that are not spread over ranks run once, on rank 0.
                    if communicator.rank == 0 { try command.run() }
                    communicator.barrier()
                } else {
                    try command.run()
                }
            }
            Ranks.finish()
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

    /// On several ranks the failing rank's message ends every rank (`MPI_Abort`) with `status`.
    static func fail(_ message: String, status: ExitStatus) -> Never {
        Ranks.fail(message, code: status.rawValue)
    }

    /// Rows per block of the exact sums (`RowBlocks`): `TESSERA_ROW_BLOCK`, a multiple of 1,024
    /// (default 65,536). Every rank of a job must use the same value; it changes last bits only.
    static func rowBlock() throws -> Int {
        guard let text = ProcessInfo.processInfo.environment["TESSERA_ROW_BLOCK"] else { return RowBlocks.rows }
        guard let rows = Int(text), rows >= 1024, rows % 1024 == 0 else {
            throw ValidationError("TESSERA_ROW_BLOCK must be a positive multiple of 1024, got \(text)")
        }
        return rows
    }
}

/// A command that runs its own work over every rank (the others run once, on rank 0).
protocol SpreadCommand {}
extension SegmentCommand: SpreadCommand {}
extension RunCommand: SpreadCommand {}
extension SweepCommand: SpreadCommand {}
extension RanksCheckCommand: SpreadCommand {}

extension InputFormat: ExpressibleByArgument {}
extension Weighting: ExpressibleByArgument {}
extension DuplicatePolicy: ExpressibleByArgument {}
extension HeaderPolicy: ExpressibleByArgument {}
