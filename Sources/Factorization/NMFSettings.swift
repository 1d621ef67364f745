import LinearAlgebra

/// The NMF update rule.
public enum NMFSolver: String, Codable, Sendable, CaseIterable {
    /// Hierarchical alternating least squares (coordinate descent on one component at a time, as
    /// scikit-learn's "cd"): fast, monotone.
    case hals
    /// Lee & Seung multiplicative updates: simple, slower to converge.
    case mu
}

/// How W and H start.
public enum NMFInitialization: String, Codable, Sendable, CaseIterable {
    /// Non-negative double SVD (Boutsidis & Gallopoulos 2008) from a randomized truncated SVD; zeros kept.
    case nndsvd
    /// NNDSVD with zeros filled by the mean of X (better with HALS). Default.
    case nndsvda
    /// NNDSVD with zeros filled by small random values.
    case nndsvdar
    /// Scaled absolute Gaussian values (works on a cluster: no global SVD needed).
    case random
}

/// Everything that controls an NMF fit, with documented defaults.
public struct NMFSettings: Sendable, Equatable {
    /// Number of components (segments). Default 40.
    public var k: Int = 40
    /// Default HALS.
    public var solver: NMFSolver = .hals
    /// Default NNDSVDa.
    public var initialization: NMFInitialization = .nndsvda
    /// Upper limit on iterations (one W update and one H update each). Default 200.
    public var maxIterations: Int = 200
    /// Stop when the reconstruction error fell by less than `tolerance` × the initial error since the
    /// previous check. Default 1e-4.
    public var tolerance: Double = 1e-4
    /// Iterations between convergence checks. Default 1: a check costs one error evaluation from
    /// products every iteration computes anyway (O(d·k + k²), well under 1% of an iteration), and
    /// checking every iteration stops HALS as soon as an iteration gains too little. Multiplicative
    /// updates gain little per iteration by nature, so they are checked every 10 iterations at
    /// least (`checkInterval`), as scikit-learn's "mu" solver does.
    public var checkEvery: Int = 1

    /// The interval actually used: `checkEvery`, but at least 10 for multiplicative updates.
    public var checkInterval: Int { solver == .mu ? max(checkEvery, 10) : checkEvery }
    /// Seed of every random choice (SVD test matrix, random init). Default 0.
    public var seed: UInt64 = 0
    /// Regularisation: L1 and L2 penalties on W and on H. Default none.
    public var l1W: Float = 0
    public var l2W: Float = 0
    public var l1H: Float = 0
    public var l2H: Float = 0
    /// Truncated SVD behind NNDSVD: power iterations (default 1: on the 300k planted benchmark 1, 2 and
    /// 0 gave final errors of 510.32993, 510.32992 and 510.32992 with the same segments, but 0 needed
    /// twice the HALS iterations; raise for flat spectra) and oversampling (default 8: the sketch is
    /// k + 8 columns rounded up to a multiple of 16, so 48 at k = 40 — three SIMD blocks instead of
    /// the four that 10 would give; on the 300k planted benchmark the final error moved from 510.3338
    /// to 510.3333 and the segments did not change).
    public var svdPowerIterations: Int = 1
    public var svdOversampling: Int = 8

    public init(k: Int = 40) { self.k = k }

    public func validate(rowCount: Int, columnCount: Int) throws {
        guard k >= 1 else { throw FactorizationError.invalidSettings("k must be at least 1 (got \(k))") }
        guard rowCount >= k else {
            throw FactorizationError.tooFewRows("k = \(k) components need at least \(k) non-empty profiles; the input has \(rowCount). Lower --k or add profiles.")
        }
        guard columnCount >= k || initialization == .random else {
            throw FactorizationError.invalidSettings("NNDSVD needs at least k = \(k) interests; the input has \(columnCount)")
        }
        guard maxIterations >= 1, checkEvery >= 1 else { throw FactorizationError.invalidSettings("iterations and check interval must be at least 1") }
        guard tolerance >= 0, tolerance.isFinite else { throw FactorizationError.invalidSettings("tolerance must be a non-negative number") }
        guard [l1W, l2W, l1H, l2H].allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            throw FactorizationError.invalidSettings("regularisation strengths must be non-negative numbers")
        }
        guard svdPowerIterations >= 0, svdOversampling >= 0 else { throw FactorizationError.invalidSettings("SVD settings must be non-negative") }
    }
}

public enum FactorizationError: Error, CustomStringConvertible, Equatable {
    case invalidSettings(String)
    case tooFewRows(String)
    case nonFiniteInput(String)
    case shapeMismatch(String)

    public var description: String {
        switch self {
        case .invalidSettings(let m), .tooFewRows(let m), .nonFiniteInput(let m), .shapeMismatch(let m): return m
        }
    }
}
