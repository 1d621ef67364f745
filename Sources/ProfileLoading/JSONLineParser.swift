#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CTesseraKernels

/// Interests waiting for their table lookup while the next ones are parsed.
enum LookupQueue {
    /// How many lookups are in flight (a power of two).
    static let depth = 8
    struct Entry {
        var start: UnsafePointer<UInt8>
        var length: Int
        var key: TokenTable.Key
    }
}

/// A strict, allocation-free parser for one JSON Lines profile (in a block padded as
/// `LineBlockReader` pads them: it reads up to 24 bytes past a string):
/// `{"id": "…" | 123, "interests": ["@nba", …] | {"@nba": 3, …}, "tags": ["lapsed"], …other fields}`.
///
/// Other fields are kept as attributes (strings decoded, other values as JSON text). The whole line
/// must be one valid JSON object; anything else is a `RecordError` naming what was expected.
struct JSONLineParser {
    private var p: UnsafePointer<UInt8>
    private let end: UnsafePointer<UInt8>
    private let lineStart: UnsafePointer<UInt8>
    /// Space for strings that contain escapes (a decoded string is never longer than its source).
    private let scratch: UnsafeMutablePointer<UInt8>
    /// Interests parsed but not yet looked up (`LookupQueue.depth` of them at most).
    private let queue: UnsafeMutablePointer<LookupQueue.Entry>
    /// `TokenTable.inlineMasks`.
    private let masks: UnsafePointer<UInt64>

    init(line: UnsafePointer<UInt8>, count: Int, scratch: UnsafeMutablePointer<UInt8>, queue: UnsafeMutablePointer<LookupQueue.Entry>,
         masks: UnsafePointer<UInt64>) {
        self.masks = masks
        p = line
        end = line + count
        lineStart = line
        self.scratch = scratch
        self.queue = queue
    }

    private static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\"), carriageReturn = UInt8(0x0D)

    /// Parses the line into `block` as record number `block.recordLine.count`; on failure the block
    /// is left as it was (apart from unreferenced table entries). Returns how many bytes of the line
    /// the record took: all of them, or fewer when a lone CR after the object ends the line there
    /// (old Mac line ends; the caller goes on after the CR).
    mutating func parse(into block: inout ParsedBlock, lineIndex: Int32) throws -> Int {
        let entryMark = block.entryInterest.count
        let tagMark = block.tagRecord.count
        let attributeMark = block.attributeRecord.count
        do {
            try parseObject(into: &block)
        } catch {
            block.truncateEntries(to: entryMark)
            block.tagRecord.removeSubrange(tagMark...)
            block.tagValue.removeSubrange(tagMark...)
            block.attributeRecord.removeSubrange(attributeMark...)
            block.attributeKey.removeSubrange(attributeMark...)
            block.attributeValue.removeSubrange(attributeMark...)
            throw error
        }
        block.recordLine.append(lineIndex)
        block.recordEntryEnd.append(block.entryInterest.count)
        return p - lineStart
    }

    private mutating func parseObject(into block: inout ParsedBlock) throws {
        let record = Int32(block.recordLine.count)
        skipSpace()
        guard p < end, p.pointee == UInt8(ascii: "{") else {
            throw RecordError(p < end ? "expected a JSON object starting with '{', found \(describeHere())" : "empty record")
        }
        p += 1
        var localId: Int32 = -1
        var sawInterests = false, sawTags = false
        skipSpace()
        if p < end, p.pointee == UInt8(ascii: "}") {
            p += 1
        } else {
            while true {
                skipSpace()
                guard p < end, p.pointee == Self.quote else { throw RecordError("expected a quoted member name, found \(describeHere())") }
                let (keyStart, keyLength) = try parseString()
                let key = Self.memberKind(keyStart, keyLength)
                var attributeKeyId: Int32 = -1
                if key == .other { attributeKeyId = block.attributeKeys.id(of: keyStart, length: keyLength) }
                skipSpace()
                guard p < end, p.pointee == UInt8(ascii: ":") else { throw RecordError("expected ':' after a member name, found \(describeHere())") }
                p += 1
                skipSpace()
                switch key {
                case .id:
                    guard localId < 0 else { throw RecordError("\"id\" appears twice") }
                    localId = try parseId(into: &block)
                case .interests:
                    guard !sawInterests else { throw RecordError("\"interests\" appears twice") }
                    sawInterests = true
                    try parseInterests(into: &block)
                case .tags:
                    guard !sawTags else { throw RecordError("\"tags\" appears twice") }
                    sawTags = true
                    try parseTags(into: &block, record: record)
                case .other:
                    let value = try parseAttributeValue()
                    block.attributeRecord.append(record)
                    block.attributeKey.append(attributeKeyId)
                    block.attributeValue.append(value)
                }
                skipSpace()
                guard p < end else { throw RecordError("the object is not closed (expected ',' or '}' at the end of the line)") }
                if p.pointee == UInt8(ascii: ",") { p += 1; continue }
                if p.pointee == UInt8(ascii: "}") { p += 1; break }
                throw RecordError("expected ',' or '}' after a member, found \(describeHere())")
            }
        }
        skipSpace()
        guard p == end || p.pointee == Self.carriageReturn else { throw RecordError("unexpected characters after the JSON object: \(describeHere())") }
        guard localId >= 0 else { throw RecordError("missing \"id\"", kind: .missingID) }
        guard sawInterests else { throw RecordError("missing \"interests\" (expected an array of strings or an object of weights)", kind: .missingInterests) }
        block.recordId.append(localId)
    }

