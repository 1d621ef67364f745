import Foundation

/// A parsed JSON value that keeps booleans and numbers apart (independent of the code under test).
indirect enum J: Decodable, Equatable {
    case object([String: J]), array([J]), string(String), bool(Bool), number(Double), null

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) } else if let n = try? c.decode(Double.self) { self = .number(n) } else if let s = try? c.decode(String.self) { self = .string(s) } else if let a = try? c.decode([J].self) { self = .array(a) } else { self = .object(try c.decode([String: J].self)) }
    }

    static func parse(_ data: Data) throws -> J { try JSONDecoder().decode(J.self, from: data) }
    subscript(key: String) -> J? { if case .object(let o) = self { return o[key] }; return nil }
    var string: String? { if case .string(let s) = self { return s }; return nil }
    var array: [J]? { if case .array(let a) = self { return a }; return nil }
    var object: [String: J]? { if case .object(let o) = self { return o }; return nil }
}

/// A vendored OpenAPI 3 or Swagger 2 document and a validator for the JSON Schema subset these
/// documents use: `$ref`, `type` (with `nullable`), `required`, `properties`, unknown fields,
/// `additionalProperties`, `enum`, `oneOf`/`anyOf`/`allOf`, `items`, `minItems`/`maxItems`,
/// `minimum`/`maximum`, `pattern`, `minLength`/`maxLength` and the formats `int32`, `int64` (also on
/// strings: digits only), `float`, `double`.
///
/// Unknown fields: the vendors' schemas rarely say `additionalProperties: false`, but their endpoints
/// ignore or reject fields they do not define, so a field that an object schema with `properties`
/// does not list is an error here unless `additionalProperties` allows it. `oneOf` is checked as
/// "at least one branch": Miro's item data is told apart by the item's `type`, not by the schemas,
/// so several branches can match one value.
struct OpenAPIDocument {
    let root: J
    let name: String

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/vendor")

    init(_ relative: String) throws {
        name = relative
        root = try J.parse(Data(contentsOf: Self.fixtures.appendingPathComponent(relative)))
    }

    func resolve(_ ref: String) -> J? {
        guard ref.hasPrefix("#/") else { return nil }
        var node: J? = root
        for part in ref.dropFirst(2).split(separator: "/") { node = node?[String(part)] }
        return node
    }

    /// The operation for `method` on the path template `template`.
    func operation(_ method: String, _ template: String) -> J? { root["paths"]?[template]?[method.lowercased()] }

