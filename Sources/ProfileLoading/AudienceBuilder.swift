import LinearAlgebra

/// Dense ids for strings in order of first sight (interests, tags, attribute keys).
struct StringInterner {
    private(set) var names: [String] = []
    private var index: [String: Int32] = [:]

    /// The id of `name`, assigning the next one if it is new.
    mutating func id(of name: String) -> Int32 {
        if let existing = index[name] { return existing }
        let id = Int32(names.count)
        names.append(name)
        index[name] = id
        return id
    }

    /// Releases the names (the index is dropped too).
    mutating func takeNames() -> [String] {
        index = [:]
        defer { names = [] }
        return names
    }
}

/// Merges parsed blocks, in file order, into global ids: the vocabulary (normalised interests in
/// order of first use), profiles (by id, merging or rejecting repeats), entries, tags, attributes,
/// rejects and line counts.
struct AudienceBuilder {
    var interests = StringInterner()
    /// Raw interest bytes seen so far → column (-1: dropped) and what normalisation made of them
    /// (`Fate`). Only raw forms never seen before are normalised, so each block costs byte-hash
    /// lookups, not string work, and interest hygiene runs once per distinct raw interest.
    var rawInterests = TokenTable(capacity: 1 << 15)
    var rawColumn: [Int32] = []
    var rawFate: [Fate] = []
    let normalizer: InterestNormalizer
    /// Profile ids, interned as bytes (no String per record); strings are made once, at the end.
    var profiles = TokenTable(capacity: 1 << 16)
    /// Where each profile was first seen: file index and 1-based line, for messages about repeats.
    var profileFirstSeen: [(file: Int32, line: Int)] = []

    /// Every entry's column, in entry order. Blocks on the common path (every record kept, profiles
    /// in order) are copied in as they are, in block-local interest ids, and listed in `deferred`;
    /// `finishEntries()` maps them to columns in parallel. Entries of interests dropped by
    /// normalisation travel along as column -1 and are removed there too (`hasDroppedEntries`), so a
    /// block with debris in it stays on the common path.
    private(set) var entryColumn: [Int32] = []
    private var hasDroppedEntries = false
    /// Entry weights; empty while every weight so far is 1 (plain interest lists).
    private var entryWeight: [Float] = []
    private var hasWeights = false
    private var deferred: [DeferredEntries] = []
    /// While every record adds to the newest profile, entries are grouped by profile already and
    /// `rowEnd` marks where each profile's entries end; otherwise `entryProfile` says whose each is.
    var rowEnd: [Int] = []
    var entryProfile: [Int32]? = nil

    var tags = StringInterner()
    var tagProfile: [Int32] = []
    var tagValue: [Int32] = []
    var attributeKeys = StringInterner()
    var attributeProfile: [Int32] = []
    var attributeKey: [Int32] = []
    var attributeValue: [String] = []

    var rejects: [Reject] = []
    var report = LoadReport()

    init(normalization: NormalizationSettings) {
        normalizer = InterestNormalizer(normalization)
    }

    var isGrouped: Bool { entryProfile == nil }

    /// Entries merged so far.
    var entryCount: Int { entryColumn.count }

    /// What normalisation made of a raw interest: kept as it was, kept reduced by hygiene
    /// (`@mashable:` → `@mashable`), dropped as empty, or dropped by a hygiene rule.
    struct Fate: Equatable {
        var code: UInt8
        static let kept = Fate(code: 0), reduced = Fate(code: 1), empty = Fate(code: 2)
        static func dropped(_ rule: HygieneRule) -> Fate { Fate(code: 3 + UInt8(HygieneRule.allCases.firstIndex(of: rule)!)) }
        static let codeCount = 3 + HygieneRule.allCases.count
        var isDropped: Bool { code >= 2 }
    }

    /// Entries of `entryColumn` still in a block's local interest ids, and that block's map.
    private struct DeferredEntries {
        var range: Range<Int>
        var map: [Int32]
    }

