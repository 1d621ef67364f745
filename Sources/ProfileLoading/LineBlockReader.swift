/// Cuts a byte stream into blocks of whole lines of about `blockBytes`, so blocks can be parsed
/// independently. The file is never held in memory as a whole.
///
/// A line ends at LF, CRLF or a lone CR (old Mac files): a block is cut after the last line end
/// in it, and never between the CR and the LF of a CRLF.
///
/// When the source fails part-way (a damaged gzip file, a read error), the lines complete before
/// the failure are still delivered (the cut-off line after them is dropped), and the next call
/// throws the failure: the loader can then say how far the file was read.
struct LineBlockReader {
    enum Block {
        /// Complete lines (the last may lack its line end when `endsFile`).
        case lines([UInt8], startsFile: Bool, endsFile: Bool)
        /// One line longer than the limit, skipped without being held in memory.
        case oversizedLine(length: Int, excerpt: String, endsFile: Bool)
    }

    private let source: ByteSource
    private let blockBytes: Int
    private let maxLineBytes: Int
    private var carry: [UInt8] = []
    private var atStart = true
    private var finished = false
    /// The last line skipped ended with a CR at the end of a read: an LF next belongs to it.
    private var dropLeadingLF = false
    /// The source's failure, thrown once the lines read before it have been delivered.
    private var failure: Error?
    private static let readSize = 1 << 20
    private static let lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
    /// Zero bytes kept after the end of every block's lines (beyond `count`, inside the array's
    /// storage), so parsers may read a few words past a token without a bounds check.
    static let padding = 32

    /// Bytes of the stream consumed so far (compressed bytes for gzip).
    var position: Int { source.position }

    /// `startsFile` false: the source begins inside a file (a rank's share), so its first line is
    /// not the file's first line (no header or byte-order mark there).
    init(source: ByteSource, blockBytes: Int, maxLineBytes: Int, startsFile: Bool = true) {
        self.atStart = startsFile
        self.source = source
        self.blockBytes = blockBytes
        self.maxLineBytes = maxLineBytes
    }

