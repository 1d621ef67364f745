import Foundation
import LinearAlgebra

extension ProfileLoader {
    /// Turns merged entries into the final matrix: group by profile, sort and combine repeated
    /// interests within a row, prune the vocabulary, set empty profiles aside, weight, normalise.
    static func assemble(_ builder: consuming AudienceBuilder, settings: LoaderSettings) throws -> LoadedAudience {
        let clock = ContinuousClock()
        var mark = clock.now
        var timings: [String: Double] = [:]
        func lap(_ name: String) {
            timings["assemble." + name] = (clock.now - mark).inSeconds
            mark = clock.now
        }
        var report = builder.report
        let allIds = builder.profileIdStrings()
        builder.profiles = TokenTable()
        let profileCount = allIds.count
        var rowStart: [Int]
        var columns: [Int32]
        var values: [Float]
        let entries = builder.finishEntries()
        // Read now: `entries` must not live past the moves below, or the sort would copy its arrays.
        let weighted = entries.weighted
        if let owners = builder.entryProfile {
            (rowStart, columns, values) = groupByProfile(owners: owners, columns: entries.columns,
                                                         values: entries.values, profileCount: profileCount)
            builder.entryProfile = nil
        } else {
            rowStart = [0] + builder.rowEnd
            columns = entries.columns
            values = entries.values
        }
        lap("ids")
        let combined = sortAndCombineRows(rowStart: &rowStart, columns: &columns, values: &values, columnCount: builder.interests.names.count)
        lap("sort")
        // Each weight was checked on its line; only sums of weights (an interest repeated in a
        // profile, or a profile on several lines) can leave the bounds, and only when weights were given.
        if weighted && combined {
            try checkCombinedWeights(rowStart: rowStart, columns: columns, values: values, builder: builder, ids: allIds)
        }

        // Document frequencies and pruning.
        let interestNames = builder.interests.takeNames()
        let seen = interestNames.count
        let df = documentFrequencies(columns, columnCount: seen)
        var keep = [Bool](repeating: true, count: seen)
        let maxDF = Int((settings.maxDocumentFrequency * Double(profileCount)).rounded(.down))
        let widespreadDF = Int((LoadReport.widespreadShare * Double(profileCount)).rounded(.down))
        var tooCommon: [Int] = []
        for j in 0..<seen {
            if Int(df[j]) < settings.minDocumentFrequency {
                keep[j] = false; report.prunedMinDocumentFrequency += 1
            } else if settings.maxDocumentFrequency < 1, Int(df[j]) > maxDF {
                keep[j] = false; report.prunedMaxDocumentFrequency += 1
                tooCommon.append(j)
            }
        }
        if let limit = settings.maxVocabularySize {
            let kept = (0..<seen).filter { keep[$0] }
            if kept.count > limit {
                let ranked = kept.sorted { df[$0] != df[$1] ? df[$0] > df[$1] : $0 < $1 }
                for j in ranked[limit...] { keep[j] = false }
                report.prunedVocabularyLimit = kept.count - limit
            }
        }
        let widespread = (0..<seen).filter { keep[$0] && Int(df[$0]) > widespreadDF }
        report.prunedTooCommon = listed(tooCommon, df: df, names: interestNames, profileCount: profileCount)
        report.widespreadInterests = listed(widespread, df: df, names: interestNames, profileCount: profileCount)
        report.widespreadInterestCount = widespread.count
        var newColumn = [Int32](repeating: -1, count: seen)
        var interests: [String] = []
        var keptDF: [Int32] = []
        for j in 0..<seen where keep[j] {
            newColumn[j] = Int32(interests.count)
            interests.append(interestNames[j])
            keptDF.append(df[j])
        }

        // Drop pruned columns and empty rows in one compaction pass (skipped when there are none).
        var rowMap = [Int32](repeating: -1, count: profileCount)
        var newRowStart: [Int]
        var profileIds: [String] = []
        var emptyIds: [String] = []
        let pruning = interests.count < seen
        var hasEmptyRow = false
        for i in 0..<profileCount where rowStart[i] == rowStart[i + 1] { hasEmptyRow = true; break }
        if !pruning && !hasEmptyRow {
            newRowStart = rowStart
            profileIds = allIds
            for i in 0..<profileCount { rowMap[i] = Int32(i) }
        } else {
            newRowStart = [0]
            newRowStart.reserveCapacity(profileCount + 1)
            profileIds.reserveCapacity(profileCount)
            var write = 0
            for i in 0..<profileCount {
                let rowBegin = write
                for p in rowStart[i]..<rowStart[i + 1] {
                    let c = pruning ? newColumn[Int(columns[p])] : columns[p]
                    if c < 0 { continue }
                    columns[write] = c
                    values[write] = values[p]
                    write += 1
                }
                if write == rowBegin {
                    emptyIds.append(allIds[i])
                } else {
                    rowMap[i] = Int32(profileIds.count)
                    profileIds.append(allIds[i])
                    newRowStart.append(write)
                }
            }
            columns.removeSubrange(write...)
            values.removeSubrange(write...)
        }
        rowStart = []

        let rows = profileIds.count
        var matrix = CSRMatrix(unchecked: rows, columnCount: interests.count, rowStart: consume newRowStart, columns: consume columns, values: consume values)   // consumed: weighting below must not copy them
        lap("prune")
        report.averageRowWeight = applyWeighting(settings.weighting, to: &matrix, documentFrequencies: keptDF)
        if settings.normalizeRows { matrix.normalizeRows() }
        lap("weight")

        let tags = buildTags(builder, rowMap: rowMap, rows: rows)
        let attributes = buildAttributes(builder, rowMap: rowMap, rows: rows)

        lap("tags")
        report.stageSeconds = timings
        report.linesRead = report.files.reduce(0) { $0 + $1.lines }
        report.linesLoaded = report.files.reduce(0) { $0 + $1.loaded }
        report.linesRejected = report.files.reduce(0) { $0 + $1.rejected }
        report.blankLines = report.files.reduce(0) { $0 + $1.blank }
        report.headerLines = report.files.reduce(0) { $0 + $1.header }
        report.profiles = rows + emptyIds.count
        report.rows = rows
        report.emptyProfiles = emptyIds.count
        report.interestsSeen = seen
        report.interests = interests.count
        report.nonzeros = matrix.nonzeroCount
        return LoadedAudience(matrix: matrix, vocabulary: Vocabulary(interests: interests, documentFrequencies: keptDF),
                              profileIds: profileIds, tags: tags, attributes: attributes, emptyProfileIds: emptyIds,
                              rejects: builder.rejects, report: report, settings: settings)
    }

