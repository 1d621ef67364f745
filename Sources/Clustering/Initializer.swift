import LinearAlgebra

/// Chooses the initial centres (all three strategies return k×d dense centres).
enum Initializer {
    static func centres(_ data: ClusteringData, norms: [Float], kernel: AssignmentKernel, accumulator: CentroidAccumulator,
                        settings: KMeansSettings, communicator: Communicator,
                        rng: inout SeededGenerator) throws -> DenseMatrix {
        let rows: [Int]
        switch settings.initialization {
        case .random:
            guard communicator.size == 1 else {
                return try KMeansParallel.centres(kernel: kernel, accumulator: accumulator, settings: settings,
                                                  communicator: communicator, rng: &rng)
            }
            rows = randomRows(count: settings.k, from: data.rowCount, rng: &rng)
        case .kmeansPlusPlus:
            rows = KMeansPlusPlus(data: data, norms: norms,
                                  transposed: (accumulator as? SparseCentroidAccumulator)?.transposed).choose(k: settings.k, trials: settings.resolvedPlusPlusTrials, rng: &rng)
        case .kmeansParallel:
            return try KMeansParallel.centres(kernel: kernel, accumulator: accumulator, settings: settings,
                                              communicator: communicator, rng: &rng)
        }
        var centres = DenseMatrix(rowCount: settings.k, columnCount: data.columnCount)
        for (c, i) in rows.enumerated() {
            let row = accumulator.denseRow(i)
            centres.values.replaceSubrange((c * data.columnCount)..<((c + 1) * data.columnCount), with: row)
        }
        return centres
    }

    /// `count` distinct indices of `0..<n`, uniformly (Floyd's algorithm), in draw order.
    static func randomRows(count: Int, from n: Int, rng: inout SeededGenerator) -> [Int] {
        var chosen = Set<Int>()
        var order: [Int] = []
        for j in (n - count)..<n {
            let t = Int(rng.next() % UInt64(j + 1))
            let pick = chosen.contains(t) ? j : t
            chosen.insert(pick)
            order.append(pick)
        }
        return order
    }
}

/// Greedy k-means++ as in scikit-learn: every step draws `trials` candidates with probability
/// proportional to the squared distance to the nearest chosen centre and keeps the one that lowers
/// the total most. Distances to a candidate row come from its dot products with all rows: through the
/// transposed matrix for sparse data (only the candidate's interests' columns are touched), through
/// `BLAS.gemv` (`cblas_sgemv`) for dense data. Candidates of a step are evaluated in parallel, each into its own buffer.
struct KMeansPlusPlus {
    let data: ClusteringData
    let norms: [Float]
    let transposed: CSRMatrix?

    init(data: ClusteringData, norms: [Float], transposed: CSRMatrix?) {
        self.data = data
        self.norms = norms
        if case .sparse(let m) = data { self.transposed = transposed ?? m.transposed() } else { self.transposed = nil }
    }

