import Foundation
import CZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A sequential source of bytes: a plain file, or a gzip file decompressed on the fly.
/// Gzip is detected from the file's magic bytes, so `.gz` is read transparently whatever its name.
final class ByteSource {
    let path: String
    /// Size of the file on disk (compressed size for gzip files).
    let fileSize: Int
    let isGzip: Bool
    private var descriptor: Int32 = -1
    private var gzipHandle: gzFile?

    /// The size of a file on disk; throws `cannotOpen` for missing files and folders.
    static func size(of path: String) throws -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else { throw LoadError.cannotOpen(file: path, reason: String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) != S_IFDIR else { throw LoadError.cannotOpen(file: path, reason: "it is a directory") }
        return Int(info.st_size)
    }

    init(path: String) throws {
        self.path = path
        fileSize = try Self.size(of: path)
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw LoadError.cannotOpen(file: path, reason: String(cString: strerror(errno))) }
        var magic: (UInt8, UInt8) = (0, 0)
        let got = withUnsafeMutableBytes(of: &magic) { pread(fd, $0.baseAddress, 2, 0) }
        isGzip = got == 2 && magic.0 == 0x1F && magic.1 == 0x8B
        if isGzip {
            Glibc.close(fd)
            guard let handle = gzopen(path, "rb") else { throw LoadError.cannotOpen(file: path, reason: "cannot open gzip stream") }
            gzbuffer(handle, 1 << 18)
            gzipHandle = handle
        } else {
            descriptor = fd
            #if os(Linux)
            posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
            #endif
        }
    }

    deinit { close() }

    func close() {
        if let handle = gzipHandle { gzclose(handle); gzipHandle = nil }
        if descriptor >= 0 { Glibc.close(descriptor); descriptor = -1 }
    }

    /// Reads up to `count` bytes into `buffer`; returns 0 at the end of the stream.
    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws -> Int {
        if let handle = gzipHandle {
            let n = gzread(handle, buffer, UInt32(min(count, Int(Int32.max))))
            if n < 0 {
                var code: Int32 = 0
                let message = gzerror(handle, &code).map { String(cString: $0) } ?? "unknown error"
                throw LoadError.readFailed(file: path, reason: "gzip: \(message) (the file may be truncated or corrupt)")
            }
            return Int(n)
        }
        while true {
            let n = Glibc.read(descriptor, buffer, count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw LoadError.readFailed(file: path, reason: String(cString: strerror(errno)))
        }
    }

    /// How far into the file on disk reading has got (compressed offset for gzip), for progress.
    var position: Int {
        if let handle = gzipHandle { return Int(gzoffset(handle)) }
        return Int(lseek(descriptor, 0, SEEK_CUR))
    }
}
