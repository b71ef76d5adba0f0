import CKLU

/// Sparse LU of a square CSC matrix with SuiteSparse KLU.
///
/// Lifecycle that the power-flow Newton loop relies on: `init(pattern:)` runs the symbolic
/// analysis (AMD ordering + BTF) once; `factor(values:)` computes the numeric LU with pivoting;
/// `refactor(values:)` reuses the pivot sequence for new values of the same pattern (much
/// cheaper; falls back to a full `factor` if the old pivots became unusable); `solve(_:)`
/// overwrites a right-hand side with the solution. C memory is released in `deinit`.
///
/// Not thread-safe: one instance per solver. The class is not `Sendable`.
public final class KLUFactorization {
    public let n: Int
    /// Pattern the symbolic analysis was done for; `values` passed later must match its nnz.
    public let columnPointers: [Int32]
    public let rowIndices: [Int32]
    @usableFromInline let common: UnsafeMutablePointer<klu_common>
    @usableFromInline var symbolic: UnsafeMutablePointer<klu_symbolic>?
    @usableFromInline var numeric: UnsafeMutablePointer<klu_numeric>?
    /// Number of full numeric factorisations and cheap refactorisations done (diagnostics).
    public private(set) var factorCount = 0
    public private(set) var refactorCount = 0

    /// KLU settings that matter for speed. The defaults are KLU's own.
    public struct Options: Sendable, Equatable {
        /// Row scaling: 2 = max (KLU default), 1 = sum, 0 = none, -1 = none and no input checks.
        /// Scaling only influences pivot choice in `factor`; with well-scaled matrices (per-unit
        /// power-flow Jacobians) 0 / -1 saves a pass over the matrix per refactorisation.
        public var scale: Int32
        /// Block triangular form pre-ordering (KLU default on).
        public var useBTF: Bool
        /// Fill-reducing ordering: 0 = AMD (default), 1 = COLAMD.
        public var ordering: Int32
        /// Partial-pivoting threshold: a diagonal entry is kept as pivot if ≥ tol × the column's
        /// largest (KLU default 0.001). Smaller keeps the fill-reducing order more often.
        public var pivotTolerance: Double
        public init(scale: Int32 = 2, useBTF: Bool = true, ordering: Int32 = 0, pivotTolerance: Double = 0.001) {
            self.scale = scale; self.useBTF = useBTF; self.ordering = ordering; self.pivotTolerance = pivotTolerance
        }
    }

    /// Symbolic analysis of `pattern` (its values are ignored). Throws if not square or KLU fails.
    public init(pattern: SparseMatrixCSC, options: Options = Options()) throws {
        guard pattern.rows == pattern.columns else {
            throw NumericsError.dimensionMismatch("klu_analyze: matrix is \(pattern.rows)x\(pattern.columns), expected square")
        }
        n = pattern.rows
        columnPointers = pattern.columnPointers
        rowIndices = pattern.rowIndices
        common = .allocate(capacity: 1)
        klu_defaults(common)
        common.pointee.scale = options.scale
        common.pointee.btf = options.useBTF ? 1 : 0
        common.pointee.ordering = options.ordering
        common.pointee.tol = options.pivotTolerance
        if n == 0 { symbolic = nil; return }
        var cp = columnPointers, ri = rowIndices
        symbolic = cp.withUnsafeMutableBufferPointer { c in
            ri.withUnsafeMutableBufferPointer { r in
                klu_analyze(Int32(n), c.baseAddress, r.baseAddress, common)
            }
        }
        if symbolic == nil {
            let status = common.pointee.status
            common.deallocate()
            throw NumericsError.library("klu_analyze failed with status \(status)")
        }
    }

    deinit {
        if numeric != nil { klu_free_numeric(&numeric, common) }
        if symbolic != nil { klu_free_symbolic(&symbolic, common) }
        common.deallocate()
    }

    /// Entries in the L and U factors (diagonals included) of the current numeric factorisation,
    /// plus KLU's off-diagonal-block entries; 0 before the first `factor`. A measure of fill-in.
    public var factorNonZeroCount: Int {
        guard let num = numeric else { return 0 }
        return Int(num.pointee.lnz) + Int(num.pointee.unz) + Int(num.pointee.nzoff)
    }

