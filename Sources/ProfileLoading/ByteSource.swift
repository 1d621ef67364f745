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
        let n = try Self.readSome(descriptor, buffer, count, path: path)
        delivered += n
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