    private enum MemberKind { case id, interests, tags, other }

    @inline(__always)
    private static func memberKind(_ s: UnsafePointer<UInt8>, _ n: Int) -> MemberKind {
        if n == 2, s[0] == UInt8(ascii: "i"), s[1] == UInt8(ascii: "d") { return .id }
        if n == 9, memcmp(s, "interests", 9) == 0 { return .interests }
        if n == 4, memcmp(s, "tags", 4) == 0 { return .tags }
        return .other
    }

    private mutating func parseId(into block: inout ParsedBlock) throws -> Int32 {
        guard p < end else { throw RecordError("\"id\" has no value") }
        let c = p.pointee
        if c == Self.quote {
            let (s, n) = try parseString()
            guard n > 0 else { throw RecordError("\"id\" is empty", kind: .missingID) }
            return block.ids.id(of: s, length: n)
        }
        if c == UInt8(ascii: "-") || (c >= 48 && c <= 57) {
            let start = p
            _ = try parseNumber()
            return block.ids.id(of: start, length: p - start)
        }
        throw RecordError("\"id\" must be a string or a number, found \(describeHere())", kind: .wrongType)
    }

    private mutating func parseInterests(into block: inout ParsedBlock) throws {
        guard p < end else { throw RecordError("\"interests\" has no value") }
        if p.pointee == UInt8(ascii: "[") {
            try parseInterestArray(into: &block)
            return
        }
        if p.pointee == UInt8(ascii: "{") {
            p += 1
            skipSpace()
            if p < end, p.pointee == UInt8(ascii: "}") { p += 1; return }
            while true {
                skipSpace()
                guard p < end, p.pointee == Self.quote else { throw RecordError("expected a quoted interest in \"interests\", found \(describeHere())") }
                let (s, n) = try parseString()
                let interest = block.interests.id(of: s, length: n)
                skipSpace()
                guard p < end, p.pointee == UInt8(ascii: ":") else { throw RecordError("expected ':' after an interest, found \(describeHere())") }
                p += 1
                skipSpace()
                guard p < end, p.pointee == UInt8(ascii: "-") || (p.pointee >= 48 && p.pointee <= 57) else {
                    throw RecordError("the weight of interest '\(block.interests.string(of: Int(interest)))' must be a number, found \(describeHere())", kind: .badWeight)
                }
                let weight = try parseNumber()
                guard InterestWeight.isAccepted(weight) else {
                    throw RecordError("the weight of interest '\(RejectExcerpt.sanitize(block.interests.string(of: Int(interest))))' \(InterestWeight.problem(weight))", kind: .badWeight)
                }
                if weight > 0 {
                    block.appendEntry(interest, weight: Float(weight))
                }
                skipSpace()
                guard p < end else { throw RecordError("the \"interests\" object is not closed") }
                if p.pointee == UInt8(ascii: ",") { p += 1; continue }
                if p.pointee == UInt8(ascii: "}") { p += 1; return }
                throw RecordError("expected ',' or '}' in \"interests\", found \(describeHere())")
            }
        }
        throw RecordError("\"interests\" must be an array of strings or an object of weights, found \(describeHere())", kind: .wrongType)
    }

