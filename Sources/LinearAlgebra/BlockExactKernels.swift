/// Sums over rows taken block by block (`RowBlocks`) and added exactly (`ExactSum`), then summed
/// over ranks: the same bits on any number of ranks and threads. Each block's partial comes from
/// the same kernel as the single-block case, so for inputs of one block the results equal the plain
/// kernels' (up to the fixed-point resolution, 2⁻⁶³).

/// Where this rank's rows sit among all ranks' rows.
public struct RowPlacement: Sendable, Equatable {
    /// Global index of local row 0.
    public var firstRow: Int
    /// Rows on every rank, in rank order.
    public var rowsPerRank: [Int]
    public var totalRows: Int { rowsPerRank.reduce(0, +) }

    public init(firstRow: Int, rowsPerRank: [Int]) {
        self.firstRow = firstRow
        self.rowsPerRank = rowsPerRank
    }

    /// One process holding all `rows`.
    public static func single(_ rows: Int) -> RowPlacement { RowPlacement(firstRow: 0, rowsPerRank: [rows]) }
}

extension Communicator {
    /// The placement of `localRows` rows among the ranks (a collective call).
    public func placement(localRows: Int) -> RowPlacement {
        if size == 1 { return .single(localRows) }
        let counts = allgather([Double(localRows)]).map { Int($0) }
        return RowPlacement(firstRow: counts[0..<rank].reduce(0, +), rowsPerRank: counts)
    }

    /// The rows of `data` (local, n×r) with the given global indices, in the order given, on every
    /// rank. Each rank contributes the rows it holds.
    public func gatherRows(_ indices: [Int], from data: DenseMatrix, placement: RowPlacement) -> DenseMatrix {
        let r = data.columnCount
        var out = DenseMatrix(rowCount: indices.count, columnCount: r)
        let first = placement.firstRow, end = first + data.rowCount
        var mine: [Float] = []
        var slots: [Int] = []
        for (t, g) in indices.enumerated() where g >= first && g < end {
            let i = g - first
            slots.append(t)
            mine.append(contentsOf: data.values[(i * r)..<((i + 1) * r)])
        }
        if size == 1 {
            for (q, t) in slots.enumerated() { out.values.replaceSubrange((t * r)..<((t + 1) * r), with: mine[(q * r)..<((q + 1) * r)]) }
            return out
        }
        let payload = ByteCoding.bytes(of: slots.map(Int64.init)) + ByteCoding.bytes(of: mine)
        let header = ByteCoding.bytes(of: [Int64(slots.count)])
        for part in allgather(bytes: header + payload) {
            let count = Int((ByteCoding.values(Array(part[0..<8])) as [Int64])[0])
            let ts: [Int64] = ByteCoding.values(Array(part[8..<(8 + 8 * count)]))
            let rows: [Float] = ByteCoding.values(Array(part[(8 + 8 * count)...]))
            for (q, t) in ts.enumerated() {
                out.values.replaceSubrange((Int(t) * r)..<((Int(t) + 1) * r), with: rows[(q * r)..<((q + 1) * r)])
            }
        }
        return out
    }

    /// The sparse rows of `x` (this rank's rows) with the given global indices, in the order given,
    /// on every rank: each rank contributes the rows it holds (their columns and values, unchanged).
    public func gatherRows(_ indices: [Int], from x: CSRMatrix, placement: RowPlacement) -> CSRMatrix {
        let first = placement.firstRow, end = first + x.rowCount
        let local = indices.enumerated().filter { $0.element >= first && $0.element < end }
        let mine = x.gatherRows(local.map { $0.element - first })
        if size == 1 { return mine }
        let payload = ByteCoding.frame([ByteCoding.bytes(of: local.map { Int64($0.offset) }),
                                        ByteCoding.bytes(of: mine.rowStart.map(Int64.init)),
                                        ByteCoding.bytes(of: mine.columns), ByteCoding.bytes(of: mine.values)])
        var slotRows = [(start: Int, count: Int, part: Int)](repeating: (0, 0, 0), count: indices.count)
        var parts: [(cols: [Int32], vals: [Float])] = []
        for (p, framed) in allgather(bytes: payload).enumerated() {
            let fields = ByteCoding.unframe(framed)
            let slots: [Int64] = ByteCoding.values(fields[0])
            let starts: [Int64] = ByteCoding.values(fields[1])
            parts.append((ByteCoding.values(fields[2]), ByteCoding.values(fields[3])))
            for (q, t) in slots.enumerated() {
                slotRows[Int(t)] = (Int(starts[q]), Int(starts[q + 1] - starts[q]), p)
            }
        }
        var rowStart = [Int](repeating: 0, count: indices.count + 1)
        for t in indices.indices { rowStart[t + 1] = rowStart[t] + slotRows[t].count }
        var columns = [Int32](), values = [Float]()
        columns.reserveCapacity(rowStart[indices.count]); values.reserveCapacity(rowStart[indices.count])
        for slot in slotRows {
            columns.append(contentsOf: parts[slot.part].cols[slot.start..<(slot.start + slot.count)])
            values.append(contentsOf: parts[slot.part].vals[slot.start..<(slot.start + slot.count)])
        }
        return CSRMatrix(unchecked: indices.count, columnCount: x.columnCount, rowStart: rowStart, columns: columns, values: values)
    }

