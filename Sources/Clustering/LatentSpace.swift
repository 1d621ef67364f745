import LinearAlgebra

/// The space k-means clusters profiles in by default: latent semantic analysis (LSA) of the
/// weighted profiles, the standard pipeline for clustering text-like sparse data.
///
/// In the raw interest space (tens of thousands of dimensions) almost every short profile is nearly
/// orthogonal to almost every other, so distances say little and spherical k-means piles short
/// profiles into whichever centre lies closest to the mean. A rank-r truncated SVD X ≈ U·S·Vᵀ keeps
/// the r directions along which profiles co-vary; each profile becomes x·V (an r-vector), scaled to
/// unit length, and distances there follow shared interest *themes* rather than exact interest overlap.
///
/// New profiles are placed through the same projection (`embed`), so `assign` and the wall see the
/// space the segments were found in; the model file stores V.
public struct LatentSpace: Sendable, Equatable {
    /// d×r: column c holds the interests' weights in latent direction c (the right singular vectors).
    public var projection: DenseMatrix
    /// The r singular values, largest first.
    public var singularValues: [Float]

    public var dimensions: Int { projection.columnCount }
    public var interestCount: Int { projection.rowCount }

    public init(projection: DenseMatrix, singularValues: [Float]) {
        self.projection = projection
        self.singularValues = singularValues
    }

    /// How the space is found, with documented defaults.
    public struct Settings: Sendable, Equatable {
        /// Latent dimensions r; `nil` (the default) chooses `automaticDimensions(k:rows:columns:)`.
        public var dimensions: Int? = nil
        /// Power iterations of the randomized SVD (default 2; each costs two passes over X). Measured on
        /// 20 Newsgroups (k = 20, seeds 1 and 3): NMI 0.27–0.29 with none, 0.30–0.33 with one,
        /// 0.325–0.332 with two; the planted audience is indifferent (0.966 with 0, 1 or 2).
        public var powerIterations = 2
        /// Extra random directions of the sketch (default 8; the sketch is rounded up to a multiple of 16).
        public var oversampling = 8
        /// Profiles the directions are found on (default 65,536; 0: every profile). When the input
        /// holds at least twice as many, the SVD runs on a seeded uniform sample of this many rows
        /// (drawn by global row index, so the same on any number of ranks) and every profile is then
        /// projected through the directions found (one pass over X instead of 2 · powerIterations + 3).
        /// A sample of 65,536 profiles holds ~160 members of a segment of 0.25 %, plenty to find its
        /// direction. Measured at 300,000 planted profiles (k = 40): the same NMI and objective on
        /// every seed, the latent stage ~2.5× faster (Benchmarks/RESULTS.md).
        public var sampleRows = 65_536
        public var seed: UInt64 = 0
        public init() {}
    }

    /// r = k + 8 rounded up so that r + 8 (the SVD's sketch, `oversampling` 8) is a multiple of 16
    /// (k + 8 to k + 23: k = 20 → 40, k = 40 → 56, k = 100 → 120), at most `min(rows, columns) − 1`.
    /// k separated segments need at least k − 1 directions to sit apart; the rounding costs nothing,
    /// since the randomized SVD computes a sketch padded to 16 columns anyway. Measured on 20
    /// Newsgroups (k = 20) and the planted 300k audience (k = 40): 28 to 100 dimensions give the same
    /// NMI within the spread over seeds, and the SVD's cost grows with r.
    public static func automaticDimensions(k: Int, rows: Int, columns: Int) -> Int {
        let padded = (k + 16 + 15) / 16 * 16 - 8
        return max(1, min(padded, min(rows, columns) - 1))
    }

    /// The rows the directions are found on for `rows` profiles with `settings`: nil for every row,
    /// or the size of the sample (at least 4 × the sketch, and only when `rows` is at least twice it).
    public static func sampleSize(rows: Int, dimensions r: Int, settings: Settings) -> Int? {
        guard settings.sampleRows > 0 else { return nil }
        let m = max(settings.sampleRows, 4 * ((r + settings.oversampling + 15) / 16 * 16))
        return rows >= 2 * m ? m : nil
    }

