#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses a block of complete lines into a `ParsedBlock` (block-local ids). Runs in parallel over
/// blocks; knows nothing of other blocks.
struct BlockParser {
    let format: InputFormat
    let maxLineBytes: Int
    let header: HeaderPolicy

    /// - Parameters:
    ///   - bytes: whole lines; the last one may lack its newline only when `endsFile` is true. The
    ///     storage must go on for `LineBlockReader.padding` readable bytes after them.
    ///   - startsFile: the block holds the file's first line (header detection for edge lists).
    ///   - endsFile: the block holds the file's last bytes.
    func parse(_ bytes: UnsafeBufferPointer<UInt8>, startsFile: Bool, endsFile: Bool) -> ParsedBlock {
        var block = ParsedBlock()
        guard let base = bytes.baseAddress, bytes.count > 0 else { return block }
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: min(bytes.count, maxLineBytes) + 8)
        defer { scratch.deallocate() }
        let queue = UnsafeMutablePointer<LookupQueue.Entry>.allocate(capacity: LookupQueue.depth)
        defer { queue.deallocate() }
        let masks = UnsafeMutablePointer<UInt64>.allocate(capacity: TokenTable.inlineMasks.count)
        masks.initialize(from: TokenTable.inlineMasks, count: TokenTable.inlineMasks.count)
        defer { masks.deallocate() }
        let edgeParser = EdgeListParser(delimiter: format.delimiter)
        var fields: [EdgeListParser.Field] = []
        fields.reserveCapacity(4)
        var lookingForHeader = startsFile && format != .jsonl && header != .absent
        var lineStart = 0
        var lineIndex: Int32 = 0
        let total = bytes.count
        // The LF ending the current run of lines (`total` if none): found once with memchr and
        // reused while CR-ended lines inside it are taken one by one.
        var segmentEnd = -1
        var segmentHasLF = false
        // Set once a lone CR has ended a line of this run: the next lines are then cut at their CR
        // before anything reads them, so a CR-only file costs one pass, not one per line.
        var segmentHasLoneCR = false
        let cr = UInt8(0x0D)
        while lineStart < total {
            if segmentEnd < lineStart {
                let found = memchr(base + lineStart, 0x0A, total - lineStart)
                segmentEnd = found.map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base } ?? total
                segmentHasLF = found != nil
                segmentHasLoneCR = false
            }
            var line = base + lineStart
            var length = segmentEnd - lineStart
            var terminated = segmentHasLF
            if length > 0, line[length - 1] == cr { length -= 1; terminated = true }   // CRLF, or a CR at the end
            // Where the next line starts: after the LF, or after a lone CR found inside the line.
            var nextStart = segmentEnd + 1
            defer { lineStart = nextStart; lineIndex += 1; block.lineCount += 1 }
            if segmentHasLoneCR, let k = memchr(line, Int32(cr), length) {
                length = UnsafePointer(k.assumingMemoryBound(to: UInt8.self)) - line
                terminated = true
                nextStart = lineStart + length + 1
            }
            if startsFile, lineIndex == 0, length >= 3, line[0] == 0xEF, line[1] == 0xBB, line[2] == 0xBF {
                line += 3; length -= 3   // a UTF-8 byte-order mark opening the file says nothing
            }
            // A lone CR at offset `cut` ends the line there: the rest is the next line.
            var cut = -1
            var failure: RecordError? = nil
            attempt: while true {
                if cut >= 0 {
                    length = cut
                    terminated = true
                    nextStart = (line - base) + cut + 1
                    segmentHasLoneCR = true
                    cut = -1
                }
                var first = 0
                while first < length, Self.isBlank(line[first]) { first += 1 }
                if first < length, line[first] == cr { cut = first; continue attempt }
                if first >= length { block.blankLines += 1; break attempt }

                if length > maxLineBytes {
                    failure = RecordError("line is \(length) bytes, over the limit of \(maxLineBytes) (raise --max-line-bytes to accept it)", kind: .lineTooLong)
                } else if let bad = UTF8Validation.firstInvalidOffset(line, length) {
                    failure = RecordError("invalid UTF-8 at byte \(bad + 1) of the line", kind: .invalidUTF8)
                } else {
                    do {
                        switch format {
                        case .jsonl:
                            var parser = JSONLineParser(line: line, count: length, scratch: scratch, queue: queue, masks: masks)
                            let used = try parser.parse(into: &block, lineIndex: lineIndex)
                            if used < length { cut = used }
                        case .csv, .tsv:
                            let (count, used) = try edgeParser.fields(line, length, scratch: scratch, into: &fields)
                            if used < length { cut = used; length = used }
                            if lookingForHeader {
                                lookingForHeader = false
                                if header == .present || EdgeListParser.looksLikeHeader(fields) {
                                    block.headerLines += 1
                                    break attempt
                                }
                            }
                            try parseEdge(fields, count: count, into: &block, lineIndex: lineIndex)
                        }
                    } catch let error as RecordError {
                        failure = error
                    } catch {
                        failure = RecordError("\(error)", kind: .malformed)
                    }
                }
                // A lone CR inside a rejected line ends it there (the rest is the next line): the
                // line is looked at again, shorter. Accepted lines never hold one (the parsers stop
                // at a CR and say where), so this costs nothing on the way of good lines.
                if failure != nil, let k = memchr(line, Int32(cr), length) {
                    failure = nil
                    cut = UnsafePointer(k.assumingMemoryBound(to: UInt8.self)) - line
                    continue attempt
                }
                break attempt
            }
            if cut >= 0 {   // an accepted record that ended at a CR
                length = cut
                terminated = true
                nextStart = (line - base) + cut + 1
                segmentHasLoneCR = true
            }
            if let failure {
                let truncated = !terminated && endsFile
                let why = truncated ? "truncated last line (no newline at the end of the file): \(failure.reason)" : failure.reason
                block.rejects.append(BlockReject(line: lineIndex, kind: truncated ? .truncated : failure.kind, reason: why,
                                                 excerpt: RejectExcerpt.of(line, length)))
            }
        }
        block.countUses()
        return block
    }

    /// White space that leaves a line blank: space, tab, vertical tab, form feed (a CR ends the
    /// line, an LF never reaches here).
    @inline(__always)
    static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0C && b != 0x0A) }

    private func parseEdge(_ fields: [EdgeListParser.Field], count: Int, into block: inout ParsedBlock, lineIndex: Int32) throws {
        guard count == 2 || count == 3 else {
            throw RecordError("expected 2 or 3 fields (follower id, interest[, weight]) but found \(count)", kind: .badFields)
        }
        let id = trimmed(fields[0])
        guard id.count > 0 else { throw RecordError("the follower id (field 1) is empty", kind: .missingID) }
        let interest = fields[1]
        guard interest.count > 0 else { throw RecordError("the interest (field 2) is empty", kind: .badFields) }
        var weight: Double = 1
        if count == 3 {
            guard let w = EdgeListParser.number(fields[2]) else {
                let text = String(decoding: UnsafeBufferPointer(start: fields[2].start, count: fields[2].count), as: UTF8.self)
                throw RecordError("the weight (field 3) must be a number, found '\(RejectExcerpt.sanitize(text))'", kind: .badWeight)
            }
            guard InterestWeight.isAccepted(w) else {
                throw RecordError("the weight (field 3) \(InterestWeight.problem(w))", kind: .badWeight)
            }
            weight = w
        }
        block.recordLine.append(lineIndex)
        block.recordId.append(block.ids.id(of: id.start, length: id.count))
        if weight > 0 {
            block.appendEntry(block.interests.id(of: interest.start, length: interest.count), weight: Float(weight))
        }
        block.recordEntryEnd.append(block.entryInterest.count)
    }

    private func trimmed(_ f: EdgeListParser.Field) -> EdgeListParser.Field {
        var s = f.start, n = f.count
        while n > 0, InterestNormalizer.isASCIISpace(s.pointee) { s += 1; n -= 1 }
        while n > 0, InterestNormalizer.isASCIISpace(s[n - 1]) { n -= 1 }
        return EdgeListParser.Field(start: s, count: n)
    }
}
