import CLinearAlgebra

/// A dense real matrix stored column-major (LAPACK/BLAS layout).
///
/// Value type; element (i, j) lives at `values[i + j * rows]`.
public struct DenseMatrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// Column-major storage, `rows * columns` entries.
    public var values: [Double]

    /// A `rows × columns` matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        self.rows = max(0, rows)
        self.columns = max(0, columns)
        self.values = [Double](repeating: value, count: self.rows * self.columns)
    }

    /// Builds from row-major nested arrays (convenient in tests). Throws if rows are ragged.
    public init(rowMajor: [[Double]]) throws {
        let r = rowMajor.count
        let c = rowMajor.first?.count ?? 0
        self.init(rows: r, columns: c)
        for (i, row) in rowMajor.enumerated() {
            guard row.count == c else {
                throw NumericsError.dimensionMismatch("DenseMatrix(rowMajor:): row \(i) has \(row.count) entries, expected \(c)")
            }
            for j in 0..<c { values[i + j * r] = row[j] }
        }
    }

    /// The n×n identity.
    public static func identity(_ n: Int) -> DenseMatrix {
        var m = DenseMatrix(rows: n, columns: n)
        for i in 0..<n { m.values[i + i * n] = 1 }
        return m
    }

    @inlinable
    public subscript(i: Int, j: Int) -> Double {
        get { values[i + j * rows] }
        set { values[i + j * rows] = newValue }
    }

    /// y = alpha·A·x + beta·y via `cblas_dgemv`. O(rows·columns).
    public func multiply(_ x: [Double], into y: inout [Double], alpha: Double = 1, beta: Double = 0) throws {
        guard x.count == columns, y.count == rows else {
            throw NumericsError.dimensionMismatch("dgemv: A is \(rows)x\(columns), x has \(x.count), y has \(y.count)")
        }
        if rows == 0 { return }
        if columns == 0 { for i in 0..<rows { y[i] *= beta }; return }
        values.withUnsafeBufferPointer { a in
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    cblas_dgemv(CblasColMajor, CblasNoTrans, Int32(rows), Int32(columns), alpha,
                                a.baseAddress, Int32(max(1, rows)), xp.baseAddress, 1, beta, yp.baseAddress, 1)
                }
            }
        }
    }

    /// A·x as a new vector (allocates; use `multiply(_:into:)` in hot loops).
    public func multiply(_ x: [Double]) throws -> [Double] {
        var y = [Double](repeating: 0, count: rows)
        try multiply(x, into: &y)
        return y
    }

    /// Solves A·X = B for a square A by LU with partial pivoting (`LAPACKE_dgesv`).
    /// `b` holds `nrhs` right-hand sides column-major; it is overwritten with X. O(n³).
    public func solve(_ b: inout [Double], nrhs: Int = 1) throws {
        var lu = try LUFactorization(self)
        try lu.solve(&b, nrhs: nrhs)
    }
}

/// LU factorisation P·A = L·U of a square dense matrix (`dgetrf`), reusable for many solves (`dgetrs`).
public struct LUFactorization: Sendable {
    public let n: Int
    @usableFromInline var factors: [Double]
    @usableFromInline var pivots: [Int32]

    /// Factorises `a` (O(n³)). Throws `NumericsError.singular` on an exactly zero pivot.
    public init(_ a: DenseMatrix) throws {
        guard a.rows == a.columns else {
            throw NumericsError.dimensionMismatch("dgetrf: matrix is \(a.rows)x\(a.columns), expected square")
        }
        n = a.rows
        factors = a.values
        pivots = [Int32](repeating: 0, count: max(1, n))
        if n == 0 { return }
        let nn = Int32(n)
        let info = factors.withUnsafeMutableBufferPointer { f in
            pivots.withUnsafeMutableBufferPointer { p in
                LAPACKE_dgetrf(LAPACK_COL_MAJOR, nn, nn, f.baseAddress, nn, p.baseAddress)
            }
        }
        if info > 0 { throw NumericsError.singular("dgetrf: U(\(info),\(info)) is exactly zero") }
        if info < 0 { throw NumericsError.library("dgetrf: argument \(-info) invalid") }
    }

    /// Solves A·X = B in place for `nrhs` column-major right-hand sides. O(n²·nrhs).
    public mutating func solve(_ b: inout [Double], nrhs: Int = 1) throws {
        guard b.count == n * nrhs else {
            throw NumericsError.dimensionMismatch("dgetrs: n=\(n), nrhs=\(nrhs), rhs has \(b.count) entries")
        }
        if n == 0 || nrhs == 0 { return }
        let nn = Int32(n)
        let info = factors.withUnsafeBufferPointer { f in
            pivots.withUnsafeBufferPointer { p in
                b.withUnsafeMutableBufferPointer { bp in
                    LAPACKE_dgetrs(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "N")), nn, Int32(nrhs),
                                   f.baseAddress, nn, p.baseAddress, bp.baseAddress, nn)
                }
            }
        }
        if info != 0 { throw NumericsError.library("dgetrs: info \(info)") }
    }
}

/// Cholesky factorisation A = L·Lᵀ of a symmetric positive-definite dense matrix (`dpotrf`/`dpotrs`, lower triangle).
public struct CholeskyFactorization: Sendable {
    public let n: Int
    @usableFromInline var factors: [Double]

    /// Factorises `a` using its lower triangle (O(n³/3)). Throws `NumericsError.singular` when not positive definite.
    public init(_ a: DenseMatrix) throws {
        guard a.rows == a.columns else {
            throw NumericsError.dimensionMismatch("dpotrf: matrix is \(a.rows)x\(a.columns), expected square")
        }
        n = a.rows
        factors = a.values
        if n == 0 { return }
        let nn = Int32(n)
        let info = factors.withUnsafeMutableBufferPointer { f in
            LAPACKE_dpotrf(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "L")), nn, f.baseAddress, nn)
        }
        if info > 0 { throw NumericsError.singular("dpotrf: leading minor \(info) is not positive definite") }
        if info < 0 { throw NumericsError.library("dpotrf: argument \(-info) invalid") }
    }

    /// Solves A·X = B in place for `nrhs` column-major right-hand sides. O(n²·nrhs).
    public func solve(_ b: inout [Double], nrhs: Int = 1) throws {
        guard b.count == n * nrhs else {
            throw NumericsError.dimensionMismatch("dpotrs: n=\(n), nrhs=\(nrhs), rhs has \(b.count) entries")
        }
        if n == 0 || nrhs == 0 { return }
        let nn = Int32(n)
        let info = factors.withUnsafeBufferPointer { f in
            b.withUnsafeMutableBufferPointer { bp in
                LAPACKE_dpotrs(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "L")), nn, Int32(nrhs), f.baseAddress, nn, bp.baseAddress, nn)
            }
        }
        if info != 0 { throw NumericsError.library("dpotrs: info \(info)") }
    }
}