    /// `["…", …]` of interests. Table lookups are cache misses, so each interest's slot is
    /// prefetched when the interest is parsed and looked up `LookupQueue.depth` interests later:
    /// the misses overlap. Entries stay in order; a record that fails leaves its queue behind
    /// (its entries are dropped anyway).
    @inline(__always)
    private mutating func parseInterestArray(into block: inout ParsedBlock) throws {
        let depth = LookupQueue.depth
        p += 1
        skipSpace()
        if p < end, p.pointee == UInt8(ascii: "]") { p += 1; return }
        var parsed = 0, resolved = 0
        let masks = self.masks
        while true {
            skipSpace()
            guard p < end, p.pointee == Self.quote else {
                throw RecordError("interests[\(parsed)] must be a string, found \(describeHere())", kind: .wrongType)
            }
            let (s, n) = try parseString()
            if s == UnsafePointer(scratch) {   // decoded escapes: the scratch is reused, look up now
                while resolved < parsed { Self.resolve(queue[resolved & (depth - 1)], into: &block); resolved += 1 }
                block.appendEntry(block.interests.id(of: s, length: n))
                resolved += 1
            } else {
                let key = TokenTable.key(padded: s, n, masks: masks)   // the block is padded (LineBlockReader.padding)
                block.interests.prefetch(key)
                if parsed - resolved == depth { Self.resolve(queue[resolved & (depth - 1)], into: &block); resolved += 1 }
                queue[parsed & (depth - 1)] = LookupQueue.Entry(start: s, length: n, key: key)
            }
            parsed += 1
            skipSpace()
            guard p < end else { throw RecordError("the \"interests\" array is not closed") }
            if p.pointee == UInt8(ascii: ",") { p += 1; continue }
            if p.pointee == UInt8(ascii: "]") { p += 1; break }
            throw RecordError("expected ',' or ']' in \"interests\", found \(describeHere())")
        }
        while resolved < parsed { Self.resolve(queue[resolved & (depth - 1)], into: &block); resolved += 1 }
    }

    /// Looks up a queued interest and appends it as the next entry.
    @inline(__always)
    private static func resolve(_ entry: LookupQueue.Entry, into block: inout ParsedBlock) {
        block.appendEntry(block.interests.id(of: entry.start, length: entry.length, key: entry.key))
    }

    private mutating func parseTags(into block: inout ParsedBlock, record: Int32) throws {
        guard p < end else { throw RecordError("\"tags\" has no value") }
        if p.pointee == Self.quote {   // a single tag as a string
            let (s, n) = try parseString()
            if n > 0 { block.tagRecord.append(record); block.tagValue.append(block.tags.id(of: s, length: n)) }
            return
        }
        guard p.pointee == UInt8(ascii: "[") else { throw RecordError("\"tags\" must be an array of strings, found \(describeHere())", kind: .wrongType) }
        try parseStringArray(named: "tags") { s, n in
            if n > 0 { block.tagRecord.append(record); block.tagValue.append(block.tags.id(of: s, length: n)) }
        }
    }

    /// Parses `["…", …]` starting at `[`, handing each decoded string to `element`.
    @inline(__always)
    private mutating func parseStringArray(named field: String, _ element: (UnsafePointer<UInt8>, Int) -> Void) throws {
        p += 1
        skipSpace()
        if p < end, p.pointee == UInt8(ascii: "]") { p += 1; return }
        var index = 0
        while true {
            skipSpace()
            guard p < end, p.pointee == Self.quote else {
                throw RecordError("\(field)[\(index)] must be a string, found \(describeHere())", kind: .wrongType)
            }
            let (s, n) = try parseString()
            element(s, n)
            index += 1
            skipSpace()
            guard p < end else { throw RecordError("the \"\(field)\" array is not closed") }
            if p.pointee == UInt8(ascii: ",") { p += 1; continue }
            if p.pointee == UInt8(ascii: "]") { p += 1; return }
            throw RecordError("expected ',' or ']' in \"\(field)\", found \(describeHere())")
        }
    }

    /// A string value decoded; any other value as its JSON text.
    private mutating func parseAttributeValue() throws -> String {
        guard p < end else { throw RecordError("a member has no value") }
        if p.pointee == Self.quote {
            let (s, n) = try parseString()
            return String(decoding: UnsafeBufferPointer(start: s, count: n), as: UTF8.self)
        }
        let start = p
        try skipValue(depth: 0)
        return String(decoding: UnsafeBufferPointer(start: start, count: p - start), as: UTF8.self)
    }

