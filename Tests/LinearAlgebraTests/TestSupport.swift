import LinearAlgebra

/// Random test matrices from a seeded generator.
enum Fixtures {
    static func dense(_ rows: Int, _ columns: Int, seed: UInt64) -> DenseMatrix {
        var rng = SeededGenerator(seed: seed)
        var m = DenseMatrix(rowCount: rows, columnCount: columns)
        for i in m.values.indices { m.values[i] = Float(rng.nextUnitInterval() * 2 - 1) }
        return m
    }

    /// A sparse matrix with about `density` of its entries non-zero.
    static func sparse(_ rows: Int, _ columns: Int, density: Double, seed: UInt64) -> CSRMatrix {
        var rng = SeededGenerator(seed: seed)
        var d = DenseMatrix(rowCount: rows, columnCount: columns)
        for i in 0..<rows {
            for j in 0..<columns where rng.nextUnitInterval() < density {
                d[i, j] = Float(rng.nextUnitInterval() + 0.1)
            }
        }
        return CSRMatrix(dense: d)
    }

    /// Naive triple-loop product in Double.
    static func naiveProduct(_ a: DenseMatrix, _ b: DenseMatrix) -> DenseMatrix {
        var c = DenseMatrix(rowCount: a.rowCount, columnCount: b.columnCount)
        for i in 0..<a.rowCount {
            for j in 0..<b.columnCount {
                var s = 0.0
                for k in 0..<a.columnCount { s += Double(a[i, k]) * Double(b[k, j]) }
                c[i, j] = Float(s)
            }
        }
        return c
    }

    static func maxDifference(_ a: DenseMatrix, _ b: DenseMatrix) -> Float {
        precondition(a.rowCount == b.rowCount && a.columnCount == b.columnCount)
        return zip(a.values, b.values).map { abs($0 - $1) }.max() ?? 0
    }
}
