import ArgumentParser
import Tessera

extension KMeansInitialization: ExpressibleByArgument {}
extension KMeansAlgorithm: ExpressibleByArgument {}
extension KMeansMetric: ExpressibleByArgument {}
extension KMeansSpace: ExpressibleByArgument {}
extension SegmentMethod: ExpressibleByArgument {}
extension NMFSolver: ExpressibleByArgument {}
extension NMFInitialization: ExpressibleByArgument {}

/// Options that control the segmentation fit (shared by `segment` and `sweep`). Defaults are the
/// job's (`JobSpec`); bounds are checked by `JobSpec.validate()`, not here.
struct ClusteringOptions: ParsableArguments {
    @Option(help: "Number of segments.")
    var k: Int = JobSpec().k

    @Option(help: "Segmentation method: kmeans (one segment per follower) or nmf (soft membership).")
    var method: SegmentMethod = JobSpec().method

    @Option(help: "Seed of every random choice; the same seed gives the same segments.")
    var seed: UInt64 = JobSpec().seed

    @Option(help: "Independent fits from different seeds; the lowest objective is kept.")
    var restarts: Int = JobSpec().restarts

    @Option(name: .customLong("init"), help: "Initialisation: kmeans++, kmeans|| or random.")
    var initialization: KMeansInitialization = JobSpec().kmeans.initialization

    @Option(help: "k-means++: candidates tried per new centre (default 2·(2 + ⌊ln k⌋), twice scikit-learn's).")
    var initTrials: Int?

    @Option(help: "Iteration: lloyd (exact) or minibatch (streams batches; for inputs larger than memory).")
    var algorithm: KMeansAlgorithm = JobSpec().kmeans.algorithm

    @Option(help: "Distance: cosine (spherical k-means on unit rows) or euclidean.")
    var metric: KMeansMetric = JobSpec().kmeans.metric

    @Option(help: "Maximum iterations (default: \(JobSpec().kmeans.maxIterations) for k-means, \(JobSpec().nmf.maxIterations) for NMF).")
    var maxIterations: Int?

    @Option(help: "Convergence tolerance (default 1e-4). k-means: total squared centre shift relative to the mean interest variance; NMF: projected-gradient violation relative to the first iteration's (scikit-learn's cd rule).")
    var tolerance: Double?

    @Option(help: "Mini-batch: rows per batch.")
    var batchSize: Int = JobSpec().kmeans.batchSize

    @Option(help: "Mini-batch: passes over the data.")
    var epochs: Int = JobSpec().kmeans.epochs

    @Flag(name: .customLong("no-bounds"), help: "Recompute every distance in every iteration (no Hamerly bounds).")
    var noBounds = false

    @Option(help: "k-means: the space segments are found in: latent (truncated SVD of the profiles, the default) or interests (the raw interest columns).")
    var space: KMeansSpace = JobSpec().kmeans.space

    @Option(help: "k-means: dimensions of the latent space (default k + 8, rounded up so the SVD sketch fills a multiple of 16 columns).")
    var spaceDimensions: Int?

    @Option(help: "k-means: profiles the latent directions are found on (default 65,536; 0: every profile). Larger inputs are projected through the directions found on a seeded sample of this many.")
    var spaceSampleRows: Int = JobSpec().kmeans.spaceSampleRows

    @Flag(name: .customLong("no-refine"), help: "k-means: skip the split–merge step after Lloyd (for comparison).")
    var noRefine = false

    @Option(help: "NMF update rule: hals (coordinate descent) or mu (multiplicative).")
    var solver: NMFSolver = JobSpec().nmf.solver

    @Option(help: "NMF initialisation: nndsvd, nndsvda, nndsvdar or random.")
    var nmfInit: NMFInitialization = JobSpec().nmf.initialization

    @Option(help: "NMF: power iterations of the truncated SVD behind NNDSVD.")
    var svdPowerIterations: Int = JobSpec().nmf.svdPowerIterations

    @Option(help: "NMF: L1 penalty on W (profiles' segment weights).") var l1W: Float = JobSpec().nmf.l1W
    @Option(help: "NMF: L2 penalty on W.") var l2W: Float = JobSpec().nmf.l2W
    @Option(help: "NMF: L1 penalty on H (segments' interest loadings).") var l1H: Float = JobSpec().nmf.l1H
    @Option(help: "NMF: L2 penalty on H.") var l2H: Float = JobSpec().nmf.l2H

    /// Writes these flags into a job.
    func apply(to spec: inout JobSpec) {
        spec.k = k
        spec.method = method
        spec.seed = seed
        spec.restarts = restarts
        spec.kmeans.initialization = initialization
        spec.kmeans.initTrials = initTrials
        spec.kmeans.algorithm = algorithm
        spec.kmeans.metric = metric
        if let maxIterations { spec.kmeans.maxIterations = maxIterations; spec.nmf.maxIterations = maxIterations }
        if let tolerance { spec.kmeans.tolerance = tolerance; spec.nmf.tolerance = tolerance }
        spec.kmeans.batchSize = batchSize
        spec.kmeans.epochs = epochs
        spec.kmeans.bounds = !noBounds
        spec.kmeans.space = space
        spec.kmeans.spaceDimensions = spaceDimensions
        spec.kmeans.spaceSampleRows = spaceSampleRows
        spec.kmeans.refine = !noRefine
        spec.nmf.solver = solver
        spec.nmf.initialization = nmfInit
        spec.nmf.svdPowerIterations = svdPowerIterations
        spec.nmf.l1W = l1W
        spec.nmf.l2W = l2W
        spec.nmf.l1H = l1H
        spec.nmf.l2H = l2H
    }
}

extension JobSpec {
    /// Checks the job and reports a problem in terms of the command-line flag (exit code 2).
    func validateAsFlags() throws {
        do { try validate() } catch let error as InvalidJobSetting { throw ValidationError(error.flagDescription) }
    }
}
