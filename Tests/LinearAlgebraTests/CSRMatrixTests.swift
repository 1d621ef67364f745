import Testing
import LinearAlgebra

@Suite struct CSRMatrixTests {
    @Test func validMatrixRoundTripsThroughDense() throws {
        let m = try CSRMatrix(rowCount: 3, columnCount: 4, rowStart: [0, 2, 2, 4], columns: [0, 3, 1, 2], values: [1, 2, 3, 4])
        let d = m.toDense()
        #expect(d.row(0) == [1, 0, 0, 2])
        #expect(d.row(1) == [0, 0, 0, 0])
        #expect(d.row(2) == [0, 3, 4, 0])
        #expect(CSRMatrix(dense: d) == m)
        #expect(m.nonzeroCount == 4)
        #expect(m.nonzeroCount(inRow: 1) == 0)
    }

    @Test(arguments: [
        ([0, 2, 3], [Int32(0), 1, 1], [Float(1), 1, 1], "rowStart has"),          // wrong rowStart length
        ([1, 2, 3, 3], [Int32(0), 1, 1], [Float(1), 1, 1], "rowStart[0]"),         // does not start at 0
        ([0, 2, 1, 3], [Int32(0), 1, 1], [Float(1), 1, 1], "decreases"),           // decreasing
        ([0, 2, 2, 3], [Int32(0), 4, 1], [Float(1), 1, 1], "outside"),             // column out of range
        ([0, 2, 2, 3], [Int32(1), 0, 1], [Float(1), 1, 1], "strictly increasing"), // unsorted
        ([0, 2, 2, 3], [Int32(1), 1, 1], [Float(1), 1, 1], "strictly increasing"), // repeated column
        ([0, 2, 2, 3], [Int32(0), 1, 1], [Float(1), .nan, 1], "non-finite"),       // NaN
        ([0, 2, 2, 4], [Int32(0), 1, 1], [Float(1), 1, 1], "rowStart ends"),       // count mismatch
    ])
    func everyInvariantIsChecked(rowStart: [Int], columns: [Int32], values: [Float], message: String) {
        do {
            _ = try CSRMatrix(rowCount: 3, columnCount: 4, rowStart: rowStart, columns: columns, values: values)
            Issue.record("expected an error containing '\(message)'")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test func transposeMatchesDenseTranspose() {
        let m = Fixtures.sparse(37, 23, density: 0.2, seed: 3)
        let t = m.transposed()
        #expect((try? t.validate()) != nil)
        #expect(t.toDense() == m.toDense().transposed())
    }

    @Test func rowNormsAndNormalisation() {
        var m = Fixtures.sparse(50, 30, density: 0.3, seed: 4)
        let dense = m.toDense()
        let norms = m.rowSquaredNorms()
        for i in 0..<m.rowCount {
            let expected = dense.row(i).reduce(0) { $0 + $1 * $1 }
            #expect(abs(norms[i] - expected) < 1e-4)
        }
        m.normalizeRows()
        for (i, n) in m.rowSquaredNorms().enumerated() where m.nonzeroCount(inRow: i) > 0 {
            #expect(abs(n - 1) < 1e-5)
        }
    }
}