    /// The exact sum over ranks of per-row scalars (`values` holds this rank's rows).
    public func exactSum(_ values: UnsafeBufferPointer<Float>) -> Double {
        var total = ExactSum(count: 1)
        var acc: Int128 = 0
        for v in values where v != 0 { acc &+= ExactSum.fixed(Double(v)) }
        total.words[0] = acc
        allreduce(&total)
        return total.double(at: 0)
    }
}

extension CSRMatrix {
    /// Xᵀ·B over all ranks' rows, for a dense n×kp B (kp a multiple of 16), as a d×kp matrix: each
    /// block of rows scatters into its own partial, added exactly; then summed over ranks.
    package func transposeMultiplyExact(_ b: DenseMatrix, blockRows: Int, communicator: Communicator) -> DenseMatrix {
        precondition(b.columnCount % 16 == 0 && b.rowCount == rowCount)
        let kp = b.columnCount, d = columnCount
        var total = ExactSum(count: d * kp)
        var partial = DenseMatrix(rowCount: d, columnCount: kp)
        for range in RowBlocks.ranges(count: rowCount, blockRows: blockRows) {
            let block = rows(range)
            var slice = DenseMatrix(rowCount: range.count, columnCount: kp)
            slice.values.replaceSubrange(0..<(range.count * kp), with: b.values[(range.lowerBound * kp)..<(range.upperBound * kp)])
            block.transposeMultiplyPadded(slice, into: &partial)
            partial.values.withUnsafeBufferPointer { total.add($0) }
        }
        communicator.allreduce(&total)
        var out = DenseMatrix(rowCount: d, columnCount: kp)
        out.values.withUnsafeMutableBufferPointer { total.write(to: $0) }
        return out
    }

    /// Rows `range` as a matrix of their own (the same columns).
    package func rows(_ range: Range<Int>) -> CSRMatrix {
        if range == 0..<rowCount { return self }
        let lower = rowStart[range.lowerBound], upper = rowStart[range.upperBound]
        return CSRMatrix(unchecked: range.count, columnCount: columnCount,
                         rowStart: rowStart[range.lowerBound...range.upperBound].map { $0 - lower },
                         columns: Array(columns[lower..<upper]), values: Array(values[lower..<upper]))
    }
}

extension DenseMatrix {
    /// AᵀA over all ranks' rows (both triangles), block by block, exactly.
    package func gramExact(blockRows: Int, communicator: Communicator) -> DenseMatrix {
        let r = columnCount
        var total = ExactSum(count: r * r)
        var partial = [Float](repeating: 0, count: r * r)
        values.withUnsafeBufferPointer { v in
            for range in RowBlocks.ranges(count: rowCount, blockRows: blockRows) {
                for t in partial.indices { partial[t] = 0 }
                partial.withUnsafeMutableBufferPointer { p in
                    BLAS.accumulateGram(v.baseAddress! + range.lowerBound * r, rows: range.count, columns: r, into: p.baseAddress!)
                }
                partial.withUnsafeBufferPointer { total.add($0) }
            }
        }
        communicator.allreduce(&total)
        var out = DenseMatrix(rowCount: r, columnCount: r)
        for i in 0..<r { for j in i..<r { let v = Float(total.double(at: i * r + j)); out[i, j] = v; out[j, i] = v } }
        return out
    }

    /// Σᵢ aᵢc² for every column c over all ranks' rows, block by block, exactly.
    package func columnSquaredNormsExact(blockRows: Int, communicator: Communicator) -> [Double] {
        let r = columnCount
        var total = ExactSum(count: r)
        var partial = [Double](repeating: 0, count: r)
        values.withUnsafeBufferPointer { v in
            for range in RowBlocks.ranges(count: rowCount, blockRows: blockRows) {
                for c in 0..<r { partial[c] = 0 }
                for i in range {
                    for c in 0..<r { let x = Double(v[i * r + c]); partial[c] += x * x }
                }
                total.add(partial)
            }
        }
        communicator.allreduce(&total)
        return (0..<r).map { total.double(at: $0) }
    }

    /// A·B (B small and replicated) computed block by block, so a row's result never depends on
    /// how many rows share its call.
    package func timesBlockwise(_ b: DenseMatrix, blockRows: Int) -> DenseMatrix {
        let r = columnCount, m = b.columnCount
        precondition(b.rowCount == r)
        var out = DenseMatrix(rowCount: rowCount, columnCount: m)
        guard r > 0, m > 0 else { return out }
        values.withUnsafeBufferPointer { a in
            b.values.withUnsafeBufferPointer { bv in
                out.values.withUnsafeMutableBufferPointer { o in
                    for range in RowBlocks.ranges(count: rowCount, blockRows: blockRows) {
                        BLAS.gemm(rows: range.count, columns: m, inner: r,
                                  a: a.baseAddress! + range.lowerBound * r, aStride: r,
                                  b: bv.baseAddress!, bStride: m, c: o.baseAddress! + range.lowerBound * m, cStride: m)
                    }
                }
            }
        }
        return out
    }
}
