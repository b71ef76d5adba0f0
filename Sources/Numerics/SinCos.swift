import CLinearAlgebra

/// Sine and cosine of one angle from one libm call (glibc's `sincos`, which shares the argument
/// reduction): about 1.5 times the speed of `sin` and `cos` called separately, which matters in
/// the power-flow mismatch (two per bus per Newton iteration).
@inlinable
public func sinCos(_ x: Double) -> (sin: Double, cos: Double) {
    var s = 0.0, c = 0.0
    citytwin_sincos(x, &s, &c)
    return (s, c)
}

/// Sine and cosine of a small increment `d`, for rotating a stored (cos, sin) pair by `d`
/// instead of calling `sinCos` on the new angle: Taylor polynomials (through d^7 and d^8) when
/// |d| <= 2^-5, where the first omitted terms are below 10^-17 relative, so the result equals
/// libm's to within an ulp; `sinCos` otherwise. A Newton update near convergence moves every
/// bus angle by far less than 2^-5 rad.
@inlinable
public func sinCosOfIncrement(_ d: Double) -> (sin: Double, cos: Double) {
    guard abs(d) <= 0x1p-5 else { return sinCos(d) }
    let d2 = d * d
    let s = d * (1 - d2 * (1.0 / 6 - d2 * (1.0 / 120 - d2 * (1.0 / 5040))))
    let c = 1 - d2 * (0.5 - d2 * (1.0 / 24 - d2 * (1.0 / 720 - d2 * (1.0 / 40320))))
    return (s, c)
}
