import ArgumentParser
import Tessera

extension KMeansInitialization: ExpressibleByArgument {}
extension KMeansAlgorithm: ExpressibleByArgument {}
extension KMeansMetric: ExpressibleByArgument {}
extension SegmentMethod: ExpressibleByArgument {}

/// Options that control the segmentation fit (shared by `segment` and later `sweep`/`run`).
struct ClusteringOptions: ParsableArguments {
    @Option(help: "Number of segments.")
    var k: Int = 40

    @Option(help: "Segmentation method: kmeans.")
    var method: SegmentMethod = .kmeans

    @Option(help: "Seed of every random choice; the same seed gives the same segments.")
    var seed: UInt64 = 0

    @Option(help: "Independent fits from different seeds; the lowest objective is kept.")
    var restarts: Int = 1

    @Option(name: .customLong("init"), help: "Initialisation: kmeans++, kmeans|| or random.")
    var initialization: KMeansInitialization = .kmeansPlusPlus

    @Option(help: "Iteration: lloyd (exact) or minibatch (streams batches; for inputs larger than memory).")
    var algorithm: KMeansAlgorithm = .lloyd

    @Option(help: "Distance: cosine (spherical k-means on unit rows) or euclidean.")
    var metric: KMeansMetric = .cosine

    @Option(help: "Maximum Lloyd iterations.")
    var maxIterations: Int = 300

    @Option(help: "Stop when the total squared centre shift falls below this × the mean interest variance.")
    var tolerance: Double = 1e-4

    @Option(help: "Mini-batch: rows per batch.")
    var batchSize: Int = 4096

    @Option(help: "Mini-batch: passes over the data.")
    var epochs: Int = 10

    @Flag(name: .customLong("no-bounds"), help: "Recompute every distance in every iteration (no Hamerly bounds).")
    var noBounds = false

    var kmeans: KMeansSettings {
        var s = KMeansSettings(k: k)
        s.seed = seed
        s.restarts = restarts
        s.initialization = initialization
        s.algorithm = algorithm
        s.metric = metric
        s.maxIterations = maxIterations
        s.tolerance = tolerance
        s.batchSize = batchSize
        s.maxEpochs = epochs
        s.useBounds = !noBounds
        return s
    }

    func validate() throws {
        if k < 1 { throw ValidationError("--k must be at least 1") }
        if restarts < 1 { throw ValidationError("--restarts must be at least 1") }
        if maxIterations < 1 { throw ValidationError("--max-iterations must be at least 1") }
        if !(tolerance >= 0) { throw ValidationError("--tolerance must be a non-negative number") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if epochs < 1 { throw ValidationError("--epochs must be at least 1") }
    }
}
