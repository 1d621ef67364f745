import Crypto
import Foundation

/// SHA-256 of input files for run records (swift-crypto: BoringSSL, hardware SHA instructions where
/// the CPU has them), streamed in 4 MiB blocks.
public enum FileDigest {
    public static func sha256(_ path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw LoadError.cannotOpen(file: path, reason: "cannot open the file to checksum it")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
