/// A real sparse matrix in compressed sparse column (CSC) form, the layout KLU consumes.
///
/// Row indices are sorted within each column and unique. Indices are `Int32` because the
/// KLU `int` interface takes them directly without conversion.
public struct SparseMatrixCSC: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// `columns + 1` offsets into `rowIndices`/`values`.
    public var columnPointers: [Int32]
    /// Row index of each stored entry (sorted within a column).
    public var rowIndices: [Int32]
    /// Value of each stored entry.
    public var values: [Double]

    /// Number of stored entries.
    @inlinable public var nonZeroCount: Int { rowIndices.count }

    /// Builds from a CSC pattern you already have. Validates pointers and indices (O(nnz)).
    public init(rows: Int, columns: Int, columnPointers: [Int32], rowIndices: [Int32], values: [Double]) throws {
        guard rows >= 0, columns >= 0, columnPointers.count == columns + 1,
              columnPointers.first == 0, Int(columnPointers[columns]) == rowIndices.count,
              rowIndices.count == values.count else {
            throw NumericsError.invalidInput("SparseMatrixCSC: inconsistent column pointers / index / value counts")
        }
        for j in 0..<columns {
            let a = Int(columnPointers[j]), b = Int(columnPointers[j + 1])
            guard a <= b else { throw NumericsError.invalidInput("SparseMatrixCSC: column \(j) pointers decrease") }
            var previous: Int32 = -1
            for p in a..<b {
                let r = rowIndices[p]
                guard r > previous, Int(r) < rows else {
                    throw NumericsError.invalidInput("SparseMatrixCSC: column \(j) row index \(r) unsorted, duplicated or out of 0..<\(rows)")
                }
                previous = r
            }
        }
        self.rows = rows; self.columns = columns
        self.columnPointers = columnPointers; self.rowIndices = rowIndices; self.values = values
    }

    /// Builds from triplets (i, j, v), summing duplicates. Deterministic: the result depends only
    /// on the triplet values, not on hashing. O(nnz + columns) via two counting passes.
    public init(rows: Int, columns: Int, rowIndices ri: [Int], columnIndices ci: [Int], values v: [Double]) throws {
        let (pattern, slots) = try SparseMatrixCSC.pattern(rows: rows, columns: columns, rowIndices: ri, columnIndices: ci)
        var m = pattern
        for t in 0..<v.count { m.values[Int(slots[t])] += v[t] }
        self = m
    }

    /// Builds the CSC pattern (values zero) of a set of triplet positions and returns, for each
    /// triplet, the index of its slot in `values` (duplicates share a slot).
    ///
    /// This is how a fixed-pattern matrix (e.g. a Newton Jacobian) is refilled each iteration
    /// without searching: `values[slot[t]] += v_t`. O(nnz + columns).
    public static func pattern(rows: Int, columns: Int, rowIndices ri: [Int], columnIndices ci: [Int]) throws -> (matrix: SparseMatrixCSC, slotOfTriplet: [Int32]) {
        guard ri.count == ci.count else {
            throw NumericsError.dimensionMismatch("SparseMatrixCSC triplets: \(ri.count) row indices vs \(ci.count) column indices")
        }
        guard rows >= 0, columns >= 0 else { throw NumericsError.invalidInput("SparseMatrixCSC: negative size") }
        let nt = ri.count
        for t in 0..<nt where ri[t] < 0 || ri[t] >= rows || ci[t] < 0 || ci[t] >= columns {
            throw NumericsError.invalidInput("SparseMatrixCSC triplet \(t): (\(ri[t]), \(ci[t])) outside \(rows)x\(columns)")
        }
        // Pass 1: bucket triplets by row (counting sort), pass 2: stable scatter by column,
        // so each column lists its triplets in ascending row order.
        var rowStart = [Int](repeating: 0, count: rows + 1)
        for t in 0..<nt { rowStart[ri[t] + 1] += 1 }
        for i in 0..<rows { rowStart[i + 1] += rowStart[i] }
        var byRow = [Int](repeating: 0, count: nt)
        var fill = rowStart
        for t in 0..<nt { byRow[fill[ri[t]]] = t; fill[ri[t]] += 1 }
        var colStart = [Int](repeating: 0, count: columns + 1)
        for t in 0..<nt { colStart[ci[t] + 1] += 1 }
        for j in 0..<columns { colStart[j + 1] += colStart[j] }
        var ordered = [Int](repeating: 0, count: nt)
        var cfill = colStart
        for t in byRow { ordered[cfill[ci[t]]] = t; cfill[ci[t]] += 1 }
        // Merge duplicates within each column.
        var colPtr = [Int32](repeating: 0, count: columns + 1)
        var rowIdx = [Int32](); rowIdx.reserveCapacity(nt)
        var slots = [Int32](repeating: 0, count: nt)
        for j in 0..<columns {
            var last = -1
            for k in colStart[j]..<colStart[j + 1] {
                let t = ordered[k]
                if ri[t] != last { rowIdx.append(Int32(ri[t])); last = ri[t] }
                slots[t] = Int32(rowIdx.count - 1)
            }
            colPtr[j + 1] = Int32(rowIdx.count)
        }
        let m = SparseMatrixCSC(unchecked: rows, columns, colPtr, rowIdx, [Double](repeating: 0, count: rowIdx.count))
        return (m, slots)
    }

    @usableFromInline
    init(unchecked rows: Int, _ columns: Int, _ cp: [Int32], _ ri: [Int32], _ v: [Double]) {
        self.rows = rows; self.columns = columns
        self.columnPointers = cp; self.rowIndices = ri; self.values = v
    }

    /// Index in `values` of entry (i, j), or nil if not stored. O(log nnz(column)).
    public func slot(row i: Int, column j: Int) -> Int? {
        guard j >= 0, j < columns else { return nil }
        var lo = Int(columnPointers[j]), hi = Int(columnPointers[j + 1])
        while lo < hi {
            let mid = (lo + hi) / 2
            let r = Int(rowIndices[mid])
            if r == i { return mid }
            if r < i { lo = mid + 1 } else { hi = mid }
        }
        return nil
    }

    /// Entry (i, j) (zero when not stored).
    public subscript(i: Int, j: Int) -> Double { slot(row: i, column: j).map { values[$0] } ?? 0 }

    /// y = A·x into a preallocated `y` (no allocation). O(nnz). Requires `x.count == columns`, `y.count == rows`.
    @inlinable
    public func multiply(_ x: [Double], into y: inout [Double]) {
        precondition(x.count == columns && y.count == rows, "SparseMatrixCSC.multiply: size mismatch")
        for i in 0..<rows { y[i] = 0 }
        for j in 0..<columns {
            let xj = x[j]
            if xj == 0 { continue }
            for p in Int(columnPointers[j])..<Int(columnPointers[j + 1]) {
                y[Int(rowIndices[p])] += values[p] * xj
            }
        }
    }

    /// Dense copy (tests, small matrices).
    public func toDense() -> DenseMatrix {
        var d = DenseMatrix(rows: rows, columns: columns)
        for j in 0..<columns {
            for p in Int(columnPointers[j])..<Int(columnPointers[j + 1]) { d[Int(rowIndices[p]), j] = values[p] }
        }
        return d
    }
}
