/// Why interest hygiene dropped an interest. The raw values are the keys of
/// `LoadReport.hygieneDropped` and of the load summary's `hygiene_dropped`.
///
/// Hygiene looks only at interests that start with `@` (handles) or `#` (hashtags) once trimmed,
/// NFKC-composed and case-folded; topics and page names (`Deezer`, `new york`) are left alone.
public enum HygieneRule: String, CaseIterable, Codable, Sendable {
    /// Nothing but the sigil, underscores or punctuation: `@`, `#`, `@...`, `#…`, `@_`, `#!!`.
    case sigilOnly = "sigil-only"
    /// A hashtag without a letter: `#1`, `#2024`, `#1_000`, `#٢٠٢٤`. (A handle of digits is kept:
    /// `@433` is a football account.)
    case hashtagWithoutLetter = "hashtag-without-letter"
    /// A handle that is a mail provider's domain, the tail of an e-mail address split at its `@`:
    /// `@gmail.com`, `@hotmail.co.uk`, `@web.de`. Other handles with dots are kept (Instagram and
    /// TikTok handles have dots, Bluesky handles are domains such as `@nytimes.com`).
    case emailDomain = "email-domain"
    /// `@` written for "at" before an article, a demonstrative or a possessive: `@the`, `@a`,
    /// `@my`, `@this` (English only; see `InterestHygiene.atWords`).
    case atWord = "at-word"
}

