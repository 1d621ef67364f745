import Foundation
import Testing
import LinearAlgebra
import ProfileLoading

/// A seeded mutation corpus over small JSON Lines, CSV (with and without a header, with weights),
/// TSV and gzip inputs. Every case either loads with every line accounted for and a valid matrix,
/// or stops with a `LoadError`; none traps. Each case is named by its seed, input and mutation, so
/// a failure can be replayed alone (`--filter` on the case number).
@Suite struct FuzzCorpusTests {
    static let caseCount = 364

    enum Input: String, CaseIterable {
        case jsonl, csvWithHeader = "csv-header", csvNoHeader = "csv", csvWeights = "csv-weights", tsv
        case gzipJSONL = "jsonl.gz", gzipCSV = "csv.gz"

        var fileName: String {
            switch self {
            case .jsonl: return "in.jsonl"
            case .csvWithHeader, .csvNoHeader, .csvWeights: return "in.csv"
            case .tsv: return "in.tsv"
            case .gzipJSONL: return "in.jsonl.gz"
            case .gzipCSV: return "in.csv.gz"
            }
        }

        var isGzip: Bool { self == .gzipJSONL || self == .gzipCSV }

        /// The clean text of the input, about 80 lines over 25 ids (ids repeat: lines merge).
        var text: String {
            var generator = SeededGenerator(seed: 7)
            func interest() -> String { ["#nba", "@espn", "#yoga", "café", "#Ｃａｆé", "#t\(Int.random(in: 0..<30, using: &generator))"].randomElement(using: &generator)! }
            func weight() -> String { ["1", "2.5", "0", "1e-3", "17", "3e2"].randomElement(using: &generator)! }
            let ids = (0..<80).map { "u\(($0 * 7) % 25)" }
            switch self {
            case .jsonl, .gzipJSONL:
                return ids.enumerated().map { n, id in
                    switch n % 4 {
                    case 0: return ##"{"id": "\##(id)", "interests": ["\##(interest())", "\##(interest())"], "tags": ["lapsed"]}"##
                    case 1: return ##"{"id": "\##(id)", "interests": {"\##(interest())": \##(weight()), "\##(interest())": \##(weight())}, "city": "Lyon"}"##
                    case 2: return ##"{"id": \##(n), "interests": ["a\u00e9\"b", "\##(interest())"], "score": [1, {"x": null}]}"##
                    default: return ##"{"id": "\##(id)", "interests": []}"##
                    }
                }.joined(separator: "\n") + "\n"
            case .csvWithHeader, .gzipCSV:
                return "user_id,interest,weight\n" + ids.map { "\($0),\(interest()),\(weight())" }.joined(separator: "\n") + "\n"
            case .csvNoHeader:
                return ids.map { "\($0),\"\(interest()), with a comma\"" }.joined(separator: "\n") + "\n"
            case .csvWeights:
                return ids.map { "\($0),\(interest()),\(weight())" }.joined(separator: "\n") + "\n"
            case .tsv:
                return "follower\tinterest\n" + ids.map { "\($0)\t\(interest())" }.joined(separator: "\n") + "\n"
            }
        }
    }

    enum Mutation: String, CaseIterable {
        case bitFlips, insertBytes, deleteBytes, truncate, duplicateLines, shuffleLines, invalidUTF8
        case lineEndMix, hugeNumbers, deepJSON, unterminatedJSON, overlongLine, byteOrderMarks

        /// Whether the mutation works on lines (and so on the text before it is compressed).
        var isTextual: Bool {
            switch self {
            case .duplicateLines, .shuffleLines, .lineEndMix, .hugeNumbers, .deepJSON, .unterminatedJSON, .overlongLine, .byteOrderMarks: return true
            default: return false
            }
        }

