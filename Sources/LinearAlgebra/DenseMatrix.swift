/// A dense, row-major matrix of `Float`, the operand type of the BLAS/LAPACK wrappers.
public struct DenseMatrix: Equatable, Sendable {
    public let rowCount: Int
    public let columnCount: Int
    /// Row-major values: element (i, j) is at `i * columnCount + j`.
    public var values: [Float]

    /// A matrix of zeros.
    public init(rowCount: Int, columnCount: Int, repeating value: Float = 0) {
        precondition(rowCount >= 0 && columnCount >= 0, "matrix dimensions must be non-negative")
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.values = [Float](repeating: value, count: rowCount * columnCount)
    }

    /// A matrix over existing row-major values.
    public init(rowCount: Int, columnCount: Int, values: [Float]) throws {
        guard values.count == rowCount * columnCount else {
            throw LinearAlgebraError.shapeMismatch("\(values.count) values for a \(rowCount)×\(columnCount) matrix")
        }
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.values = values
    }

    /// A matrix from an array of equal-length rows.
    public init(rows: [[Float]]) throws {
        let columns = rows.first?.count ?? 0
        guard rows.allSatisfy({ $0.count == columns }) else {
            throw LinearAlgebraError.shapeMismatch("rows of different lengths")
        }
        try self.init(rowCount: rows.count, columnCount: columns, values: rows.flatMap { $0 })
    }

    /// The n×n identity.
    public static func identity(_ n: Int) -> DenseMatrix {
        var m = DenseMatrix(rowCount: n, columnCount: n)
        for i in 0..<n { m.values[i * n + i] = 1 }
        return m
    }

    @inlinable
    public subscript(row: Int, column: Int) -> Float {
        get { values[row * columnCount + column] }
        set { values[row * columnCount + column] = newValue }
    }

    /// A copy of row `i`.
    public func row(_ i: Int) -> [Float] {
        Array(values[(i * columnCount)..<((i + 1) * columnCount)])
    }

    /// The transpose, as a new matrix.
    public func transposed() -> DenseMatrix {
        var t = DenseMatrix(rowCount: columnCount, columnCount: rowCount)
        for i in 0..<rowCount {
            for j in 0..<columnCount { t.values[j * rowCount + i] = values[i * columnCount + j] }
        }
        return t
    }

    /// Whether every value is finite.
    public var isFinite: Bool { values.allSatisfy { $0.isFinite } }
}
