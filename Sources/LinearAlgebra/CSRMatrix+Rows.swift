extension CSRMatrix {
    /// The rows with the given indices, in that order, as a new matrix.
    public func gatherRows(_ indices: [Int]) -> CSRMatrix {
        var starts = [Int](repeating: 0, count: indices.count + 1)
        var total = 0
        for (t, i) in indices.enumerated() {
            total += rowStart[i + 1] - rowStart[i]
            starts[t + 1] = total
        }
        var cols = [Int32](); cols.reserveCapacity(total)
        var vals = [Float](); vals.reserveCapacity(total)
        for i in indices {
            cols.append(contentsOf: columns[rowStart[i]..<rowStart[i + 1]])
            vals.append(contentsOf: values[rowStart[i]..<rowStart[i + 1]])
        }
        return CSRMatrix(unchecked: indices.count, columnCount: columnCount, rowStart: starts, columns: cols, values: vals)
    }
}
