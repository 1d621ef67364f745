extension CSRMatrix {
    /// The squared Euclidean norm of every row.
    /// - Complexity: O(nnz).
    public func rowSquaredNorms() -> [Float] {
        var norms = [Float](repeating: 0, count: rowCount)
        values.withUnsafeBufferPointer { v in
            norms.withUnsafeMutableBufferPointer { out in
                let outBase = out.baseAddress!
                Parallel.forEachChunk(count: rowCount, chunkSize: 4096) { _, rows in
                    for i in rows {
                        var s: Double = 0
                        for p in rowStart[i]..<rowStart[i + 1] { s += Double(v[p]) * Double(v[p]) }
                        outBase[i] = Float(s)
                    }
                }
            }
        }
        return norms
    }

    /// Scales every row to unit Euclidean length (rows of zeros stay zero).
    /// - Complexity: O(nnz).
    public mutating func normalizeRows() {
        let starts = rowStart
        let n = rowCount
        values.withUnsafeMutableBufferPointer { v in
            let base = v.baseAddress
            Parallel.forEachChunk(count: n, chunkSize: 4096) { _, rows in
                guard let base else { return }
                for i in rows {
                    var s: Double = 0
                    for p in starts[i]..<starts[i + 1] { s += Double(base[p]) * Double(base[p]) }
                    guard s > 0 else { continue }
                    let scale = Float(1 / s.squareRoot())
                    for p in starts[i]..<starts[i + 1] { base[p] *= scale }
                }
            }
        }
    }
}
