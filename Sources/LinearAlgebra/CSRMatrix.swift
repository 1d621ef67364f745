/// A sparse matrix in compressed sparse row form: profiles are rows, interests are columns.
///
/// Invariants (checked by `init(rowCount:columnCount:rowStart:columns:values:)` and `validate()`):
/// `rowStart.count == rowCount + 1`, `rowStart[0] == 0`, `rowStart` non-decreasing and ending at
/// the number of stored values; column indices in `0..<columnCount` and strictly increasing within
/// each row; values finite.
public struct CSRMatrix: Equatable, Sendable {
    public let rowCount: Int
    public let columnCount: Int
    /// Offsets into `columns`/`values`: row i occupies `rowStart[i]..<rowStart[i + 1]`.
    public package(set) var rowStart: [Int]
    public package(set) var columns: [Int32]
    public package(set) var values: [Float]

    /// Creates a matrix and checks every invariant.
    public init(rowCount: Int, columnCount: Int, rowStart: [Int], columns: [Int32], values: [Float]) throws {
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.rowStart = rowStart
        self.columns = columns
        self.values = values
        try validate()
    }

    /// Creates a matrix without checking invariants: for kernels that construct them correctly.
    /// In debug builds the invariants are still asserted.
    package init(unchecked rowCount: Int, columnCount: Int, rowStart: [Int], columns: [Int32], values: [Float]) {
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.rowStart = rowStart
        self.columns = columns
        self.values = values
        assert((try? validate()) != nil, "CSR invariants violated")
    }

    /// An empty matrix (no stored values).
    public init(zeroRows rowCount: Int, columnCount: Int) {
        self.init(unchecked: rowCount, columnCount: columnCount,
                  rowStart: [Int](repeating: 0, count: rowCount + 1), columns: [], values: [])
    }

    /// Builds a matrix from dense rows, storing only non-zero entries.
    public init(dense: DenseMatrix) {
        var rowStart = [0]
        var columns: [Int32] = []
        var values: [Float] = []
        for i in 0..<dense.rowCount {
            for j in 0..<dense.columnCount where dense[i, j] != 0 {
                columns.append(Int32(j))
                values.append(dense[i, j])
            }
            rowStart.append(columns.count)
        }
        self.init(unchecked: dense.rowCount, columnCount: dense.columnCount, rowStart: rowStart, columns: columns, values: values)
    }

    /// Number of stored (non-zero) values.
    @inlinable public var nonzeroCount: Int { columns.count }

    /// Number of stored values in row `i`.
    @inlinable public func nonzeroCount(inRow i: Int) -> Int { rowStart[i + 1] - rowStart[i] }

    /// The index range of row `i` in `columns`/`values`.
    @inlinable public func range(ofRow i: Int) -> Range<Int> { rowStart[i]..<rowStart[i + 1] }

    /// The matrix as dense rows (for tests and small matrices).
    public func toDense() -> DenseMatrix {
        var d = DenseMatrix(rowCount: rowCount, columnCount: columnCount)
        for i in 0..<rowCount {
            for p in range(ofRow: i) { d[i, Int(columns[p])] = values[p] }
        }
        return d
    }

    /// Checks every invariant; throws `LinearAlgebraError.invalidCSR` naming the first violation.
    public func validate() throws {
        guard rowCount >= 0, columnCount >= 0 else { throw LinearAlgebraError.invalidCSR("negative dimensions") }
        guard rowStart.count == rowCount + 1 else {
            throw LinearAlgebraError.invalidCSR("rowStart has \(rowStart.count) entries for \(rowCount) rows")
        }
        guard rowStart[0] == 0 else { throw LinearAlgebraError.invalidCSR("rowStart[0] is \(rowStart[0]), expected 0") }
        guard rowStart[rowCount] == columns.count, columns.count == values.count else {
            throw LinearAlgebraError.invalidCSR("rowStart ends at \(rowStart[rowCount]) but there are \(columns.count) columns and \(values.count) values")
        }
        for i in 0..<rowCount {
            guard rowStart[i] <= rowStart[i + 1] else { throw LinearAlgebraError.invalidCSR("rowStart decreases at row \(i)") }
            var previous: Int32 = -1
            for p in rowStart[i]..<rowStart[i + 1] {
                let c = columns[p]
                guard c >= 0, Int(c) < columnCount else {
                    throw LinearAlgebraError.invalidCSR("row \(i) has column \(c) outside 0..<\(columnCount)")
                }
                guard c > previous else {
                    throw LinearAlgebraError.invalidCSR("row \(i): columns not strictly increasing (\(previous) then \(c))")
                }
                guard values[p].isFinite else { throw LinearAlgebraError.nonFiniteValue("row \(i), column \(c)") }
                previous = c
            }
        }
    }
}
