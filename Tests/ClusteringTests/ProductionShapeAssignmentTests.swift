import Testing
import Clustering
import LinearAlgebra

/// The sparse and dense assignment kernels at production k (40 → three SIMD blocks, 48, 64, 100 → seven),
/// with empty rows and single-interest rows, against a brute-force nearest centre in Double.
@Suite struct ProductionShapeAssignmentTests {
    @Test(arguments: [40, 48, 64, 100])
    func nearestCentreMatchesBruteForce(k: Int) throws {
        var rng = SeededGenerator(seed: UInt64(1000 + k))
        let n = 700, d = 250
        var x = DenseMatrix(rowCount: n, columnCount: d)
        for i in 0..<n where i % 9 != 0 {
            if i % 4 == 0 { x[i, Int(rng.next() % UInt64(d))] = 1; continue }
            for j in 0..<d where rng.nextUnitInterval() < 0.04 { x[i, j] = Float(rng.nextUnitInterval() + 0.2) }
        }
        var centres = DenseMatrix(rowCount: k, columnCount: d)
        for i in centres.values.indices { centres.values[i] = Float(rng.nextUnitInterval()) * 0.3 }
        func brute(_ i: Int) -> (Int, Double) {
            var best = (0, Double.infinity)
            for c in 0..<k {
                var s = 0.0
                for j in 0..<d { let t = Double(x[i, j]) - Double(centres[c, j]); s += t * t }
                if s < best.1 { best = (c, s) }
            }
            return best
        }
        for data in [ClusteringData.sparse(CSRMatrix(dense: x)), .dense(x)] {
            let (labels, distances) = try KMeans.predict(data, centres: centres, metric: .euclidean)
            for i in 0..<n {
                let (c, s) = brute(i)
                // A near-tie may go either way in Float; then both centres must be equally near.
                if Int(labels[i]) != c {
                    #expect(abs(Double(distances[i]) - s) <= 1e-4 * max(1, s), "row \(i), k = \(k)")
                } else {
                    #expect(abs(Double(distances[i]) - s) <= 1e-3 * max(1, s), "row \(i), k = \(k): \(distances[i]) vs \(s)")
                }
            }
        }
    }
}