    private mutating func skipValue(depth: Int) throws {
        guard depth < 64 else { throw RecordError("values nested more than 64 deep") }
        guard p < end else { throw RecordError("a value is missing at the end of the line") }
        switch p.pointee {
        case Self.quote: _ = try parseString()
        case UInt8(ascii: "{"):
            p += 1; skipSpace()
            if p < end, p.pointee == UInt8(ascii: "}") { p += 1; return }
            while true {
                skipSpace()
                guard p < end, p.pointee == Self.quote else { throw RecordError("expected a quoted member name, found \(describeHere())") }
                _ = try parseString(); skipSpace()
                guard p < end, p.pointee == UInt8(ascii: ":") else { throw RecordError("expected ':', found \(describeHere())") }
                p += 1; skipSpace()
                try skipValue(depth: depth + 1); skipSpace()
                guard p < end else { throw RecordError("an object is not closed") }
                if p.pointee == UInt8(ascii: ",") { p += 1; continue }
                if p.pointee == UInt8(ascii: "}") { p += 1; return }
                throw RecordError("expected ',' or '}', found \(describeHere())")
            }
        case UInt8(ascii: "["):
            p += 1; skipSpace()
            if p < end, p.pointee == UInt8(ascii: "]") { p += 1; return }
            while true {
                skipSpace()
                try skipValue(depth: depth + 1); skipSpace()
                guard p < end else { throw RecordError("an array is not closed") }
                if p.pointee == UInt8(ascii: ",") { p += 1; continue }
                if p.pointee == UInt8(ascii: "]") { p += 1; return }
                throw RecordError("expected ',' or ']', found \(describeHere())")
            }
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), 48...57: _ = try parseNumber()
        default: throw RecordError("expected a JSON value, found \(describeHere())")
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard end - p >= n, memcmp(p, word.utf8Start, n) == 0 else { throw RecordError("expected a JSON value, found \(describeHere())") }
        p += n
    }

    /// Skips JSON white space within the line. A CR is not skipped: it ends the line (old Mac line
    /// ends), and an LF never reaches the parser.
    @inline(__always)
    private mutating func skipSpace() {
        while p < end {
            let c = p.pointee
            guard c == 0x20 || c == 0x09 else { return }
            p += 1
        }
    }

    /// Parses a JSON string starting at the opening quote; returns its decoded bytes (a slice of the
    /// line when it has no escapes, otherwise the scratch buffer, valid until the next call).
    @inline(__always)
    private mutating func parseString() throws -> (UnsafePointer<UInt8>, Int) {
        p += 1
        let start = p
        // Skip 16 bytes at a time while none is a quote, a backslash or a control byte (SSE2; the
        // block is padded, so reading past the line is safe). A stop past the line's end leaves
        // `p` at the end, and the string is reported unterminated below.
        while p < end {
            let stops = tessera_json_string_stops16(p)
            if stops != 0 { p += Int(stops.trailingZeroBitCount); break }
            p += 16
        }
        if p > end { p = end }
        while p < end {
            let c = p.pointee
            if c == Self.quote {
                let n = p - start
                p += 1
                return (start, n)
            }
            if c == Self.backslash { return try parseEscapedString(from: start) }
            if c < 0x20 { throw RecordError("control character (byte \(c)) inside a string; it must be escaped") }
            p += 1
        }
        throw RecordError("unterminated string")
    }

