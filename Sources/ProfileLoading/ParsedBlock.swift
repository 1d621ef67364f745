/// What parsing one block of lines produced, in block-local ids. Blocks are parsed in parallel
/// and merged in file order, which turns local ids into global ones.
struct ParsedBlock {
    var interests = TokenTable(capacity: 4096)
    var ids = TokenTable(capacity: 4096)
    var tags = TokenTable(capacity: 16)
    var attributeKeys = TokenTable(capacity: 16)

    /// Per accepted record: its 0-based line index in the block, its local id, where its entries end.
    var recordLine: [Int32] = []
    var recordId: [Int32] = []
    var recordEntryEnd: [Int] = []
    /// Interest entries of all records, in order.
    var entryInterest: [Int32] = []
    var entryWeight: [Float] = []
    /// Tags and attributes are rare: stored as (record, value) lists.
    var tagRecord: [Int32] = []
    var tagValue: [Int32] = []
    var attributeRecord: [Int32] = []
    var attributeKey: [Int32] = []
    var attributeValue: [String] = []

    var rejects: [BlockReject] = []
    var lineCount = 0
    var blankLines = 0
    var headerLines = 0
}

struct BlockReject {
    var line: Int32
    var kind: String
    var reason: String
    var excerpt: String
}

/// A record that cannot be loaded, with the reason a person can act on.
struct RecordError: Error {
    var reason: String
    /// A stable category for counting (see `Reject.kind`).
    var kind: String
    init(_ reason: String, kind: String = "malformed-json") {
        self.reason = reason
        self.kind = kind
    }
}
