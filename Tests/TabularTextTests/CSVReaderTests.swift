import Foundation
import Testing
import TabularText

@Suite struct CSVReaderTests {
    func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "tessera-csv-" + UUID().uuidString + ".csv"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aLeadingByteOrderMarkIsDropped() throws {
        let records = try CSVReader.parse("\u{FEFF}id,name\n1,a\n", file: "t.csv")
        #expect(records.map(\.fields) == [["id", "name"], ["1", "a"]])
        let path = try temporaryFile([0xEF, 0xBB, 0xBF] + Array("id,name\r\n1,\"a\"\r\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try CSVReader.read(path).map(\.fields) == [["id", "name"], ["1", "a"]])
    }

    @Test func aByteOrderMarkAfterTheStartIsKept() throws {
        let records = try CSVReader.parse("id\n\u{FEFF}x\n", file: "t.csv")
        #expect(records.map(\.fields) == [["id"], ["\u{FEFF}x"]])
    }

    @Test func recordsNameTheLineTheyStartOn() throws {
        let records = try CSVReader.parse("a,b\r\n\r\n\"two\nlines\",c\nlast", file: "t.csv")
        #expect(records == [CSVReader.Record(line: 1, fields: ["a", "b"]),
                            CSVReader.Record(line: 3, fields: ["two\nlines", "c"]),
                            CSVReader.Record(line: 5, fields: ["last"])])
    }

    @Test func problemsAreReadErrorsWithTheirPlace() throws {
        #expect(throws: CSVReadError(file: "t.csv", line: 2, message: "a quoted field is not closed")) {
            try CSVReader.parse("a\n\"open,b\n", file: "t.csv")
        }
        let path = try temporaryFile([0x61, 0xFF, 0x0A])
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: CSVReadError(file: path, line: 0, message: "the file is not valid UTF-8")) {
            try CSVReader.read(path)
        }
        #expect(CSVReadError(file: "t.csv", line: 2, message: "m").description == "t.csv:2: m")
        #expect(CSVReadError(file: "t.csv", line: 0, message: "m").description == "t.csv: m")
    }

    /// Old Mac files end lines with a lone CR: each is a record, numbered as it is; CRLF stays one
    /// line end.
    @Test func aLoneCarriageReturnEndsARecord() throws {
        let records = try CSVReader.parse("id,name\r1,a\r2,\"b\rc\"\r\r3,d\r\n4,e", file: "t.csv")
        #expect(records == [CSVReader.Record(line: 1, fields: ["id", "name"]),
                            CSVReader.Record(line: 2, fields: ["1", "a"]),
                            CSVReader.Record(line: 3, fields: ["2", "b\rc"]),
                            CSVReader.Record(line: 6, fields: ["3", "d"]),
                            CSVReader.Record(line: 7, fields: ["4", "e"])])
        let path = try temporaryFile(Array("id,name,kind,interests\r1,Shop,product,#a\r2,Club,event,#b\r".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try CSVReader.read(path).count == 3)
    }

    @Test func anUnreadableFileIsToldInWords() throws {
        #expect(throws: CSVReadError(file: "/nonexistent/assets.csv", line: 0, message: "cannot read the file (No such file or directory)")) {
            try CSVReader.read("/nonexistent/assets.csv")
        }
        #expect(throws: CSVReadError(file: NSTemporaryDirectory(), line: 0, message: "cannot read the file (Is a directory)")) {
            try CSVReader.read(NSTemporaryDirectory())
        }
    }
}
