/// Errors raised by the linear-algebra layer. Each says what went wrong and, where it can, what to do.
public enum LinearAlgebraError: Error, Equatable, CustomStringConvertible {
    /// A LAPACK routine reported `info != 0`.
    case lapackFailure(routine: String, info: Int32)
    /// Operand shapes do not fit together.
    case shapeMismatch(String)
    /// A CSR matrix broke one of its invariants.
    case invalidCSR(String)
    /// Input contained NaN or infinity.
    case nonFiniteValue(String)

    public var description: String {
        switch self {
        case let .lapackFailure(routine, info):
            if info < 0 { return "LAPACK \(routine): argument \(-info) had an illegal value (a bug in Tessera, please report it)" }
            return "LAPACK \(routine) did not converge (info = \(info)); the input may be degenerate or contain extreme values"
        case let .shapeMismatch(what): return "shape mismatch: \(what)"
        case let .invalidCSR(what): return "invalid CSR matrix: \(what)"
        case let .nonFiniteValue(what): return "non-finite value: \(what)"
        }
    }
}
