import Foundation
import Testing
import LinearAlgebra
@testable import ProfileLoading

/// The loader's fast paths against plain references: token interning, row sorting by bitmap,
/// and entries kept block-local until the end.
@Suite struct LoaderInternalsTests {
    @Test func tokenTableKeepsEveryTokenApart() {
        // Lengths 0…40 (inline up to 24 bytes, longer through the arena), shared prefixes, a zero
        // byte inside, and enough tokens to grow the table several times.
        var tokens: [[UInt8]] = [[], [0], [0, 0], Array("a\u{0}".utf8), Array("a".utf8)]
        for n in 1...40 {
            tokens.append(Array(repeating: UInt8(ascii: "x"), count: n))
            tokens.append(Array(repeating: UInt8(ascii: "x"), count: n - 1) + [UInt8(ascii: "y")])
        }
        var generator = SeededGenerator(seed: 3)
        for _ in 0..<5000 {
            let n = Int.random(in: 1...32, using: &generator)
            tokens.append((0..<n).map { _ in UInt8.random(in: 0x21...0x7E, using: &generator) })
        }
        var unique: [[UInt8]: Int32] = [:]
        var table = TokenTable(capacity: 16)
        for token in tokens {
            let id = table.id(of: token)
            if let known = unique[token] { #expect(id == known) } else {
                #expect(Int(id) == unique.count)
                unique[token] = id
            }
        }
        #expect(table.count == unique.count)
        for (token, id) in unique {
            #expect(Array(table.bytes(of: Int(id))) == token)
            #expect(table.id(of: token) == id)   // found again after growing
        }
    }

    @Test func paddedKeyEqualsTheSafeKey() {
        var generator = SeededGenerator(seed: 5)
        let masks = TokenTable.inlineMasks
        for n in 0...30 {
            // Garbage after the token must not change the key.
            var bytes = (0..<(n + 32)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let safe = bytes.withUnsafeBufferPointer { TokenTable.key($0.baseAddress!, n) }
            for i in n..<bytes.count { bytes[i] = UInt8.random(in: 0...255, using: &generator) }
            let padded = bytes.withUnsafeBufferPointer { b in
                masks.withUnsafeBufferPointer { TokenTable.key(padded: b.baseAddress!, n, masks: $0.baseAddress!) }
            }
            #expect(safe.hash == padded.hash && safe.tag == padded.tag, "length \(n)")
            #expect(safe.w0 == padded.w0 && safe.w1 == padded.w1 && safe.w2 == padded.w2, "length \(n)")
        }
    }

    @Test func rowsAreSortedAndRepeatsAdded() {
        // Rows long enough for the bitmap path, with repeats, against a dictionary reference.
        var generator = SeededGenerator(seed: 11)
        let columnCount = 5000
        var rowStart = [0]
        var columns: [Int32] = []
        var values: [Float] = []
        var expected: [[Int32: Float]] = []
        for r in 0..<300 {
            let n = r % 7 == 0 ? Int.random(in: 0...8, using: &generator) : Int.random(in: 9...200, using: &generator)
            var reference: [Int32: Float] = [:]
            for _ in 0..<n {
                let c = Int32.random(in: 0..<Int32(r % 3 == 0 ? 40 : columnCount), using: &generator)   // some rows repeat a lot
                let v = Float(Int.random(in: 1...4, using: &generator))
                columns.append(c); values.append(v)
                reference[c, default: 0] += v
            }
            rowStart.append(columns.count)
            expected.append(reference)
        }
        ProfileLoader.sortAndCombineRows(rowStart: &rowStart, columns: &columns, values: &values, columnCount: columnCount)
        #expect(rowStart.count == expected.count + 1)
        for (r, reference) in expected.enumerated() {
            let cols = Array(columns[rowStart[r]..<rowStart[r + 1]])
            #expect(cols == reference.keys.sorted(), "row \(r)")
            for p in rowStart[r]..<rowStart[r + 1] { #expect(values[p] == reference[columns[p]]) }
        }
    }

    @Test func weightsAfterPlainBlocksStayAligned() throws {
        // Small blocks: the first ones are plain lists (weights 1, not stored), a later block
        // brings weights, then one repeats an earlier profile (the general path).
        var lines: [String] = []
        for i in 0..<200 { lines.append("{\"id\": \"p\(i)\", \"interests\": [\"#a\(i % 7)\", \"#b\(i % 5)\"]}") }
        for i in 200..<260 { lines.append("{\"id\": \"p\(i)\", \"interests\": {\"#a\(i % 7)\": \(i % 4 + 2), \"#c\": 0.5}}") }
        for i in 260..<400 { lines.append("{\"id\": \"p\(i)\", \"interests\": [\"#a\(i % 7)\"]}") }
        lines.append("{\"id\": \"p3\", \"interests\": {\"#c\": 3}}")
        let path = TestFiles.write(lines.joined(separator: "\n") + "\n", name: "mixed-weights.jsonl")
        let small = try ProfileLoader.load([path]) { $0.blockBytes = 4096; $0.weighting = .raw; $0.normalizeRows = false }
        let whole = try ProfileLoader.load([path]) { $0.weighting = .raw; $0.normalizeRows = false }
        for a in [small, whole] {
            #expect(a.interests(of: "p0") == ["#a0": 1, "#b0": 1])
            #expect(a.interests(of: "p3") == ["#a3": 1, "#b3": 1, "#c": 3])
            #expect(a.interests(of: "p201") == ["#a5": 3, "#c": 0.5])
            #expect(a.interests(of: "p259") == ["#a0": 5, "#c": 0.5])
            #expect(a.interests(of: "p399") == ["#a0": 1])
        }
        #expect(small.matrix.rowStart == whole.matrix.rowStart)
        #expect(small.matrix.columns == whole.matrix.columns)
        #expect(small.matrix.values == whole.matrix.values)
    }
}
