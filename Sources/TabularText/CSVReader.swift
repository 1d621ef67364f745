import Foundation

/// A small RFC 4180 reader for files people write by hand (the catalogues: assets, partners,
/// aliases): quoted fields, doubled quotes, commas and line breaks inside quotes, LF, CRLF or a lone
/// CR (old Mac files) as line ends, a UTF-8 BOM. It works on Unicode scalars, so a quote or comma followed by a combining mark is still a
/// quote or comma. Each record carries the line it starts on, so errors can name it.
public enum CSVReader {
    /// One record (row) and the 1-based line it starts on.
    public struct Record: Equatable, Sendable {
        public var line: Int
        public var fields: [String]

        public init(line: Int, fields: [String]) {
            self.line = line
            self.fields = fields
        }
    }

    /// Reads and parses the file at `path` (UTF-8, optionally with a BOM).
    public static func read(_ path: String) throws -> [Record] {
        let data = try FileContents.bytes(of: path)
        guard let text = String(data: data, encoding: .utf8) else {
            throw CSVReadError(file: path, line: 0, message: "the file is not valid UTF-8")
        }
        return try parse(text, file: path)
    }

    /// Parses CSV `text`; `file` only names the source in errors. Blank lines are skipped.
    public static func parse(_ text: String, file: String) throws -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1, recordLine = 1
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var i = 0
        func endRecord() {
            fields.append(field)
            field = ""
            if !(fields.count == 1 && fields[0].isEmpty) { records.append(Record(line: recordLine, fields: fields)) }
            fields = []
        }
        while i < scalars.count {
            let c = scalars[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < scalars.count && scalars[i + 1] == "\"" { field.unicodeScalars.append("\""); i += 1 } else { inQuotes = false }
                } else {
                    if c == "\n" || (c == "\r" && !(i + 1 < scalars.count && scalars[i + 1] == "\n")) { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" && field.isEmpty {
                inQuotes = true
            } else if c == "," {
                fields.append(field)
                field = ""
            } else if c == "\r" && i + 1 < scalars.count && scalars[i + 1] == "\n" {
                // CRLF: the LF ends the record.
            } else if c == "\n" || c == "\r" {
                endRecord()
                line += 1
                recordLine = line
            } else {
                field.unicodeScalars.append(c)
            }
            i += 1
        }
        if inQuotes { throw CSVReadError(file: file, line: recordLine, message: "a quoted field is not closed") }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }
}
