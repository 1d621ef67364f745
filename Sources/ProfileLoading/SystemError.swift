import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// System error numbers in words, for messages that say what happened ("No such file or
/// directory", "Permission denied", "No space left on device") rather than a Foundation error code.
package enum SystemError {
    /// `strerror` of an `errno` value.
    package static func text(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// A Foundation error in words: the POSIX reason underneath when there is one (no
    /// "NSCocoaErrorDomain error 512").
    package static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return text(Int32(ns.code)) }
        if let posix = ns.userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain { return text(Int32(posix.code)) }
        return ns.localizedFailureReason ?? ns.localizedDescription
    }
}
