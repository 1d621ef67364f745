/// Why a line was rejected: a stable category, written (as its raw value) to the rejects CSV, to
/// `rejects_by_kind` in the load summary and to stderr. The raw values are part of the output users
/// and their scripts read, so they never change.
public enum RejectKind: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    /// A JSON-lines record is not a well-formed JSON object: no `{` at the start, an unclosed
    /// string, array or object, a bad escape or number, or text after the closing `}`.
    case malformedJSON = "malformed-json"
    /// A CSV/TSV edge-list line has a quoted field that is not closed on that line (quoted fields
    /// cannot span lines) or text after a closing quote.
    case malformedCSV = "malformed-csv"
    /// A JSON member has the wrong type: `id` not a string or number, `interests` not an array of
    /// strings or an object of weights, or an element of `interests` or `tags` not a string.
    case wrongType = "wrong-type"
    /// The profile id is missing or empty: no `id` member or `""` (JSON lines), or an empty first
    /// field (edge lists).
    case missingID = "missing-id"
    /// A JSON-lines record has no `interests` member (an empty list is fine: the profile is empty).
    case missingInterests = "missing-interests"
    /// An interest weight is not a number, or is negative, not finite, or outside 1e-30…1e30 while
    /// not 0 (a JSON weights object, or the third field of an edge list): see `InterestWeight`.
    /// The whole line is rejected.
    case badWeight = "bad-weight"
    /// An edge-list line does not have 2 or 3 fields (follower id, interest[, weight]), or its
    /// interest field is empty.
    case badFields = "bad-fields"
    /// The line is not valid UTF-8.
    case invalidUTF8 = "invalid-utf8"
    /// The line is longer than `--max-line-bytes` (default 1 MiB).
    case lineTooLong = "line-too-long"
    /// The last line of a file has no newline and would be rejected: the file was probably cut off.
    /// Used instead of the line's own kind; the reason gives both.
    case truncated
    /// With `--duplicates reject`, a JSON-lines record whose id was already loaded from an earlier
    /// line (the first line wins; the reason names it).
    case duplicateID = "duplicate-id"
    /// The parser failed with an error none of the other kinds describes. A fallback that should not
    /// happen; the reason carries the error's own text.
    case malformed

    public var description: String { rawValue }
}
