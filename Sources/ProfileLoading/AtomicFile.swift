import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files so that a failed run never leaves a half-written one: bytes go to a temporary
/// file beside the target, which is renamed over it only when complete.
package enum AtomicFile {
    /// Writes `data` to `path` atomically, creating parent folders.
    package static func write(_ data: Data, to path: String) throws {
        try write(to: path) { output in try output.write(data) }
    }

    /// Writes `text` as UTF-8 to `path` atomically.
    package static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// Streams into a temporary file through `body`, then renames it to `path`. If `body` throws,
    /// the temporary file is removed and `path` is left as it was.
    package static func write(to path: String, _ body: (FileOutput) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        try makeDirectories(directory, for: path)
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw AtomicFileError(path: path, reason: SystemError.text(errno)) }
        let output = FileOutput(descriptor: fd, path: path)
        do {
            try body(output)
            try output.flush()
            guard Glibc.close(fd) == 0 else { throw AtomicFileError(path: path, reason: String(cString: strerror(errno))) }
        } catch {
            Glibc.close(fd)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw AtomicFileError(path: path, reason: reason)
        }
    }

    /// Creates `directory` and its missing parents (`mkdir -p`) with POSIX calls, so a failure
    /// reads "Not a directory" or "Permission denied", naming the folder that could not be made.
    static func makeDirectories(_ directory: String, for path: String) throws {
        var info = stat()
        if stat(directory, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { return }
        var prefix = directory.hasPrefix("/") ? "/" : ""
        for component in directory.split(separator: "/") where !component.isEmpty {
            prefix += component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw AtomicFileError(path: path, reason: "cannot create the folder \(prefix): \(SystemError.text(errno))")
            }
            if stat(prefix, &info) != 0 {
                throw AtomicFileError(path: path, reason: "cannot create the folder \(prefix): \(SystemError.text(errno))")
            }
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw AtomicFileError(path: path, reason: "\(prefix) is a file, not a folder")
            }
            prefix += "/"
        }
    }
}

public struct AtomicFileError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot write \(path): \(reason)" }
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

/// A buffered output file used inside `AtomicFile.write(to:_:)`.
package final class FileOutput {
    private let descriptor: Int32
    private let path: String
    private var buffer: [UInt8] = []
    private static let capacity = 1 << 20
    /// Bytes written so far (including buffered ones).
    package private(set) var offset = 0

    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
        buffer.reserveCapacity(Self.capacity)
    }

    package func write(_ text: String) throws { try write(Data(text.utf8)) }

    package func write(_ data: Data) throws {
        try data.withUnsafeBytes { try write(UnsafeRawBufferPointer($0)) }
    }

    package func write(_ bytes: UnsafeRawBufferPointer) throws {
        offset += bytes.count
        if buffer.count + bytes.count <= Self.capacity {
            buffer.append(contentsOf: bytes)
            return
        }
        try flush()
        try writeAll(bytes)
    }

    /// Replaces already written bytes at `offset` (for a header field known only at the end).
    package func overwrite(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        precondition(offset + bytes.count <= self.offset, "overwrite past the written end")
        try flush()
        var done = 0
        while done < bytes.count {
            let n = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw AtomicFileError(path: path, reason: String(cString: strerror(errno)))
            }
            done += n
        }
    }

    package func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw AtomicFileError(path: path, reason: String(cString: strerror(errno)))
            }
            done += n
        }
    }
}