        func apply(to bytes: inout [UInt8], using g: inout SeededGenerator) {
            func position() -> Int { bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &g) }
            func lines() -> [[UInt8]] { bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init) }
            func join(_ lines: [[UInt8]]) -> [UInt8] { Array(lines.joined(separator: [0x0A])) }
            switch self {
            case .bitFlips:
                for _ in 0..<Int.random(in: 1...8, using: &g) where !bytes.isEmpty {
                    bytes[Int.random(in: 0..<bytes.count, using: &g)] ^= UInt8(1) << UInt8.random(in: 0...7, using: &g)
                }
            case .insertBytes:
                let specials: [UInt8] = [0x0D, 0x0A, 0x22, 0x7B, 0x7D, 0x2C, 0x09, 0x00, 0xFF, 0xC3, 0x5C, 0x5B]
                for _ in 0..<Int.random(in: 1...16, using: &g) {
                    let byte = Bool.random(using: &g) ? specials.randomElement(using: &g)! : UInt8.random(in: 0...255, using: &g)
                    bytes.insert(byte, at: position())
                }
            case .deleteBytes:
                for _ in 0..<Int.random(in: 1...6, using: &g) where !bytes.isEmpty {
                    let start = Int.random(in: 0..<bytes.count, using: &g)
                    bytes.removeSubrange(start..<min(bytes.count, start + Int.random(in: 1...40, using: &g)))
                }
            case .truncate:
                bytes.removeSubrange(Int.random(in: 0...bytes.count, using: &g)...)
            case .duplicateLines:
                var all = lines()
                for _ in 0..<Int.random(in: 1...10, using: &g) where !all.isEmpty {
                    all.insert(all.randomElement(using: &g)!, at: Int.random(in: 0...all.count, using: &g))
                }
                bytes = join(all)
            case .shuffleLines:
                var all = lines()
                all.shuffle(using: &g)
                bytes = join(all)
            case .invalidUTF8:
                let bad: [[UInt8]] = [[0xC3], [0xED, 0xA0, 0x80], [0xF5, 0x80], [0xC0, 0xAF], [0xFF], [0xE2, 0x82], [0xF0, 0x9F, 0x98]]
                for _ in 0..<Int.random(in: 1...5, using: &g) { bytes.insert(contentsOf: bad.randomElement(using: &g)!, at: position()) }
            case .lineEndMix:
                let ends: [[UInt8]] = [[0x0A], [0x0D, 0x0A], [0x0D], [0x0D, 0x0D, 0x0A], [0x0A, 0x0D]]
                var out: [UInt8] = []
                for b in bytes { if b == 0x0A { out += ends.randomElement(using: &g)! } else { out.append(b) } }
                bytes = out
            case .hugeNumbers:
                let numbers = ["1e999", "-1e999", "1e-400", "3e38", "1e-42", "1e30", "1e-30", "-0", "-3", "123456789012345678901234567890",
                               "nan", "inf", "0x10", "1e", "--1", "1.", "00", "4e29"]
                var text = String(decoding: bytes, as: UTF8.self)
                for _ in 0..<Int.random(in: 1...12, using: &g) {
                    let digits = text.indices.filter { text[$0].isNumber && text[$0].isASCII }
                    guard let at = digits.randomElement(using: &g) else { break }
                    text.replaceSubrange(at...at, with: numbers.randomElement(using: &g)!)
                }
                bytes = Array(text.utf8)
            case .deepJSON:
                let depth = Int.random(in: 20...200, using: &g)
                let open = Bool.random(using: &g) ? "[" : "{\"k\":"
                let close = open == "[" ? "]" : "}"
                let closed = Bool.random(using: &g)
                let value = String(repeating: open, count: depth) + "1" + (closed ? String(repeating: close, count: depth) : "")
                bytes = join(lines() + [Array(##"{"id": "deep", "interests": ["#x"], "nested": \##(value)}"##.utf8)])
            case .unterminatedJSON:
                var all = lines()
                for _ in 0..<Int.random(in: 1...5, using: &g) where !all.isEmpty {
                    let i = Int.random(in: 0..<all.count, using: &g)
                    if !all[i].isEmpty { all[i].removeSubrange(Int.random(in: 0..<all[i].count, using: &g)...) }
                }
                bytes = join(all)
            case .overlongLine:
                var all = lines()
                let long = ##"{"id": "long", "interests": [""## + String(repeating: "z", count: Int.random(in: 100...6000, using: &g)) + "\"]}"
                all.insert(Array(long.utf8), at: Int.random(in: 0...all.count, using: &g))
                bytes = join(all)
            case .byteOrderMarks:
                var all = lines()
                for _ in 0..<Int.random(in: 1...3, using: &g) where !all.isEmpty {
                    all[Int.random(in: 0..<all.count, using: &g)].insert(contentsOf: [0xEF, 0xBB, 0xBF], at: 0)
                }
                bytes = join(all)
            }
        }
    }

    /// Lines in `bytes` as the loader counts them: each ends at LF, CRLF or a lone CR; a last line
    /// without an end counts when it is not empty.
    static func lineCount(_ bytes: [UInt8]) -> Int {
        var count = 0, i = 0, open = false
        while i < bytes.count {
            switch bytes[i] {
            case 0x0A: count += 1; open = false
            case 0x0D:
                count += 1; open = false
                if i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
            default: open = true
            }
            i += 1
        }
        return count + (open ? 1 : 0)
    }

    @Test(arguments: 0..<caseCount)
    func aMutatedInputLoadsOrFailsCleanly(seed: Int) throws {
        let input = Input.allCases[seed % Input.allCases.count]
        let mutation = Mutation.allCases[(seed / Input.allCases.count) % Mutation.allCases.count]
        var generator = SeededGenerator(seed: UInt64(seed), stream: 0xF022)
        // Byte-level mutations of a gzip input hit the compressed bytes every other time.
        let onCompressed = input.isGzip && !mutation.isTextual && seed % 2 == 0
        let strict = seed % 5 == 3
        let name = "case \(seed): \(input.rawValue) + \(mutation.rawValue)\(onCompressed ? " (on the compressed bytes)" : "")\(strict ? ", strict" : "")"

        var text = Array(input.text.utf8)
        if !onCompressed { mutation.apply(to: &text, using: &generator) }
        var file = input.isGzip ? Zlib.gzip(text) : text
        if onCompressed { mutation.apply(to: &file, using: &generator) }
        let path = TestFiles.write(file, name: input.fileName)

        let audience: LoadedAudience
        do {
            audience = try ProfileLoader.load([path]) {
                $0.maxLineBytes = 200
                $0.blockBytes = seed % 3 == 0 ? 8 << 20 : 4096
                $0.strict = strict
                $0.duplicates = seed % 4 == 1 ? .reject : .merge
            }
        } catch let error as LoadError {
            let message = "\(error)"
            #expect(message.contains(path), "\(name): the error names the file: \(message)")
            if case .badRecord = error, !strict {
                #expect(message.contains("add up to"), "\(name): only a sum of weights stops a lenient load: \(message)")
            }
            if case .damagedGzip = error {
                #expect(input.isGzip, "\(name): \(message)")
            } else if onCompressed {
                if case .badRecord = error {} else { Issue.record("\(name): damaged gzip reported as \(message)") }
            }
            return
        } catch {
            Issue.record("\(name): \(error) is not a LoadError")
            return
        }
        let r = audience.report
        #expect(r.linesRead == r.linesLoaded + r.linesRejected + r.blankLines + r.headerLines, "\(name): \(r)")
        #expect(r.isBalanced, "\(name)")
        if !onCompressed {
            #expect(r.linesRead == Self.lineCount(text), "\(name): every line counted once")
        } else {
            #expect(r.linesRead == Self.lineCount(Array(input.text.utf8)), "\(name): a damaged gzip file loaded only as the original")
        }
        #expect(audience.rejects.count == r.linesRejected, "\(name)")
        #expect(audience.rejects.allSatisfy { $0.file == path && (1...max(1, r.linesRead)).contains($0.line) }, "\(name): reject lines in range")
        #expect(audience.profileIds.count == audience.matrix.rowCount, "\(name)")
        #expect(audience.emptyProfileIds.count == r.emptyProfiles, "\(name)")
        do { try audience.matrix.validate() } catch { Issue.record("\(name): invalid matrix: \(error)") }
    }
}
