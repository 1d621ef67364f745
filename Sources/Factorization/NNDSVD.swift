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
        // Norms of the positive and negative parts of every singular vector, in one row-major pass each.
        var xp = [Double](repeating: 0, count: k), xn = xp, yp = xp, yn = xp
        svd.u.values.withUnsafeBufferPointer { u in
            for i in 0..<n {
                for c in 0..<k {
                    let v = Double(u[i * k + c])
                    if v > 0 { xp[c] += v * v } else { xn[c] += v * v }
                }
            }
        }
        for c in 0..<k {
            for j in 0..<d {
                let v = Double(svd.vt[c, j])
                if v > 0 { yp[c] += v * v } else { yn[c] += v * v }
            }
        }
        // Per component: the leading pair is taken in absolute value; the others keep the dominant of
        // (u₊, v₊) and (u₋, v₋), scaled by √(s · ‖u±‖ · ‖v±‖).
        var sign = [Float](repeating: 1, count: k), wScale = [Float](repeating: 0, count: k), hScale = wScale
        for c in 0..<k {
            let s = Double(svd.singularValues[c])
            let (px, nx, py, ny) = (xp[c].squareRoot(), xn[c].squareRoot(), yp[c].squareRoot(), yn[c].squareRoot())
            if c == 0 {
                sign[c] = 0   // absolute value
                wScale[c] = Float(s.squareRoot())
                hScale[c] = Float(s.squareRoot())
                continue
            }
            let positive = px * py > nx * ny
            let (xNorm, yNorm) = positive ? (px, py) : (nx, ny)
            guard xNorm > 0, yNorm > 0 else { continue }
            let lambda = (s * xNorm * yNorm).squareRoot()
            sign[c] = positive ? 1 : -1
            wScale[c] = Float(lambda / xNorm)
            hScale[c] = Float(lambda / yNorm)
        }
        func part(_ v: Float, _ c: Int) -> Float { sign[c] == 0 ? abs(v) : max(0, sign[c] * v) }
        var w = DenseMatrix(rowCount: n, columnCount: k)
        var ht = DenseMatrix(rowCount: d, columnCount: k)
        w.values.withUnsafeMutableBufferPointer { out in
            svd.u.values.withUnsafeBufferPointer { u in
                for t in 0..<(n * k) { let c = t % k; out[t] = wScale[c] * part(u[t], c) }
            }
        }
        for j in 0..<d { for c in 0..<k { ht[j, c] = hScale[c] * part(svd.vt[c, j], c) } }
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