    /// The path template (and operation) a concrete path matches, e.g. `/v2/boards/b1/frames`.
    func match(_ method: String, path: String) -> (template: String, operation: J)? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        for (template, item) in root["paths"]?.object ?? [:] {
            let t = template.split(separator: "/", omittingEmptySubsequences: false)
            guard t.count == parts.count else { continue }
            let same = zip(t, parts).allSatisfy { a, b in (a.hasPrefix("{") && a.hasSuffix("}") && !b.isEmpty) || a == b }
            if same, let op = item[method.lowercased()] { return (template, op) }
        }
        return nil
    }

    /// The JSON request body's schema (OpenAPI 3 `requestBody`, Swagger 2 `in: body` parameter).
    func requestSchema(_ operation: J) -> J? {
        if let s = operation["requestBody"]?["content"]?["application/json"]?["schema"] { return s }
        return operation["parameters"]?.array?.first { $0["in"]?.string == "body" }?["schema"]
    }

    /// The success response's schema.
    func responseSchema(_ operation: J) -> J? {
        for code in ["200", "201"] {
            if let r = operation["responses"]?[code] {
                return r["content"]?["application/json"]?["schema"] ?? r["schema"]
            }
        }
        return nil
    }

    func validate(_ value: J, against schema: J, at path: String = "$") -> [String] {
        if case .string(let ref)? = schema["$ref"] {
            guard let target = resolve(ref) else { return ["\(path): unresolved \(ref)"] }
            return validate(value, against: target, at: path)
        }
        if value == .null, schema["nullable"] == .bool(true) { return [] }
        var errors: [String] = []
        for combiner in ["oneOf", "anyOf"] {
            if let branches = schema[combiner]?.array {
                let results = branches.map { validate(value, against: $0, at: path) }
                if !results.contains(where: \.isEmpty) {
                    errors.append("\(path): matches no \(combiner) branch (\(results.map { $0.first ?? "" }.joined(separator: "; ")))")
                }
            }
        }
        for branch in schema["allOf"]?.array ?? [] { errors += validate(value, against: branch, at: path) }
        if case .string(let type)? = schema["type"], !Self.matches(value, type) { return errors + ["\(path): expected \(type), got \(value)"] }
        if case .array(let options)? = schema["enum"], !options.contains(value) { errors.append("\(path): \(value) is not one of \(options)") }
        switch value {
        case .number(let n):
            if case .number(let minimum)? = schema["minimum"], n < minimum { errors.append("\(path): \(n) < \(minimum)") }
            if case .number(let maximum)? = schema["maximum"], n > maximum { errors.append("\(path): \(n) > \(maximum)") }
            if ["int32", "int64"].contains(schema["format"]?.string ?? ""), n.rounded() != n { errors.append("\(path): \(n) is not an integer") }
            if schema["format"]?.string == "int32", abs(n) > Double(Int32.max) { errors.append("\(path): \(n) out of int32") }
        case .string(let s):
            if schema["format"]?.string == "int64", s.isEmpty || !s.allSatisfy({ $0.isASCII && $0.isNumber }) { errors.append("\(path): \"\(s)\" is not an int64 id") }
            if let pattern = schema["pattern"]?.string, s.range(of: pattern, options: .regularExpression) == nil { errors.append("\(path): \"\(s)\" does not match \(pattern)") }
            if case .number(let max)? = schema["maxLength"], Double(s.count) > max { errors.append("\(path): longer than \(max)") }
            if case .number(let min)? = schema["minLength"], Double(s.count) < min { errors.append("\(path): shorter than \(min)") }
        case .object(let object):
            for case .string(let key) in schema["required"]?.array ?? [] where object[key] == nil { errors.append("\(path): missing \(key)") }
            if let properties = schema["properties"]?.object {
                for (key, member) in object {
                    if let sub = properties[key] {
                        errors += validate(member, against: sub, at: path + "." + key)
                    } else if let extra = schema["additionalProperties"], extra != .bool(false) {
                        if extra != .bool(true) { errors += validate(member, against: extra, at: path + "." + key) }
                    } else {
                        errors.append("\(path): unknown field \(key)")
                    }
                }
            }
        case .array(let array):
            if case .number(let min)? = schema["minItems"], Double(array.count) < min { errors.append("\(path): \(array.count) items, fewer than \(min)") }
            if case .number(let max)? = schema["maxItems"], Double(array.count) > max { errors.append("\(path): \(array.count) items, more than \(max)") }
            if let items = schema["items"] { for (i, item) in array.enumerated() { errors += validate(item, against: items, at: "\(path)[\(i)]") } }
        default: break
        }
        return errors
    }

    static func matches(_ value: J, _ type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("number", .number): return true
        case ("integer", .number(let n)): return n.rounded() == n
        default: return false
        }
    }

    /// Query parameters against the operation's `in: query` parameters: each is declared, required ones
    /// are present, and each value parses as its schema's type (numbers and booleans from their text).
    func validateQuery(_ query: [String: String], operation: J) -> [String] {
        let declared = (operation["parameters"]?.array ?? []).filter { $0["in"]?.string == "query" }
        var errors: [String] = []
        for parameter in declared where parameter["required"] == .bool(true) {
            if let name = parameter["name"]?.string, query[name] == nil { errors.append("query: missing \(name)") }
        }
        for (name, text) in query {
            guard let parameter = declared.first(where: { $0["name"]?.string == name }), let schema = parameter["schema"] else {
                errors.append("query: unknown parameter \(name)")
                continue
            }
            // A query value is text: try it as each type the schema allows.
            let candidates: [J] = [.string(text)] + (Double(text).map { [.number($0)] } ?? []) + (text == "true" || text == "false" ? [.bool(text == "true")] : [])
            let results = candidates.map { validate($0, against: schema, at: "query." + name) }
            if !results.contains(where: \.isEmpty) { errors += results[0] }
        }
        return errors
    }
}
