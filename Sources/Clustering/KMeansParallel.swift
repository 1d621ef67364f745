import Foundation
import LinearAlgebra

/// k-means‖ (Bahmani et al. 2012): a few rounds in which every row is drawn independently with
/// probability ℓ·D²(x)/φ (ℓ = oversampling × k), so each round costs one pass over the rows and works
/// unchanged when rows are spread over ranks; then the candidates, weighted by the rows nearest to
/// them, are reduced to k centres by a weighted k-means++ and a few weighted Lloyd steps.
enum KMeansParallel {
    static func centres(kernel: AssignmentKernel, accumulator: CentroidAccumulator, settings: KMeansSettings,
                        communicator: Communicator, rng: inout SeededGenerator) throws -> DenseMatrix {
        let n = kernel.rowCount
        let k = settings.k
        let placement = communicator.placement(localRows: n)
        let total = placement.totalRows, rankStart = placement.firstRow
        let d = accumulator.data.columnCount
        // The first candidate: a uniform global row; its owner shares it.
        let firstGlobal = Int(rng.next() % UInt64(total))
        var candidates: [[Float]] = [share(globalRow: firstGlobal, rankStart: rankStart, n: n, d: d,
                                            accumulator: accumulator, communicator: communicator)]
        let nearest = AlignedBuffer<Float>(count: n, repeating: 0)
        try distances(to: candidates, kernel: kernel, into: nearest, first: true)
        let perRound = settings.parallelOversampling * Double(k)
        for round in 0..<settings.parallelRounds {
            let phi = communicator.sum((0..<n).reduce(0.0) { $0 + Double(nearest[$1]) })
            guard phi > 0 else { break }
            var sampler = SeededGenerator(seed: settings.seed ^ 0x6B6D_6561_6E73, stream: UInt64(round * 65_536 + communicator.rank))
            var picked: [Int] = []
            for i in 0..<n where sampler.nextUnit() < perRound * Double(nearest[i]) / phi { picked.append(i) }
            // Gather the picked rows from every rank (counts first, then each rank fills its slots).
            let counts = communicator.allgather([Double(picked.count)]).map { Int($0) }
            let before = counts[0..<communicator.rank].reduce(0, +)
            let all = counts.reduce(0, +)
            guard all > 0 else { continue }
            var block = [Double](repeating: 0, count: all * d)
            for (t, i) in picked.enumerated() {
                let row = accumulator.denseRow(i)
                for j in 0..<d { block[(before + t) * d + j] = Double(row[j]) }
            }
            if communicator.size > 1 { communicator.allreduceSum(&block) }
            let newRows = (0..<all).map { t in (0..<d).map { Float(block[t * d + $0]) } }
            try distances(to: newRows, kernel: kernel, into: nearest, first: false)
            candidates += newRows
        }
        // Weight each candidate by the number of rows nearest to it.
        let table = CentroidTable(centres: try DenseMatrix(rows: candidates))
        let labels = kernel.nearestCentres(table: table).labels
        var weights = [Double](repeating: 0, count: candidates.count)
        for i in 0..<n { weights[Int(labels[i])] += 1 }
        communicator.allreduceSum(&weights)
        return try WeightedReduction.reduce(candidates: table.matrix, weights: weights, k: k, rng: &rng)
    }

    /// The global row `index` as a dense vector on every rank.
    static func share(globalRow index: Int, rankStart: Int, n: Int, d: Int,
                      accumulator: CentroidAccumulator, communicator: Communicator) -> [Float] {
        var row = [Double](repeating: 0, count: d)
        if index >= rankStart && index < rankStart + n {
            row = accumulator.denseRow(index - rankStart).map(Double.init)
        }
        if communicator.size > 1 { communicator.allreduceSum(&row) }
        return row.map { Float($0) }
    }

    /// nearest[i] = min(nearest[i], squared distance from row i to the closest of `rows`).
    /// Throws if `rows` are not all the same length (every caller passes rows of d values).
    static func distances(to rows: [[Float]], kernel: AssignmentKernel, into nearest: AlignedBuffer<Float>, first: Bool) throws {
        guard !rows.isEmpty else { return }
        let table = CentroidTable(centres: try DenseMatrix(rows: rows))
        let assigned = NearestCentres(rowCount: kernel.rowCount)
        let best = assigned.best
        kernel.assignNearest(table: table, into: assigned) { _, range in
            for i in range { nearest[i] = first ? best[i] : min(nearest[i], best[i]) }
        }
    }
}

