/// Errors that stop a load. Bad records do not throw (they are rejected and reported) unless
/// strict mode is on.
public enum LoadError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(file: String, reason: String)
    case readFailed(file: String, reason: String)
    case unknownFormat(file: String)
    /// Strict mode: the first bad record.
    case badRecord(file: String, line: Int, reason: String)
    case noInput
    case invalidSetting(String)
    case cache(String)

    public var description: String {
        switch self {
        case let .cannotOpen(file, reason): return "cannot open \(file): \(reason)"
        case let .readFailed(file, reason): return "cannot read \(file): \(reason)"
        case let .unknownFormat(file):
            return "cannot tell the format of \(file) from its name; pass --format jsonl, csv or tsv"
        case let .badRecord(file, line, reason): return "\(file):\(line): \(reason)"
        case .noInput: return "no input files given"
        case let .invalidSetting(what): return "invalid setting: \(what)"
        case let .cache(what): return "profile cache: \(what)"
        }
    }
}
