import Foundation
import Testing
import Clustering
import LinearAlgebra
import TesseraTestSupport

@Suite struct LatentSpaceTests {
    @Test func automaticDimensionsFollowK() {
        #expect(LatentSpace.automaticDimensions(k: 20, rows: 10_000, columns: 5_000) == 40)
        #expect(LatentSpace.automaticDimensions(k: 40, rows: 10_000, columns: 5_000) == 56)
        #expect(LatentSpace.automaticDimensions(k: 100, rows: 10_000, columns: 5_000) == 120)
        // Never more than the matrix allows.
        #expect(LatentSpace.automaticDimensions(k: 40, rows: 10_000, columns: 30) == 29)
        for k in 1...200 {
            let r = LatentSpace.automaticDimensions(k: k, rows: 1_000_000, columns: 1_000_000)
            #expect(r >= k + 8 && r <= k + 23 && (r + 8) % 16 == 0)
        }
    }

    /// The rows the space was fitted on embed to the coordinates the fit returned (X·V = U·S), at unit length.
    @Test func embeddingNewRowsMatchesTheFit() throws {
        let x = Fixtures.clusteredSparse(rows: 500, columns: 120, groups: 4, seed: 2)
        var settings = LatentSpace.Settings()
        settings.seed = 7
        let (space, embedded) = try LatentSpace.fit(x, k: 4, settings: settings)
        #expect(space.dimensions == LatentSpace.automaticDimensions(k: 4, rows: 500, columns: 120))
        #expect(space.interestCount == 120)
        let again = try space.embed(x)
        var worst: Float = 0
        for t in 0..<again.values.count { worst = max(worst, abs(again.values[t] - embedded.values[t])) }
        #expect(worst < 1e-3)
        for i in 0..<500 {
            let norm = (0..<space.dimensions).reduce(Float(0)) { $0 + embedded[i, $1] * embedded[i, $1] }
            #expect(x.nonzeroCount(inRow: i) == 0 ? norm == 0 : abs(norm - 1) < 1e-4)
        }
        // Seeded: the same seed gives the same space.
        let (same, _) = try LatentSpace.fit(x, k: 4, settings: settings)
        #expect(same == space)
    }
}
