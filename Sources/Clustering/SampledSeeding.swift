import LinearAlgebra

/// Starting centres for Lloyd on many dense rows: k-means++ and Lloyd on a seeded uniform sample,
/// whose centres then start Lloyd on every row.
///
/// Greedy k-means++ reads every row once per candidate step (k · trials passes over the data); on a
/// sample of `rowsPerSegment · k` rows the same choice costs a small fraction, and Lloyd on the sample
/// already places the centres where Lloyd on all rows would move them. What the sample misses (a
/// segment seeded twice, two segments sharing a centre) is what `SplitMergeRefinement` repairs.
public enum SampledSeeding {
    /// Rows per segment in the sample (default 256: 10,240 rows at k = 40).
    public static let rowsPerSegment = 256

    /// k×d starting centres for `data` (dense rows), seeded by `settings.seed` and `restart`.
    /// With rows spread over ranks, the sample is drawn by global row index and gathered, and every
    /// rank seeds from the same sample: the centres do not depend on the number of ranks.
    public static func centres(_ data: DenseMatrix, settings: KMeansSettings, restart: Int,
                               communicator: Communicator = SingleProcessCommunicator()) throws -> DenseMatrix {
        let placement = communicator.placement(localRows: data.rowCount)
        let n = placement.totalRows
        let m = min(n, rowsPerSegment * settings.k)
        var rng = SeededGenerator(seed: settings.seed, stream: 0x5341_4D50_0000 &+ UInt64(restart))
        let rows = m == n ? Array(0..<n) : Initializer.randomRows(count: m, from: n, rng: &rng).sorted()
        let sample = communicator.gatherRows(rows, from: data, placement: placement)
        var s = settings
        s.restarts = 1
        s.seed = settings.seed &+ UInt64(restart)
        return try KMeans.fit(.dense(sample), settings: s).centres
    }
}
