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

    /// Places rows (already in the model's interest columns and weighting) into fitted segments.
    func place(_ matrix: CSRMatrix, profiles: DenseMatrix) throws -> Placement

    /// Whether `fit` can stream rows from a `RowSource` instead of a loaded matrix.
    var streamsRows: Bool { get }
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