    /// The first `LoadReport.listedInterests` of `columns`, most held first (ties: first seen), with
    /// their shares of `profileCount`.
    static func listed(_ columns: [Int], df: [Int32], names: [String], profileCount: Int) -> [InterestShare] {
        columns.sorted { df[$0] != df[$1] ? df[$0] > df[$1] : $0 < $1 }
            .prefix(LoadReport.listedInterests)
            .map { InterestShare(interest: names[$0], profiles: Int(df[$0]), share: Double(df[$0]) / Double(max(profileCount, 1))) }
    }

    /// How many entries each column has (rows are combined already, so: in how many rows), counted
    /// in fixed parts in parallel (integer sums: the same on any number of threads).
    static func documentFrequencies(_ columns: [Int32], columnCount: Int) -> [Int32] {
        let parts = max(1, min(8, columns.count / (1 << 16)))
        var counts = [Int32](repeating: 0, count: parts * columnCount)
        let total = columns.count
        columns.withUnsafeBufferPointer { cols in
            counts.withUnsafeMutableBufferPointer { out in
                guard let cols = cols.baseAddress, let out = out.baseAddress else { return }
                let per = (total + parts - 1) / parts
                Parallel.forEach(parts) { part in
                    let mine = out + part * columnCount
                    for p in (part * per)..<min(total, (part + 1) * per) { mine[Int(cols[p])] += 1 }
                }
            }
        }
        var df = [Int32](repeating: 0, count: columnCount)
        for part in 0..<parts { for j in 0..<columnCount { df[j] += counts[part * columnCount + j] } }
        return df
    }

    /// Counting sort of entries by owner (stable): O(entries + profiles).
    static func groupByProfile(owners: [Int32], columns: [Int32], values: [Float], profileCount: Int) -> ([Int], [Int32], [Float]) {
        var rowStart = [Int](repeating: 0, count: profileCount + 1)
        for o in owners { rowStart[Int(o) + 1] += 1 }
        for i in 0..<profileCount { rowStart[i + 1] += rowStart[i] }
        var next = rowStart
        var sortedColumns = [Int32](repeating: 0, count: columns.count)
        var sortedValues = [Float](repeating: 0, count: values.count)
        for e in 0..<owners.count {
            let o = Int(owners[e])
            let q = next[o]
            sortedColumns[q] = columns[e]
            sortedValues[q] = values[e]
            next[o] = q + 1
        }
        return (rowStart, sortedColumns, sortedValues)
    }

