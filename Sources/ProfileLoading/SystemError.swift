#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// System error numbers in words, for messages that say what happened ("No such file or
/// directory", "Permission denied", "No space left on device") rather than a Foundation error code.
enum SystemError {
    /// `strerror` of an `errno` value.
    static func text(_ code: Int32) -> String { String(cString: strerror(code)) }
}
