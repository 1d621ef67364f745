import LinearAlgebra

/// The current centres in the two layouts the kernels need.
///
/// - `centres`: k×d row-major (the result, and the dot product with one centre);
/// - `transposed`: d×kp (kp = k rounded up to 16) so that a non-zero `(j, v)` of a sparse row adds
///   `v · transposed[j, 0..<kp]` — one contiguous, SIMD-wide k-vector — to the row's k dot products;
/// - `norms`: ‖c‖² padded to kp with +∞ so padding lanes never win an argmin.
final class CentroidTable: @unchecked Sendable {
    static let lane = 16
    let k: Int
    let d: Int
    let kp: Int
    var centres: [Float]
    let transposed: AlignedBuffer<Float>
    let norms: AlignedBuffer<Float>

    init(k: Int, d: Int) {
        self.k = k
        self.d = d
        kp = (k + Self.lane - 1) / Self.lane * Self.lane
        centres = [Float](repeating: 0, count: k * d)
        transposed = AlignedBuffer(count: d * kp, repeating: 0)
        norms = AlignedBuffer(count: kp, repeating: .infinity)
    }

    convenience init(centres: DenseMatrix) {
        self.init(k: centres.rowCount, d: centres.columnCount)
        self.centres = centres.values
        refresh()
    }

    /// Rebuilds `transposed` and `norms` from `centres`.
    func refresh() {
        let k = k, d = d, kp = kp
        let t = transposed.pointer
        centres.withUnsafeBufferPointer { c in
            // Blocked transpose: 64 columns at a time keeps both sides in cache.
            var j0 = 0
            while j0 < d {
                let j1 = min(d, j0 + 64)
                for cIndex in 0..<k {
                    let row = c.baseAddress! + cIndex * d
                    for j in j0..<j1 { t[j * kp + cIndex] = row[j] }
                }
                j0 = j1
            }
            for cIndex in 0..<k {
                norms[cIndex] = Float(Self.squaredNorm(c.baseAddress! + cIndex * d, count: d))
            }
        }
    }

    /// Columns per block of the centre update; norms are summed per block in Float, then over blocks
    /// in Double, both here and in the update, so a table rebuilt from saved centres has the same norms.
    static let normBlock = 512

    static func squaredNorm(_ row: UnsafePointer<Float>, count d: Int) -> Double {
        var total = 0.0
        var j0 = 0
        while j0 < d {
            var s: Float = 0
            for j in j0..<min(d, j0 + normBlock) { s += row[j] * row[j] }
            total += Double(s)
            j0 += normBlock
        }
        return total
    }

    /// The centres as a k×d matrix. Built without the throwing shape check: `centres` always holds
    /// k·d values (sized in `init` and only ever updated in place).
    var matrix: DenseMatrix {
        assert(centres.count == k * d, "centroid table holds \(centres.count) values for \(k)×\(d) centres")
        var matrix = DenseMatrix(rowCount: k, columnCount: d)
        matrix.values = centres
        return matrix
    }

    /// Squared distances between all pairs of centres (k×k), from their Gram matrix (`BLAS.gram`, `cblas_ssyrk`).
    func pairwiseSquaredDistances() -> [Float] {
        squaredDistances(fromGram: BLAS.gram(matrix, transpose: false), as: Float.self)
    }
}
