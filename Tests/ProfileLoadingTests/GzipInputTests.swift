import Foundation
import Testing
import ProfileLoading

/// A damaged gzip file stops the load with a message naming the file, what is wrong and how far
/// it was read; a valid file of several members loads whole.
@Suite struct GzipInputTests {
    static let count = 3_000
    static let text: String = (0..<count).map { ##"{"id": "p\##($0 % 60)", "interests": ["#t\##($0 % 101)", "@a\##($0 % 7)"]}"## }
        .joined(separator: "\n") + "\n"

    func damage(_ path: String, _ body: () throws -> Void) -> LoadError? {
        do { try body() } catch let error as LoadError { return error } catch { Issue.record("\(error) is not a LoadError") }
        Issue.record("\(path): the damage went unnoticed")
        return nil
    }

    @Test func severalValidMembersLoadWhole() throws {
        let lines = Self.text.split(separator: "\n", omittingEmptySubsequences: false)
        let first = lines[0..<1000].joined(separator: "\n") + "\n"
        let second = lines[1000..<Self.count].joined(separator: "\n") + "\n"
        let path = TestFiles.write(Zlib.gzip(first) + Zlib.gzip("") + Zlib.gzip(second), name: "members.jsonl.gz")
        let a = try ProfileLoader.load([path]) { $0.blockBytes = 4096 }
        #expect(a.report.linesLoaded == Self.count && a.rejects.isEmpty)
        #expect(a.report.files[0].gzip)
    }

    @Test(arguments: [0.1, 0.5, 0.9, 0.999])
    func aTruncatedFileStopsTheLoad(keep fraction: Double) throws {
        let whole = Zlib.gzip(Self.text)
        let kept = Int(Double(whole.count) * fraction)
        let path = TestFiles.write(Array(whole[0..<kept]), name: "cut.jsonl.gz")
        for strict in [false, true] {
            let error = damage(path) { _ = try ProfileLoader.load([path]) { $0.strict = strict; $0.blockBytes = 4096 } }
            guard case let .damagedGzip(file, problem, linesRead)? = error else { Issue.record("\(String(describing: error))"); continue }
            #expect(file == path)
            #expect(problem == "is a truncated gzip file: it ends after \(kept) bytes of compressed data, before the end of the stream")
            #expect(linesRead < Self.count)
            let before = linesRead == 0 ? "no complete line was read before it" : "lines up to \(linesRead) were read"
            #expect("\(error!)".hasPrefix("\(path) \(problem); \(before). "), "\(error!)")
            #expect("\(error!)".contains("gzip -t"))
        }
    }

    @Test func trailingGarbageStopsTheLoad() throws {
        let whole = Zlib.gzip(Self.text)
        let path = TestFiles.write(whole + Array("not gzip\n".utf8), name: "tail.jsonl.gz")
        let error = damage(path) { _ = try ProfileLoader.load([path]) }
        #expect(error == .damagedGzip(file: path, problem: "has 9 bytes of trailing garbage after the end of its last gzip member (from byte \(whole.count)): they are not a gzip member, so the file is damaged or was joined to something else", linesRead: Self.count))
        // One stray byte, and zeros (a copy padded or cut short and filled): said so.
        let one = TestFiles.write(whole + [0x1F], name: "one.jsonl.gz")
        #expect("\(damage(one) { _ = try ProfileLoader.load([one]) }!)".contains("has 1 byte of trailing garbage"))
        let zeros = TestFiles.write(whole + [UInt8](repeating: 0, count: 512), name: "zeros.jsonl.gz")
        #expect("\(damage(zeros) { _ = try ProfileLoader.load([zeros]) }!)".contains("has 512 zero bytes after the end of its last gzip member"))
    }

    @Test func aCorruptSecondMemberStopsTheLoad() throws {
        let first = Zlib.gzip(##"{"id": "a", "interests": ["#x"]}"## + "\n")
        var second = Zlib.gzip(Self.text)
        second[second.count / 2] ^= 0x55
        let path = TestFiles.write(first + second, name: "second.jsonl.gz")
        let error = damage(path) { _ = try ProfileLoader.load([path]) }
        guard case let .damagedGzip(_, problem, _)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(problem.hasPrefix("is a corrupt gzip file: its member 2 (which starts at byte \(first.count)) is damaged near byte "), "\(problem)")
        // A second member whose header is damaged is not taken for trailing text.
        var header = Zlib.gzip(Self.text)
        header[3] = 0xE0   // reserved flag bits
        let badHeader = TestFiles.write(first + header, name: "header.jsonl.gz")
        #expect("\(damage(badHeader) { _ = try ProfileLoader.load([badHeader]) }!)".contains("its member 2 (which starts at byte \(first.count)) is damaged"))
    }

    @Test func aFailedChecksumStopsTheLoad() throws {
        var whole = Zlib.gzip(Self.text)
        whole[whole.count - 6] ^= 0x01   // inside the CRC-32 of the trailer
        let path = TestFiles.write(whole, name: "crc.jsonl.gz")
        let error = damage(path) { _ = try ProfileLoader.load([path]) }
        guard case let .damagedGzip(_, problem, linesRead)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(problem.contains("its CRC-32 does not match its data (zlib: incorrect data check)"), "\(problem)")
        #expect(linesRead == Self.count, "every line came out before the trailer was checked")
    }

    /// Damage met before anything was decompressed still stops the load (it is not an empty file).
    @Test func damageBeforeTheFirstLineStopsTheLoad() throws {
        var whole = Zlib.gzip(Self.text)
        whole[3] = 0xE0   // reserved header flags
        let path = TestFiles.write(whole, name: "head.jsonl.gz")
        let error = damage(path) { _ = try ProfileLoader.load([path]) }
        #expect(error == .damagedGzip(file: path, problem: "is a corrupt gzip file: it is damaged near byte 4: its header is not a valid gzip header (zlib: unknown header flags set)", linesRead: 0))
        #expect("\(error!)".contains("; no complete line was read before it. "))
        let empty = TestFiles.write(Array(Zlib.gzip(Self.text)[0..<10]), name: "ten.jsonl.gz")
        #expect("\(damage(empty) { _ = try ProfileLoader.load([empty]) }!)".contains("is a truncated gzip file: it ends after 10 bytes"))
    }
}