    /// Merges one block whose first line is line `firstLine` (1-based) of file `file`.
    mutating func merge(_ block: ParsedBlock, file: Int, firstLine: Int, format: InputFormat, settings: LoaderSettings) throws {
        let path = report.files[file].path
        var interestMap = [Int32](repeating: -2, count: block.interests.count)
        var idMap = [Int32](repeating: -1, count: block.ids.count)
        var tagMap = [Int32](repeating: -1, count: block.tags.count)
        var keyMap = [Int32](repeating: -1, count: block.attributeKeys.count)
        var blockRejects: [Reject] = block.rejects.map {
            Reject(file: path, line: firstLine + Int($0.line), kind: $0.kind, reason: $0.reason, excerpt: $0.excerpt)
        }
        var duplicateRejects = 0
        var tagCursor = 0, attributeCursor = 0
        let records = block.recordLine.count

        // Pass 1, records in order: the profile each adds to (creating new ones), repeated ids,
        // tags and attributes. `recordProfile[r] < 0` marks a record rejected as a repeat.
        var recordProfile = [Int32](repeating: -1, count: records)
        var staysGrouped = isGrouped
        for r in 0..<records {
            let line = firstLine + Int(block.recordLine[r])
            let local = Int(block.recordId[r])
            var profile = idMap[local]
            var created = false
            if profile < 0 {
                let before = profiles.count
                let span = block.ids.range(of: local)
                profile = block.ids.arena.withUnsafeBufferPointer { a in
                    profiles.id(of: a.baseAddress! + span.lowerBound, length: span.count)
                }
                if profiles.count > before {
                    profileFirstSeen.append((Int32(file), line))
                    created = true
                }
                idMap[local] = profile
            }
            if format == .jsonl && !created {
                if settings.duplicates == .reject {
                    let first = profileFirstSeen[Int(profile)]
                    let firstPlace = Int(first.file) == file ? "line \(first.line)" : "\(report.files[Int(first.file)].path):\(first.line)"
                    blockRejects.append(Reject(file: path, line: line, kind: .duplicateID,
                                               reason: "duplicate id '\(RejectExcerpt.sanitize(profiles.string(of: Int(profile))))' (first seen at \(firstPlace))",
                                               excerpt: ""))
                    duplicateRejects += 1
                    while tagCursor < block.tagRecord.count, block.tagRecord[tagCursor] == Int32(r) { tagCursor += 1 }
                    while attributeCursor < block.attributeRecord.count, block.attributeRecord[attributeCursor] == Int32(r) { attributeCursor += 1 }
                    continue
                }
                report.duplicateLinesMerged += 1
            }
            recordProfile[r] = profile
            if Int(profile) != profiles.count - 1 { staysGrouped = false }
            while tagCursor < block.tagRecord.count, block.tagRecord[tagCursor] == Int32(r) {
                let lt = Int(block.tagValue[tagCursor])
                if tagMap[lt] < 0 { tagMap[lt] = tags.id(of: block.tags.string(of: lt)) }
                tagProfile.append(profile)
                tagValue.append(tagMap[lt])
                tagCursor += 1
            }
            while attributeCursor < block.attributeRecord.count, block.attributeRecord[attributeCursor] == Int32(r) {
                let lk = Int(block.attributeKey[attributeCursor])
                if keyMap[lk] < 0 { keyMap[lk] = attributeKeys.id(of: block.attributeKeys.string(of: lk)) }
                attributeProfile.append(profile)
                attributeKey.append(keyMap[lk])
                attributeValue.append(block.attributeValue[attributeCursor])
                attributeCursor += 1
            }
        }

        // Pass 2: vocabulary, in order of first use by a kept record. With every record kept, the
        // block's own first-use order says it (one visit per distinct interest).
        // Occurrences by fate (index: `Fate.code`); kept ones are not counted.
        var fateCounts = [Int](repeating: 0, count: Fate.codeCount)
        if duplicateRejects == 0 {
            for li in block.firstUse {
                let (column, fate) = column(ofLocal: Int(li), in: block)
                interestMap[Int(li)] = column
                if fate != .kept { fateCounts[Int(fate.code)] += Int(block.useCount[Int(li)]) }
            }
        } else {
            var localFate = [Fate](repeating: .kept, count: block.interests.count)
            var entryStart = 0
            for r in 0..<records {
                let entryEnd = block.recordEntryEnd[r]
                defer { entryStart = entryEnd }
                guard recordProfile[r] >= 0 else { continue }
                for e in entryStart..<entryEnd {
                    let li = Int(block.entryInterest[e])
                    if interestMap[li] == -2 { (interestMap[li], localFate[li]) = column(ofLocal: li, in: block) }
                    if localFate[li] != .kept { fateCounts[Int(localFate[li].code)] += 1 }
                }
            }
        }
        let drops = fateCounts[Int(Fate.empty.code)...].reduce(0, +)
        if drops > 0 || fateCounts[Int(Fate.reduced.code)] > 0 { count(fateCounts) }

        // Pass 3: entries. Common case: no record skipped and profiles in order, so the block's
        // entries are kept as they are, to be mapped in parallel at the end (dropped ones included).
        if isGrouped && !staysGrouped { ungroup() }
        if duplicateRejects == 0 && isGrouped {
            if drops > 0 { hasDroppedEntries = true }
            let base = entryCount
            if block.hasWeights {
                materializeWeights()   // ones for the entries before this block
                entryWeight.append(contentsOf: block.entryWeight)
            } else if hasWeights {
                entryWeight.append(contentsOf: repeatElement(1, count: block.entryInterest.count))
            }
            entryColumn.append(contentsOf: block.entryInterest)
            deferred.append(DeferredEntries(range: base..<entryColumn.count, map: interestMap))
            for r in 0..<records {
                let profile = Int(recordProfile[r])
                if profile == rowEnd.count { rowEnd.append(base) }
                rowEnd[profile] = base + block.recordEntryEnd[r]
            }
        } else {
            mapDeferred()
            var entryStart = 0
            for r in 0..<records {
                let entryEnd = block.recordEntryEnd[r]
                defer { entryStart = entryEnd }
                let profile = recordProfile[r]
                if isGrouped && Int(profile) == rowEnd.count { rowEnd.append(entryColumn.count) }
                guard profile >= 0 else { continue }
                for e in entryStart..<entryEnd {
                    let column = interestMap[Int(block.entryInterest[e])]
                    if column < 0 { continue }
                    let weight = block.weight(at: e)
                    if weight != 1 { materializeWeights() }
                    entryColumn.append(column)
                    if hasWeights { entryWeight.append(weight) }
                    entryProfile?.append(profile)
                }
                if isGrouped { rowEnd[Int(profile)] = entryColumn.count }
            }
        }

        if duplicateRejects > 0 { blockRejects.sort { $0.line < $1.line } }
        if settings.strict, let first = blockRejects.first {
            throw LoadError.badRecord(file: first.file, line: first.line, reason: first.reason)
        }
        for reject in blockRejects { report.rejectsByKind[reject.kind.rawValue, default: 0] += 1 }
        rejects.append(contentsOf: blockRejects)

        let loaded = block.recordLine.count - duplicateRejects
        report.files[file].lines += block.lineCount
        report.files[file].loaded += loaded
        report.files[file].rejected += blockRejects.count
        report.files[file].blank += block.blankLines
        report.files[file].header += block.headerLines
    }

