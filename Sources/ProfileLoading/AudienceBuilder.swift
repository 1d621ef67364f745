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
    /// Raw interest bytes seen so far → column (-1: normalises to nothing). Only raw forms never
    /// seen before are normalised, so each block costs byte-hash lookups, not string work.
    var rawInterests = TokenTable(capacity: 1 << 15)
    var rawColumn: [Int32] = []
    let normalizer: InterestNormalizer
    /// Profile ids, interned as bytes (no String per record); strings are made once, at the end.
    var profiles = TokenTable(capacity: 1 << 16)
    /// Where each profile was first seen: file index and 1-based line, for messages about repeats.
    var profileFirstSeen: [(file: Int32, line: Int)] = []

    /// Entries mapped to columns, with their weights. Blocks on the common path (every record
    /// kept, every interest kept, profiles in order) skip these: their block-local entries wait in
    /// `deferred` and are mapped in parallel by `finishEntries()`. Entry positions (`rowEnd`) count
    /// both, `entryColumn` first.
    private(set) var entryColumn: [Int32] = []
    private(set) var entryWeight: [Float] = []
    private var deferred: [DeferredEntries] = []
    private var deferredCount = 0
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
    var entryCount: Int { entryColumn.count + deferredCount }

    /// A block's entries in local interest ids, with the map to columns and the weights if any.
    private struct DeferredEntries {
        var interests: [Int32]
        var map: [Int32]
        var weights: [Float]?
        var offset: Int
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
                    blockRejects.append(Reject(file: path, line: line, kind: "duplicate-id",
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
        var drops = 0
        if duplicateRejects == 0 {
            for li in block.firstUse {
                let column = column(ofLocal: Int(li), in: block)
                interestMap[Int(li)] = column
                if column < 0 { drops += Int(block.useCount[Int(li)]) }
            }
        } else {
            var entryStart = 0
            for r in 0..<records {
                let entryEnd = block.recordEntryEnd[r]
                defer { entryStart = entryEnd }
                guard recordProfile[r] >= 0 else { continue }
                for e in entryStart..<entryEnd {
                    let li = Int(block.entryInterest[e])
                    if interestMap[li] == -2 { interestMap[li] = column(ofLocal: li, in: block) }
                    if interestMap[li] < 0 { drops += 1 }
                }
            }
        }
        report.emptyInterestsDropped += drops

        // Pass 3: entries. Common case: nothing dropped or skipped and profiles in order, so the
        // block's entries are kept as they are, to be mapped in parallel at the end.
        if isGrouped && !staysGrouped { ungroup() }
        if drops == 0 && duplicateRejects == 0 && isGrouped {
            let base = entryCount
            deferred.append(DeferredEntries(interests: block.entryInterest, map: interestMap,
                                            weights: block.hasWeights ? block.entryWeight : nil, offset: base))
            deferredCount += block.entryInterest.count
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
                    entryColumn.append(column)
                    entryWeight.append(block.weight(at: e))
                    entryProfile?.append(profile)
                }
                if isGrouped { rowEnd[Int(profile)] = entryColumn.count }
            }
        }

        if duplicateRejects > 0 { blockRejects.sort { $0.line < $1.line } }
        if settings.strict, let first = blockRejects.first {
            throw LoadError.badRecord(file: first.file, line: first.line, reason: first.reason)
        }
        for reject in blockRejects { report.rejectsByKind[reject.kind, default: 0] += 1 }
        rejects.append(contentsOf: blockRejects)

        let loaded = block.recordLine.count - duplicateRejects
        report.files[file].lines += block.lineCount
        report.files[file].loaded += loaded
        report.files[file].rejected += blockRejects.count
        report.files[file].blank += block.blankLines
        report.files[file].header += block.headerLines
    }

    /// The column of block-local interest `li`, normalising its raw form if it is new.
    private mutating func column(ofLocal li: Int, in block: ParsedBlock) -> Int32 {
        let span = block.interests.range(of: li)
        return block.interests.arena.withUnsafeBufferPointer { a in
            let start = a.baseAddress! + span.lowerBound
            let raw = Int(rawInterests.id(of: start, length: span.count))
            if raw == rawColumn.count {
                let name = normalizer.normalize(UnsafeBufferPointer(start: start, count: span.count))
                rawColumn.append(name.isEmpty ? -1 : interests.id(of: name))
            }
            return rawColumn[raw]
        }
    }

    /// Profile id strings, in profile order.
    func profileIdStrings() -> [String] {
        (0..<profiles.count).map { profiles.string(of: $0) }
    }

    /// Maps the deferred entries into `entryColumn` and `entryWeight` (before a block that needs
    /// the general path), sequentially.
    private mutating func mapDeferred() {
        guard !deferred.isEmpty else { return }
        for block in deferred {
            for li in block.interests { entryColumn.append(block.map[Int(li)]) }
            if let weights = block.weights {
                entryWeight.append(contentsOf: weights)
            } else {
                entryWeight.append(contentsOf: repeatElement(1, count: block.interests.count))
            }
        }
        deferred = []
        deferredCount = 0
    }

    /// All entries as columns and weights, in entry order; the deferred blocks are mapped in
    /// parallel. Empties the builder's entry arrays.
    mutating func finishEntries() -> (columns: [Int32], values: [Float]) {
        let total = entryCount
        let mapped = entryColumn.count
        let blocks = deferred
        var columns = entryColumn
        entryColumn = []
        columns.reserveCapacity(total)
        columns.append(contentsOf: repeatElement(0, count: total - mapped))
        var values: [Float]
        if mapped == 0 && blocks.allSatisfy({ $0.weights == nil }) {
            values = [Float](repeating: 1, count: total)
        } else {
            values = entryWeight
            entryWeight = []
            values.reserveCapacity(total)
            values.append(contentsOf: repeatElement(1, count: total - mapped))
        }
        entryWeight = []
        columns.withUnsafeMutableBufferPointer { cb in
            values.withUnsafeMutableBufferPointer { vb in
                let c = cb.baseAddress, v = vb.baseAddress
                Parallel.forEach(blocks.count) { b in
                    guard let c, let v else { return }
                    let block = blocks[b]
                    block.interests.withUnsafeBufferPointer { local in
                        block.map.withUnsafeBufferPointer { map in
                            for e in 0..<local.count { c[block.offset + e] = map[Int(local[e])] }
                        }
                    }
                    if let weights = block.weights {
                        for e in 0..<weights.count { v[block.offset + e] = weights[e] }
                    }
                }
            }
        }
        deferred = []
        deferredCount = 0
        return (columns, values)
    }

    /// Reserves room for about `entries` entries in total, so the large arrays grow once (only
    /// once entries take the general path; deferred blocks need no room here).
    mutating func reserve(entries: Int) {
        guard !entryColumn.isEmpty, entries > entryColumn.capacity else { return }
        entryColumn.reserveCapacity(entries)
        entryWeight.reserveCapacity(entries)
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
