import XCTest
@testable import Numerics

/// Dense and sparse linear algebra. Tolerances: the systems below are small and well
/// conditioned (condition numbers < 100), so double-precision solves agree with the exact
/// answers to ~1e-14; 1e-12 leaves margin for pivoting differences.
final class NumericsTests: XCTestCase {
    // SPD tridiagonal-ish matrix with exact solution x = (1, 2, 3): b = A·x = (3, 0, 9).
    let spd = [[4.0, -2, 1], [-2, 4, -2], [1, -2, 4]]

    func testDenseLUSolveMatchesKnownAnswer() throws {
        let a = try DenseMatrix(rowMajor: spd)
        var b = [3.0, 0, 9]
        try a.solve(&b)
        for (x, e) in zip(b, [1.0, 2, 3]) { XCTAssertEqual(x, e, accuracy: 1e-12) }
    }

    func testLUFactorizationReusedForTwoRightHandSides() throws {
        // Unsymmetric matrix needing a row swap (zero leading entry).
        let a = try DenseMatrix(rowMajor: [[0, 2, 1], [1, 1, 1], [2, 1, 0]])
        var lu = try LUFactorization(a)
        // Column-major RHS for x1 = (1,1,1) → (3,3,3) and x2 = (1,0,-1) → (-1,0,2).
        var b = [3.0, 3, 3, -1, 0, 2]
        try lu.solve(&b, nrhs: 2)
        let expected = [1.0, 1, 1, 1, 0, -1]
        for (x, e) in zip(b, expected) { XCTAssertEqual(x, e, accuracy: 1e-12) }
    }

    func testCholeskySolve() throws {
        let c = try CholeskyFactorization(try DenseMatrix(rowMajor: spd))
        var b = [3.0, 0, 9]
        try c.solve(&b)
        for (x, e) in zip(b, [1.0, 2, 3]) { XCTAssertEqual(x, e, accuracy: 1e-12) }
    }

    func testCholeskyRejectsIndefinite() throws {
        let a = try DenseMatrix(rowMajor: [[1, 2], [2, 1]])   // eigenvalues 3 and −1
        XCTAssertThrowsError(try CholeskyFactorization(a)) { e in
            guard case NumericsError.singular = e else { return XCTFail("\(e)") }
        }
    }

    func testDenseSingularThrows() throws {
        let a = try DenseMatrix(rowMajor: [[1, 2], [2, 4]])
        var b = [1.0, 2]
        XCTAssertThrowsError(try a.solve(&b)) { e in
            guard case NumericsError.singular = e else { return XCTFail("\(e)") }
            XCTAssertTrue("\(e)".contains("dgetrf"))
        }
    }

    func testGemv() throws {
        let a = try DenseMatrix(rowMajor: [[1, 2, 3], [4, 5, 6]])
        var y = [1.0, 1]
        try a.multiply([1, 0, -1], into: &y, alpha: 2, beta: 1)   // 2·(−2, −2) + (1, 1)
        XCTAssertEqual(y, [-3, -3])
        XCTAssertThrowsError(try a.multiply([1, 2]))
    }

    /// After `useSingleThreadedBLAS()` (what `citytwin` does at start-up, stopping OpenBLAS's
    /// threads) BLAS and LAPACK still work, on a problem large enough that OpenBLAS would
    /// otherwise split it across threads: LU solve of a diagonally dominant 300×300 system
    /// against a known solution, and a product with it.
    func testBLASWorksSingleThreaded() throws {
        useSingleThreadedBLAS()
        let n = 300
        var rows = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n { for j in 0..<n { rows[i][j] = i == j ? Double(n) : 1 / Double(1 + abs(i - j)) } }
        let a = try DenseMatrix(rowMajor: rows)
        let x = (0..<n).map { Double($0 % 7) - 3 }
        var b = [Double](repeating: 0, count: n)
        try a.multiply(x, into: &b)
        for i in [0, 150, 299] {
            XCTAssertEqual(b[i], zip(rows[i], x).reduce(0) { $0 + $1.0 * $1.1 }, accuracy: 1e-9)
        }
        try a.solve(&b)
        for (u, v) in zip(b, x) { XCTAssertEqual(u, v, accuracy: 1e-10) }
    }

