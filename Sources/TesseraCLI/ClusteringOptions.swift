import ArgumentParser
import Tessera

extension KMeansInitialization: ExpressibleByArgument {}
extension KMeansAlgorithm: ExpressibleByArgument {}
extension KMeansMetric: ExpressibleByArgument {}
extension SegmentMethod: ExpressibleByArgument {}
extension NMFSolver: ExpressibleByArgument {}
extension NMFInitialization: ExpressibleByArgument {}

/// Options that control the segmentation fit (shared by `segment` and later `sweep`/`run`).
struct ClusteringOptions: ParsableArguments {
    @Option(help: "Number of segments.")
    var k: Int = 40

    @Option(help: "Segmentation method: kmeans (one segment per follower) or nmf (soft membership).")
    var method: SegmentMethod = .kmeans

    @Option(help: "Seed of every random choice; the same seed gives the same segments.")
    var seed: UInt64 = 0

    @Option(help: "Independent fits from different seeds; the lowest objective is kept.")
    var restarts: Int = 1

    @Option(name: .customLong("init"), help: "Initialisation: kmeans++, kmeans|| or random.")
    var initialization: KMeansInitialization = .kmeansPlusPlus

    @Option(help: "k-means++: candidates tried per new centre (default 2·(2 + ⌊ln k⌋), twice scikit-learn's).")
    var initTrials: Int?

    @Option(help: "Iteration: lloyd (exact) or minibatch (streams batches; for inputs larger than memory).")
    var algorithm: KMeansAlgorithm = .lloyd

    @Option(help: "Distance: cosine (spherical k-means on unit rows) or euclidean.")
    var metric: KMeansMetric = .cosine

    @Option(help: "Maximum iterations (default: 300 for k-means, 200 for NMF).")
    var maxIterations: Int?

    @Option(help: "Convergence tolerance (default 1e-4). k-means: total squared centre shift relative to the mean interest variance; NMF: error decrease relative to the initial error.")
    var tolerance: Double?

    @Option(help: "Mini-batch: rows per batch.")
    var batchSize: Int = 4096

    @Option(help: "Mini-batch: passes over the data.")
    var epochs: Int = 10

    @Flag(name: .customLong("no-bounds"), help: "Recompute every distance in every iteration (no Hamerly bounds).")
    var noBounds = false

    @Option(help: "NMF update rule: hals (coordinate descent) or mu (multiplicative).")
    var solver: NMFSolver = .hals

    @Option(help: "NMF initialisation: nndsvd, nndsvda, nndsvdar or random.")
    var nmfInit: NMFInitialization = .nndsvda

    @Option(help: "NMF: power iterations of the truncated SVD behind NNDSVD (default 1).") var svdPowerIterations: Int?

    @Option(help: "NMF: L1 penalty on W (profiles' segment weights).") var l1W: Float = 0
    @Option(help: "NMF: L2 penalty on W.") var l2W: Float = 0
    @Option(help: "NMF: L1 penalty on H (segments' interest loadings).") var l1H: Float = 0
    @Option(help: "NMF: L2 penalty on H.") var l2H: Float = 0

    var nmf: NMFSettings {
        var s = NMFSettings(k: k)
        s.seed = seed
        s.solver = solver
        s.initialization = nmfInit
        if let maxIterations { s.maxIterations = maxIterations }
        if let tolerance { s.tolerance = tolerance }
        if let svdPowerIterations { s.svdPowerIterations = svdPowerIterations }
        s.l1W = l1W
        s.l2W = l2W
        s.l1H = l1H
        s.l2H = l2H
        return s
    }

    var kmeans: KMeansSettings {
        var s = KMeansSettings(k: k)
        s.seed = seed
        s.restarts = restarts
        s.initialization = initialization
        s.algorithm = algorithm
        s.metric = metric
        if let maxIterations { s.maxIterations = maxIterations }
        if let tolerance { s.tolerance = tolerance }
        s.batchSize = batchSize
        s.maxEpochs = epochs
        s.useBounds = !noBounds
        s.plusPlusTrials = initTrials
        return s
    }

    func validate() throws {
        if k < 1 { throw ValidationError("--k must be at least 1") }
        if restarts < 1 { throw ValidationError("--restarts must be at least 1") }
        if let initTrials, initTrials < 1 { throw ValidationError("--init-trials must be at least 1") }
        if let maxIterations, maxIterations < 1 { throw ValidationError("--max-iterations must be at least 1") }
        if let tolerance, !(tolerance >= 0) { throw ValidationError("--tolerance must be a non-negative number") }
        if [l1W, l2W, l1H, l2H].contains(where: { !($0 >= 0) }) { throw ValidationError("NMF penalties must be non-negative") }
        if method == .nmf && algorithm == .minibatch { throw ValidationError("--algorithm minibatch is a k-means option; NMF always uses the whole matrix") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if epochs < 1 { throw ValidationError("--epochs must be at least 1") }
    }
}
