import Foundation

/// How raw interest strings become vocabulary entries.
///
/// Defaults: trim white space, Unicode NFKC, case-fold, interest hygiene on (handles and hashtags
/// reduced to their valid form, debris such as `@...` or `#1` dropped: `InterestHygiene`), keep a
/// leading `#`/`@` (so the hashtag `#nba` and the account `@nba` stay distinct interests).
public struct NormalizationSettings: Sendable, Equatable {
    /// Remove leading and trailing white space. Default true.
    public var trim: Bool = true
    /// Apply Unicode NFKC (compatibility composition: full-width letters, ligatures, …). Default true.
    public var unicodeNFKC: Bool = true
    /// Fold case (Unicode lower-casing). Default true.
    public var caseFold: Bool = true
    /// Remove one leading `#` or `@`, so `#nba`, `@nba` and `nba` become one interest. Default false.
    public var stripSigil: Bool = false
    /// Reduce handles and hashtags to their valid form (`@mashable:` → `@mashable`) and drop the
    /// ones that name nothing (`@`, `#...`, `#2024`, `@gmail.com`, `@the`): `HygieneRule`. Runs
    /// after trim, NFKC and case folding, before the sigil is stripped. Default true.
    public var interestHygiene: Bool = true

    public init(trim: Bool = true, unicodeNFKC: Bool = true, caseFold: Bool = true, stripSigil: Bool = false,
                interestHygiene: Bool = true) {
        self.trim = trim
        self.unicodeNFKC = unicodeNFKC
        self.caseFold = caseFold
        self.stripSigil = stripSigil
        self.interestHygiene = interestHygiene
    }
}

extension NormalizationSettings: Codable {
    enum CodingKeys: String, CodingKey {
        case trim, unicodeNFKC, caseFold, stripSigil, interestHygiene
    }

    /// A record without `interestHygiene` was written before hygiene existed, by a loader that had
    /// none: it reads as off, so a model made then keeps reading new profiles as it was trained.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        trim = try c.decode(Bool.self, forKey: .trim)
        unicodeNFKC = try c.decode(Bool.self, forKey: .unicodeNFKC)
        caseFold = try c.decode(Bool.self, forKey: .caseFold)
        stripSigil = try c.decode(Bool.self, forKey: .stripSigil)
        interestHygiene = try c.decodeIfPresent(Bool.self, forKey: .interestHygiene) ?? false
    }
}

/// Applies `NormalizationSettings` to interest strings; an ASCII fast path avoids Foundation.
package struct InterestNormalizer: Sendable {
    package let settings: NormalizationSettings

    package init(_ settings: NormalizationSettings = NormalizationSettings()) {
        self.settings = settings
    }

    /// What normalisation made of one raw interest.
    package struct Outcome: Equatable {
        /// The vocabulary entry; empty when the interest is dropped.
        package var name: String
        /// The hygiene rule that dropped it, if one did.
        package var dropped: HygieneRule?
        /// Hygiene removed trailing punctuation and kept the rest (`@mashable:` → `@mashable`).
        package var reduced: Bool
    }

    /// The normalised form of a raw interest (may be empty: such interests are dropped).
    package func normalize(_ raw: String) -> String {
        outcome(raw).name
    }

    /// What normalisation makes of a raw interest.
    package func outcome(_ raw: String) -> Outcome {
        var bytes = Array(raw.utf8)
        return bytes.withUnsafeMutableBufferPointer { outcome(UnsafeBufferPointer($0)) }
    }

    /// What normalisation makes of raw UTF-8 bytes (already validated).
    func outcome(_ raw: UnsafeBufferPointer<UInt8>) -> Outcome {
        var isASCII = true
        for b in raw where b >= 0x80 { isASCII = false; break }
        var reduced = false
        if isASCII {
            var lower = 0, upper = raw.count
            if settings.trim {
                while lower < upper, Self.isASCIISpace(raw[lower]) { lower += 1 }
                while upper > lower, Self.isASCIISpace(raw[upper - 1]) { upper -= 1 }
            }
            if settings.interestHygiene, lower < upper, let base = raw.baseAddress {
                switch InterestHygiene.verdict(base + lower, upper - lower) {
                case let .drop(rule): return Outcome(name: "", dropped: rule, reduced: false)
                case let .keep(length):
                    reduced = lower + length < upper
                    upper = lower + length
                }
            }
            if settings.stripSigil, lower < upper, raw[lower] == UInt8(ascii: "#") || raw[lower] == UInt8(ascii: "@") {
                lower += 1
                if settings.trim { while lower < upper, Self.isASCIISpace(raw[lower]) { lower += 1 } }
            }
            if !settings.caseFold {
                return Outcome(name: String(decoding: UnsafeBufferPointer(rebasing: raw[lower..<upper]), as: UTF8.self),
                               dropped: nil, reduced: reduced)
            }
            let name = String(unsafeUninitializedCapacity: upper - lower) { out in
                for i in lower..<upper {
                    let b = raw[i]
                    out[i - lower] = (b >= 65 && b <= 90) ? b + 32 : b
                }
                return upper - lower
            }
            return Outcome(name: name, dropped: nil, reduced: reduced)
        }
        var s = String(decoding: raw, as: UTF8.self)
        if settings.trim { s = s.trimmingCharacters(in: .whitespacesAndNewlines) }
        if settings.unicodeNFKC { s = s.precomposedStringWithCompatibilityMapping }
        if settings.caseFold { s = s.lowercased() }
        if settings.interestHygiene, let first = s.utf8.first, first == UInt8(ascii: "#") || first == UInt8(ascii: "@") {
            var bytes = Array(s.utf8)
            let verdict = bytes.withUnsafeMutableBufferPointer { InterestHygiene.verdict($0.baseAddress!, $0.count) }
            switch verdict {
            case let .drop(rule): return Outcome(name: "", dropped: rule, reduced: false)
            case let .keep(length) where length < bytes.count:
                reduced = true
                bytes.removeSubrange(length...)
                s = String(decoding: bytes, as: UTF8.self)
            case .keep: break
            }
        }
        if settings.stripSigil, let first = s.first, first == "#" || first == "@" {
            s.removeFirst()
            if settings.trim { s = s.trimmingCharacters(in: .whitespacesAndNewlines) }
        }
        return Outcome(name: s, dropped: nil, reduced: reduced)
    }

    @inline(__always)
    static func isASCIISpace(_ b: UInt8) -> Bool {
        b == 0x20 || (b >= 0x09 && b <= 0x0D)
    }
}
