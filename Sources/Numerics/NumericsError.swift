/// Errors raised by the linear-algebra wrappers. Each description is one line naming the
/// routine and what went wrong, so callers can surface it verbatim.
public enum NumericsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Operand shapes do not fit (e.g. a 3×3 matrix with a length-4 right-hand side).
    case dimensionMismatch(String)
    /// The matrix is singular (LU) or not positive definite (Cholesky); `detail` names the routine and pivot.
    case singular(String)
    /// A sparse input (triplet index, pattern) is out of range or malformed.
    case invalidInput(String)
    /// The underlying C library reported an error status.
    case library(String)

    public var description: String {
        switch self {
        case .dimensionMismatch(let s): return "dimension mismatch: \(s)"
        case .singular(let s): return "singular matrix: \(s)"
        case .invalidInput(let s): return "invalid input: \(s)"
        case .library(let s): return "library error: \(s)"
        }
    }
}
