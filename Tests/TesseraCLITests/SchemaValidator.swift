import Foundation

/// A parsed JSON value that keeps booleans and numbers apart.
indirect enum JSONValue: Decodable {
    case object([String: JSONValue]), array([JSONValue]), string(String), bool(Bool), number(Double), null

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) } else if let n = try? c.decode(Double.self) { self = .number(n) } else if let s = try? c.decode(String.self) { self = .string(s) } else if let a = try? c.decode([JSONValue].self) { self = .array(a) } else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    static func parse(_ data: Data) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: data) }

    subscript(key: String) -> JSONValue? { if case .object(let o) = self { return o[key] } else { return nil } }
}

/// A JSON Schema checker for the keywords `segments.schema.json` uses (type, required, properties,
/// items, $ref into $defs, const, enum, minimum, maximum, minItems, maxItems): enough to check every
/// exported segments.json against the schema in the repository without a third-party validator.
struct SchemaValidator {
    let root: JSONValue

    func validate(_ value: JSONValue, against schema: JSONValue, at path: String = "$") -> [String] {
        if case .string(let ref)? = schema["$ref"], ref.hasPrefix("#/$defs/"), let target = root["$defs"]?[String(ref.dropFirst(8))] {
            return validate(value, against: target, at: path)
        }
        if case .string(let type)? = schema["type"], !matches(value, type) { return ["\(path): expected \(type)"] }
        var errors: [String] = []
        if let constant = schema["const"], !same(constant, value) { errors.append("\(path): expected \(constant)") }
        if case .array(let options)? = schema["enum"], !options.contains(where: { same($0, value) }) { errors.append("\(path): not an allowed value") }
        if case .number(let n) = value {
            if case .number(let minimum)? = schema["minimum"], n < minimum { errors.append("\(path): \(n) < \(minimum)") }
            if case .number(let maximum)? = schema["maximum"], n > maximum { errors.append("\(path): \(n) > \(maximum)") }
        }
        if case .object(let object) = value {
            if case .array(let required)? = schema["required"] {
                for case .string(let key) in required where object[key] == nil { errors.append("\(path): missing \(key)") }
            }
            if case .object(let properties)? = schema["properties"] {
                for (key, sub) in properties { if let member = object[key] { errors += validate(member, against: sub, at: path + "." + key) } }
            }
        }
        if case .array(let array) = value {
            if case .number(let min)? = schema["minItems"], Double(array.count) < min { errors.append("\(path): too few items") }
            if case .number(let max)? = schema["maxItems"], Double(array.count) > max { errors.append("\(path): too many items") }
            if let items = schema["items"] { for (i, item) in array.enumerated() { errors += validate(item, against: items, at: "\(path)[\(i)]") } }
        }
        return errors
    }

    func matches(_ value: JSONValue, _ type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("number", .number), ("null", .null): return true
        case ("integer", .number(let n)): return n.rounded() == n
        default: return false
        }
    }

    func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        default: return false
        }
    }
}
