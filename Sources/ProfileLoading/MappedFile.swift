import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A regular file mapped read-only into memory, opened with POSIX calls so that a failure is told
/// in the system's words ("No such file or directory", "Permission denied"), not as a Foundation
/// error number.
enum MappedFile {
    /// The whole file at `path` as `Data` backed by the mapping (unmapped when the data goes).
    /// Throws `LoadError.cannotOpen` naming the file and the reason.
    static func map(_ path: String) throws -> Data {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw LoadError.cannotOpen(file: path, reason: SystemError.text(errno)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw LoadError.cannotOpen(file: path, reason: SystemError.text(errno)) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            let what = (info.st_mode & S_IFMT) == S_IFDIR ? "it is a directory" : "it is not a regular file (a cache must be a file on disk)"
            throw LoadError.cannotOpen(file: path, reason: what)
        }
        let size = Int(info.st_size)
        guard size > 0 else { return Data() }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), address != MAP_FAILED else {
            throw LoadError.cannotOpen(file: path, reason: SystemError.text(errno))
        }
        return Data(bytesNoCopy: address, count: size, deallocator: .custom { pointer, count in munmap(pointer, count) })
    }
}
