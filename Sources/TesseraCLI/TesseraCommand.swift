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
        2 usage error (unknown option, bad value), 3 nothing to segment (fewer profiles than segments).
        """,
        version: TesseraVersion.current,
        groupedSubcommands: [
            CommandGroup(name: "Data", subcommands: [LoadCommand.self, GenerateCommand.self]),
            CommandGroup(name: "Segments", subcommands: [SegmentCommand.self, SweepCommand.self, AssignCommand.self, WallCommand.self]),
            CommandGroup(name: "Jobs", subcommands: [RunCommand.self, DemoCommand.self]),
        ]
    )
}

/// Documented exit codes.
enum ExitStatus: Int32 {
    case success = 0
    case badInput = 1
    case usage = 2
    case nothingToSegment = 3
}

@main
struct Main {
    static func main() {
        if !KernelBuild.isSupportedByThisCPU {
            fail("this build of Tessera uses \(KernelBuild.instructionSets) instructions, which this CPU lacks; rebuild with `TESSERA_PORTABLE=1 make demo` (or `TESSERA_PORTABLE=1 swift build -c release`)", status: .usage)
        }
        do {
            var command = try TesseraCommand.parseAsRoot()
            try command.run()
        } catch let error as LoadError {
            fail(error.description, status: .badInput)
        } catch let error as GeneratorError {
            fail(error.description, status: .usage)
        } catch let error as AtomicFileError {
            fail(error.description, status: .badInput)
        } catch let error as ClusteringError {
            switch error {
            case .tooFewRows: fail(error.description, status: .nothingToSegment)
            case .invalidSettings: fail(error.description, status: .usage)
            default: fail(error.description, status: .badInput)
            }
        } catch let error as FactorizationError {
            switch error {
            case .tooFewRows: fail(error.description, status: .nothingToSegment)
            case .invalidSettings: fail(error.description, status: .usage)
            default: fail(error.description, status: .badInput)
            }
        } catch let error as JobFile.Problem {
            fail(error.description, status: .usage)
        } catch let error as CatalogError {
            fail(error.description, status: .badInput)
        } catch let error as InsightError {
            fail(error.description, status: .badInput)
        } catch let error as LinearAlgebraError {
            fail(error.description, status: .badInput)
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
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        exit(status.rawValue)
    }
}

extension InputFormat: ExpressibleByArgument {}
extension Weighting: ExpressibleByArgument {}
extension DuplicatePolicy: ExpressibleByArgument {}
extension HeaderPolicy: ExpressibleByArgument {}
