import Foundation

/// One segmentation job: every setting with one name, one default and one bound.
///
/// The same value is the job file (`tessera run JOB.yaml`, written by `segment --save-job`), the
/// `parameters` of run.json and the metadata of model.tessera, so the three can never disagree.
/// Defaults come from the modules' own settings structs (`LoaderSettings`, `KMeansSettings`,
/// `NMFSettings`, `InsightSettings`, `Stability.Settings`); bounds are checked once, in
/// `validate()` (JobSpec+Validation.swift). Keys are snake_case; a key missing from a file takes its
/// default, an unknown key is an error that names it.
public struct JobSpec: Sendable, Equatable {
    // MARK: Inputs and loading
    /// Profile files (JSON Lines, CSV, TSV, optionally gzip) or one profile cache.
    public var inputs: [String] = []
    /// Input format of every file; nil: from each file's extension.
    public var format: InputFormat? = LoaderSettings().format
    public var normalization = Normalization()
    public var pruning = Pruning()
    /// Matrix values (default tf-idf).
    public var weighting: Weighting = LoaderSettings().weighting
    /// Scale each profile row to unit length (default true).
    public var l2: Bool = LoaderSettings().normalizeRows
    /// Repeated profile ids in JSON Lines (default merge).
    public var duplicates: DuplicatePolicy = LoaderSettings().duplicates
    /// Edge-list header handling (default auto).
    public var header: HeaderPolicy = LoaderSettings().header
    /// Lines longer than this are rejected (default 1 MiB).
    public var maxLineBytes: Int = LoaderSettings().maxLineBytes
    /// Stop at the first bad record instead of rejecting it (default false).
    public var strict: Bool = LoaderSettings().strict

    // MARK: Segmentation
    /// The method (default k-means). Its own settings are in `kmeans` or `nmf`.
    public var method: SegmentMethod = .kmeans
    /// Number of segments (default 40).
    public var k: Int = KMeansSettings().k
    /// Seed of every random choice (default 0): the same seed gives the same segments.
    public var seed: UInt64 = KMeansSettings().seed
    /// k-means: independent fits from consecutive seeds, the lowest objective kept (default 1).
    public var restarts: Int = KMeansSettings().restarts
    public var kmeans = KMeansOptions()
    public var nmf = NMFOptions()

    // MARK: Description
    /// Bootstrap re-fits for each segment's stability; 0 turns it off (default 5).
    public var stability: Int = Stability.Settings().rounds
    /// Rows drawn per stability re-fit (default 20,000).
    public var stabilitySample: Int = Stability.Settings().sampleSize
    /// Interests listed per segment in segments.json by weight (default 10).
    public var topInterests: Int = 10
    /// The rules of the segment descriptions (affinity support, shrinkage, labels, minimum size).
    public var insights = InsightSettings()
    /// The firm's assets, potential partners and interest aliases (CSV files; all optional).
    public var assets: String?
    public var partners: String?
    public var aliases: String?

    // MARK: Outputs
    /// The run folder (default `tessera-output`).
    public var out: String = "tessera-output"
    /// Also write assignments.csv (default false).
    public var assignments: Bool = false
    /// Write every rejected line to this CSV file.
    public var rejects: String?
    /// Write the ids of profiles left with no interest to this file.
    public var emptyIds: String?

    public init() {}

    /// Interest normalisation (job keys `normalization.trim`, `.nfkc`, `.case_fold`, `.strip_sigil`,
    /// `.interest_hygiene`).
    public struct Normalization: Sendable, Equatable {
        public var trim = NormalizationSettings().trim
        public var nfkc = NormalizationSettings().unicodeNFKC
        public var caseFold = NormalizationSettings().caseFold
        public var stripSigil = NormalizationSettings().stripSigil
        /// Handles and hashtags reduced to their valid form, debris dropped (default true).
        public var interestHygiene = NormalizationSettings().interestHygiene
        public init() {}
    }

    /// Vocabulary pruning (job keys `pruning.min_df`, `.max_df`, `.max_vocabulary`).
    public struct Pruning: Sendable, Equatable {
        public var minDF = LoaderSettings().minDocumentFrequency
        public var maxDF = LoaderSettings().maxDocumentFrequency
        public var maxVocabulary: Int? = LoaderSettings().maxVocabularySize
        public init() {}
    }

    /// The k-means settings other than k, seed and restarts (job section `kmeans`).
    public struct KMeansOptions: Sendable, Equatable {
        public var initialization = KMeansSettings().initialization
        /// k-means++ candidates per new centre; nil: 2·(2 + ⌊ln k⌋).
        public var initTrials: Int? = KMeansSettings().plusPlusTrials
        public var parallelRounds = KMeansSettings().parallelRounds
        public var parallelOversampling = KMeansSettings().parallelOversampling
        public var algorithm = KMeansSettings().algorithm
        public var metric = KMeansSettings().metric
        public var maxIterations = KMeansSettings().maxIterations
        public var tolerance = KMeansSettings().tolerance
        public var bounds = KMeansSettings().useBounds
        public var batchSize = KMeansSettings().batchSize
        public var epochs = KMeansSettings().maxEpochs
        public var patience = KMeansSettings().miniBatchPatience
        /// The space segments are found in (default latent).
        public var space = KMeansSettings().space
        /// Latent dimensions; nil: `LatentSpace.automaticDimensions` (k + 8 to k + 23).
        public var spaceDimensions: Int? = KMeansSettings().spaceDimensions
        /// Profiles the latent directions are found on (default 65,536; 0: every profile).
        public var spaceSampleRows = KMeansSettings().spaceSampleRows
        /// The split–merge step after Lloyd (default on).
        public var refine = KMeansSettings().refine
        public init() {}
    }