    /// The column of block-local interest `li` (-1: dropped) and its fate, normalising its raw form
    /// if it is new.
    private mutating func column(ofLocal li: Int, in block: ParsedBlock) -> (Int32, Fate) {
        let span = block.interests.range(of: li)
        return block.interests.arena.withUnsafeBufferPointer { a in
            let start = a.baseAddress! + span.lowerBound
            let raw = Int(rawInterests.id(of: start, length: span.count))
            if raw == rawColumn.count {
                let outcome = normalizer.outcome(UnsafeBufferPointer(start: start, count: span.count))
                if let rule = outcome.dropped {
                    rawColumn.append(-1)
                    rawFate.append(.dropped(rule))
                } else if outcome.name.isEmpty {
                    rawColumn.append(-1)
                    rawFate.append(.empty)
                } else {
                    rawColumn.append(interests.id(of: outcome.name))
                    rawFate.append(outcome.reduced ? .reduced : .kept)
                }
            }
            return (rawColumn[raw], rawFate[raw])
        }
    }

    /// Adds a block's dropped and reduced occurrences (indexed by `Fate.code`) to the report.
    private mutating func count(_ fateCounts: [Int]) {
        report.emptyInterestsDropped += fateCounts[Int(Fate.empty.code)]
        report.hygieneReduced += fateCounts[Int(Fate.reduced.code)]
        for rule in HygieneRule.allCases {
            let n = fateCounts[Int(Fate.dropped(rule).code)]
            if n > 0 { report.hygieneDropped[rule.rawValue, default: 0] += n }
        }
    }