    func testTripletBuilderSumsDuplicatesDeterministically() throws {
        let r = [2, 0, 1, 0, 2, 2], c = [0, 0, 1, 0, 2, 0], v = [1.0, 2, 3, 4, 5, 6]
        let m = try SparseMatrixCSC(rows: 3, columns: 3, rowIndices: r, columnIndices: c, values: v)
        XCTAssertEqual(m.columnPointers, [0, 2, 3, 4])
        XCTAssertEqual(m.rowIndices, [0, 2, 1, 2])
        XCTAssertEqual(m.values, [6, 7, 3, 5])
        // Same triplets in another order: identical structure (order-independent, no hashing).
        let perm = [5, 3, 1, 4, 0, 2]
        let m2 = try SparseMatrixCSC(rows: 3, columns: 3, rowIndices: perm.map { r[$0] }, columnIndices: perm.map { c[$0] },
                                     values: perm.map { v[$0] })
        XCTAssertEqual(m, m2)
        var y = [0.0, 0, 0]
        m.multiply([1, 1, 1], into: &y)
        XCTAssertEqual(y, [6, 3, 12])
        XCTAssertThrowsError(try SparseMatrixCSC(rows: 2, columns: 2, rowIndices: [2], columnIndices: [0], values: [1]))
    }

    /// 5×5 unsymmetric sparse matrix; KLU's answer is compared with dense LAPACK LU.
    func sample(_ scale: Double) throws -> SparseMatrixCSC {
        let r = [0, 1, 0, 1, 2, 4, 1, 2, 3, 4, 0, 2, 3, 1, 4]
        let c = [0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 4, 4]
        let v = [2.0, 3, 3, -1, 4, 4, -3, 1, 2, 2, 1, 2, 6, 4, 1].map { $0 * scale }
        return try SparseMatrixCSC(rows: 5, columns: 5, rowIndices: r, columnIndices: c, values: v)
    }

    /// sinCosOfIncrement against libm: within 2 ulp of 1 on both sides of the 2^-5 switch-over
    /// (the polynomials' omitted terms are below 10^-17), and exactly sinCos beyond it.
    func testSinCosOfIncrementMatchesLibm() {
        var x = 0x1p-40
        var checked = 0
        while x < 0.2 {
            for d in [x, -x, x * 1.37, -x * 0.61] {
                let (s, c) = sinCosOfIncrement(d)
                let (s0, c0) = sinCos(d)
                XCTAssertEqual(c, c0, accuracy: 2 * Double.ulpOfOne, "cos(\(d))")
                XCTAssertEqual(s, s0, accuracy: 2 * abs(s0).ulp, "sin(\(d))")
                checked += 1
            }
            x *= 1.09
        }
        XCTAssertGreaterThan(checked, 1000)
        XCTAssertEqual(sinCosOfIncrement(0).cos, 1)
        XCTAssertEqual(sinCosOfIncrement(0).sin, 0)
    }

    func testKLUSolveAndRefactor() throws {
        let a = try sample(1)
        let klu = try KLUFactorization(pattern: a)
        try klu.factor(values: a.values)
        let b = [8.0, 45, -3, 3, 19]
        var x = b
        try klu.solve(&x)
        var dense = b
        try a.toDense().solve(&dense)
        for (p, q) in zip(x, dense) { XCTAssertEqual(p, q, accuracy: 1e-12) }
        // Residual check too.
        var ax = [Double](repeating: 0, count: 5)
        a.multiply(x, into: &ax)
        for (p, q) in zip(ax, b) { XCTAssertEqual(p, q, accuracy: 1e-12) }
        // Refactor with values scaled by 2 (same pattern): solution halves.
        let a2 = try sample(2)
        try klu.refactor(values: a2.values)
        var x2 = b
        try klu.solve(&x2)
        for (p, q) in zip(x2, x) { XCTAssertEqual(p, q / 2, accuracy: 1e-12) }
        XCTAssertEqual(klu.factorCount, 1)
        XCTAssertEqual(klu.refactorCount, 1)
    }

    func testKLUSingularThrows() throws {
        // Second column is twice the first: structurally fine, numerically singular.
        let m = try SparseMatrixCSC(rows: 2, columns: 2, rowIndices: [0, 1, 0, 1], columnIndices: [0, 0, 1, 1], values: [1, 2, 2, 4])
        let klu = try KLUFactorization(pattern: m)
        XCTAssertThrowsError(try klu.factor(values: m.values)) { e in
            guard case NumericsError.singular = e else { return XCTFail("\(e)") }
        }
        var b = [1.0, 1]
        XCTAssertThrowsError(try klu.solve(&b))
        XCTAssertThrowsError(try klu.factor(values: [1, 2]))   // wrong value count
    }
}
