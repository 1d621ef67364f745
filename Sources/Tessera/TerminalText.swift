/// Text bound for a terminal, made inert. Messages quote file contents (catalogue names, ids, rejected
/// lines), and a control or escape sequence in them could move the cursor, change colours, rewrite the
/// title or reorder text (bidi controls); each such scalar is shown as `\u{…}` instead.
public enum TerminalText {
    public static func safe(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if isInert(scalar) { out.unicodeScalars.append(scalar) } else { out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}" }
        }
        return out
    }

    /// Line breaks and tabs pass; C0 and C1 controls, DEL and the bidi controls do not.
    static func isInert(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x0A, 0x09: return true
        case 0x00...0x1F, 0x7F...0x9F: return false
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C: return false
        default: return true
        }
    }
}