    /// The row indices of the k chosen centres.
    func choose(k: Int, trials: Int, rng: inout SeededGenerator) -> [Int] {
        let n = data.rowCount
        var chosen = [Int(rng.next() % UInt64(n))]
        var closest = [Float](repeating: 0, count: n)
        let first = AlignedBuffer<Float>(count: n, repeating: 0)
        dots(withRow: chosen[0], into: first.pointer)
        for i in 0..<n {
            closest[i] = squaredDistance(squaredNorms: norms[i], norms[chosen[0]], dot: first[i])
        }
        closest[chosen[0]] = 0
        let candidateBuffers = (0..<trials).map { _ in AlignedBuffer<Float>(count: n, repeating: 0) }
        var cumulative = [Double](repeating: 0, count: n)
        while chosen.count < k {
            var running = 0.0
            for i in 0..<n { running += Double(closest[i]); cumulative[i] = running }
            let total = running
            var candidates: [Int] = []
            for _ in 0..<trials {
                let target = rng.nextUnit() * total
                candidates.append(min(n - 1, Self.searchSorted(cumulative, target)))
            }
            var potentials = [Double](repeating: 0, count: trials)
            // Dense rows: every candidate's dots in one pass over X (an sgemm per row block), instead
            // of one memory-bound gemv per candidate.
            let batched = batchedDots(withRows: candidates)
            potentials.withUnsafeMutableBufferPointer { potentialsOut in
                let out = potentialsOut.baseAddress!
                closest.withUnsafeBufferPointer { current in
                    Parallel.forEach(trials) { t in
                        let buffer = candidateBuffers[t].pointer
                        let r = candidates[t]
                        if let batched {
                            for i in 0..<n { buffer[i] = batched[i * trials + t] }
                        } else {
                            dots(withRow: r, into: buffer)
                        }
                        var sum = 0.0
                        for i in 0..<n {
                            let distance = i == r ? 0 : squaredDistance(squaredNorms: norms[i], norms[r], dot: buffer[i])
                            let value = min(current[i], distance)
                            buffer[i] = value
                            sum += Double(value)
                        }
                        out[t] = sum
                    }
                }
            }
            var bestTrial = 0
            for t in 1..<trials where potentials[t] < potentials[bestTrial] { bestTrial = t }
            closest.withUnsafeMutableBufferPointer { c in
                c.baseAddress!.update(from: candidateBuffers[bestTrial].pointer, count: n)
            }
            chosen.append(candidates[bestTrial])
        }
        return chosen
    }

    /// First index whose cumulative value exceeds `target` (numpy's searchsorted, side "left" on `>`).
    static func searchSorted(_ cumulative: [Double], _ target: Double) -> Int {
        var lo = 0, hi = cumulative.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] <= target { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// For dense rows: the n×m dots of every row with the rows `candidates` (row-major), from one
    /// `sgemm` per fixed row block; nil for sparse rows.
    func batchedDots(withRows candidates: [Int]) -> AlignedBuffer<Float>? {
        guard case .dense(let m) = data, m.columnCount > 0 else { return nil }
        let n = m.rowCount, d = m.columnCount, t = candidates.count
        var picked = [Float](repeating: 0, count: t * d)
        for (c, r) in candidates.enumerated() { for j in 0..<d { picked[c * d + j] = m.values[r * d + j] } }
        let out = AlignedBuffer<Float>(count: n * t, repeating: 0)
        m.values.withUnsafeBufferPointer { x in
            picked.withUnsafeBufferPointer { p in
                Parallel.forEachChunk(count: n, chunkSize: 4096) { _, rows in
                    BLAS.gemm(rows: rows.count, columns: t, inner: d, alpha: 1,
                              a: x.baseAddress! + rows.lowerBound * d, aStride: d,
                              b: p.baseAddress!, bStride: d, transposeB: true,
                              beta: 0, c: out.pointer + rows.lowerBound * t, cStride: t)
                }
            }
        }
        return out
    }

    /// out[i] = x_i · x_r for every row i.
    func dots(withRow r: Int, into out: UnsafeMutablePointer<Float>) {
        let n = data.rowCount
        switch data {
        case .sparse(let m):
            out.update(repeating: 0, count: n)
            let t = transposed!
            for p in m.range(ofRow: r) {
                let j = Int(m.columns[p]), v = m.values[p]
                for q in t.range(ofRow: j) { out[Int(t.columns[q])] += v * t.values[q] }
            }
        case .dense(let m):
            let d = m.columnCount
            guard d > 0 else { out.update(repeating: 0, count: n); return }
            m.values.withUnsafeBufferPointer { x in
                BLAS.gemv(rows: n, columns: d, alpha: 1, a: x.baseAddress!, aStride: d,
                          x: x.baseAddress! + r * d, beta: 0, y: out)
            }
        }
    }
}