    /// The NMF settings other than k and seed (job section `nmf`).
    public struct NMFOptions: Sendable, Equatable {
        public var solver = NMFSettings().solver
        public var initialization = NMFSettings().initialization
        public var maxIterations = NMFSettings().maxIterations
        public var tolerance = NMFSettings().tolerance
        public var checkEvery = NMFSettings().checkEvery
        public var svdPowerIterations = NMFSettings().svdPowerIterations
        public var svdOversampling = NMFSettings().svdOversampling
        public var l1W = NMFSettings().l1W
        public var l2W = NMFSettings().l2W
        public var l1H = NMFSettings().l1H
        public var l2H = NMFSettings().l2H
        public init() {}
    }
}

// MARK: - The modules' settings, derived (never stored twice)

extension JobSpec {
    /// How the inputs are read.
    public var loaderSettings: LoaderSettings {
        var s = LoaderSettings()
        s.format = format
        s.normalization = NormalizationSettings(trim: normalization.trim, unicodeNFKC: normalization.nfkc,
                                                caseFold: normalization.caseFold, stripSigil: normalization.stripSigil,
                                                interestHygiene: normalization.interestHygiene)
        s.minDocumentFrequency = pruning.minDF
        s.maxDocumentFrequency = pruning.maxDF
        s.maxVocabularySize = pruning.maxVocabulary
        s.weighting = weighting
        s.normalizeRows = l2
        s.duplicates = duplicates
        s.header = header
        s.maxLineBytes = maxLineBytes
        s.strict = strict
        return s
    }

    /// Records the loader settings actually used (a cache brings its own) in the spec.
    public mutating func adopt(_ s: LoaderSettings) {
        format = s.format
        normalization.trim = s.normalization.trim
        normalization.nfkc = s.normalization.unicodeNFKC
        normalization.caseFold = s.normalization.caseFold
        normalization.stripSigil = s.normalization.stripSigil
        normalization.interestHygiene = s.normalization.interestHygiene
        pruning.minDF = s.minDocumentFrequency
        pruning.maxDF = s.maxDocumentFrequency
        pruning.maxVocabulary = s.maxVocabularySize
        weighting = s.weighting
        l2 = s.normalizeRows
        duplicates = s.duplicates
        header = s.header
        maxLineBytes = s.maxLineBytes
        strict = s.strict
    }

    public var kmeansSettings: KMeansSettings {
        var s = KMeansSettings(k: k)
        s.seed = seed
        s.restarts = restarts
        s.initialization = kmeans.initialization
        s.plusPlusTrials = kmeans.initTrials
        s.parallelRounds = kmeans.parallelRounds
        s.parallelOversampling = kmeans.parallelOversampling
        s.algorithm = kmeans.algorithm
        s.metric = kmeans.metric
        s.maxIterations = kmeans.maxIterations
        s.tolerance = kmeans.tolerance
        s.useBounds = kmeans.bounds
        s.batchSize = kmeans.batchSize
        s.maxEpochs = kmeans.epochs
        s.miniBatchPatience = kmeans.patience
        s.space = kmeans.space
        s.spaceDimensions = kmeans.spaceDimensions
        s.spaceSampleRows = kmeans.spaceSampleRows
        s.refine = kmeans.refine
        return s
    }

    public var nmfSettings: NMFSettings {
        var s = NMFSettings(k: k)
        s.seed = seed
        s.solver = nmf.solver
        s.initialization = nmf.initialization
        s.maxIterations = nmf.maxIterations
        s.tolerance = nmf.tolerance
        s.checkEvery = nmf.checkEvery
        s.svdPowerIterations = nmf.svdPowerIterations
        s.svdOversampling = nmf.svdOversampling
        s.l1W = nmf.l1W
        s.l2W = nmf.l2W
        s.l1H = nmf.l1H
        s.l2H = nmf.l2H
        return s
    }

    public var stabilitySettings: Stability.Settings {
        var s = Stability.Settings()
        s.rounds = stability
        s.sampleSize = stabilitySample
        s.seed = seed
        return s
    }

    /// The method this job fits: the one place where the choice of method is turned into code.
    public func segmentationMethod() -> any SegmentationMethod {
        switch method {
        case .kmeans: return KMeansMethod(settings: kmeansSettings)
        case .nmf: return NMFMethod(settings: nmfSettings)
        }
    }

    /// The same job with paths made absolute against `base` (the job file's folder or the working directory).
    public func resolvingPaths(against base: String) -> JobSpec {
        func absolute(_ p: String) -> String { p.hasPrefix("/") ? p : URL(fileURLWithPath: base).appendingPathComponent(p).standardized.path }
        var s = self
        s.inputs = inputs.map(absolute)
        s.assets = assets.map(absolute)
        s.partners = partners.map(absolute)
        s.aliases = aliases.map(absolute)
        s.out = absolute(out)
        s.rejects = rejects.map(absolute)
        s.emptyIds = emptyIds.map(absolute)
        return s
    }
}
