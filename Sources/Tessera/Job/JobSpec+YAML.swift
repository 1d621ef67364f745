import Foundation
import Yams

/// A job file that cannot be used: the file and what is wrong, naming the key.
public struct JobFileError: Error, CustomStringConvertible {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }
    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }
}

extension JobSpec {
    /// Reads a job file. Relative paths in it are relative to the file's folder; missing keys keep
    /// their defaults; unknown keys, values of the wrong type and values out of bounds are refused
    /// with the key's name.
    public static func read(jobFile path: String) throws -> JobSpec {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw JobFileError(file: path, message: "cannot read the job file (\(SystemError.reason(error)))")
        }
        let spec = try parse(yaml: text, file: path)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return spec.resolvingPaths(against: folder)
    }

    /// Decodes YAML text into a job (paths left as written).
    public static func parse(yaml text: String, file: String) throws -> JobSpec {
        guard text.utf8.count <= maximumBytes else {
            throw JobFileError(file: file, message: "a job file holds a few dozen keys; this one is over \(maximumBytes / 1024) KiB")
        }
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw JobFileError(file: file, message: "not valid YAML: \(error)")
        }
        // Aliases can make a small file stand for an enormous tree ("billion laughs"); a job never
        // needs more than a few hundred values.
        var budget = maximumValues
        if let node, !node.fits(in: &budget) {
            throw JobFileError(file: file, message: "expands to more than \(maximumValues) values (YAML aliases?); write the job out plainly")
        }
        guard let node, node.mapping != nil else {
            throw JobFileError(file: file, message: "expected a mapping of keys (inputs:, k:, …) at the top level")
        }
        guard node.mapping?["inputs"] != nil else {
            throw JobFileError(file: file, message: "key 'inputs' is required: a list of profile files or one cache")
        }
        do {
            return try YAMLDecoder().decode(JobSpec.self, from: node)
        } catch let error as UnknownJobKey {
            throw JobFileError(file: file, message: error.description)
        } catch let error as DecodingError {
            throw JobFileError(file: file, message: describe(error))
        }
    }

    /// Limits on a job file: its size and the values it may expand to.
    static let maximumBytes = 1 << 20
    static let maximumValues = 10_000

    /// "key 'kmeans.tolerance' must be a number (got …)" from a decoding error.
    static func describe(_ error: DecodingError) -> String {
        func name(_ path: [CodingKey]) -> String { path.map(\.stringValue).joined(separator: ".") }
        switch error {
        case let .typeMismatch(type, context), let .valueNotFound(type, context):
            return "key '\(name(context.codingPath))' must be \(expected(type)) (\(context.debugDescription))"
        case let .dataCorrupted(context):
            return "key '\(name(context.codingPath))' \(context.debugDescription)"
        case let .keyNotFound(key, context):
            return "key '\(name(context.codingPath + [key]))' is missing"
        @unknown default:
            return "\(error)"
        }
    }

    static func expected(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is String.Type: return "a text"
        default: return "a value of the documented kind"
        }
    }

    /// The job as YAML: every key written out, defaults included, so the file documents the run.
    public func yaml() throws -> String {
        let header = """
        # Tessera job file: `tessera run THIS.yaml` repeats the run; flags given to `tessera run` override it.
        # Relative paths are relative to this file's folder. Every key is documented in README.md ("The job file").

        """
        let text = try YAMLEncoder().encode(self)
        return header + text.split(separator: "\n", omittingEmptySubsequences: false).map(Self.plainNumber).joined(separator: "\n")
    }

    /// `max_df: 1e+0` → `max_df: 1.0`: the encoder writes every number in exponent form; people read
    /// the shortest decimal that gives back the same value.
    static func plainNumber(_ line: Substring) -> String {
        guard let colon = line.range(of: ": ", options: .backwards) else { return String(line) }
        let value = line[colon.upperBound...]
        guard value.contains("e"), value.allSatisfy({ "0123456789.e+-".contains($0) }), let number = Double(value) else { return String(line) }
        return line[..<colon.upperBound] + number.description
    }
}

extension Node {
    /// Whether the tree (aliases expanded) has at most `budget` nodes; stops counting as soon as it has more.
    func fits(in budget: inout Int) -> Bool {
        budget -= 1
        guard budget >= 0 else { return false }
        switch self {
        case .scalar: return true
        case .sequence(let sequence): return sequence.allSatisfy { $0.fits(in: &budget) }
        case .mapping(let mapping): return mapping.allSatisfy { $0.key.fits(in: &budget) && $0.value.fits(in: &budget) }
        case .alias: return true
        }
    }
}
