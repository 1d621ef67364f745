import Foundation
import LinearAlgebra

/// Internal quality measures of a segmentation, for choosing k. Distances are Euclidean on the rows as
/// given (unit rows for tf-idf: the cosine geometry k-means uses).
public enum ClusterQuality {
    /// Mean silhouette over a seeded sample of `sampleSize` rows (all rows if fewer):
    /// s(i) = (b − a) / max(a, b), a = mean distance to the other sampled members of its segment,
    /// b = the smallest mean distance to the sampled members of another segment. Rows alone in their
    /// segment within the sample score 0 (scikit-learn's convention).
    public static func silhouette(_ x: CSRMatrix, labels: [Int32], k: Int, sampleSize: Int, seed: UInt64) -> Double {
        silhouette(.sparse(x), labels: labels, k: k, sampleSize: sampleSize, seed: seed)
    }

    public static func silhouette(_ x: MeasuredRows, labels: [Int32], k: Int, sampleSize: Int, seed: UInt64) -> Double {
        let n = x.rowCount
        guard n > 1, k > 1 else { return 0 }
        var rng = SeededGenerator(seed: seed, stream: 0x53494C)
        var rows = Array(0..<n)
        if n > sampleSize {
            for i in 0..<sampleSize { rows.swapAt(i, i + Int(rng.next() % UInt64(n - i))) }
            rows = Array(rows[0..<sampleSize]).sorted()
        }
        let m = rows.count
        let (norms, dotsOf) = x.sampleDots(rows)
        let sampleLabels = rows.map { Int(labels[$0]) }
        var total = 0.0
        for i in 0..<m {
            let dots = dotsOf(i)
            var sums = [Double](repeating: 0, count: k), counts = [Int](repeating: 0, count: k)
            for t in 0..<m where t != i {
                let d2 = squaredDistance(squaredNorms: Double(norms[i]), Double(norms[t]), dot: Double(dots[t]))
                sums[sampleLabels[t]] += d2.squareRoot()
                counts[sampleLabels[t]] += 1
            }
            let own = sampleLabels[i]
            guard counts[own] > 0 else { continue }
            let a = sums[own] / Double(counts[own])
            var b = Double.infinity
            for c in 0..<k where c != own && counts[c] > 0 { b = min(b, sums[c] / Double(counts[c])) }
            guard b.isFinite else { continue }
            let denominator = max(a, b)
            total += denominator > 0 ? (b - a) / denominator : 0
        }
        return total / Double(m)
    }

    /// Per-segment means of the rows (k×d), and sizes.
    package static func centroids(_ x: CSRMatrix, labels: [Int32], k: Int) -> (DenseMatrix, [Int]) {
        centroids(.sparse(x), labels: labels, k: k)
    }

    package static func centroids(_ x: MeasuredRows, labels: [Int32], k: Int) -> (DenseMatrix, [Int]) {
        let d = x.columnCount
        var sums = [Double](repeating: 0, count: k * d), sizes = [Int](repeating: 0, count: k)
        for i in 0..<x.rowCount {
            let c = Int(labels[i])
            sizes[c] += 1
            x.forEachEntry(ofRow: i) { j, v in sums[c * d + j] += Double(v) }
        }
        var out = DenseMatrix(rowCount: k, columnCount: d)
        for c in 0..<k where sizes[c] > 0 { for j in 0..<d { out[c, j] = Float(sums[c * d + j] / Double(sizes[c])) } }
        return (out, sizes)
    }

    /// The three measures of one segmentation, with the segment means computed once for both
    /// Calinski–Harabasz and Davies–Bouldin.
    public struct Measures: Sendable, Equatable {
        public var silhouette: Double
        public var calinskiHarabasz: Double
        public var daviesBouldin: Double
    }

    public static func measures(_ x: CSRMatrix, labels: [Int32], k: Int, silhouetteSample: Int, seed: UInt64) -> Measures {
        measures(.sparse(x), labels: labels, k: k, silhouetteSample: silhouetteSample, seed: seed)
    }

