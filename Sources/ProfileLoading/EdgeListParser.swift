#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses one line of a CSV/TSV edge list `follower_id,interest[,weight]` (RFC 4180 quoting:
/// `"a, b"` and `""` for a quote inside a quoted field). A quoted field cannot span lines.
struct EdgeListParser {
    let delimiter: UInt8

    struct Field { var start: UnsafePointer<UInt8>; var count: Int }

    /// Splits a line into fields, decoding quoted ones into `scratch`. A lone CR ends the line
    /// (old Mac line ends): the fields stop there. Returns how many fields there are and how many
    /// bytes of the line they took (`count`, or the offset of that CR).
    func fields(_ line: UnsafePointer<UInt8>, _ count: Int, scratch: UnsafeMutablePointer<UInt8>,
                into out: inout [Field]) throws -> (total: Int, used: Int) {
        out.removeAll(keepingCapacity: true)
        var p = line
        var end = line + count
        var used = 0
        var total = 0
        let cr = UInt8(0x0D)
        while true {
            total += 1
            if p < end, p.pointee == UInt8(ascii: "\"") {
                p += 1
                let start = scratch + used
                var n = 0
                var closed = false
                while p < end {
                    let c = p.pointee
                    if c == UInt8(ascii: "\"") {
                        if p + 1 < end, p[1] == UInt8(ascii: "\"") { start[n] = 0x22; n += 1; p += 2; continue }
                        p += 1
                        closed = true
                        break
                    }
                    if c == cr { break }   // the line ends inside the quotes
                    start[n] = c; n += 1; p += 1
                }
                guard closed else { throw RecordError("unterminated quoted field (a quoted field cannot span lines)", kind: .malformedCSV) }
                if p < end, p.pointee == cr { end = p }
                guard p == end || p.pointee == delimiter else {
                    throw RecordError("unexpected text after the closing quote of field \(total)", kind: .malformedCSV)
                }
                used += n
                out.append(Field(start: UnsafePointer(start), count: n))
            } else {
                let start = p
                while p < end {
                    let c = p.pointee
                    if c == delimiter { break }
                    if c == cr { end = p; break }
                    p += 1
                }
                out.append(Field(start: start, count: p - start))
            }
            if p == end { break }
            p += 1   // the delimiter
        }
        return (total, end - line)
    }

    /// Parses a weight field; nil when the text is not a number.
    static func number(_ f: Field) -> Double? {
        var s = f.start
        var n = f.count
        while n > 0, s.pointee == 0x20 { s += 1; n -= 1 }
        while n > 0, s[n - 1] == 0x20 { n -= 1 }
        guard n > 0, n < 64 else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
            let base = buffer.baseAddress!
            UnsafeMutableRawPointer(base).copyMemory(from: s, byteCount: n)
            base[n] = 0
            var endPointer: UnsafeMutablePointer<CChar>?
            let value = strtod(base, &endPointer)
            guard let endPointer, endPointer - base == n else { return nil }
            return value
        }
    }

    static let idHeaderNames: Set<String> = [
        "id", "user", "user_id", "userid", "follower", "follower_id", "followerid", "profile", "profile_id",
        "account", "account_id", "source", "node_1", "node1", "from",
    ]

    /// Whether a first line looks like a header (used by `HeaderPolicy.auto`).
    static func looksLikeHeader(_ fields: [Field]) -> Bool {
        if fields.count >= 3, number(fields[2]) == nil { return true }
        let first = String(decoding: UnsafeBufferPointer(start: fields[0].start, count: fields[0].count), as: UTF8.self)
            .trimmingCharactersASCII().lowercased()
        return idHeaderNames.contains(first)
    }
}

extension String {
    func trimmingCharactersASCII() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