    /// Fits the space to `x` and returns it with the embedded rows of `x` (n×r, unit rows; a row
    /// with no weight in any latent direction stays zero) and the number of rows the directions were
    /// found on (all rows, or the sample: `sampleSize`).
    /// - Complexity: O(nnz · (r + oversampling) · (2 · powerIterations + 3)) on every row, or that on
    ///   the sample plus O(nnz · r) for the projection of every row.
    /// With rows spread over ranks (`communicator`), each rank gets its own rows' coordinates and
    /// the same space.
    public static func fit(_ x: CSRMatrix, k: Int, settings: Settings,
                           communicator: Communicator = SingleProcessCommunicator()) throws -> (space: LatentSpace, embedded: DenseMatrix, fittedRows: Int) {
        let placement = communicator.placement(localRows: x.rowCount)
        let rows = placement.totalRows
        let r = settings.dimensions.map { min($0, min(rows, x.columnCount)) }
            ?? automaticDimensions(k: k, rows: rows, columns: x.columnCount)
        var svdSettings = TruncatedSVD.Settings()
        svdSettings.powerIterations = settings.powerIterations
        svdSettings.oversampling = settings.oversampling
        svdSettings.seed = settings.seed
        if let m = sampleSize(rows: rows, dimensions: r, settings: settings) {
            // Directions from a sample every rank gathers whole (the same bits everywhere), then one
            // row-local projection of every row.
            var rng = SeededGenerator(seed: settings.seed, stream: 0x4C41_5453_414D)
            let chosen = Initializer.randomRows(count: m, from: rows, rng: &rng).sorted()
            let sample = communicator.gatherRows(chosen, from: x, placement: placement)
            svdSettings.leftVectors = false
            let svd = try TruncatedSVD(sample, rank: r, settings: svdSettings)
            var embedded = x.timesPadded(svd.vt.transposed())
            // Each direction's weight over every row (‖X·v‖, exact over ranks), largest first.
            let energy = embedded.columnSquaredNormsExact(blockRows: RowBlocks.rows, communicator: communicator)
            let order = (0..<r).sorted { energy[$0] != energy[$1] ? energy[$0] > energy[$1] : $0 < $1 }
            var projection = DenseMatrix(rowCount: x.columnCount, columnCount: r)
            for j in 0..<x.columnCount { for (c, o) in order.enumerated() { projection[j, c] = svd.vt[o, j] } }
            if order != Array(0..<r) { permuteColumns(&embedded, order) }
            normalizeRows(&embedded)
            return (LatentSpace(projection: projection, singularValues: order.map { Float(energy[$0].squareRoot()) }), embedded, m)
        }
        let svd = try TruncatedSVD(x, rank: r, settings: svdSettings, communicator: communicator)
        // X·V = U·S: the training rows' coordinates come with the SVD, no second product needed.
        var embedded = svd.u
        for i in 0..<embedded.rowCount {
            for c in 0..<r { embedded.values[i * r + c] *= svd.singularValues[c] }
        }
        normalizeRows(&embedded)
        return (LatentSpace(projection: svd.vt.transposed(), singularValues: svd.singularValues), embedded, rows)
    }

    static func permuteColumns(_ m: inout DenseMatrix, _ order: [Int]) {
        let r = m.columnCount
        var row = [Float](repeating: 0, count: r)
        for i in 0..<m.rowCount {
            for (c, o) in order.enumerated() { row[c] = m.values[i * r + o] }
            m.values.replaceSubrange((i * r)..<((i + 1) * r), with: row)
        }
    }

    /// The coordinates of rows in the same interest columns (n×r, unit rows).
    /// - Complexity: O(nnz · r).
    public func embed(_ x: CSRMatrix) throws -> DenseMatrix {
        guard x.columnCount == projection.rowCount else {
            throw LinearAlgebraError.shapeMismatch("profiles have \(x.columnCount) interests, the latent space \(projection.rowCount)")
        }
        var embedded = x.timesPadded(projection)
        Self.normalizeRows(&embedded)
        return embedded
    }

    static func normalizeRows(_ m: inout DenseMatrix) {
        let r = m.columnCount
        m.values.withUnsafeMutableBufferPointer { v in
            guard let base = v.baseAddress else { return }
            Parallel.forEachChunk(count: m.rowCount, chunkSize: 4096) { _, rows in
                for i in rows {
                    let row = base + i * r
                    var s: Float = 0
                    for c in 0..<r { s += row[c] * row[c] }
                    guard s > 0 else { continue }
                    let scale = 1 / s.squareRoot()
                    for c in 0..<r { row[c] *= scale }
                }
            }
        }
    }
}
