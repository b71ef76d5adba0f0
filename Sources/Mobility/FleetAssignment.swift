// Batch assignment of waiting requests to vehicles: minimum total pick-up time.

/// Rectangular assignment (rows = requests, columns = vehicles) minimising the sum of costs.
public enum FleetAssignment {
    /// Pairs (row, column) of an assignment minimising the total cost over finite entries;
    /// infinite costs mean "not allowed" and are never returned. `cost` is row-major
    /// rows × columns. Exact (Hungarian algorithm with potentials, O(min² · max)) when
    /// min² × max ≤ `hungarianLimit`; otherwise greedy by increasing cost (ties by row, then
    /// column), O(R C log(R C)). Pairs are returned sorted by row.
    public static func solve(cost: [Double], rows: Int, columns: Int, hungarianLimit: Double = 2e7) -> [(Int, Int)] {
        guard rows > 0, columns > 0, cost.count == rows * columns else { return [] }
        let small = Double(min(rows, columns)), large = Double(max(rows, columns))
        if small * small * large <= hungarianLimit { return hungarian(cost, rows, columns) }
        return greedy(cost, rows, columns)
    }

    static func greedy(_ cost: [Double], _ rows: Int, _ columns: Int) -> [(Int, Int)] {
        var idx: [Int] = []
        for k in 0..<cost.count where cost[k].isFinite { idx.append(k) }
        idx.sort { cost[$0] != cost[$1] ? cost[$0] < cost[$1] : $0 < $1 }
        var rowUsed = [Bool](repeating: false, count: rows), colUsed = [Bool](repeating: false, count: columns)
        var out: [(Int, Int)] = []
        for k in idx {
            let i = k / columns, j = k % columns
            if rowUsed[i] || colUsed[j] { continue }
            rowUsed[i] = true; colUsed[j] = true
            out.append((i, j))
        }
        return out.sorted { $0.0 < $1.0 }
    }

    /// Hungarian algorithm (shortest augmenting paths with potentials) for n ≤ m; transposes
    /// when rows > columns. Infinite entries get a big finite cost and are dropped afterwards.
    static func hungarian(_ cost: [Double], _ rows: Int, _ columns: Int) -> [(Int, Int)] {
        let transposed = rows > columns
        let n = transposed ? columns : rows, m = transposed ? rows : columns
        var big = 1.0
        for c in cost where c.isFinite { big = max(big, abs(c)) }
        big *= Double(n + 1) * 4 // larger than any assignment of finite costs
        @inline(__always) func a(_ i: Int, _ j: Int) -> Double { // 1-based
            let c = transposed ? cost[(j - 1) * columns + (i - 1)] : cost[(i - 1) * columns + (j - 1)]
            return c.isFinite ? c : big
        }
        var u = [Double](repeating: 0, count: n + 1), v = [Double](repeating: 0, count: m + 1)
        var p = [Int](repeating: 0, count: m + 1), way = [Int](repeating: 0, count: m + 1)
        var minv = [Double](repeating: 0, count: m + 1)
        var used = [Bool](repeating: false, count: m + 1)
        for i in 1...n {
            p[0] = i
            var j0 = 0
            for j in 0...m { minv[j] = .infinity; used[j] = false }
            repeat {
                used[j0] = true
                let i0 = p[j0]
                var delta = Double.infinity, j1 = 0
                for j in 1...m where !used[j] {
                    let cur = a(i0, j) - u[i0] - v[j]
                    if cur < minv[j] { minv[j] = cur; way[j] = j0 }
                    if minv[j] < delta { delta = minv[j]; j1 = j }
                }
                for j in 0...m {
                    if used[j] { u[p[j]] += delta; v[j] -= delta } else { minv[j] -= delta }
                }
                j0 = j1
            } while p[j0] != 0
            repeat {
                let j1 = way[j0]
                p[j0] = p[j1]
                j0 = j1
            } while j0 != 0
        }
        var out: [(Int, Int)] = []
        for j in 1...m where p[j] != 0 {
            let (r, c) = transposed ? (j - 1, p[j] - 1) : (p[j] - 1, j - 1)
            if cost[r * columns + c].isFinite { out.append((r, c)) }
        }
        return out.sorted { $0.0 < $1.0 }
    }
}
