import Foundation
import TabularText

/// Text from social media is hostile: every exported string passes through here first.
package enum WallText {
    /// Longest title or line kept on a card (longer text ends with "…").
    package static let maxLength = 120

    /// Removes bidirectional overrides, embeddings and isolates (which can visually reorder text, e.g.
    /// U+202E) and other control characters, folds white space (tabs, line breaks) to single spaces,
    /// and truncates to `maxLength` characters.
    package static func clean(_ text: String, maxLength: Int = maxLength) -> String {
        var scalars = String.UnicodeScalarView()
        var lastWasSpace = false
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F || v == 0x061C { continue }
            if scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .lineSeparator
                || scalar.properties.generalCategory == .paragraphSeparator || scalar == " " {
                if !lastWasSpace && !scalars.isEmpty { scalars.append(" ") }
                lastWasSpace = true
                continue
            }
            scalars.append(scalar)
            lastWasSpace = false
        }
        var out = String(scalars)
        while out.hasSuffix(" ") { out.removeLast() }
        if out.count > maxLength { out = String(out.prefix(maxLength - 1)) + "…" }
        return out
    }

    /// HTML text and attribute escaping, decided on Unicode scalars (a `<` or `&` followed by a
    /// combining mark is one `Character` but still a `<` or `&` to an HTML parser).
    package static func html(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A count of people for a card: a whole number, never a trap (reach is bounded when a catalogue is
    /// read, but the wall must not depend on that).
    package static func count(_ x: Double) -> String {
        guard x.isFinite, abs(x) < 1e15 else { return String(format: "%.3g", x) }
        return String(Int64(x))
    }

    /// A number of people with thousands separators: "12,345".
    package static func people(_ n: Int) -> String { n.formatted(.number.grouping(.automatic)) }

    /// A fraction as a whole percentage that never reads "0%" for something that is there: "<1%".
    package static func percent(_ x: Double) -> String {
        guard x.isFinite else { return "–" }
        if x > 0 && x < 0.005 { return "<1%" }
        return "\(Int((x * 100).rounded()))%"
    }

    /// A share of the profiles with one decimal: "4.1%", "<0.1%" for a sliver.
    package static func share(_ x: Double) -> String {
        guard x.isFinite else { return "–" }
        if x > 0 && x < 0.0005 { return "<0.1%" }
        return String(format: "%.1f%%", x * 100)
    }

    /// A document title: cleaned like a card (no bidi or control characters) and HTML-escaped.
    package static func htmlTitle(_ text: String) -> String { html(clean(text, maxLength: 200)) }

    /// Markdown text: backslash-escapes Markdown punctuation and escapes HTML.
    package static func markdown(_ text: String) -> String {
        var out = ""
        for c in clean(text) {
            if "\\`*_{}[]()#+-.!|~>".contains(c) { out += "\\" + String(c) } else if c == "<" { out += "&lt;" } else if c == "&" { out += "&amp;" } else { out.append(c) }
        }
        return out
    }

    /// One tab-separated cell: cleaned (no tabs or line breaks survive, so it never needs quoting) and
    /// neutralised against spreadsheet formulas by the same rule as a CSV cell.
    package static func tsvCell(_ text: String, maxLength: Int = maxLength) -> String {
        FormulaNeutraliser.neutralised(clean(text, maxLength: maxLength))
    }
}

/// Stable identifiers: FNV-1a 64 of a key, as 16 hex digits.
enum StableID {
    static func of(_ key: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
