import Foundation
import Testing
import TabularText

/// Cells that break naive CSV writers: delimiters, quotes, every line break, combining marks glued to
/// a comma or quote (one `Character`, two scalars), and formula-looking starts.
let trickyCells = [
    "plain", "a,b", "say \"hi\"", "cr\ronly", "lf\nonly", "crlf\r\ninside", "\r\n", "\r", "\n",
    "comma,\u{301}mark", ",\u{301}", "quote\"\u{301}mark", "\"\u{301}", "\u{301}leading mark",
    "=SUM(A1)", "@alice", "-42", "+1", "\tx", " padded ", "", "🔥 emoji", "مرحبا",
]

@Suite struct CSVWriterTests {
    @Test func quotingFollowsRFC4180() {
        #expect(CSVWriter.cell("plain", purpose: .spreadsheet) == "plain")
        #expect(CSVWriter.cell("a,b", purpose: .spreadsheet) == "\"a,b\"")
        #expect(CSVWriter.cell("say \"hi\"", purpose: .spreadsheet) == "\"say \"\"hi\"\"\"")
        #expect(CSVWriter.cell("two\nlines", purpose: .spreadsheet) == "\"two\nlines\"")
        #expect(CSVWriter.cell(" padded", purpose: .data) == "\" padded\"")
        #expect(CSVWriter.row(["a", "b,c"], purpose: .spreadsheet) == "a,\"b,c\"\n")
        #expect(CSVWriter.row(["a", "b,c"], delimiter: "\t", purpose: .data) == "a\tb,c\n")
        #expect(CSVWriter.row(["a\tb", "c"], delimiter: "\t", purpose: .data) == "\"a\tb\"\tc\n")
    }

    @Test(arguments: ["=SUM(A1)", "+1", "-2", "@cmd", "\tx", "\rx"])
    func spreadsheetNeutralisesFormulaStarts(cell: String) {
        let out = CSVWriter.cell(cell, purpose: .spreadsheet)
        #expect(out.hasPrefix("'") || out.hasPrefix("\"'"))
    }

    @Test func dataKeepsValuesExactly() {
        #expect(CSVWriter.cell("@alice", purpose: .data) == "@alice")
        #expect(CSVWriter.cell("-42", purpose: .data) == "-42")
        #expect(CSVWriter.cell("=bob", purpose: .data) == "=bob")
        #expect(CSVWriter.row(["@alice", "-42", "=bob"], purpose: .data) == "@alice,-42,=bob\n")
    }

    @Test func spreadsheetPrefixesFormulaLookingValues() {
        #expect(CSVWriter.cell("@alice", purpose: .spreadsheet) == "'@alice")
        #expect(CSVWriter.cell("-42", purpose: .spreadsheet) == "'-42")
        #expect(CSVWriter.cell("=bob", purpose: .spreadsheet) == "'=bob")
        #expect(CSVWriter.cell("\r=x", purpose: .spreadsheet) == "\"'\r=x\"")
    }

    /// A CR+LF pair is one `Character`; a comma or quote with a combining mark after it too. The
    /// writer must still see the line break, comma or quote and quote the cell.
    @Test func decisionsAreMadeOnScalarsNotCharacters() {
        #expect(CSVWriter.cell("a\r\nb", purpose: .data) == "\"a\r\nb\"")
        #expect(CSVWriter.cell("a,\u{301}b", purpose: .data) == "\"a,\u{301}b\"")
        #expect(CSVWriter.cell("a\"\u{301}b", purpose: .data) == "\"a\"\"\u{301}b\"")
        #expect(CSVWriter.cell("\t\u{301}", purpose: .spreadsheet) == "'\t\u{301}")
        #expect(CSVWriter.cell(" \u{301}", purpose: .data) == "\" \u{301}\"")
    }

    @Test(arguments: [CSVWriter.Purpose.data, .spreadsheet])
    func readerGetsTheWrittenCellsBack(purpose: CSVWriter.Purpose) throws {
        let expected = trickyCells.map { purpose == .data ? $0 : FormulaNeutraliser.neutralised($0) }
        // One cell a row, and all cells in one row.
        for (cell, want) in zip(trickyCells, expected) where !want.isEmpty {
            let records = try CSVReader.parse(CSVWriter.row([cell, "end"], purpose: purpose), file: "t.csv")
            #expect(records.map(\.fields) == [[want, "end"]], "\(cell.unicodeScalars.map { $0.value })")
        }
        let records = try CSVReader.parse(CSVWriter.row(trickyCells, purpose: purpose), file: "t.csv")
        #expect(records.count == 1)
        #expect(records.first?.fields == expected)
    }

    @Test func lineBreaksInsideValuesNeverSplitTheRow() throws {
        let text = CSVWriter.row(["1", "crlf\r\ninside", "x"], purpose: .data)
            + CSVWriter.row(["2", "\r\n", "y"], purpose: .data)
            + CSVWriter.row(["3", "lf\nand\rcr", "z"], purpose: .data)
        let records = try CSVReader.parse(text, file: "t.csv")
        #expect(records.map(\.fields) == [["1", "crlf\r\ninside", "x"], ["2", "\r\n", "y"], ["3", "lf\nand\rcr", "z"]])
        #expect(records.map(\.line) == [1, 3, 5])
    }
}