    /// Profile id strings, in profile order.
    func profileIdStrings() -> [String] {
        let table = profiles, count = profiles.count
        return [String](unsafeUninitializedCapacity: count) { out, initialized in
            guard let base = out.baseAddress else { initialized = 0; return }
            Parallel.forEachChunk(count: count, chunkSize: 16384) { _, ids in
                for id in ids { (base + id).initialize(to: table.string(of: id)) }   // each slot once
            }
            initialized = count
        }
    }

    /// Starts keeping weights: ones for every entry so far.
    private mutating func materializeWeights() {
        guard !hasWeights else { return }
        hasWeights = true
        entryWeight = MemoryTuning.largeArray(repeating: 1, count: entryColumn.count, capacity: entryColumn.capacity)
    }

    /// Maps the deferred entries to columns in place, blocks in parallel: at the end, or before a
    /// block that needs the general path.
    private mutating func mapDeferred() {
        guard !deferred.isEmpty else { return }
        let blocks = deferred
        deferred = []
        entryColumn.withUnsafeMutableBufferPointer { cb in
            let c = cb.baseAddress
            Parallel.forEach(blocks.count) { b in
                guard let c else { return }
                let block = blocks[b]
                block.map.withUnsafeBufferPointer { map in
                    for e in block.range { c[e] = map[Int(c[e])] }
                }
            }
        }
    }

    /// All entries as columns and weights, in entry order, and whether any weight is not 1.
    /// Empties the builder's entry arrays.
    mutating func finishEntries() -> (columns: [Int32], values: [Float], weighted: Bool) {
        mapDeferred()
        removeDroppedEntries()
        let columns = entryColumn
        entryColumn = []
        let values = hasWeights ? entryWeight : MemoryTuning.largeArray(repeating: Float(1), count: columns.count)
        entryWeight = []
        return (columns, values, hasWeights)
    }

    /// Removes the entries of dropped interests (column -1) kept by blocks on the common path, with
    /// their weights and owners, and moves the row ends to match: one pass over the entries.
    private mutating func removeDroppedEntries() {
        guard hasDroppedEntries else { return }
        hasDroppedEntries = false
        let count = entryColumn.count
        var kept = 0
        let weighted = hasWeights, owned = entryProfile != nil
        var weights = entryWeight
        var owners = entryProfile ?? []
        entryWeight = []   // moved out, so the passes below write them in place
        if owned { entryProfile = [] }
        entryColumn.withUnsafeMutableBufferPointer { cb in
        weights.withUnsafeMutableBufferPointer { wb in
        owners.withUnsafeMutableBufferPointer { ob in
        rowEnd.withUnsafeMutableBufferPointer { rb in
            guard let c = cb.baseAddress else { return }
            var next = 0   // the row whose end comes next (grouped entries)
            for p in 0..<count {
                while next < rb.count && rb[next] == p { rb[next] = kept; next += 1 }
                guard c[p] >= 0 else { continue }
                c[kept] = c[p]
                if weighted { wb[kept] = wb[p] }
                if owned { ob[kept] = ob[p] }
                kept += 1
            }
            while next < rb.count { rb[next] = kept; next += 1 }
        }
        }
        }
        }
        entryColumn.removeSubrange(kept...)
        if weighted { weights.removeSubrange(kept...) }
        entryWeight = weights
        if owned {
            owners.removeSubrange(kept...)
            entryProfile = owners
        }
    }

    /// Reserves room for about `entries` entries in total, so the large arrays grow once.
    mutating func reserve(entries: Int) {
        guard entries > entryColumn.capacity else { return }
        var grown: [Int32] = MemoryTuning.largeArray(repeating: 0, count: 0, capacity: entries)
        grown.append(contentsOf: entryColumn)
        entryColumn = grown
        if hasWeights {
            var weights: [Float] = MemoryTuning.largeArray(repeating: 1, count: 0, capacity: entries)
            weights.append(contentsOf: entryWeight)
            entryWeight = weights
        }
    }

    /// Switches from grouped entries to explicit per-entry profiles (records arrived out of order).
    private mutating func ungroup() {
        mapDeferred()
        var owners = [Int32]()
        owners.reserveCapacity(entryColumn.count + entryColumn.count / 4)
        var start = 0
        for (profile, end) in rowEnd.enumerated() {
            owners.append(contentsOf: repeatElement(Int32(profile), count: end - start))
            start = end
        }
        entryProfile = owners
        rowEnd = []
    }
}
