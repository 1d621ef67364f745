import Foundation

/// A way of finding segments: k-means and NMF are the two today. The pipeline, `sweep`, stability,
/// `wall` and `assign` talk to a method only through this protocol; the choice of method is made
/// once, in `JobSpec.segmentationMethod()`.
///
/// A new method is one new file: a type conforming to this protocol, a case in `SegmentMethod`,
/// its options in `JobSpec` and the one line that builds it in `segmentationMethod()`.
public protocol SegmentationMethod: Sendable {
    /// The method's name as users write it (`kmeans`, `nmf`).
    var name: SegmentMethod { get }
    /// Number of segments.
    var k: Int { get }

    /// Fits the method to the rows of `matrix` (or to `rows`, when the method can stream them and
    /// the matrix was not loaded), reporting iterations on `progress`.
    func fit(_ matrix: CSRMatrix, rows: RowSource?, progress: ProgressReporter) throws -> SegmentFit

    /// The same method with another k and seed, and settings suited to a quick re-fit on a sample
    /// (one restart, exact iterations): what stability bootstraps and `sweep` fit.
    func refitting(k: Int, seed: UInt64) -> any SegmentationMethod

    /// Places rows (already in the model's interest columns and weighting) into fitted segments:
    /// `profiles` are the segment profiles over the interests, `space` the space the segments were
    /// found in when it is not the interests themselves.
    func place(_ matrix: CSRMatrix, profiles: DenseMatrix, space: FittedSpace?) throws -> Placement

    /// The same method bound to the space a fit found, so re-fits on samples (stability) work in it.
    func reusing(_ fit: SegmentFit) -> any SegmentationMethod

    /// The same method with the space it will work in fitted once on `matrix` for up to `maxK`
    /// segments (what `sweep` re-uses for every k).
    func preparingSpace(_ matrix: CSRMatrix, maxK: Int) throws -> any SegmentationMethod

    /// The rows as the method compares them (the latent coordinates for k-means in the latent
    /// space, the interest rows otherwise): what silhouettes and the sweep's scores are measured on,
    /// given the space of `fit` (or the method's own fixed space when `fit` is nil).
    func measuredRows(_ matrix: CSRMatrix, fit: SegmentFit?) throws -> MeasuredRows

    /// Whether `fit` can stream rows from a `RowSource` instead of a loaded matrix.
    var streamsRows: Bool { get }
    /// The same method fitting rows spread over the ranks of `communicator` (each rank passes its
    /// own rows to `fit`, which returns that rank's labels and the same segments on every rank).
    /// Throws when the method's settings cannot run on several processes.
    func spread(over communicator: Communicator) throws -> any SegmentationMethod
    /// Completes a spread fit once its per-row results are gathered: whatever needs every row at
    /// once (k-means: the segments' mean interest rows).
    func completeSpread(_ fit: inout SegmentFit, allRows: CSRMatrix)
}

extension SegmentationMethod {
    public func reusing(_ fit: SegmentFit) -> any SegmentationMethod { self }
    public func preparingSpace(_ matrix: CSRMatrix, maxK: Int) throws -> any SegmentationMethod { self }
    public func measuredRows(_ matrix: CSRMatrix, fit: SegmentFit?) throws -> MeasuredRows { .sparse(matrix) }
    public func completeSpread(_ fit: inout SegmentFit, allRows: CSRMatrix) {}

    public func spread(over communicator: Communicator) throws -> any SegmentationMethod {
        guard communicator.size == 1 else { throw ClusteringError.invalidSettings("\(name.rawValue) cannot run on several processes") }
        return self
    }
}

/// The space a fit found its segments in when it is not the interests: the latent projection and
/// the segment centres in it. Placing a new profile projects it and takes the nearest centre.
public struct FittedSpace: Sendable, Equatable {
    public var space: LatentSpace
    /// k×r segment centres in the latent space.
    public var centres: DenseMatrix
    public init(space: LatentSpace, centres: DenseMatrix) {
        self.space = space
        self.centres = centres
    }
}

/// Where each row of a matrix belongs: a hard segment, plus what the method knows besides.
public struct Placement: Sendable {
    /// The segment of every row.
    public var segments: [Int32]
    /// Squared distance to the segment's centre (k-means).
    public var distances: [Float]?
    /// Soft membership (NMF): primary and secondary segment with their strengths.
    public var memberships: [SoftMembership]?
}

/// The method-independent outcome of a fit.
public struct SegmentFit: Sendable {
    /// Hard segment of every segmented row.
    public var labels: [Int32]
    public var sizes: [Int]
    /// k×d segment profiles over the interests: k-means centres, or NMF's H rows (unit length).
    public var profiles: DenseMatrix
    /// The objective the method minimises (k-means inertia, NMF's ‖X − W·H‖_F).
    public var objective: Double
    public var iterations: Int
    public var converged: Bool
    public var prepareSeconds: Double = 0
    public var initSeconds: Double = 0
    /// Final objective of each restart (one entry without restarts).
    public var restartObjectives: [Double]
    /// The method's per-iteration statistics, as written to run.json.
    public var history: IterationHistory
    /// Soft membership of every row (NMF).
    public var memberships: [SoftMembership]?
    /// The latent space and centres (k-means in the latent space); nil when segments were found
    /// on the interests.
    public var space: FittedSpace?
    /// What the split–merge step did (k-means in the latent space).
    public var refinement: SplitMergeRefinement.Report?
    /// The fitted rows' latent coordinates (n×r, unit rows), kept so the fit's measures need not
    /// project the matrix a second time; nil when segments were found on the interests.
    public var embeddedRows: DenseMatrix?
    /// Seconds spent finding the latent space (part of `prepareSeconds`).
    public var spaceSeconds: Double = 0
    /// The rows the latent directions were found on (all rows, or the sample of
    /// `LatentSpace.Settings.sampleRows`); nil when no space was fitted.
    public var spaceFittedRows: Int?
    /// Bytes one iteration of the fit sums over ranks (0 on one process).
    public var reducedBytesPerIteration = 0

    public init(labels: [Int32], profiles: DenseMatrix, objective: Double, iterations: Int, converged: Bool,
                history: IterationHistory, memberships: [SoftMembership]? = nil) {
        self.labels = labels
        var sizes = [Int](repeating: 0, count: profiles.rowCount)
        for label in labels { sizes[Int(label)] += 1 }
        self.sizes = sizes
        self.profiles = profiles
        self.objective = objective
        self.iterations = iterations
        self.converged = converged
        self.restartObjectives = [objective]
        self.history = history
        self.memberships = memberships
    }
}

/// A method's per-iteration statistics, whatever their type (run.json's `history`).
public struct IterationHistory: Encodable, Sendable {
    private let encodeBody: @Sendable (Encoder) throws -> Void
    public let count: Int

    public init<Entry: Encodable & Sendable>(_ entries: [Entry]) {
        encodeBody = { try entries.encode(to: $0) }
        count = entries.count
    }

    public func encode(to encoder: Encoder) throws { try encodeBody(encoder) }

    /// No iterations recorded (a run re-described from its saved model).
    public static let empty = IterationHistory([Int]())
}
