import LinearAlgebra

/// Components that no row has as its primary segment, and their repair.
///
/// A row's primary segment is the largest entry of its W row once H's rows are scaled to unit length
/// (`NMFResult.memberships`), i.e. argmax_t W[i, t]·‖H_t‖. A component that is nobody's primary
/// segment is an empty segment for the user, however much weight it carries as a secondary one. When
/// the fit has converged with such components, each is re-seeded from a row the factorisation explains
/// worst (largest ‖x_i − w_i·H‖², ties to the lower row index, so the choice is deterministic for a
/// seed and independent of the thread count): H's row becomes that profile and W's column is cleared;
/// the iterations then go on, so W and H settle around the new component before the next check.
extension NMF {
    /// Rounds of re-seeding per fit. One round almost always suffices; the cap keeps a fit that keeps
    /// emptying components from cycling (whatever is still empty then is reported, not hidden).
    static let maxReseedRounds = 3

    /// The real components (`0..<k`) that are no row's primary segment, ascending. Rows whose W is all
    /// zero have no primary segment and are not counted. `w` holds local rows (n×kp), `hhT` = H·Hᵀ.
    static func emptyComponents(w: DenseMatrix, hhT: DenseMatrix, k: Int, communicator: Communicator) -> [Int] {
        let kp = w.columnCount
        let scale = (0..<kp).map { $0 < k ? Float(Double(max(0, hhT[$0, $0])).squareRoot()) : 0 }
        let chunk = 8192
        let chunks = Parallel.chunkCount(max(1, w.rowCount), chunkSize: chunk)
        var counts = [Double](repeating: 0, count: chunks * k)
        w.values.withUnsafeBufferPointer { values in
            counts.withUnsafeMutableBufferPointer { out in
                guard let values = values.baseAddress, let out = out.baseAddress else { return }
                Parallel.forEachChunk(count: w.rowCount, chunkSize: chunk) { index, rows in
                    for i in rows {
                        let row = values + i * kp
                        var best = -1, bestValue: Float = 0
                        for t in 0..<k where row[t] * scale[t] > bestValue {
                            best = t
                            bestValue = row[t] * scale[t]
                        }
                        if best >= 0 { out[index * k + best] += 1 }
                    }
                }
            }
        }
        var totals = [Double](repeating: 0, count: k)
        for index in 0..<chunks { for t in 0..<k { totals[t] += counts[index * k + t] } }
        communicator.allreduceSum(&totals)
        return (0..<k).filter { totals[$0] == 0 }
    }

    /// Re-seeds `components`: one row per component, the rows with the largest squared residual
    /// ‖x_i − w_i·H‖² = ‖x_i‖² − 2·w_i·(X·Hᵀ)_i + w_i·(H·Hᵀ)·w_iᵀ over all ranks; component c's H row
    /// (column c of `ht`) becomes its row of X, and W's column c is cleared on every rank.
    static func reseed(_ components: [Int], x: CSRMatrix, w: inout DenseMatrix, ht: inout DenseMatrix, hhT: DenseMatrix,
                       rowSquaredNorms: [Float], communicator: Communicator) {
        guard !components.isEmpty else { return }
        let n = x.rowCount, kp = w.columnCount, d = x.columnCount
        var a = DenseMatrix(rowCount: n, columnCount: kp)
        x.multiplyPadded(ht, into: &a)
        var residuals = [Double](repeating: 0, count: n)
        w.values.withUnsafeBufferPointer { wv in
            a.values.withUnsafeBufferPointer { av in
                hhT.values.withUnsafeBufferPointer { gv in
                    residuals.withUnsafeMutableBufferPointer { out in
                        guard let wBase = wv.baseAddress, let aBase = av.baseAddress, let g = gv.baseAddress,
                              let out = out.baseAddress else { return }
                        Parallel.forEachChunk(count: n, chunkSize: 1024) { _, rows in
                            for i in rows {
                                let row = wBase + i * kp, target = aBase + i * kp
                                var cross = 0.0, quadratic = 0.0
                                for s in 0..<kp where row[s] != 0 {
                                    cross += Double(row[s]) * Double(target[s])
                                    var dot = 0.0
                                    for t in 0..<kp { dot += Double(g[s * kp + t]) * Double(row[t]) }
                                    quadratic += Double(row[s]) * dot
                                }
                                out[i] = max(0, Double(rowSquaredNorms[i]) - 2 * cross + quadratic)
                            }
                        }
                    }
                }
            }
        }
        // The m worst rows here, then the m worst over all ranks (residual descending, then global row
        // index: the same choice on any number of ranks).
        let m = components.count
        let firstRow = communicator.placement(localRows: n).firstRow
        let local = residuals.indices.sorted { residuals[$0] != residuals[$1] ? residuals[$0] > residuals[$1] : $0 < $1 }.prefix(m)
        var mine = [Double](repeating: -1, count: 2 * m)
        for (slot, i) in local.enumerated() { mine[2 * slot] = residuals[i]; mine[2 * slot + 1] = Double(firstRow + i) }
        let all = communicator.allgather(mine)
        var candidates: [(residual: Double, row: Int)] = []
        for rank in 0..<communicator.size {
            for slot in 0..<m where all[rank * 2 * m + 2 * slot] >= 0 {
                candidates.append((all[rank * 2 * m + 2 * slot], Int(all[rank * 2 * m + 2 * slot + 1])))
            }
        }
        candidates.sort { $0.residual != $1.residual ? $0.residual > $1.residual : $0.row < $1.row }
        // Each chosen row's values, sent from its rank to all (the others add zeros).
        var seeds = [Float](repeating: 0, count: m * d)
        for (slot, chosen) in candidates.prefix(m).enumerated() where chosen.row >= firstRow && chosen.row < firstRow + n {
            for p in x.range(ofRow: chosen.row - firstRow) { seeds[slot * d + Int(x.columns[p])] = x.values[p] }
        }
        seeds.withUnsafeMutableBufferPointer { communicator.allreduceSum($0) }
        for (slot, c) in components.enumerated() where slot < candidates.count {
            for j in 0..<d { ht[j, c] = seeds[slot * d + j] }
        }
        w.values.withUnsafeMutableBufferPointer { values in
            guard let values = values.baseAddress else { return }
            Parallel.forEachChunk(count: n, chunkSize: 8192) { _, rows in
                for i in rows { for c in components { values[i * kp + c] = 0 } }
            }
        }
    }
}