/// Reduces handles and hashtags to their valid form and recognises the ones that are debris of
/// tokenisation rather than interests. Works on the bytes of one normalised interest; the loader
/// calls it once per distinct raw interest, not per occurrence.
///
/// - Trailing punctuation is removed: `. , : ; ! ? ' " ) ] }`, white space, and the non-ASCII marks
///   `…` `’` `”` `»` `。` `、` and full-width `！ ？ ， ： ．`, so `@mashable:` and `@mashable` are one
///   interest.
/// - What is left must name something: see `HygieneRule` for what is dropped and why.
/// - Nothing else changes: no length limit (15 characters is Twitter's, not Instagram's or
///   Bluesky's), dots and non-ASCII letters are kept (`#café`, `#東京`, `@natgeo.travel`).
package enum InterestHygiene {
    /// What hygiene does with one interest.
    package enum Verdict: Equatable {
        /// Keep the first `length` bytes (all of them when nothing trailed).
        case keep(length: Int)
        case drop(HygieneRule)
    }

    /// The verdict on a normalised interest's UTF-8 bytes (valid UTF-8). ASCII letters are
    /// compared without regard to case, so the verdict does not depend on case folding.
    /// - Complexity: O(n) in the interest's length.
    package static func verdict(_ p: UnsafePointer<UInt8>, _ count: Int) -> Verdict {
        guard count > 0, p[0] == UInt8(ascii: "@") || p[0] == UInt8(ascii: "#") else { return .keep(length: count) }
        var end = count
        while end > 1 {
            let cut = trailingMarkLength(p, end)
            if cut == 0 { break }
            end -= cut
        }
        var hasLetter = false, hasDigit = false, hasDot = false, isASCII = true
        for i in 1..<end {
            let b = p[i]
            if b >= 0x80 { isASCII = false; continue }
            let folded = b | 0x20
            if folded >= UInt8(ascii: "a") && folded <= UInt8(ascii: "z") { hasLetter = true }
            else if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") { hasDigit = true }
            else if b == UInt8(ascii: ".") { hasDot = true }
        }
        if !isASCII && !hasLetter {
            for scalar in String(decoding: UnsafeBufferPointer(start: p + 1, count: end - 1), as: UTF8.self).unicodeScalars
            where scalar.value >= 0x80 {
                if scalar.properties.isAlphabetic { hasLetter = true; break }
                if scalar.properties.numericType != nil { hasDigit = true }
            }
        }
        guard hasLetter || hasDigit else { return .drop(.sigilOnly) }
        if p[0] == UInt8(ascii: "#") {
            return hasLetter ? .keep(length: end) : .drop(.hashtagWithoutLetter)
        }
        if isASCII && hasLetter {
            let body = UnsafeBufferPointer(start: p + 1, count: end - 1)
            if !hasDot, end - 1 <= longestAtWord, atWords.contains(lowercased(body)) { return .drop(.atWord) }
            if hasDot, isMailDomain(lowercased(body)) { return .drop(.emailDomain) }
        }
        return .keep(length: end)
    }

    /// The bytes of the punctuation mark or space that ends `p[0..<end]`, or 0 when it ends otherwise.
    @inline(__always)
    static func trailingMarkLength(_ p: UnsafePointer<UInt8>, _ end: Int) -> Int {
        let last = p[end - 1]
        if last < 0x80 { return trailingASCII[Int(last)] ? 1 : 0 }
        if end >= 3 {
            let mark = UInt32(p[end - 3]) << 16 | UInt32(p[end - 2]) << 8 | UInt32(last)
            if trailingThreeByteMarks.contains(mark) { return 3 }
        }
        if end >= 2 {
            let mark = UInt32(p[end - 2]) << 8 | UInt32(last)
            if trailingTwoByteMarks.contains(mark) { return 2 }
        }
        return 0
    }

    /// ASCII bytes removed from the end: sentence punctuation, closing quotes and brackets, white space.
    static let trailingASCII: [Bool] = {
        var table = [Bool](repeating: false, count: 128)
        for b in ".,:;!?'\")]} \t\n\r".utf8 { table[Int(b)] = true }
        table[0x0B] = true   // vertical tab
        table[0x0C] = true   // form feed
        return table
    }()

    /// UTF-8 of the non-ASCII marks removed from the end: no-break space, `»`.
    static let trailingTwoByteMarks: [UInt32] = [0xC2A0, 0xC2BB]

    /// UTF-8 of `…` `’` `”` `‼` `。` `、` ideographic space, and full-width `！ ， ． ： ？`.
    static let trailingThreeByteMarks: [UInt32] = [
        0xE2_80A6, 0xE2_8099, 0xE2_809D, 0xE2_80BC, 0xE3_8082, 0xE3_8081, 0xE3_8080,
        0xEF_BC81, 0xEF_BC8C, 0xEF_BC8E, 0xEF_BC9A, 0xEF_BC9F,
    ]

    /// Words that follow an `@` meaning "at" and are never a mention: articles, demonstratives and
    /// possessives ("see you @the game", "@my place").
    package static let atWords: Set<String> = [
        "the", "a", "an", "this", "that", "these", "those", "my", "your", "his", "her", "its", "our", "their",
    ]
    static let longestAtWord = atWords.map(\.utf8.count).max() ?? 0

    /// Mail providers whose name says mail in any country domain (`@hotmail.fr`, `@yahoo.co.jp`).
    package static let mailProviderNames: Set<String> = [
        "gmail", "googlemail", "yahoo", "ymail", "hotmail", "outlook", "aol", "icloud", "gmx", "yandex",
        "protonmail", "rediffmail", "hanmail", "rocketmail",
    ]
    /// Mail domains whose first label is an everyday word or a number (matched whole: `@me.com` is
    /// dropped, `@me.and.you` is kept).
    package static let mailDomains: Set<String> = [
        "live.com", "msn.com", "me.com", "mac.com", "web.de", "mail.ru", "proton.me", "qq.com", "163.com",
        "126.com", "comcast.net", "att.net", "verizon.net", "orange.fr", "free.fr", "laposte.net", "libero.it",
        "t-online.de", "btinternet.com", "sky.com", "naver.com", "zoho.com", "mail.com", "email.com",
    ]

    /// Whether a handle's text (without the `@`, lower-cased) is a mail provider's domain.
    static func isMailDomain(_ body: String) -> Bool {
        if mailDomains.contains(body) { return true }
        guard let dot = body.firstIndex(of: "."), mailProviderNames.contains(String(body[..<dot])) else { return false }
        let rest = body[body.index(after: dot)...]
        return !rest.isEmpty && rest.allSatisfy { $0 == "." || ($0.isASCII && $0.isLetter) }
    }

    /// ASCII lower-casing of ASCII bytes.
    static func lowercased(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count) { out in
            for (i, b) in bytes.enumerated() { out[i] = (b >= 65 && b <= 90) ? b + 32 : b }
            return bytes.count
        }
    }
}
