import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole (small) file with POSIX calls, so a failure is told in the system's words
/// ("No such file or directory", "Permission denied", "Is a directory") rather than as a
/// Foundation error number.
enum FileContents {
    /// The bytes of the file at `path`; throws `CSVReadError` (line 0) saying why it cannot be read.
    static func bytes(of path: String) throws -> Data {
        func failure(_ code: Int32) -> CSVReadError {
            CSVReadError(file: path, line: 0, message: "cannot read the file (\(String(cString: strerror(code))))")
        }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw failure(errno) }
        defer { close(fd) }
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n == 0 { return data }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure(errno)
            }
            data.append(contentsOf: chunk[0..<n])
        }
    }
}
