/// What parsing one block of lines produced, in block-local ids. Blocks are parsed in parallel
/// and merged in file order, which turns local ids into global ones.
struct ParsedBlock {
    var interests = TokenTable(capacity: 1 << 14)
    var ids = TokenTable(capacity: 1 << 14)
    var tags = TokenTable(capacity: 16)
    var attributeKeys = TokenTable(capacity: 16)

    /// Per accepted record: its 0-based line index in the block, its local id, where its entries end.
    var recordLine: [Int32] = []
    var recordId: [Int32] = []
    var recordEntryEnd: [Int] = []
    /// Interest entries of all records, in order.
    var entryInterest: [Int32] = []
    /// Weights of the entries, stored only once a weight other than 1 appears (`hasWeights`);
    /// most inputs are plain lists, whose weights are all 1.
    private(set) var entryWeight: [Float] = []
    private(set) var hasWeights = false
    /// Tags and attributes are rare: stored as (record, value) lists.
    var tagRecord: [Int32] = []
    var tagValue: [Int32] = []
    var attributeRecord: [Int32] = []
    var attributeKey: [Int32] = []
    var attributeValue: [String] = []

    /// Local interests in order of first use by an accepted record, and how many entries use each
    /// (by local id); filled by `countUses()` once the block is parsed.
    var firstUse: [Int32] = []
    var useCount: [Int32] = []

    var rejects: [BlockReject] = []
    var lineCount = 0
    var blankLines = 0
    var headerLines = 0

    @inline(__always)
    mutating func appendEntry(_ interest: Int32, weight: Float = 1) {
        entryInterest.append(interest)
        if hasWeights {
            entryWeight.append(weight)
        } else if weight != 1 {
            entryWeight = [Float](repeating: 1, count: entryInterest.count - 1)
            entryWeight.append(weight)
            hasWeights = true
        }
    }

    /// Drops the entries from `index` on (a record that failed half-way).
    mutating func truncateEntries(to index: Int) {
        entryInterest.removeSubrange(index...)
        if entryWeight.count > index { entryWeight.removeSubrange(index...) }
    }

    @inline(__always)
    func weight(at entry: Int) -> Float { hasWeights ? entryWeight[entry] : 1 }

    /// Fills `firstUse` and `useCount` from the entries, so merging visits each distinct interest
    /// once instead of every entry (this runs in the parallel parse).
    mutating func countUses() {
        var counts = [Int32](repeating: 0, count: interests.count)
        var order: [Int32] = []
        order.reserveCapacity(interests.count)
        entryInterest.withUnsafeBufferPointer { entries in
            counts.withUnsafeMutableBufferPointer { n in
                for li in entries {
                    if n[Int(li)] == 0 { order.append(li) }
                    n[Int(li)] &+= 1
                }
            }
        }
        firstUse = order
        useCount = counts
    }
}

extension ParsedBlock {
    /// The block for another process (see `ShardCoding.swift`).
    func encode(into w: inout ByteWriter) {
        for table in [interests, ids, tags, attributeKeys] { table.encode(into: &w) }
        w.put(recordLine); w.put(recordId); w.put(recordEntryEnd); w.put(entryInterest)
        w.put(hasWeights ? 1 : 0); w.put(entryWeight)
        w.put(tagRecord); w.put(tagValue); w.put(attributeRecord); w.put(attributeKey)
        w.put(strings: attributeValue)
        w.put(firstUse); w.put(useCount)
        w.put(rejects.map(\.line))
        w.put(strings: rejects.map(\.kind.rawValue)); w.put(strings: rejects.map(\.reason)); w.put(strings: rejects.map(\.excerpt))
        w.put(lineCount); w.put(blankLines); w.put(headerLines)
    }

    static func decode(from r: inout ByteReader) -> ParsedBlock {
        var b = ParsedBlock()
        b.interests = TokenTable.decode(from: &r)
        b.ids = TokenTable.decode(from: &r)
        b.tags = TokenTable.decode(from: &r)
        b.attributeKeys = TokenTable.decode(from: &r)
        b.recordLine = r.array(); b.recordId = r.array(); b.recordEntryEnd = r.array(); b.entryInterest = r.array()
        b.hasWeights = r.int() == 1; b.entryWeight = r.array()
        b.tagRecord = r.array(); b.tagValue = r.array(); b.attributeRecord = r.array(); b.attributeKey = r.array()
        b.attributeValue = r.strings()
        b.firstUse = r.array(); b.useCount = r.array()
        let lines: [Int32] = r.array()
        let kinds = r.strings(), reasons = r.strings(), excerpts = r.strings()
        b.rejects = lines.indices.map {
            BlockReject(line: lines[$0], kind: RejectKind(rawValue: kinds[$0]) ?? .malformedJSON, reason: reasons[$0], excerpt: excerpts[$0])
        }
        b.lineCount = r.int(); b.blankLines = r.int(); b.headerLines = r.int()
        return b
    }
}

struct BlockReject {
    var line: Int32
    var kind: RejectKind
    var reason: String
    var excerpt: String
}

/// A record that cannot be loaded, with the reason a person can act on.
struct RecordError: Error {
    var reason: String
    /// A stable category for counting (see `RejectKind`).
    var kind: RejectKind
    init(_ reason: String, kind: RejectKind = .malformedJSON) {
        self.reason = reason
        self.kind = kind
    }
}