    /// Sorts each row by column and adds up repeated columns (an interest listed twice, or a profile
    /// merged from several lines). Rows are sorted in parallel; compaction runs only if needed.
    ///
    /// Rows are sorted without comparisons when the vocabulary allows: each column sets its bit in
    /// a three-level bitmap (column → 64-column word → 4,096-column word), its value is added into
    /// a dense scratch row, and the set bits are read back in order. That costs a few operations
    /// per entry where an insertion sort costs one per pair, and it combines repeats on the way
    /// (values added in file order). Short rows and vocabularies over 262,144 interests use a
    /// comparison sort.
    /// Returns whether any entries were combined.
    @discardableResult
    static func sortAndCombineRows(rowStart: inout [Int], columns: inout [Int32], values: inout [Float], columnCount: Int) -> Bool {
        let rows = rowStart.count - 1
        guard rows > 0 else { return false }
        var uniqueCount = [Int](repeating: 0, count: rows)
        let starts = rowStart
        let bitmapSort = columnCount <= 1 << 18
        columns.withUnsafeMutableBufferPointer { cb in
        values.withUnsafeMutableBufferPointer { vb in
        uniqueCount.withUnsafeMutableBufferPointer { ub in
            let c = cb.baseAddress, v = vb.baseAddress, u = ub.baseAddress!
            Parallel.forEachChunk(count: rows, chunkSize: 4096) { _, range in
                guard let c, let v else { return }
                var scratch: [UInt64] = []
                var bits = RowBitmap(columnCount: bitmapSort ? columnCount : 0)
                for i in range {
                    let lower = starts[i], upper = starts[i + 1]
                    var sorted = true
                    var p = lower + 1
                    while p < upper { if c[p] <= c[p - 1] { sorted = false; break }; p += 1 }
                    if sorted { u[i] = upper - lower; continue }
                    if bitmapSort && upper - lower > 8 {
                        u[i] = bits.sortAndCombine(columns: c + lower, values: v + lower, count: upper - lower)
                        continue
                    }
                    // Sort (column, value bits) packed in one 64-bit key: insertion sort for the
                    // usual short rows, the standard sort for long ones.
                    scratch.removeAll(keepingCapacity: true)
                    for p in lower..<upper { scratch.append(UInt64(UInt32(c[p])) << 32 | UInt64(v[p].bitPattern)) }
                    scratch.withUnsafeMutableBufferPointer { keys in
                        let n = keys.count
                        if n <= 96 {
                            for a in 1..<n {
                                let key = keys[a]
                                var b = a - 1
                                while b >= 0 && keys[b] > key { keys[b + 1] = keys[b]; b -= 1 }
                                keys[b + 1] = key
                            }
                        } else {
                            keys.sort()
                        }
                    }
                    for k in 0..<scratch.count {
                        let key = scratch[k]
                        c[lower + k] = Int32(truncatingIfNeeded: key >> 32)
                        v[lower + k] = Float(bitPattern: UInt32(truncatingIfNeeded: key))
                    }
                    // Combine equal neighbours in place.
                    var w = lower
                    var r = lower
                    while r < upper {
                        if w > lower && c[w - 1] == c[r] { v[w - 1] += v[r] } else { c[w] = c[r]; v[w] = v[r]; w += 1 }
                        r += 1
                    }
                    u[i] = w - lower
                }
            }
        }}}
        var needsCompaction = false
        for i in 0..<rows where uniqueCount[i] != rowStart[i + 1] - rowStart[i] { needsCompaction = true; break }
        guard needsCompaction else { return false }
        var write = 0
        for i in 0..<rows {
            let lower = rowStart[i]
            for p in lower..<(lower + uniqueCount[i]) {
                columns[write] = columns[p]
                values[write] = values[p]
                write += 1
            }
            rowStart[i] = write - uniqueCount[i]
        }
        rowStart[rows] = write
        columns.removeSubrange(write...)
        values.removeSubrange(write...)
        return true
    }

    /// Replaces raw weights by the chosen weighting. idf uses the number of matrix rows.
    /// Returns the mean raw row length (BM25's average document length) for later projections.
    @discardableResult
    static func applyWeighting(_ weighting: Weighting, to matrix: inout CSRMatrix, documentFrequencies df: [Int32]) -> Double {
        let n = matrix.rowCount
        let factors = weighting.columnFactors(documentFrequencies: df, profileCount: n)
        var averageLength: Double = 1
        if weighting == .bm25, n > 0 {
            averageLength = matrix.values.reduce(0.0) { $0 + Double($1) } / Double(n)
        }
        weighting.apply(to: &matrix, columnFactors: factors, averageLength: averageLength)
        return averageLength
    }

