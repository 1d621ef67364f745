import Foundation
import LinearAlgebra

/// Initial W and H: NNDSVD (Boutsidis & Gallopoulos 2008) and its variants, or random, as scikit-learn.
enum NMFInitializer {
    /// Returns W (n×width) and Hᵀ (d×width): k components, then zero columns up to `width` (≥ k;
    /// the fit's SIMD padding).
    /// `totalSum`, when known, is the sum of X's values over all ranks. Rows may be spread over
    /// ranks: the SVD is taken over all of them, and every random draw for a row comes from a stream
    /// of its global row block, so W and H are the same bits on any number of ranks.
    static func start(_ x: CSRMatrix, settings: NMFSettings, width: Int? = nil, totalSum: Double? = nil,
                      communicator: Communicator) throws -> (w: DenseMatrix, ht: DenseMatrix) {
        let n = x.rowCount, d = x.columnCount, k = settings.k
        let kp = max(k, width ?? k)
        let blockRows = RowBlocks.rows
        let placement = communicator.placement(localRows: n)
        let total: Double
        if let totalSum { total = totalSum } else {
            var sum = NMF.valueSummary(x, blockRows: blockRows)
            communicator.allreduce(&sum)
            total = sum.double(at: 0)
        }
        let rows = Double(placement.totalRows)
        let mean = Float(total / (rows * Double(d)))
        /// The random stream of local row i's global block (rows drawn in order within a block).
        let blocks = RowBlocks.ranges(count: n, blockRows: blockRows)
        func blockStream(_ block: Int, base: UInt64) -> SeededGenerator {
            SeededGenerator(seed: settings.seed, stream: base &+ UInt64(placement.firstRow / blockRows + block))
        }
        var rng = SeededGenerator(seed: settings.seed, stream: 0x4E4D46)
        if settings.initialization == .random {
            // scikit-learn: |N(0, 1)| · sqrt(mean / k). H is drawn from the shared seed (identical on every
            // rank); W from a per-rank stream.
            let scale = (mean / Float(k)).squareRoot()
            var ht = DenseMatrix(rowCount: d, columnCount: kp)
            for j in 0..<d { for c in 0..<k { ht.values[j * kp + c] = scale * Float(abs(rng.nextGaussian())) } }
            var w = DenseMatrix(rowCount: n, columnCount: kp)
            for (b, range) in blocks.enumerated() {
                var wRng = blockStream(b, base: 0x57_0000_0000)
                for i in range { for c in 0..<k { w.values[i * kp + c] = scale * Float(abs(wRng.nextGaussian())) } }
            }
            return (w, ht)
        }
        var svdSettings = TruncatedSVD.Settings()
        svdSettings.powerIterations = settings.svdPowerIterations
        svdSettings.oversampling = settings.svdOversampling
        svdSettings.seed = settings.seed
        let svd = try TruncatedSVD(x, rank: k, settings: svdSettings, communicator: communicator, blockRows: blockRows)
        // Norms of the positive and negative parts of every singular vector: U by row blocks on all
        // cores, the blocks' partial sums added exactly and over ranks.
        let chunk = 8192
        var partials = [Double](repeating: 0, count: blocks.count * 2 * k)
        svd.u.values.withUnsafeBufferPointer { u in
            partials.withUnsafeMutableBufferPointer { out in
                guard let u = u.baseAddress, let out = out.baseAddress else { return }
                Parallel.forEach(blocks.count) { index in
                    let positive = out + index * 2 * k, negative = positive + k
                    for i in blocks[index] {
                        for c in 0..<k {
                            let v = Double(u[i * k + c])
                            if v > 0 { positive[c] += v * v } else { negative[c] += v * v }
                        }
                    }
                }
            }
        }
        var uNorms = ExactSum(count: 2 * k)
        for index in blocks.indices { uNorms.add(Array(partials[(index * 2 * k)..<((index + 1) * 2 * k)])) }
        communicator.allreduce(&uNorms)
        let xp = Array(uNorms.doubles[0..<k]), xn = Array(uNorms.doubles[k..<(2 * k)])
        var yp = [Double](repeating: 0, count: k), yn = yp
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
        // W = scale · the chosen part of U, H likewise from V; entries under ε are zeros, which
        // NNDSVDa fills with the mean of X and NNDSVDar with small random values (drawn in the
        // order W then Hᵀ, row by row).
        let epsilon: Float = 1e-6
        let fill: Float? = settings.initialization == .nndsvda ? mean : (settings.initialization == .nndsvd ? 0 : nil)
        @inline(__always) func entry(_ v: Float, _ c: Int) -> Float {
            let part = sign[c] == 0 ? abs(v) : max(0, sign[c] * v)
            return wScale[c] * part
        }
        var w = DenseMatrix(rowCount: n, columnCount: kp)
        var ht = DenseMatrix(rowCount: d, columnCount: kp)
        w.values.withUnsafeMutableBufferPointer { out in
            svd.u.values.withUnsafeBufferPointer { u in
                let out = out.baseAddress!, u = u.baseAddress!
                if let fill {
                    Parallel.forEachChunk(count: n, chunkSize: chunk) { _, rows in
                        for i in rows {
                            for c in 0..<k {
                                let value = entry(u[i * k + c], c)
                                out[i * kp + c] = value < epsilon ? fill : value
                            }
                        }
                    }
                } else {
                    for (b, range) in blocks.enumerated() {
                        var wRng = blockStream(b, base: 0x4E4D_0000_0000)
                        for i in range {
                            for c in 0..<k {
                                let value = entry(u[i * k + c], c)
                                out[i * kp + c] = value < epsilon ? abs(mean * Float(wRng.nextGaussian()) / 100) : value
                            }
                        }
                    }
                }
            }
        }
        for j in 0..<d {
            for c in 0..<k {
                let v = svd.vt[c, j]
                let value = hScale[c] * (sign[c] == 0 ? abs(v) : max(0, sign[c] * v))
                ht.values[j * kp + c] = value >= epsilon ? value : (fill ?? abs(mean * Float(rng.nextGaussian()) / 100))
            }
        }
        return (w, ht)
    }

}
