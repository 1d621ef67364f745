/// The shape of an input file.
public enum InputFormat: String, CaseIterable, Sendable, Codable {
    /// JSON Lines: one profile object per line.
    case jsonl
    /// Comma-separated edge list: `follower_id,interest[,weight]`, header optional.
    case csv
    /// Tab-separated edge list: `follower_id<TAB>interest[<TAB>weight]`, header optional.
    case tsv

    /// The format implied by a file name (`.jsonl`, `.ndjson`, `.json`, `.csv`, `.tsv`, `.tab`,
    /// `.txt` as TSV), looking through a trailing `.gz`; nil when the name says nothing.
    public static func inferred(fromPath path: String) -> InputFormat? {
        var name = path.lowercased()
        if name.hasSuffix(".gz") { name.removeLast(3) }
        if name.hasSuffix(".jsonl") || name.hasSuffix(".ndjson") || name.hasSuffix(".json") { return .jsonl }
        if name.hasSuffix(".csv") { return .csv }
        if name.hasSuffix(".tsv") || name.hasSuffix(".tab") || name.hasSuffix(".txt") { return .tsv }
        return nil
    }

    var delimiter: UInt8 { self == .tsv ? UInt8(ascii: "\t") : UInt8(ascii: ",") }
}

/// Whether an edge list's first line is a header.
public enum HeaderPolicy: String, CaseIterable, Sendable, Codable {
    /// Decide from the first line: a header when its weight column is not a number, or its
    /// first field is a usual id column name (`id`, `user_id`, `follower_id`, `node_1`, …).
    case auto
    case present
    case absent
}

/// What to do when the same profile id appears on more than one JSON line.
public enum DuplicatePolicy: String, CaseIterable, Sendable, Codable {
    /// Merge into one profile: interests united (weights added), tags united, first value kept per attribute.
    case merge
    /// Keep the first line; reject later lines with the same id.
    case reject
}
