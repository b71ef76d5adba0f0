import Foundation
import Numerics

/// The bus admittance matrix Ybus = G + jB in CSC form (one pattern, two value arrays), and the
/// per-branch 2×2 admittances used for branch flows.
///
/// MATPOWER's branch model: series admittance ys = 1/(r + jx), total line charging b split
/// half at each end, an ideal transformer of complex ratio τ = tap·e^{jθshift} at the from end:
///   yff = (ys + jb/2)/|τ|²,  yft = −ys/τ*,  ytf = −ys/τ,  ytt = ys + jb/2.
/// Bus shunts add (Gs + jBs)/baseMVA on the diagonal. Every bus gets a diagonal entry (even an
/// isolated one) so the Jacobian pattern always has its diagonal.
public struct Admittance: Sendable {
    /// Pattern and real part G; `imag` holds B in the same slot order.
    public var real: SparseMatrixCSC
    public var imag: [Double]
    /// Slot of the diagonal entry of each bus in `real.values`.
    public var diagonalSlot: [Int32]
    /// Per-branch admittances (p.u.), indexed like the grid's in-service branches.
    public var yffRe: [Double], yffIm: [Double], yftRe: [Double], yftIm: [Double]
    public var ytfRe: [Double], ytfIm: [Double], yttRe: [Double], yttIm: [Double]

    /// Builds Ybus for `grid`. O(buses + branches).
    public init(grid: PowerGrid) throws {
        let nb = grid.busCount, nl = grid.branchCount
        var ri: [Int] = [], ci: [Int] = []
        ri.reserveCapacity(nb + 4 * nl); ci.reserveCapacity(nb + 4 * nl)
        for i in 0..<nb { ri.append(i); ci.append(i) }
        for k in 0..<nl {
            let f = grid.branchFrom[k], t = grid.branchTo[k]
            ri.append(f); ci.append(f)
            ri.append(f); ci.append(t)
            ri.append(t); ci.append(f)
            ri.append(t); ci.append(t)
        }
        let (pattern, slots) = try SparseMatrixCSC.pattern(rows: nb, columns: nb, rowIndices: ri, columnIndices: ci)
        real = pattern
        imag = [Double](repeating: 0, count: pattern.nonZeroCount)
        diagonalSlot = Array(slots[0..<nb])
        yffRe = []; yffIm = []; yftRe = []; yftIm = []; ytfRe = []; ytfIm = []; yttRe = []; yttIm = []
        for i in 0..<nb {
            let s = Int(slots[i])
            real.values[s] += grid.gs[i] / grid.baseMVA
            imag[s] += grid.bs[i] / grid.baseMVA
        }
        for k in 0..<nl {
            let r = grid.r[k], x = grid.x[k]
            let d = r * r + x * x
            let ysr = r / d, ysi = -x / d
            let bc = grid.b[k]
            let theta = grid.shift[k] * .pi / 180
            let tr = grid.tap[k] * cos(theta), ti = grid.tap[k] * sin(theta)
            let t2 = tr * tr + ti * ti
            // ytt = ys + j b/2; yff = ytt / |τ|²
            let yttr = ysr, ytti = ysi + bc / 2
            let yffr = yttr / t2, yffi = ytti / t2
            // yft = −ys / conj(τ) = −ys·τ/|τ|² ; ytf = −ys / τ = −ys·conj(τ)/|τ|²
            let yftr = -(ysr * tr - ysi * ti) / t2, yfti = -(ysr * ti + ysi * tr) / t2
            let ytfr = -(ysr * tr + ysi * ti) / t2, ytfi = -(ysi * tr - ysr * ti) / t2
            yffRe.append(yffr); yffIm.append(yffi); yftRe.append(yftr); yftIm.append(yfti)
            ytfRe.append(ytfr); ytfIm.append(ytfi); yttRe.append(yttr); yttIm.append(ytti)
            let base = nb + 4 * k
            let sff = Int(slots[base]), sft = Int(slots[base + 1]), stf = Int(slots[base + 2]), stt = Int(slots[base + 3])
            real.values[sff] += yffr; imag[sff] += yffi
            real.values[sft] += yftr; imag[sft] += yfti
            real.values[stf] += ytfr; imag[stf] += ytfi
            real.values[stt] += yttr; imag[stt] += ytti
        }
    }
}
