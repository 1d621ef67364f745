/// Cuts a byte stream into blocks of whole lines of about `blockBytes`, so blocks can be parsed
/// independently. The file is never held in memory as a whole.
struct LineBlockReader {
    enum Block {
        /// Complete lines (the last may lack its newline when `endsFile`).
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
    private static let readSize = 1 << 20
    /// Zero bytes kept after the end of every block's lines (beyond `count`, inside the array's
    /// storage), so parsers may read a few words past a token without a bounds check.
    static let padding = 32

    /// Bytes of the stream consumed so far (compressed bytes for gzip).
    var position: Int { source.position }

    init(source: ByteSource, blockBytes: Int, maxLineBytes: Int) {
        self.source = source
        self.blockBytes = blockBytes
        self.maxLineBytes = maxLineBytes
    }

    mutating func next() throws -> Block? {
        guard !finished else { return nil }
        let startsFile = atStart
        atStart = false
        // Read straight into uninitialised storage (no zero-filling of every block first).
        var endOfStream = false
        let source = self.source, blockBytes = self.blockBytes, carried = carry
        var buffer = try [UInt8](unsafeUninitializedCapacity: max(blockBytes, carried.count) + Self.readSize + Self.padding) { storage, initialized in
            let base = UnsafeMutableRawPointer(storage.baseAddress!)
            carried.withUnsafeBytes { if $0.count > 0 { base.copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
            var count = carried.count
            defer { initialized = count }
            while count < blockBytes {
                let got = try source.read(into: base + count, count: min(Self.readSize, blockBytes - count))
                if got == 0 { endOfStream = true; break }
                count += got
            }
        }
        carry = []
        if endOfStream {
            finished = true
            if buffer.isEmpty && !startsFile { return nil }
            Self.pad(&buffer)
            return .lines(buffer, startsFile: startsFile, endsFile: true)
        }
        var searchFrom = 0
        while true {
            if let lastNewline = buffer[searchFrom...].lastIndex(of: 0x0A) {
                if lastNewline + 1 < buffer.count { carry = Array(buffer[(lastNewline + 1)...]) }
                buffer.removeSubrange((lastNewline + 1)...)
                Self.pad(&buffer)
                return .lines(buffer, startsFile: startsFile, endsFile: false)
            }
            // No newline anywhere in the buffer: it is all one line.
            if buffer.count > maxLineBytes {
                let excerpt = buffer.prefix(80).withUnsafeBufferPointer { RejectExcerpt.of($0.baseAddress!, $0.count) } + "…"
                let (length, endsFile) = try skipRestOfLine(already: buffer.count)
                if endsFile { finished = true }
                return .oversizedLine(length: length, excerpt: excerpt, endsFile: endsFile)
            }
            searchFrom = buffer.count
            if try !append(to: &buffer, atMost: Self.readSize) {
                finished = true
                Self.pad(&buffer)
                return .lines(buffer, startsFile: startsFile, endsFile: true)
            }
        }
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
        let got = try buffer.withUnsafeMutableBytes { raw in
            try source.read(into: raw.baseAddress! + old, count: want)
        }
        buffer.removeLast(want - got)
        return got > 0
    }

    /// Discards bytes up to and including the next newline; returns the line's total length and
    /// whether the file ended first.
    private mutating func skipRestOfLine(already: Int) throws -> (Int, Bool) {
        var length = already
        var chunk = [UInt8](repeating: 0, count: Self.readSize)
        while true {
            let got = try chunk.withUnsafeMutableBytes { try source.read(into: $0.baseAddress!, count: $0.count) }
            if got == 0 { return (length, true) }
            if let newline = chunk[0..<got].firstIndex(of: 0x0A) {
                length += newline
                if newline + 1 < got { carry = Array(chunk[(newline + 1)..<got]) }
                return (length, false)
            }
            length += got
        }
    }
}
