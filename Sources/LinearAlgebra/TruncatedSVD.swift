import Foundation

/// A truncated SVD of a sparse n×d matrix by the randomized range finder (Halko, Martinsson & Tropp
/// 2011), run on the interest side: Z = Ω (d×l Gaussian, l = k + oversampling rounded up to 16), then
/// power iterations Z ← basis(Xᵀ·(X·Z)) with each basis from Cholesky QR on the d×l matrix
/// (`LAPACK.orthonormalBasisCholesky`; Householder `sgeqrf`/`sorgqr` when it is too ill-conditioned);
/// finally B = X·Z and the SVD of the small l×l Gram matrix BᵀB (`LAPACKE_sgesdd`) gives
/// X ≈ U·S·Vᵀ with U = B·V_B·S⁻¹ and V = Z·V_B. Only sparse×dense products touch X, and no n×l matrix
/// is ever factorised (n is the large side for audiences).
///
/// Rows may be spread over ranks (`communicator`): the products with X are row-local, the sums over
/// rows (Xᵀ·Y and the Gram matrix) are taken block by block and added exactly (`RowBlocks`,
/// `ExactSum`), and every small factorisation runs identically on every rank, so U (each rank's
/// rows), S and V are the same bits on any number of ranks.
public struct TruncatedSVD: Sendable {
    /// n×k left singular vectors.
    public var u: DenseMatrix
    /// k singular values, largest first.
    public var singularValues: [Float]
    /// k×d right singular vectors, one per row.
    public var vt: DenseMatrix

    /// Settings with documented defaults.
    public struct Settings: Sendable, Codable, Equatable {
        /// Extra random directions beyond k (default 10, as scikit-learn).
        public var oversampling = 10
        /// Power iterations (default 4): each costs one X·Z and one Xᵀ·Y product and sharpens the
        /// basis when the spectrum decays slowly.
        public var powerIterations = 4
        public var seed: UInt64 = 0
        /// Compute U (default true). Without it `u` is empty (0×k): for callers that need only the
        /// directions (a space fitted on a sample and applied to every row), it saves an n×l·l×k product.
        public var leftVectors = true
        public init() {}
    }

    /// The rank-k truncated SVD of `x`. The sketch width k + oversampling is rounded up to a multiple
    /// of 16 (more oversampling, never less) so the products run on the padded SIMD kernels. Where the
    /// matrix is too narrow for the oversampling (k + oversampling > min(rows, columns)), the
    /// oversampling shrinks to what fits; at that size the exact SVD is taken anyway.
    public init(_ x: CSRMatrix, rank k: Int, settings: Settings = Settings(),
                communicator: Communicator = SingleProcessCommunicator(), blockRows: Int = RowBlocks.rows) throws {
        let localRows = x.rowCount, d = x.columnCount
        let n = communicator.size == 1 ? localRows : communicator.placement(localRows: localRows).totalRows
        guard k >= 1, k <= min(n, d) else {
            throw LinearAlgebraError.shapeMismatch("a rank-\(k) SVD needs at least \(k) rows and \(k) columns; the matrix is \(n)×\(d) (lower k)")
        }
        let oversampling = min(settings.oversampling, min(n, d) - k)
        let l = (k + oversampling + 15) / 16 * 16
        guard l <= min(n, d) else {
            guard communicator.size == 1 else {
                throw LinearAlgebraError.shapeMismatch("a rank-\(k) SVD of a \(n)×\(d) matrix is too small to spread over \(communicator.size) processes (run it on one)")
            }
            // Too small for a padded sketch: the exact SVD is cheap anyway.
            let full = try LAPACK.svd(x.toDense())
            var u = DenseMatrix(rowCount: n, columnCount: k), vt = DenseMatrix(rowCount: k, columnCount: d)
            for i in 0..<n { for c in 0..<k { u[i, c] = full.u[i, c] } }
            for c in 0..<k { for j in 0..<d { vt[c, j] = full.vt[c, j] } }
            self.u = u
            self.singularValues = Array(full.singularValues.prefix(k))
            self.vt = vt
            return
        }
        // The Gaussian test matrix, in fixed row chunks with a stream each (thread-count independent).
        var z = DenseMatrix(rowCount: d, columnCount: l)
        z.values.withUnsafeMutableBufferPointer { values in
            guard let base = values.baseAddress else { return }
            Parallel.forEachChunk(count: d, chunkSize: 2048) { chunk, rows in
                var rng = SeededGenerator(seed: settings.seed, stream: 0x5356_4400 + UInt64(chunk))
                rng.fillGaussian(UnsafeMutableBufferPointer(start: base + rows.lowerBound * l, count: rows.count * l))
            }
        }
        z = try LAPACK.orthonormalBasisCholesky(z)
        var y = DenseMatrix(rowCount: localRows, columnCount: l)
        for _ in 0..<(settings.powerIterations + 1) {
            x.multiplyPadded(z, into: &y)                 // n×l
            z = x.transposeMultiplyExact(y, blockRows: blockRows, communicator: communicator)   // d×l = Xᵀ·X·Z
            z = try LAPACK.orthonormalBasisCholesky(z)
        }
        x.multiplyPadded(z, into: &y)                     // B = X·Z, n×l
        let gram = y.gramExact(blockRows: blockRows, communicator: communicator)   // BᵀB, l×l
        let small = try LAPACK.svd(gram)                  // BᵀB = V_B·S²·V_Bᵀ
        let sigma = small.singularValues.map { $0.squareRoot() }
        // U = B·V_B·S⁻¹ and V = Z·V_B, first k columns only (straight from `sgemm`, no copies).
        var vbScaled = DenseMatrix(rowCount: l, columnCount: k), vbk = DenseMatrix(rowCount: l, columnCount: k)
        for r in 0..<l {
            for c in 0..<k {
                vbk[r, c] = small.u[r, c]
                vbScaled[r, c] = sigma[c] > 0 ? small.u[r, c] / sigma[c] : 0
            }
        }
        let u = settings.leftVectors ? y.timesBlockwise(vbScaled, blockRows: blockRows)   // n×k
            : DenseMatrix(rowCount: 0, columnCount: k)
        let vt = try BLAS.product(vbk, transposeA: true, z, transposeB: true)   // k×d = (Z·V_B)ᵀ
        self.u = u
        self.singularValues = Array(sigma.prefix(k))
        self.vt = vt
    }
}
