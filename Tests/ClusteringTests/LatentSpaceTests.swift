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
        let (space, embedded, fittedRows) = try LatentSpace.fit(x, k: 4, settings: settings)
        #expect(fittedRows == 500)
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
        let (same, _, _) = try LatentSpace.fit(x, k: 4, settings: settings)
        #expect(same == space)
    }

    /// Directions found on a sample: every row is projected through them (exactly what `embed` gives
    /// a new profile), the directions come largest first with their weight over every row, and the
    /// space separates the groups as well as the space found on every row.
    @Test func directionsFoundOnASampleSeparateTheGroups() throws {
        let groups = 6
        let x = Fixtures.clusteredSparse(rows: 3_000, columns: 240, groups: groups, seed: 5)
        var settings = LatentSpace.Settings()
        settings.seed = 3
        settings.sampleRows = 400
        #expect(LatentSpace.sampleSize(rows: 3_000, dimensions: 14, settings: settings) == 400)
        #expect(LatentSpace.sampleSize(rows: 799, dimensions: 14, settings: settings) == nil)
        settings.sampleRows = 0
        #expect(LatentSpace.sampleSize(rows: 3_000, dimensions: 14, settings: settings) == nil)
        let (full, fullRows, allRows) = try LatentSpace.fit(x, k: groups, settings: settings)
        settings.sampleRows = 400
        let (sampled, sampledRows, fittedRows) = try LatentSpace.fit(x, k: groups, settings: settings)
        #expect(allRows == 3_000 && fittedRows == 400)
        #expect(sampled.dimensions == full.dimensions && sampled.interestCount == 240)
        #expect(try sampled.embed(x) == sampledRows)
        #expect(zip(sampled.singularValues, sampled.singularValues.dropFirst()).allSatisfy { $0 >= $1 })
        // σ_c is ‖X·v_c‖ over every row.
        let projected = try x.times(sampled.projection)
        for c in 0..<sampled.dimensions {
            let norm = (0..<3_000).reduce(0.0) { $0 + Double(projected[$1, c]) * Double(projected[$1, c]) }.squareRoot()
            #expect(abs(norm - Double(sampled.singularValues[c])) <= 1e-3 * norm)
        }
        // The planted groups: k-means in either space recovers them.
        let truth = (0..<3_000).map { $0 % groups }
        for rows in [fullRows, sampledRows] {
            var s = KMeansSettings(k: groups)
            s.seed = 1
            s.restarts = 4
            let labels = try KMeans.fit(.dense(rows), settings: s).labels.map(Int.init)
            #expect(normalizedMutualInformation(labels, truth) > 0.95)
        }
        // The same seed draws the same sample; another seed another one.
        #expect(try LatentSpace.fit(x, k: groups, settings: settings).space == sampled)
        settings.seed = 4
        #expect(try LatentSpace.fit(x, k: groups, settings: settings).space != sampled)
    }
}
