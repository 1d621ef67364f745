import LinearAlgebra

/// Statistics of one convergence check.
public struct NMFIteration: Codable, Sendable, Equatable {
    public var iteration: Int
    /// ‖X − W·H‖_F at this iteration (scikit-learn's `reconstruction_err_`).
    public var error: Double
    /// Seconds since the previous check.
    public var seconds: Double
    /// The iteration's projected-gradient violation relative to the first iteration's (the stopping
    /// rule's measure, see `NMFSettings.tolerance`); nil for the starting point (iteration 0).
    public var violation: Double?
    /// Components re-seeded after this check because no row had them as its primary segment.
    public var reseeded: [Int]?

    public init(iteration: Int, error: Double, seconds: Double, violation: Double? = nil, reseeded: [Int]? = nil) {
        self.iteration = iteration
        self.error = error
        self.seconds = seconds
        self.violation = violation
        self.reseeded = reseeded
    }
}

/// The outcome of an NMF fit: X ≈ W·H with W ≥ 0 (n×k, local rows) and H ≥ 0 (k×d).
///
/// H's rows are scaled to unit length (W's columns scaled to match, so W·H is unchanged): each
/// segment's interest loadings are then comparable, and so are a profile's weights on the segments.
public struct NMFResult: Sendable {
    public var w: DenseMatrix
    public var h: DenseMatrix
    /// ‖X − W·H‖_F.
    public var reconstructionError: Double
    public var iterations: Int
    /// Whether the stopping rule was met (false when `maxIterations` ran out first).
    public var converged: Bool
    public var history: [NMFIteration]
    public var initSeconds: Double
    public var fitSeconds: Double
    /// Components that were no row's primary segment at a convergence and were re-seeded (in order;
    /// a component can appear more than once).
    public var reseededComponents: [Int] = []
    /// Components that are still no row's primary segment in the result (empty segments); normally
    /// none, see `NMF.maxReseedRounds`.
    public var emptyComponents: [Int] = []
}

/// A profile's soft membership: its normalised W row.
public struct SoftMembership: Sendable, Equatable {
    /// argmax of the W row, and its share of the row's total weight.
    public var segment: Int
    public var strength: Float
    /// The second-largest entry (−1 and 0 when the row has a single non-zero weight).
    public var secondary: Int
    public var secondaryStrength: Float

    public init(segment: Int, strength: Float, secondary: Int, secondaryStrength: Float) {
        self.segment = segment
        self.strength = strength
        self.secondary = secondary
        self.secondaryStrength = secondaryStrength
    }
}

extension NMFResult {
    /// The hard segment (argmax) of every row with its strength and secondary segment.
    public func memberships() -> [SoftMembership] { Self.memberships(of: w) }

    /// Soft memberships of the rows of any W (n×k), rows in parallel.
    public static func memberships(of w: DenseMatrix) -> [SoftMembership] {
        let k = w.columnCount, n = w.rowCount
        let empty = SoftMembership(segment: 0, strength: 0, secondary: -1, secondaryStrength: 0)
        var result = [SoftMembership](repeating: empty, count: n)
        w.values.withUnsafeBufferPointer { values in
            result.withUnsafeMutableBufferPointer { out in
                guard let values = values.baseAddress, let out = out.baseAddress, k > 0 else { return }
                Parallel.forEachChunk(count: n, chunkSize: 8192) { _, rows in
                    for i in rows {
                        let row = values + i * k
                        var first = 0, second = -1
                        var total: Float = 0
                        for t in 0..<k { total += row[t] }
                        for t in 1..<max(1, k) {
                            let v = row[t]
                            if v > row[first] {
                                second = first
                                first = t
                            } else if second < 0 || v > row[second] {
                                second = t
                            }
                        }
                        guard total > 0 else { continue }
                        let secondValue = second >= 0 ? row[second] : 0
                        out[i] = SoftMembership(segment: first, strength: row[first] / total,
                                                secondary: secondValue > 0 ? second : -1,
                                                secondaryStrength: secondValue > 0 ? secondValue / total : 0)
                    }
                }
            }
        }
        return result
    }
}
