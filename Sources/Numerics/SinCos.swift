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
