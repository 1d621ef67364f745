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
    /// Upper limit on iterations (one W update and one H update each). Default 200, scikit-learn's.
    /// A fit that reaches it without meeting the stopping rule reports `converged` = false. At k = 40
    /// HALS meets the rule after 50–64 iterations on Deezer and Last.fm (scikit-learn cd: 59–64); on
    /// 20 Newsgroups it reaches the cap with an error 0.05 % above scikit-learn's, and meets the rule
    /// after 148 iterations with `svdPowerIterations` = 3 (scikit-learn: 156).
    public var maxIterations: Int = 200
    /// Stop when the iteration's projected-gradient violation has fallen to `tolerance` × the first
    /// iteration's. Default 1e-4. This is scikit-learn's rule for its "cd" solver (same measure, same
    /// default), here for both solvers. The violation is Σ |∂f/∂w| over every entry of W and H, where
    /// an entry held at zero by the constraint counts only if the gradient would raise it
    /// (`RowUpdate.Step.violation`); it is zero exactly at a stationary point, so the rule stops
    /// where the factorisation has stopped improving, not where one iteration happens to gain
    /// little. A rule on the error decrease (the previous one stopped when an iteration lowered the
    /// error by less than 1e-4 × the initial error) cannot tell convergence from a plateau: HALS
    /// often crawls for tens of iterations and then drops (on Deezer HU the error fell from 35.47
    /// to 33.69 between iterations 50 and 60), and NNDSVDa's initial error is several times the
    /// final one, so that rule ended real fits after 4–26 iterations, up to 7.5 % above
    /// scikit-learn's error. The violation costs nothing extra: each coordinate update computes
    /// its gradient anyway. It is measured every iteration and compared at every check.
    public var tolerance: Double = 1e-4
    /// Iterations between convergence checks (an error evaluation, a history entry and the stopping
    /// rule). Default 1: a check costs one error evaluation from products every iteration computes
    /// anyway (O(d·k + k²), well under 1% of an iteration). Multiplicative updates are checked every
    /// 10 iterations at least (`checkInterval`), as scikit-learn's "mu" solver does.
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
    /// twice the HALS iterations; raise for flat spectra: on 20 Newsgroups at k = 40, 1 leaves the fit
    /// at the iteration cap with an error of 128.979, 3 converges to 128.944 and 7, scikit-learn's,
    /// to 128.910 in 142 iterations) and oversampling (default 8: the sketch is
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
