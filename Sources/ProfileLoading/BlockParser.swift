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
        while lineStart < total {
            let found = memchr(base + lineStart, 0x0A, total - lineStart)
            let lineEnd = found.map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base } ?? total
            let unterminated = found == nil
            var length = lineEnd - lineStart
            let line = base + lineStart
            if length > 0, line[length - 1] == 0x0D { length -= 1 }
            defer { lineStart = lineEnd + 1; lineIndex += 1; block.lineCount += 1 }

            var blank = true
            for i in 0..<length where !InterestNormalizer.isASCIISpace(line[i]) { blank = false; break }
            if blank { block.blankLines += 1; continue }

            func reject(_ reason: String, kind: RejectKind) {
                let truncated = unterminated && endsFile
                let why = truncated ? "truncated last line (no newline at the end of the file): \(reason)" : reason
                block.rejects.append(BlockReject(line: lineIndex, kind: truncated ? .truncated : kind, reason: why,
                                                 excerpt: RejectExcerpt.of(line, length)))
            }
            if length > maxLineBytes {
                reject("line is \(length) bytes, over the limit of \(maxLineBytes) (raise --max-line-bytes to accept it)", kind: .lineTooLong)
                continue
            }
            if let bad = UTF8Validation.firstInvalidOffset(line, length) {
                reject("invalid UTF-8 at byte \(bad + 1) of the line", kind: .invalidUTF8)
                continue
            }
            do {
                switch format {
                case .jsonl:
                    var parser = JSONLineParser(line: line, count: length, scratch: scratch, queue: queue, masks: masks)
                    try parser.parse(into: &block, lineIndex: lineIndex)
                case .csv, .tsv:
                    let count = try edgeParser.fields(line, length, scratch: scratch, into: &fields)
                    if lookingForHeader {
                        lookingForHeader = false
                        if header == .present || EdgeListParser.looksLikeHeader(fields) {
                            block.headerLines += 1
                            continue
                        }
                    }
                    try parseEdge(fields, count: count, into: &block, lineIndex: lineIndex)
                }
            } catch let error as RecordError {
                reject(error.reason, kind: error.kind)
            } catch {
                reject("\(error)", kind: .malformed)
            }
        }
        block.countUses()
        return block
    }

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
            guard w.isFinite, w >= 0, w <= Double(Float.greatestFiniteMagnitude) else {
                throw RecordError("the weight (field 3) must be a non-negative finite number, found \(w)", kind: .badWeight)
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
