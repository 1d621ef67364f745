import Foundation

/// A JSON value that keeps strings, numbers, booleans and nesting as they are, so board request
/// bodies can be read back from the export files, have their placeholders filled in and be sent.
public indirect enum BoardJSON: Codable, Sendable, Equatable {
    case object([String: BoardJSON]), array([BoardJSON]), string(String), number(Double), bool(Bool), null

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([BoardJSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: BoardJSON].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .object(let o): try c.encode(o)
        case .array(let a): try c.encode(a)
        case .string(let s): try c.encode(s)
        case .number(let n):
            // Whole numbers are written without a fraction (`120`, not `120.0`): some endpoints type
            // coordinates as integers.
            if n.rounded() == n, abs(n) < 1e15 { try c.encode(Int64(n)) } else { try c.encode(n) }
        case .bool(let b): try c.encode(b)
        case .null: try c.encodeNil()
        }
    }

    public static func decode(_ data: Data) throws -> BoardJSON { try JSONDecoder().decode(BoardJSON.self, from: data) }

    /// Compact, key-sorted JSON (the bytes sent to a board).
    public func data() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    public subscript(key: String) -> BoardJSON? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var string: String? { if case .string(let s) = self { return s }; return nil }
    public var elements: [BoardJSON]? { if case .array(let a) = self { return a }; return nil }

    /// The value with every string passed through `transform` (placeholders are filled in this way).
    public func mapStrings(_ transform: (String) throws -> String) rethrows -> BoardJSON {
        switch self {
        case .string(let s): return .string(try transform(s))
        case .array(let a): return .array(try a.map { try $0.mapStrings(transform) })
        case .object(let o): return .object(try o.mapValues { try $0.mapStrings(transform) })
        default: return self
        }
    }

    /// An object without the given keys (a create body turned into an update body).
    public func removing(_ keys: [String]) -> BoardJSON {
        guard case .object(var o) = self else { return self }
        for key in keys { o[key] = nil }
        return .object(o)
    }

    /// Values along a path such as `id`, `data[].id`, `value.id` or `value[].id` (`[]` walks an array).
    public func values(at path: String) -> [BoardJSON] {
        var current: [BoardJSON] = [self]
        for part in path.split(separator: ".") {
            var name = String(part)
            let walk = name.hasSuffix("[]")
            if walk { name.removeLast(2) }
            current = current.compactMap { $0[name] }
            if walk { current = current.flatMap { $0.elements ?? [] } }
        }
        return current
    }
}
