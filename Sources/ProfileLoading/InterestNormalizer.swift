import Foundation

/// How raw interest strings become vocabulary entries.
///
/// Defaults: trim white space, Unicode NFKC, case-fold, keep a leading `#`/`@` (so the hashtag
/// `#nba` and the account `@nba` stay distinct interests).
public struct NormalizationSettings: Sendable, Equatable, Codable {
    /// Remove leading and trailing white space. Default true.
    public var trim: Bool = true
    /// Apply Unicode NFKC (compatibility composition: full-width letters, ligatures, …). Default true.
    public var unicodeNFKC: Bool = true
    /// Fold case (Unicode lower-casing). Default true.
    public var caseFold: Bool = true
    /// Remove one leading `#` or `@`, so `#nba`, `@nba` and `nba` become one interest. Default false.
    public var stripSigil: Bool = false

    public init(trim: Bool = true, unicodeNFKC: Bool = true, caseFold: Bool = true, stripSigil: Bool = false) {
        self.trim = trim
        self.unicodeNFKC = unicodeNFKC
        self.caseFold = caseFold
        self.stripSigil = stripSigil
    }
}

/// Applies `NormalizationSettings` to interest strings; an ASCII fast path avoids Foundation.
package struct InterestNormalizer: Sendable {
    package let settings: NormalizationSettings

    package init(_ settings: NormalizationSettings = NormalizationSettings()) {
        self.settings = settings
    }

    /// The normalised form of a raw interest (may be empty: such interests are dropped).
    package func normalize(_ raw: String) -> String {
        var bytes = Array(raw.utf8)
        return bytes.withUnsafeMutableBufferPointer { normalize(UnsafeBufferPointer($0)) }
    }

    /// The normalised form of raw UTF-8 bytes (already validated).
    func normalize(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        var isASCII = true
        for b in raw where b >= 0x80 { isASCII = false; break }
        if isASCII {
            var lower = 0, upper = raw.count
            if settings.trim {
                while lower < upper, Self.isASCIISpace(raw[lower]) { lower += 1 }
                while upper > lower, Self.isASCIISpace(raw[upper - 1]) { upper -= 1 }
            }
            if settings.stripSigil, lower < upper, raw[lower] == UInt8(ascii: "#") || raw[lower] == UInt8(ascii: "@") {
                lower += 1
                if settings.trim { while lower < upper, Self.isASCIISpace(raw[lower]) { lower += 1 } }
            }
            if !settings.caseFold {
                return String(decoding: UnsafeBufferPointer(rebasing: raw[lower..<upper]), as: UTF8.self)
            }
            return String(unsafeUninitializedCapacity: upper - lower) { out in
                for i in lower..<upper {
                    let b = raw[i]
                    out[i - lower] = (b >= 65 && b <= 90) ? b + 32 : b
                }
                return upper - lower
            }
        }
        var s = String(decoding: raw, as: UTF8.self)
        if settings.trim { s = s.trimmingCharacters(in: .whitespacesAndNewlines) }
        if settings.unicodeNFKC { s = s.precomposedStringWithCompatibilityMapping }
        if settings.caseFold { s = s.lowercased() }
        if settings.stripSigil, let first = s.first, first == "#" || first == "@" {
            s.removeFirst()
            if settings.trim { s = s.trimmingCharacters(in: .whitespacesAndNewlines) }
        }
        return s
    }

    @inline(__always)
    static func isASCIISpace(_ b: UInt8) -> Bool {
        b == 0x20 || (b >= 0x09 && b <= 0x0D)
    }
}