/// Reduces weighted candidate centres to k: weighted greedy k-means++ then weighted Lloyd (dense, small).
enum WeightedReduction {
    static let lloydSteps = 20

    static func reduce(candidates: DenseMatrix, weights: [Double], k: Int, rng: inout SeededGenerator) throws -> DenseMatrix {
        let m = candidates.rowCount, d = candidates.columnCount
        if m <= k {
            // Too few distinct candidates: pad by repeating the heaviest (relocation refills them later).
            var out = DenseMatrix(rowCount: k, columnCount: d)
            let order = (0..<m).sorted { weights[$0] > weights[$1] }
            for c in 0..<k {
                let source = c < m ? c : order[c % max(1, m)]
                for j in 0..<d { out[c, j] = candidates[source, j] }
            }
            return out
        }
        let gram = BLAS.gram(candidates, transpose: false)
        // Distances on demand from the Gram matrix: a table of all m² of them would double the memory.
        func distance(_ a: Int, _ b: Int) -> Double { Double(squaredDistance(squaredNorms: gram[a, a], gram[b, b], dot: gram[a, b])) }
        // Weighted greedy k-means++ over the candidates. Not `KMeansPlusPlus`: its trial count, first
        // draw and dot products could be passed in, but its D² draw binary-searches cumulative sums where
        // this one walks down `draw -= w·D²`, and the two pick different candidates when a draw falls
        // within rounding of a boundary, so sharing it would change k-means‖ results.
        let trials = 2 + Int(log(Double(k)))
        var first = 0
        let totalWeight = weights.reduce(0, +)
        var target = rng.nextUnit() * totalWeight
        for t in 0..<m { target -= weights[t]; if target < 0 { first = t; break } }
        var chosen = [first]
        var closest = (0..<m).map { distance($0, first) }
        while chosen.count < k {
            let potential = (0..<m).reduce(0.0) { $0 + weights[$1] * closest[$1] }
            var bestCandidate = -1, bestPotential = Double.infinity, bestClosest = closest
            for _ in 0..<trials {
                var draw = rng.nextUnit() * potential
                var pick = m - 1
                for t in 0..<m { draw -= weights[t] * closest[t]; if draw < 0 { pick = t; break } }
                let updated = (0..<m).map { min(closest[$0], distance($0, pick)) }
                let p = (0..<m).reduce(0.0) { $0 + weights[$1] * updated[$1] }
                if p < bestPotential { bestPotential = p; bestCandidate = pick; bestClosest = updated }
            }
            chosen.append(bestCandidate)
            closest = bestClosest
        }
        var centres = DenseMatrix(rowCount: k, columnCount: d)
        for (c, t) in chosen.enumerated() { for j in 0..<d { centres[c, j] = candidates[t, j] } }
        // Weighted Lloyd on the candidates.
        let candidateNorms = (0..<m).map { gram[$0, $0] }
        for _ in 0..<lloydSteps {
            let dots = try BLAS.product(candidates, centres, transposeB: true)
            let centreNorms = (0..<k).map { c in (0..<d).reduce(Float(0)) { $0 + centres[c, $1] * centres[c, $1] } }
            var sums = [Double](repeating: 0, count: k * d), mass = [Double](repeating: 0, count: k)
            for t in 0..<m {
                // Not clamped at 0 like `squaredDistance`: a clamp would turn distinct negative rounding
                // residues into ties and could change which centre wins.
                var nearest = Nearest.none
                for c in 0..<k { nearest.offer(candidateNorms[t] + centreNorms[c] - 2 * dots[t, c], label: c) }
                let label = Int(nearest.label)
                mass[label] += weights[t]
                for j in 0..<d { sums[label * d + j] += weights[t] * Double(candidates[t, j]) }
            }
            for c in 0..<k where mass[c] > 0 {
                for j in 0..<d { centres[c, j] = Float(sums[c * d + j] / mass[c]) }
            }
        }
        return centres
    }
}