    private mutating func parseEscapedString(from start: UnsafePointer<UInt8>) throws -> (UnsafePointer<UInt8>, Int) {
        var n = p - start
        scratch.update(from: start, count: n)
        while p < end {
            let c = p.pointee
            if c == Self.quote { p += 1; return (UnsafePointer(scratch), n) }
            if c < 0x20 { throw RecordError("control character (byte \(c)) inside a string; it must be escaped") }
            if c != Self.backslash { scratch[n] = c; n += 1; p += 1; continue }
            p += 1
            guard p < end else { break }
            let e = p.pointee
            p += 1
            switch e {
            case UInt8(ascii: "\""): scratch[n] = 0x22; n += 1
            case UInt8(ascii: "\\"): scratch[n] = 0x5C; n += 1
            case UInt8(ascii: "/"): scratch[n] = 0x2F; n += 1
            case UInt8(ascii: "b"): scratch[n] = 0x08; n += 1
            case UInt8(ascii: "f"): scratch[n] = 0x0C; n += 1
            case UInt8(ascii: "n"): scratch[n] = 0x0A; n += 1
            case UInt8(ascii: "r"): scratch[n] = 0x0D; n += 1
            case UInt8(ascii: "t"): scratch[n] = 0x09; n += 1
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    guard end - p >= 6, p[0] == Self.backslash, p[1] == UInt8(ascii: "u") else {
                        throw RecordError("invalid \\u escape: a high surrogate without its low surrogate")
                    }
                    p += 2
                    let low = try hex4()
                    guard low >= 0xDC00 && low <= 0xDFFF else { throw RecordError("invalid \\u escape: bad low surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                    throw RecordError("invalid \\u escape: a lone low surrogate")
                }
                n += Self.encodeUTF8(scalar, into: scratch + n)
            default:
                throw RecordError("invalid escape '\\\(Character(Unicode.Scalar(e)))' in a string")
            }
        }
        throw RecordError("unterminated string")
    }

    private mutating func hex4() throws -> UInt32 {
        guard end - p >= 4 else { throw RecordError("invalid \\u escape: fewer than 4 hex digits") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = p.pointee
            let d: UInt32
            switch c {
            case 48...57: d = UInt32(c - 48)
            case 65...70: d = UInt32(c - 55)
            case 97...102: d = UInt32(c - 87)
            default: throw RecordError("invalid \\u escape: '\(Character(Unicode.Scalar(c)))' is not a hex digit")
            }
            v = v << 4 | d
            p += 1
        }
        return v
    }

    private static func encodeUTF8(_ v: UInt32, into out: UnsafeMutablePointer<UInt8>) -> Int {
        switch v {
        case 0..<0x80: out[0] = UInt8(v); return 1
        case 0x80..<0x800:
            out[0] = UInt8(0xC0 | (v >> 6)); out[1] = UInt8(0x80 | (v & 0x3F)); return 2
        case 0x800..<0x10000:
            out[0] = UInt8(0xE0 | (v >> 12)); out[1] = UInt8(0x80 | ((v >> 6) & 0x3F)); out[2] = UInt8(0x80 | (v & 0x3F)); return 3
        default:
            out[0] = UInt8(0xF0 | (v >> 18)); out[1] = UInt8(0x80 | ((v >> 12) & 0x3F))
            out[2] = UInt8(0x80 | ((v >> 6) & 0x3F)); out[3] = UInt8(0x80 | (v & 0x3F)); return 4
        }
    }

    /// Parses a JSON number (strict grammar) and returns its value.
    @inline(__always)
    private mutating func parseNumber() throws -> Double {
        let start = p
        var negative = false
        if p.pointee == UInt8(ascii: "-") { negative = true; p += 1 }
        guard p < end, p.pointee >= 48 && p.pointee <= 57 else { throw RecordError("invalid number") }
        var integer: UInt64 = 0
        var digits = 0
        if p.pointee == 48 {
            p += 1
            if p < end, p.pointee >= 48 && p.pointee <= 57 { throw RecordError("invalid number: leading zero") }
        } else {
            while p < end, p.pointee >= 48 && p.pointee <= 57 {
                integer = integer &* 10 &+ UInt64(p.pointee - 48)
                digits += 1
                p += 1
            }
        }
        var simple = digits <= 15
        if p < end, p.pointee == UInt8(ascii: ".") {
            simple = false
            p += 1
            guard p < end, p.pointee >= 48 && p.pointee <= 57 else { throw RecordError("invalid number: no digit after '.'") }
            while p < end, p.pointee >= 48 && p.pointee <= 57 { p += 1 }
        }
        if p < end, p.pointee == UInt8(ascii: "e") || p.pointee == UInt8(ascii: "E") {
            simple = false
            p += 1
            if p < end, p.pointee == UInt8(ascii: "+") || p.pointee == UInt8(ascii: "-") { p += 1 }
            guard p < end, p.pointee >= 48 && p.pointee <= 57 else { throw RecordError("invalid number: no digit in the exponent") }
            while p < end, p.pointee >= 48 && p.pointee <= 57 { p += 1 }
        }
        if simple { return negative ? -Double(integer) : Double(integer) }
        let length = p - start
        guard length < 64 else { throw RecordError("number too long") }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
            let base = buffer.baseAddress!
            UnsafeMutableRawPointer(base).copyMemory(from: start, byteCount: length)
            base[length] = 0
            return strtod(base, nil)
        }
    }

    /// A short description of the text at the current position, for error messages.
    private func describeHere() -> String {
        guard p < end else { return "the end of the line" }
        // Invisible in a message ("expected '{', found '{'"): named instead.
        if end - p >= 3, p[0] == 0xEF, p[1] == 0xBB, p[2] == 0xBF { return "a byte-order mark (U+FEFF) at column \(p - lineStart + 1)" }
        let n = min(20, end - p)
        let text = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
        return "'\(RejectExcerpt.sanitize(text))'" + " at column \(p - lineStart + 1)"
    }
}

/// Makes text safe to show in a one-line message or a CSV cell.
enum RejectExcerpt {
    static func sanitize(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "·" : Character($0) })
    }

    static func of(_ base: UnsafePointer<UInt8>, _ count: Int, limit: Int = 80) -> String {
        let n = min(count, limit)
        var text = String(decoding: UnsafeBufferPointer(start: base, count: n), as: UTF8.self)
        if count > limit { text += "…" }
        return sanitize(text)
    }
}