    /// Full numeric factorisation (with pivoting) of the matrix with the analysed pattern and `values`.
    /// Throws `NumericsError.singular` for a (numerically) singular matrix.
    public func factor(values: [Double]) throws {
        guard values.count == rowIndices.count else {
            throw NumericsError.dimensionMismatch("klu_factor: \(values.count) values for a pattern with \(rowIndices.count) entries")
        }
        if n == 0 { return }
        if numeric != nil { klu_free_numeric(&numeric, common) }
        var cp = columnPointers, ri = rowIndices, v = values
        numeric = cp.withUnsafeMutableBufferPointer { c in
            ri.withUnsafeMutableBufferPointer { r in
                v.withUnsafeMutableBufferPointer { x in
                    klu_factor(c.baseAddress, r.baseAddress, x.baseAddress, symbolic, common)
                }
            }
        }
        factorCount += 1
        let status = common.pointee.status
        if numeric == nil || status == KLU_SINGULAR {
            if numeric != nil { klu_free_numeric(&numeric, common) }
            throw NumericsError.singular("klu_factor: status \(status), \(n)x\(n) matrix (column \(common.pointee.singular_col))")
        }
        if status < 0 { throw NumericsError.library("klu_factor failed with status \(status)") }
    }

    /// Numeric refactorisation with the previous pivot order (no pivoting, O(flops of LU)).
    /// Does a full `factor` on the first call, when KLU rejects the old pivots, or when the
    /// reciprocal pivot growth estimate shows the reused pivots became poor (rcond < 1e-12).
    public func refactor(values: [Double]) throws {
        guard values.count == rowIndices.count else {
            throw NumericsError.dimensionMismatch("klu_refactor: \(values.count) values for a pattern with \(rowIndices.count) entries")
        }
        if n == 0 { return }
        guard numeric != nil else { try factor(values: values); return }
        let ok: Int32 = columnPointers.withUnsafeBufferPointer { c in
            rowIndices.withUnsafeBufferPointer { r in
                values.withUnsafeBufferPointer { x in
                    klu_refactor(UnsafeMutablePointer(mutating: c.baseAddress), UnsafeMutablePointer(mutating: r.baseAddress),
                                 UnsafeMutablePointer(mutating: x.baseAddress), symbolic, numeric, common)
                }
            }
        }
        refactorCount += 1
        var good = ok == 1 && common.pointee.status == KLU_OK
        if good {
            // klu_rcond is the cheap min|u_ii|/max|u_ii| estimate; a tiny value means the stale
            // pivot order no longer suits these values, so re-pivot.
            klu_rcond(symbolic, numeric, common)
            good = common.pointee.rcond > 1e-12 && common.pointee.rcond.isFinite
        }
        if !good { try factor(values: values) }
    }

    /// Solves A·x = b in place (b becomes x). Requires a successful `factor`/`refactor` first.
    public func solve(_ b: inout [Double]) throws {
        guard b.count == n else {
            throw NumericsError.dimensionMismatch("klu_solve: right-hand side has \(b.count) entries, expected \(n)")
        }
        if n == 0 { return }
        guard numeric != nil else { throw NumericsError.invalidInput("klu_solve: no numeric factorisation (call factor first)") }
        let ok = b.withUnsafeMutableBufferPointer { x in
            klu_solve(symbolic, numeric, Int32(n), 1, x.baseAddress, common)
        }
        if ok != 1 { throw NumericsError.library("klu_solve failed with status \(common.pointee.status)") }
    }

    /// Solves A·x = b in place on a raw buffer of exactly `n` entries (no array, no copy).
    public func solve(_ b: UnsafeMutableBufferPointer<Double>) throws {
        guard b.count == n else {
            throw NumericsError.dimensionMismatch("klu_solve: right-hand side has \(b.count) entries, expected \(n)")
        }
        if n == 0 { return }
        guard numeric != nil else { throw NumericsError.invalidInput("klu_solve: no numeric factorisation (call factor first)") }
        if klu_solve(symbolic, numeric, Int32(n), 1, b.baseAddress, common) != 1 {
            throw NumericsError.library("klu_solve failed with status \(common.pointee.status)")
        }
    }

    /// Solves for a matrix given as a fresh factorisation — convenience for one-off solves.
    public static func solve(_ a: SparseMatrixCSC, _ b: inout [Double]) throws {
        let f = try KLUFactorization(pattern: a)
        try f.factor(values: a.values)
        try f.solve(&b)
    }
}
