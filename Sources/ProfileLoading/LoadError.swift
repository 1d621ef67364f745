/// Errors that stop a load. Bad records do not throw (they are rejected and reported) unless
/// strict mode is on; a damaged gzip file or a profile whose weights add up beyond the bounds
/// always does.
public enum LoadError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(file: String, reason: String)
    case readFailed(file: String, reason: String)
    /// A gzip file that is truncated, has trailing garbage, or fails its CRC or inflation: the load
    /// stops, since the lines after the damage are lost. `linesRead` complete lines came before it.
    case damagedGzip(file: String, problem: String, linesRead: Int)
    case unknownFormat(file: String)
    /// Strict mode: the first bad record. In any mode: a profile whose weights add up beyond the
    /// bounds (the line is where the profile starts).
    case badRecord(file: String, line: Int, reason: String)
    case noInput
    case invalidSetting(String)
    case cache(String)

    public var description: String {
        switch self {
        case let .cannotOpen(file, reason): return "cannot open \(file): \(reason)"
        case let .readFailed(file, reason): return "cannot read \(file): \(reason)"
        case let .damagedGzip(file, problem, lines):
            let before = lines == 0 ? "no complete line was read before it" : "lines up to \(lines) were read"
            return "\(file) \(problem); \(before). Check it with `gzip -t`, then fetch or compress it again "
                + "(`gzip -dc` extracts what can be read, if a partial load will do)"
        case let .unknownFormat(file):
            return "cannot tell the format of \(file) from its name; pass --format jsonl, csv or tsv"
        case let .badRecord(file, line, reason): return "\(file):\(line): \(reason)"
        case .noInput: return "no input files given"
        case let .invalidSetting(what): return "invalid setting: \(what)"
        case let .cache(what): return "profile cache: \(what)"
        }
    }
}
