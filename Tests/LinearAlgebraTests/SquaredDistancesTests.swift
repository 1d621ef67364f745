import Testing
import LinearAlgebra

@Suite struct SquaredDistancesTests {
    @Test func clampsCancellationAtZero() {
        // 1 + 1 − 2·1.0000001 is slightly negative in Float: the clamp returns 0.
        #expect(squaredDistance(squaredNorms: Float(1), 1, dot: 1.0000001) == 0)
        #expect(squaredDistance(squaredNorms: 4.0, 9.0, dot: 0.0) == 13)
    }

    @Test func gramMatchesDirectDistances() {
        let rows = Fixtures.dense(7, 5, seed: 11)
        let gram = BLAS.gram(rows, transpose: false)
        let inFloat = squaredDistances(fromGram: gram, as: Float.self)
        let inDouble = squaredDistances(fromGram: gram, as: Double.self)
        for a in 0..<7 {
            #expect(inFloat[a * 7 + a] == 0)
            #expect(inDouble[a * 7 + a] == 0)
            for b in 0..<7 {
                var direct = 0.0
                for j in 0..<5 { let t = Double(rows[a, j]) - Double(rows[b, j]); direct += t * t }
                #expect(abs(Double(inFloat[a * 7 + b]) - direct) < 1e-4)
                #expect(abs(inDouble[a * 7 + b] - direct) < 1e-4)
                #expect(inFloat[a * 7 + b] == inFloat[b * 7 + a])
            }
        }
    }
}