    static func buildTags(_ builder: borrowing AudienceBuilder, rowMap: [Int32], rows: Int) -> ProfileTags {
        var pairs: [(Int32, Int32)] = []
        pairs.reserveCapacity(builder.tagProfile.count)
        for t in 0..<builder.tagProfile.count {
            let row = rowMap[Int(builder.tagProfile[t])]
            if row >= 0 { pairs.append((row, builder.tagValue[t])) }
        }
        let inOrder = zip(pairs, pairs.dropFirst()).allSatisfy { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 <= $1.1) }
        if !inOrder { pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 } }
        var rowStart = [Int](repeating: 0, count: rows + 1)
        var values: [Int32] = []
        var previous: (Int32, Int32) = (-1, -1)
        for pair in pairs where pair != previous {
            values.append(pair.1)
            rowStart[Int(pair.0) + 1] += 1
            previous = pair
        }
        for i in 0..<rows { rowStart[i + 1] += rowStart[i] }
        return ProfileTags(names: builder.tags.names, rowStart: rowStart, values: values)
    }

    static func buildAttributes(_ builder: borrowing AudienceBuilder, rowMap: [Int32], rows: Int) -> ProfileAttributes {
        var order: [Int] = (0..<builder.attributeProfile.count).filter { rowMap[Int(builder.attributeProfile[$0])] >= 0 }
        order.sort {
            let a = rowMap[Int(builder.attributeProfile[$0])], b = rowMap[Int(builder.attributeProfile[$1])]
            return a != b ? a < b : $0 < $1
        }
        var rowStart = [Int](repeating: 0, count: rows + 1)
        var keyIndex: [Int32] = []
        var values: [String] = []
        var currentRow: Int32 = -1
        var seenKeys = Set<Int32>()
        for a in order {
            let row = rowMap[Int(builder.attributeProfile[a])]
            if row != currentRow { currentRow = row; seenKeys.removeAll(keepingCapacity: true) }
            let key = builder.attributeKey[a]
            guard seenKeys.insert(key).inserted else { continue }   // first value wins
            keyIndex.append(key)
            values.append(builder.attributeValue[a])
            rowStart[Int(row) + 1] += 1
        }
        for i in 0..<rows { rowStart[i + 1] += rowStart[i] }
        return ProfileAttributes(keys: builder.attributeKeys.names, rowStart: rowStart, keyIndex: keyIndex, values: values)
    }
}

/// Scratch for sorting one row at a time by setting bits (see `sortAndCombineRows`): levels of
/// 64-bit words over the columns, and a dense row of values. Every bit set is cleared again when
/// the row is read back, so the scratch is reused across rows without clearing.
struct RowBitmap {
    private var level0: [UInt64]
    private var level1: [UInt64]
    private var level2: UInt64 = 0
    private var dense: [Float]

    /// `columnCount` ≤ 2¹⁸ (64 × 64 × 64).
    init(columnCount: Int) {
        precondition(columnCount <= 1 << 18)
        level0 = [UInt64](repeating: 0, count: (columnCount + 63) / 64)
        level1 = [UInt64](repeating: 0, count: 64)
        dense = [Float](repeating: 0, count: columnCount)
    }

    /// Sorts `count` entries by column in place, adding up repeated columns; returns how many
    /// distinct columns are left at the front.
    mutating func sortAndCombine(columns: UnsafeMutablePointer<Int32>, values: UnsafeMutablePointer<Float>, count: Int) -> Int {
        var top = level2
        let written: Int = level0.withUnsafeMutableBufferPointer { l0b in
            level1.withUnsafeMutableBufferPointer { l1b in
                dense.withUnsafeMutableBufferPointer { db in
                    let l0 = l0b.baseAddress!, l1 = l1b.baseAddress!, d = db.baseAddress!
                    for e in 0..<count {
                        let column = Int(columns[e])
                        let word = column &>> 6
                        let bit = UInt64(1) &<< UInt64(column & 63)
                        if l0[word] & bit != 0 {
                            d[column] += values[e]
                        } else {
                            l0[word] |= bit
                            d[column] = values[e]
                            l1[word &>> 6] |= UInt64(1) &<< UInt64(word & 63)
                            top |= UInt64(1) &<< UInt64(word &>> 6)
                        }
                    }
                    var out = 0
                    while top != 0 {
                        let i1 = top.trailingZeroBitCount
                        top &= top &- 1
                        var x1 = l1[i1]
                        l1[i1] = 0
                        while x1 != 0 {
                            let word = i1 &<< 6 | x1.trailingZeroBitCount
                            x1 &= x1 &- 1
                            var x0 = l0[word]
                            l0[word] = 0
                            while x0 != 0 {
                                let column = word &<< 6 | x0.trailingZeroBitCount
                                x0 &= x0 &- 1
                                columns[out] = Int32(truncatingIfNeeded: column)
                                values[out] = d[column]
                                out &+= 1
                            }
                        }
                    }
                    return out
                }
            }
        }
        level2 = top
        return written
    }
}