    /// The measures on sparse rows or on dense ones (latent coordinates), without converting either.
    public static func measures(_ x: MeasuredRows, labels: [Int32], k: Int, silhouetteSample: Int, seed: UInt64) -> Measures {
        let means = centroids(x, labels: labels, k: k)
        return Measures(silhouette: silhouette(x, labels: labels, k: k, sampleSize: silhouetteSample, seed: seed),
                        calinskiHarabasz: calinskiHarabasz(x, k: k, means: means),
                        daviesBouldin: daviesBouldin(x, labels: labels, k: k, means: means))
    }

    /// Calinski–Harabasz: (between-segment dispersion / (k − 1)) / (within-segment dispersion / (n − k)).
    public static func calinskiHarabasz(_ x: CSRMatrix, labels: [Int32], k: Int) -> Double {
        calinskiHarabasz(.sparse(x), k: k, means: centroids(x, labels: labels, k: k))
    }

    static func calinskiHarabasz(_ x: MeasuredRows, k: Int, means: (DenseMatrix, [Int])) -> Double {
        let n = x.rowCount, d = x.columnCount
        guard k > 1, n > k else { return 0 }
        let (centres, sizes) = means
        var mean = [Double](repeating: 0, count: d)
        for c in 0..<k { for j in 0..<d { mean[j] += Double(sizes[c]) * Double(centres[c, j]) / Double(n) } }
        var between = 0.0, within = 0.0
        for c in 0..<k where sizes[c] > 0 {
            var s = 0.0
            for j in 0..<d { let t = Double(centres[c, j]) - mean[j]; s += t * t }
            between += Double(sizes[c]) * s
        }
        let norms = x.rowSquaredNorms()
        // Within: Σ‖x‖² − Σ_c n_c‖c_c‖² (the centres are the means).
        within = norms.reduce(0.0) { $0 + Double($1) }
        for c in 0..<k where sizes[c] > 0 {
            var s = 0.0
            for j in 0..<d { s += Double(centres[c, j]) * Double(centres[c, j]) }
            within -= Double(sizes[c]) * s
        }
        guard within > 0 else { return .infinity }
        return (between / Double(k - 1)) / (within / Double(n - k))
    }

    /// Davies–Bouldin: the mean over segments of max over others of (s_i + s_j) / ‖c_i − c_j‖, with s the
    /// mean distance of a segment's rows to its mean. Lower is better.
    public static func daviesBouldin(_ x: CSRMatrix, labels: [Int32], k: Int) -> Double {
        daviesBouldin(.sparse(x), labels: labels, k: k, means: centroids(x, labels: labels, k: k))
    }

    static func daviesBouldin(_ x: MeasuredRows, labels: [Int32], k: Int, means: (DenseMatrix, [Int])) -> Double {
        guard k > 1 else { return 0 }
        let (centres, sizes) = means
        let d = x.columnCount
        var spread = [Double](repeating: 0, count: k)
        var centreNorms = [Double](repeating: 0, count: k)
        for c in 0..<k { for j in 0..<d { centreNorms[c] += Double(centres[c, j]) * Double(centres[c, j]) } }
        for i in 0..<x.rowCount {
            let c = Int(labels[i])
            var dot = 0.0, norm = 0.0
            x.forEachEntry(ofRow: i) { j, v in
                dot += Double(v) * Double(centres[c, j])
                norm += Double(v) * Double(v)
            }
            spread[c] += squaredDistance(squaredNorms: norm, centreNorms[c], dot: dot).squareRoot()
        }
        for c in 0..<k where sizes[c] > 0 { spread[c] /= Double(sizes[c]) }
        let squared = squaredDistances(fromGram: BLAS.gram(centres, transpose: false), as: Double.self)
        var total = 0.0
        let present = (0..<k).filter { sizes[$0] > 0 }
        for a in present {
            var worst = 0.0
            for b in present where b != a {
                let distance = squared[a * k + b].squareRoot()
                if distance > 0 { worst = max(worst, (spread[a] + spread[b]) / distance) }
            }
            total += worst
        }
        return present.isEmpty ? 0 : total / Double(present.count)
    }

