import Foundation

/// CSV cells that a spreadsheet will read as text: RFC 4180 quoting, and cells that start with
/// `=`, `+`, `-`, `@`, tab or carriage return prefixed with `'` so they are never run as formulas.
public enum CSVFormatting {
    /// One cell, neutralised against formula injection and quoted when needed.
    public static func cell(_ text: String, delimiter: Character = ",") -> String {
        var value = text
        if let first = value.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) {
            value = "'" + value
        }
        let needsQuotes = value.contains(where: { $0 == delimiter || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            || value.first == " " || value.last == " "
        guard needsQuotes else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A full line (with its terminating newline).
    public static func row(_ cells: [String], delimiter: Character = ",") -> String {
        cells.map { cell($0, delimiter: delimiter) }.joined(separator: String(delimiter)) + "\n"
    }
}
