/// CSV (or other delimiter-separated) cells and rows with RFC 4180 quoting. Every decision is made on
/// Unicode scalars, never on `Character`s: a CR+LF pair, or a comma or quote followed by a combining
/// mark, is one grapheme cluster but still a line break, comma or quote to every CSV reader.
public enum CSVWriter {
    /// Who reads the file, which decides whether values may be altered to keep them safe.
    public enum Purpose: Sendable {
        /// A person opening the file in a spreadsheet: cells a spreadsheet would run as formulas are
        /// neutralised (see `FormulaNeutraliser`), so `=cmd` is written `'=cmd`.
        case spreadsheet
        /// A program reading the values back: nothing is altered (`@alice`, `-42` and `=bob` stay
        /// as they are); cells are still quoted where RFC 4180 needs it.
        case data
    }

    /// One cell, neutralised for `.spreadsheet` and quoted when it holds the delimiter, a quote, a CR
    /// or LF, or starts or ends with a space (which some readers would trim).
    public static func cell(_ text: String, delimiter: Unicode.Scalar = ",", purpose: Purpose) -> String {
        let value = purpose == .spreadsheet ? FormulaNeutraliser.neutralised(text) : text
        let scalars = value.unicodeScalars
        let needsQuotes = scalars.contains { $0 == delimiter || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            || scalars.first == " " || scalars.last == " "
        guard needsQuotes else { return value }
        var quoted = String.UnicodeScalarView()
        quoted.append("\"")
        for scalar in scalars {
            quoted.append(scalar)
            if scalar == "\"" { quoted.append("\"") }
        }
        quoted.append("\"")
        return String(quoted)
    }

    /// A full row: the cells joined by `delimiter`, ending with a newline (LF).
    public static func row(_ cells: [String], delimiter: Unicode.Scalar = ",", purpose: Purpose) -> String {
        var line = ""
        for (index, text) in cells.enumerated() {
            if index > 0 { line.unicodeScalars.append(delimiter) }
            line += cell(text, delimiter: delimiter, purpose: purpose)
        }
        line += "\n"
        return line
    }
}
