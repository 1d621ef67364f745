import LinearAlgebra

/// How segments sit relative to each other: cosine similarities of their profile vectors, cohesion,
/// the Ward merge tree of the unit-length profiles (each segment counted once) and a 2-D map (principal components through `LAPACKE_sgesdd`).
struct SegmentGeometry {
    let profiles: DenseMatrix
    let sizes: [Int]
    let similarity: [[Double]]

    init(profiles: DenseMatrix, sizes: [Int]) {
        self.profiles = profiles
        self.sizes = sizes
        let k = profiles.rowCount
        let gram = BLAS.gram(profiles, transpose: false)
        let norms = (0..<k).map { Double(gram[$0, $0]).squareRoot() }
        similarity = (0..<k).map { a in
            (0..<k).map { b in norms[a] > 0 && norms[b] > 0 ? Double(gram[a, b]) / (norms[a] * norms[b]) : 0 }
        }
    }

    /// The most similar other segment and the similarity (−1, 0 when there is none).
    func nearest(to s: Int) -> (Int, Double) {
        var best = -1, value = -Double.infinity
        for t in similarity.indices where t != s && similarity[s][t] > value {
            best = t
            value = similarity[s][t]
        }
        return best < 0 ? (-1, 0) : (best, value)
    }

    /// Mean cosine similarity of each segment's rows to its profile vector.
    func cohesion(matrix: CSRMatrix, labels: [Int32]) -> [Double] {
        let k = profiles.rowCount, d = profiles.columnCount
        var sums = [Double](repeating: 0, count: k), counts = [Int](repeating: 0, count: k)
        let profileNorms = (0..<k).map { c in (0..<d).reduce(0.0) { $0 + Double(profiles[c, $1]) * Double(profiles[c, $1]) }.squareRoot() }
        let rowNorms = matrix.rowSquaredNorms()
        for i in 0..<matrix.rowCount {
            let s = Int(labels[i])
            var dot = 0.0
            for p in matrix.range(ofRow: i) { dot += Double(matrix.values[p]) * Double(profiles[s, Int(matrix.columns[p])]) }
            let denominator = Double(rowNorms[i]).squareRoot() * profileNorms[s]
            sums[s] += denominator > 0 ? dot / denominator : 0
            counts[s] += 1
        }
        return (0..<k).map { counts[$0] > 0 ? sums[$0] / Double(counts[$0]) : 0 }
    }

    /// Agglomerative clustering of the segment profiles with Ward's criterion, each profile at unit
    /// length and each segment counting once: the cost of joining A and B is nA·nB/(nA+nB)·‖cA − cB‖²
    /// with n the number of segments on each side. The tree says which segments share interests (the
    /// cosine geometry segments are described in), whatever their sizes: weighting by people made a
    /// large segment absorb its neighbours one by one (a chain), so no cut gave usable themes.
    /// Squared distances start from one Gram matrix (`cblas_ssyrk`); after a merge, the new centre's
    /// distances follow from the parallel-axis identity, so the whole tree costs O(k³) on k×k numbers.
    func wardMergeTree() -> [MergeStep] {
        let k = profiles.rowCount
        guard k > 1 else { return [] }
        var unit = profiles
        let d = profiles.columnCount
        for c in 0..<k {
            var norm: Float = 0
            for j in 0..<d { norm += unit[c, j] * unit[c, j] }
            guard norm > 0 else { continue }
            let scale = 1 / norm.squareRoot()
            for j in 0..<d { unit[c, j] *= scale }
        }
        let squared = squaredDistances(fromGram: BLAS.gram(unit, transpose: false), as: Double.self)
        var distance = (0..<k).map { a in Array(squared[(a * k)..<((a + 1) * k)]) }
        var weights = [Double](repeating: 1, count: k)
        var ids = Array(0..<k)
        var members = sizes
        var active = Array(0..<k)
        var steps: [MergeStep] = []
        while active.count > 1 {
            var best = (0, 1), bestCost = Double.infinity
            for x in 0..<active.count {
                for y in (x + 1)..<active.count {
                    let a = active[x], b = active[y]
                    let c = weights[a] * weights[b] / (weights[a] + weights[b]) * distance[a][b]
                    if c < bestCost { bestCost = c; best = (x, y) }
                }
            }
            let a = active[best.0], b = active[best.1]
            let (wa, wb) = (weights[a], weights[b]), total = wa + wb
            for c in active where c != a && c != b {
                let merged = (wa * distance[a][c] + wb * distance[b][c]) / total - wa * wb * distance[a][b] / (total * total)
                distance[a][c] = max(0, merged)
                distance[c][a] = distance[a][c]
            }
            weights[a] = total
            members[a] += members[b]
            steps.append(MergeStep(left: min(ids[a], ids[b]), right: max(ids[a], ids[b]), distance: bestCost, size: members[a]))
            ids[a] = k + steps.count - 1
            active.remove(at: best.1)
        }
        return steps
    }

    /// The first two principal components of the (unweighted, centred) segment centres.
    func map() throws -> [[Double]] {
        let k = profiles.rowCount, d = profiles.columnCount
        guard k >= 2, d >= 2 else { return (0..<k).map { _ in [0, 0] } }
        var centred = profiles
        for j in 0..<d {
            var mean: Float = 0
            for c in 0..<k { mean += profiles[c, j] }
            mean /= Float(k)
            for c in 0..<k { centred[c, j] -= mean }
        }
        let svd = try LAPACK.svd(centred)
        return (0..<k).map { c in
            (0..<2).map { axis in
                var value = Double(svd.u[c, axis] * svd.singularValues[axis])
                // Fix the sign of each axis (largest |loading| positive) so maps are reproducible.
                let column = (0..<k).map { svd.u[$0, axis] }
                if let largest = column.max(by: { abs($0) < abs($1) }), largest < 0 { value = -value }
                return value
            }
        }
    }
}

extension SegmentInsights {
    /// Rolls k segments up to `groups` groups by cutting the merge tree: the group of each segment
    /// (groups numbered in order of their first segment).
    public static func rollUp(_ steps: [MergeStep], segments k: Int, into groups: Int) -> [Int] {
        SegmentGeometry.cut(steps, segments: k, into: groups)
    }
}

extension SegmentGeometry {
    /// Which of `groups` groups each segment falls into when the merge tree is cut there.
    static func cut(_ steps: [MergeStep], segments k: Int, into groups: Int) -> [Int] {
        var parent = Array(0..<(k + steps.count))
        func root(_ x: Int) -> Int { var x = x; while parent[x] != x { x = parent[x] }; return x }
        for (t, step) in steps.prefix(max(0, k - groups)).enumerated() {
            parent[root(step.left)] = k + t
            parent[root(step.right)] = k + t
        }
        var numbering: [Int: Int] = [:]
        return (0..<k).map { s in
            let r = root(s)
            if let n = numbering[r] { return n }
            numbering[r] = numbering.count
            return numbering[r]!
        }
    }
}
