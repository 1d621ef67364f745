import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A sequential source of bytes: a plain file, or a gzip file decompressed on the fly.
/// Gzip is detected from the file's magic bytes, so `.gz` is read transparently whatever its name.
///
/// A FIFO, a pipe or a process substitution (`<(zcat …)`) is read as a stream: its first bytes are
/// read once to detect gzip and then served again, never reread (a stream cannot be).
final class ByteSource {
    let path: String
    /// Size of the file on disk (compressed size for gzip files); 0 for a stream.
    let fileSize: Int
    let isGzip: Bool
    private var descriptor: Int32 = -1
    private var gzip: GzipDecoder?
    /// A stream's first bytes, read to detect gzip: served before the rest of the stream.
    private var sniffed: [UInt8] = []
    /// Bytes delivered so far by a plain source.
    private var delivered = 0
    /// Bytes left in the part of a plain file being read (nil: up to the end of the file).
    private var remaining: Int?

    /// The size of a file on disk (0 for a stream); throws `cannotOpen` for missing files and folders.
    static func size(of path: String) throws -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else { throw LoadError.cannotOpen(file: path, reason: SystemError.text(errno)) }
        guard (info.st_mode & S_IFMT) != S_IFDIR else { throw LoadError.cannotOpen(file: path, reason: "it is a directory") }
        return (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : 0
    }

    init(path: String) throws {
        self.path = path
        fileSize = try Self.size(of: path)
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw LoadError.cannotOpen(file: path, reason: SystemError.text(errno)) }
        descriptor = fd
        var info = stat()
        let regular = fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
        var head = [UInt8](repeating: 0, count: 2)
        var got = 0
        if regular {
            got = head.withUnsafeMutableBytes { max(0, pread(fd, $0.baseAddress, 2, 0)) }
            #if os(Linux)
            posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
            #endif
        } else {
            while got < 2 {
                let n = try head.withUnsafeMutableBytes { try Self.readSome(fd, $0.baseAddress! + got, 2 - got, path: path) }
                if n == 0 { break }
                got += n
            }
            sniffed = Array(head[0..<got])
        }
        isGzip = got == 2 && head[0] == 0x1F && head[1] == 0x8B
        if isGzip {
            let path = path
            do {
                gzip = try GzipDecoder(initial: sniffed) { buffer, count in try Self.readSome(fd, buffer, count, path: path) }
            } catch let problem as GzipProblem {
                close()
                throw LoadError.readFailed(file: path, reason: "it \(problem.text)")
            }
            sniffed = []
        }
    }

    /// The lines of a plain file whose first byte lies in `range` (a rank's share of one file):
    /// reading starts at the first line that starts at or after `range.lowerBound` and stops after
    /// the line holding byte `range.upperBound − 1`. Shares cut at the same offsets cover every line
    /// exactly once. Returns nil for gzip files and streams, which cannot be split.
    convenience init?(path: String, lines range: Range<Int>) throws {
        try self.init(path: path)
        guard !isGzip, fileSize > 0, sniffed.isEmpty else { close(); return nil }
        let start = try lineStart(atOrAfter: range.lowerBound)
        let end = try lineStart(atOrAfter: range.upperBound)
        guard lseek(descriptor, off_t(start), SEEK_SET) >= 0 else {
            throw LoadError.readFailed(file: path, reason: SystemError.text(errno))
        }
        remaining = max(0, end - start)
        startOffset = start
    }

    /// Where this source's bytes begin in the file (0 unless it reads a share of the lines).
    private(set) var startOffset = 0

    /// The first line start at or after `offset`: 0, or one past a newline (the file size when none).
    private func lineStart(atOrAfter offset: Int) throws -> Int {
        guard offset > 0 else { return 0 }
        guard offset < fileSize else { return fileSize }
        var position = offset - 1
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while position < fileSize {
            let n = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(position)) }
            guard n > 0 else {
                if n < 0 { throw LoadError.readFailed(file: path, reason: SystemError.text(errno)) }
                break
            }
            if let newline = buffer[0..<n].firstIndex(of: 0x0A) { return position + newline + 1 }
            position += n
        }
        return fileSize
    }

    deinit { close() }

    func close() {
        gzip = nil
        if descriptor >= 0 { Glibc.close(descriptor); descriptor = -1 }
    }

    /// Reads up to `count` bytes into `buffer`; returns 0 at the end of the stream. Throws
    /// `LoadError.readFailed` when the system cannot read, `GzipProblem` when a gzip file is damaged.
    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws -> Int {
        if let gzip { return try gzip.read(into: buffer, count: count) }
        if !sniffed.isEmpty {
            let n = min(count, sniffed.count)
            sniffed.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: n) }
            sniffed.removeFirst(n)
            delivered += n
            return n
        }
        let wanted = remaining.map { min($0, count) } ?? count
        guard wanted > 0 else { return 0 }
        let n = try Self.readSome(descriptor, buffer, wanted, path: path)
        delivered += n
        if let left = remaining { remaining = left - n }
        return n
    }

    /// One `read(2)`, retried when interrupted.
    private static func readSome(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int, path: String) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer, count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw LoadError.readFailed(file: path, reason: SystemError.text(errno))
        }
    }

    /// How far into the file reading has got (compressed bytes for gzip), for progress.
    var position: Int { gzip?.position ?? delivered }
}
