import Foundation
import LinearAlgebra

/// Initial W and H: NNDSVD (Boutsidis & Gallopoulos 2008) and its variants, or random, as scikit-learn.
enum NMFInitializer {
    /// Returns W (n×k) and Hᵀ (d×k).
    static func start(_ x: CSRMatrix, settings: NMFSettings,
                      communicator: Communicator) throws -> (w: DenseMatrix, ht: DenseMatrix) {
        let n = x.rowCount, d = x.columnCount, k = settings.k
        let total = communicator.sum(x.values.reduce(0.0) { $0 + Double($1) })
        let rows = communicator.sum(Double(n))
        let mean = Float(total / (rows * Double(d)))
        var rng = SeededGenerator(seed: settings.seed, stream: 0x4E4D46)
        if settings.initialization == .random {
            // scikit-learn: |N(0, 1)| · sqrt(mean / k). H is drawn from the shared seed (identical on every
            // rank); W from a per-rank stream.
            let scale = (mean / Float(k)).squareRoot()
            var ht = DenseMatrix(rowCount: d, columnCount: k)
            for t in ht.values.indices { ht.values[t] = scale * Float(abs(rng.nextGaussian())) }
            var wRng = SeededGenerator(seed: settings.seed, stream: 0x57_0000 + UInt64(communicator.rank))
            var w = DenseMatrix(rowCount: n, columnCount: k)
            for t in w.values.indices { w.values[t] = scale * Float(abs(wRng.nextGaussian())) }
            return (w, ht)
        }
        guard communicator.size == 1 else {
            throw FactorizationError.invalidSettings("NNDSVD needs the whole matrix in one process; use random initialisation on a cluster")
        }
        var svdSettings = TruncatedSVD.Settings()
        svdSettings.powerIterations = settings.svdPowerIterations
        svdSettings.oversampling = settings.svdOversampling
        svdSettings.seed = settings.seed
        let svd = try TruncatedSVD(x, rank: k, settings: svdSettings)
        var w = DenseMatrix(rowCount: n, columnCount: k)
        var ht = DenseMatrix(rowCount: d, columnCount: k)
        for c in 0..<k {
            let s = svd.singularValues[c]
            // Norms of the positive and negative parts of the singular vectors u_c and v_c.
            var xp = 0.0, xn = 0.0, yp = 0.0, yn = 0.0
            for i in 0..<n { let v = Double(svd.u[i, c]); if v > 0 { xp += v * v } else { xn += v * v } }
            for j in 0..<d { let v = Double(svd.vt[c, j]); if v > 0 { yp += v * v } else { yn += v * v } }
            xp = xp.squareRoot(); xn = xn.squareRoot(); yp = yp.squareRoot(); yn = yn.squareRoot()
            if c == 0 {
                // The leading pair can be taken non-negative as a whole.
                let lambda = s.squareRoot()
                for i in 0..<n { w[i, c] = lambda * abs(svd.u[i, c]) }
                for j in 0..<d { ht[j, c] = lambda * abs(svd.vt[c, j]) }
                continue
            }
            // Keep the dominant of (u₊, v₊) and (u₋, v₋), scaled by √(s · ‖u±‖ · ‖v±‖).
            let positive = xp * yp > xn * yn
            let (xNorm, yNorm) = positive ? (xp, yp) : (xn, yn)
            guard xNorm > 0, yNorm > 0 else { continue }
            let lambda = (Double(s) * xNorm * yNorm).squareRoot()
            let sign: Float = positive ? 1 : -1
            let wScale = Float(lambda / xNorm), hScale = Float(lambda / yNorm)
            for i in 0..<n { w[i, c] = wScale * max(0, sign * svd.u[i, c]) }
            for j in 0..<d { ht[j, c] = hScale * max(0, sign * svd.vt[c, j]) }
        }
        let epsilon: Float = 1e-6
        for t in w.values.indices where w.values[t] < epsilon { w.values[t] = 0 }
        for t in ht.values.indices where ht.values[t] < epsilon { ht.values[t] = 0 }
        switch settings.initialization {
        case .nndsvda:
            for t in w.values.indices where w.values[t] == 0 { w.values[t] = mean }
            for t in ht.values.indices where ht.values[t] == 0 { ht.values[t] = mean }
        case .nndsvdar:
            for t in w.values.indices where w.values[t] == 0 { w.values[t] = abs(mean * Float(rng.nextGaussian()) / 100) }
            for t in ht.values.indices where ht.values[t] == 0 { ht.values[t] = abs(mean * Float(rng.nextGaussian()) / 100) }
        case .nndsvd, .random:
            break
        }
        return (w, ht)
    }

}