    mutating func next() throws -> Block? {
        if let failure {
            self.failure = nil
            finished = true
            throw failure
        }
        guard !finished else { return nil }
        let startsFile = atStart
        atStart = false
        // Read straight into uninitialised storage (no zero-filling of every block first).
        var endOfStream = false
        var failed: Error? = nil
        let source = self.source, blockBytes = self.blockBytes, carried = carry
        var buffer = [UInt8](unsafeUninitializedCapacity: max(blockBytes, carried.count) + Self.readSize + Self.padding) { storage, initialized in
            let base = UnsafeMutableRawPointer(storage.baseAddress!)
            carried.withUnsafeBytes { if $0.count > 0 { base.copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
            var count = carried.count
            defer { initialized = count }
            while count < blockBytes {
                let got: Int
                do { got = try source.read(into: base + count, count: min(Self.readSize, blockBytes - count)) } catch {
                    failed = error
                    break
                }
                if got == 0 { endOfStream = true; break }
                count += got
            }
        }
        carry = []
        if dropLeadingLF, !buffer.isEmpty {
            dropLeadingLF = false
            if buffer[0] == Self.lf { buffer.removeFirst() }
        }
        if let failed { return try deliverBeforeFailure(&buffer, startsFile: startsFile, failure: failed) }
        if endOfStream {
            finished = true
            if buffer.isEmpty && !startsFile { return nil }
            Self.pad(&buffer)
            return .lines(buffer, startsFile: startsFile, endsFile: true)
        }
        var searchFrom = 0
        while true {
            if let lineEnd = Self.lastLineEnd(in: buffer, from: searchFrom) {
                if lineEnd + 1 < buffer.count { carry = Array(buffer[(lineEnd + 1)...]) }
                buffer.removeSubrange((lineEnd + 1)...)
                Self.pad(&buffer)
                return .lines(buffer, startsFile: startsFile, endsFile: false)
            }
            // No line end anywhere in the buffer (but perhaps a CR as its last byte): one line.
            let endsWithCR = buffer.last == Self.cr
            if buffer.count - (endsWithCR ? 1 : 0) > maxLineBytes {
                let excerpt = buffer.prefix(80).withUnsafeBufferPointer { RejectExcerpt.of($0.baseAddress!, $0.count) } + "…"
                if endsWithCR {
                    dropLeadingLF = true
                    return .oversizedLine(length: buffer.count - 1, excerpt: excerpt, endsFile: false)
                }
                let (length, endsFile) = try skipRestOfLine(already: buffer.count)
                if endsFile { finished = true }
                return .oversizedLine(length: length, excerpt: excerpt, endsFile: endsFile)
            }
            // A CR at the very end is looked at again once the byte after it is known.
            searchFrom = max(0, buffer.count - 1)
            let more: Bool
            do { more = try append(to: &buffer, atMost: Self.readSize) } catch {
                return try deliverBeforeFailure(&buffer, startsFile: startsFile, failure: error)
            }
            if !more {
                finished = true
                Self.pad(&buffer)
                return .lines(buffer, startsFile: startsFile, endsFile: true)
            }
        }
    }

    /// The index of the last byte that certainly ends a line at or after `start`: an LF, or a CR
    /// not followed by an LF. A CR that is the buffer's last byte may be the first half of a CRLF
    /// split across reads, so it does not count yet.
    static func lastLineEnd(in buffer: [UInt8], from start: Int) -> Int? {
        guard start < buffer.count else { return nil }
        var i = buffer.count - 1
        if buffer[i] == cr { i -= 1 }
        while i >= start {
            let b = buffer[i]
            if b == lf || b == cr { return i }
            i -= 1
        }
        return nil
    }

    /// Keeps the lines of `buffer` that ended before the source failed, drops the cut-off line
    /// after them, and arranges for the failure to be thrown by the next call (or throws it now
    /// when no line was complete).
    private mutating func deliverBeforeFailure(_ buffer: inout [UInt8], startsFile: Bool, failure: Error) throws -> Block {
        guard let lastEnd = buffer.lastIndex(where: { $0 == Self.lf || $0 == Self.cr }) else {
            finished = true
            throw failure
        }
        self.failure = failure
        buffer.removeSubrange((lastEnd + 1)...)
        Self.pad(&buffer)
        return .lines(buffer, startsFile: startsFile, endsFile: false)
    }

    /// Writes `padding` zero bytes after the end of `buffer` and drops them again: the storage
    /// keeps them (`removeLast` never releases capacity).
    private static func pad(_ buffer: inout [UInt8]) {
        buffer.append(contentsOf: repeatElement(0, count: padding))
        buffer.removeLast(padding)
    }

    /// Appends up to `count` bytes; false at the end of the stream.
    private func append(to buffer: inout [UInt8], atMost count: Int) throws -> Bool {
        let want = min(count, Self.readSize)
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: want))
        var got = 0
        defer { buffer.removeLast(want - got) }
        got = try buffer.withUnsafeMutableBytes { raw in
            try source.read(into: raw.baseAddress! + old, count: want)
        }
        return got > 0
    }

    /// Discards bytes up to and including the next line end; returns the line's total length and
    /// whether the file ended first.
    private mutating func skipRestOfLine(already: Int) throws -> (Int, Bool) {
        var length = already
        var chunk = [UInt8](repeating: 0, count: Self.readSize)
        while true {
            let got = try chunk.withUnsafeMutableBytes { try source.read(into: $0.baseAddress!, count: $0.count) }
            if got == 0 { return (length, true) }
            if let end = chunk[0..<got].firstIndex(where: { $0 == Self.lf || $0 == Self.cr }) {
                length += end
                var rest = end + 1
                if chunk[end] == Self.cr {
                    if rest == got { dropLeadingLF = true } else if chunk[rest] == Self.lf { rest += 1 }
                }
                if rest < got { carry = Array(chunk[rest..<got]) }
                return (length, false)
            }
            length += got
        }
    }
}
