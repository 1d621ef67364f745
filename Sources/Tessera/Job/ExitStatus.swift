import Foundation

/// The documented exit codes of `tessera`.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    case success = 0
    /// Bad input: an unreadable or damaged file, a bad record in strict mode, a catalogue, cache or model that cannot be used.
    case badInput = 1
    /// Usage: an unknown option, a value out of its bound, a bad job file.
    case usage = 2
    /// Nothing to segment: fewer profiles than segments.
    case nothingToSegment = 3
    /// A board refused a push or could not be reached after the retries (`tessera push`).
    case boardRefused = 4
}

/// An error Tessera reports to a person: what went wrong (naming the file, line or setting) and the
/// exit code it ends the process with.
public protocol TesseraError: Error, CustomStringConvertible {
    var exitStatus: ExitStatus { get }
}

// The one table from error to exit code. Every error a command can meet is listed here; the CLI
// prints `error: <description>` and exits with `exitStatus`.
extension LoadError: TesseraError {
    public var exitStatus: ExitStatus { if case .invalidSetting = self { return .usage }; return .badInput }
}
extension AtomicFileError: TesseraError { public var exitStatus: ExitStatus { .badInput } }
extension CatalogError: TesseraError { public var exitStatus: ExitStatus { .badInput } }
extension BoardPushError: TesseraError {
    public var exitStatus: ExitStatus {
        switch self {
        case .missingCredentials: return .usage
        case .missingPlan, .badPlan: return .badInput
        case .refused, .gaveUp, .badResponse, .unresolved: return .boardRefused
        }
    }
}
extension ModelError: TesseraError { public var exitStatus: ExitStatus { .badInput } }
extension InsightError: TesseraError { public var exitStatus: ExitStatus { .badInput } }
extension LinearAlgebraError: TesseraError { public var exitStatus: ExitStatus { .badInput } }
extension GeneratorError: TesseraError { public var exitStatus: ExitStatus { .usage } }
extension JobFileError: TesseraError { public var exitStatus: ExitStatus { .usage } }
extension InvalidJobSetting: TesseraError { public var exitStatus: ExitStatus { .usage } }
extension UnknownJobKey: TesseraError { public var exitStatus: ExitStatus { .usage } }
extension ClusteringError: TesseraError {
    public var exitStatus: ExitStatus {
        switch self {
        case .tooFewRows: return .nothingToSegment
        case .invalidSettings: return .usage
        case .nonFiniteInput, .shapeMismatch: return .badInput
        }
    }
}
extension FactorizationError: TesseraError {
    public var exitStatus: ExitStatus {
        switch self {
        case .tooFewRows: return .nothingToSegment
        case .invalidSettings: return .usage
        case .nonFiniteInput, .shapeMismatch: return .badInput
        }
    }
}