    /// Adjusted Rand index of two labellings of the same rows (1: identical up to renumbering, ≈ 0: chance).
    public static func adjustedRandIndex(_ a: [Int32], _ b: [Int32]) -> Double {
        precondition(a.count == b.count)
        let n = a.count
        guard n > 1 else { return 1 }
        var table: [Int64: Int] = [:], rows: [Int32: Int] = [:], columns: [Int32: Int] = [:]
        for (x, y) in zip(a, b) {
            table[Int64(x) << 32 | Int64(UInt32(bitPattern: y)), default: 0] += 1
            rows[x, default: 0] += 1
            columns[y, default: 0] += 1
        }
        func pairs(_ m: Int) -> Double { Double(m) * Double(m - 1) / 2 }
        let index = table.values.reduce(0.0) { $0 + pairs($1) }
        let rowPairs = rows.values.reduce(0.0) { $0 + pairs($1) }, columnPairs = columns.values.reduce(0.0) { $0 + pairs($1) }
        let expected = rowPairs * columnPairs / pairs(n)
        let maximum = (rowPairs + columnPairs) / 2
        return maximum == expected ? 1 : (index - expected) / (maximum - expected)
    }
}

/// The rows the quality measures read: sparse interest rows, or dense rows (latent coordinates) read
/// in place, never copied into a sparse matrix.
public enum MeasuredRows: Sendable {
    case sparse(CSRMatrix)
    case dense(DenseMatrix)

    public var rowCount: Int {
        switch self { case .sparse(let m): return m.rowCount; case .dense(let m): return m.rowCount }
    }

    public var columnCount: Int {
        switch self { case .sparse(let m): return m.columnCount; case .dense(let m): return m.columnCount }
    }

    /// Row i's non-zero entries (column, value) in column order.
    @inline(__always)
    func forEachEntry(ofRow i: Int, _ body: (Int, Float) -> Void) {
        switch self {
        case .sparse(let m):
            for p in m.range(ofRow: i) { body(Int(m.columns[p]), m.values[p]) }
        case .dense(let m):
            let d = m.columnCount
            m.values.withUnsafeBufferPointer { v in
                for j in 0..<d where v[i * d + j] != 0 { body(j, v[i * d + j]) }
            }
        }
    }

    func rowSquaredNorms() -> [Float] {
        switch self {
        case .sparse(let m): return m.rowSquaredNorms()
        case .dense(let m):
            let d = m.columnCount
            return (0..<m.rowCount).map { i in (0..<d).reduce(Float(0)) { $0 + m.values[i * d + $1] * m.values[i * d + $1] } }
        }
    }

    /// The sampled rows' squared norms, and for each sampled row its dot products with every sampled
    /// row (sparse: through the sample's transpose; dense: one Gram matrix of the sample).
    func sampleDots(_ rows: [Int]) -> (norms: [Float], dots: (Int) -> [Float]) {
        let m = rows.count
        switch self {
        case .sparse(let x):
            let sample = x.gatherRows(rows)
            let st = sample.transposed()
            return (sample.rowSquaredNorms(), { i in
                var dots = [Float](repeating: 0, count: m)
                for p in sample.range(ofRow: i) {
                    let v = sample.values[p]
                    for q in st.range(ofRow: Int(sample.columns[p])) { dots[Int(st.columns[q])] += v * st.values[q] }
                }
                return dots
            })
        case .dense(let x):
            let d = x.columnCount
            var sample = DenseMatrix(rowCount: m, columnCount: d)
            for (t, i) in rows.enumerated() { sample.values.replaceSubrange((t * d)..<((t + 1) * d), with: x.values[(i * d)..<((i + 1) * d)]) }
            let gram = BLAS.gram(sample, transpose: false)
            return ((0..<m).map { gram[$0, $0] }, { i in Array(gram.values[(i * m)..<((i + 1) * m)]) })
        }
    }
}
