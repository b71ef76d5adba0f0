/// A MATPOWER case (format version 2) as parsed text: the base MVA and the `bus`, `gen` and
/// `branch` matrices, row by row, in file order. Pure data, no power-system semantics
/// (the Energy module turns it into a `PowerGrid`).
///
/// Column positions follow MATPOWER's `idx_bus`, `idx_gen` and `idx_brch` (0-based here);
/// use the `Bus`, `Gen` and `Branch` column constants instead of literal numbers.
public struct MatpowerCase: Sendable, Equatable {
    /// Function name from `function mpc = NAME` (empty if absent).
    public var name: String
    /// File the case was read from (for error messages downstream).
    public var sourcePath: String
    /// `mpc.baseMVA`.
    public var baseMVA: Double
    /// `mpc.bus` rows (≥ 13 columns each).
    public var bus: [[Double]]
    /// `mpc.gen` rows (≥ 10 columns each).
    public var gen: [[Double]]
    /// `mpc.branch` rows (≥ 11 columns each).
    public var branch: [[Double]]
    /// 1-based line number in the file of each bus/gen/branch row (for downstream validation messages).
    public var busLines: [Int]
    public var genLines: [Int]
    public var branchLines: [Int]
    /// Human-readable list of in-file MATLAB conversions that were applied
    /// (e.g. case33bw's Ohm→p.u. and kW→MW statements), in file order.
    public var appliedStatements: [String]

    public init(name: String = "", sourcePath: String = "", baseMVA: Double, bus: [[Double]], gen: [[Double]], branch: [[Double]],
                busLines: [Int]? = nil, genLines: [Int]? = nil, branchLines: [Int]? = nil, appliedStatements: [String] = []) {
        self.name = name; self.sourcePath = sourcePath; self.baseMVA = baseMVA
        self.bus = bus; self.gen = gen; self.branch = branch
        self.busLines = busLines ?? Array(repeating: 0, count: bus.count)
        self.genLines = genLines ?? Array(repeating: 0, count: gen.count)
        self.branchLines = branchLines ?? Array(repeating: 0, count: branch.count)
        self.appliedStatements = appliedStatements
    }

    /// Bus matrix columns (MATPOWER `idx_bus`, 0-based).
    public enum Bus {
        public static let busI = 0, type = 1, pd = 2, qd = 3, gs = 4, bs = 5, area = 6, vm = 7, va = 8,
                          baseKV = 9, zone = 10, vmax = 11, vmin = 12
        /// Minimum number of columns a bus row must have.
        public static let requiredColumns = 13
    }
    /// Generator matrix columns (MATPOWER `idx_gen`, 0-based).
    public enum Gen {
        public static let bus = 0, pg = 1, qg = 2, qmax = 3, qmin = 4, vg = 5, mBase = 6, status = 7, pmax = 8, pmin = 9
        public static let requiredColumns = 10
    }
    /// Branch matrix columns (MATPOWER `idx_brch`, 0-based).
    public enum Branch {
        public static let fbus = 0, tbus = 1, r = 2, x = 3, b = 4, rateA = 5, rateB = 6, rateC = 7,
                          ratio = 8, angle = 9, status = 10, angmin = 11, angmax = 12
        public static let requiredColumns = 11
    }
}

/// A MATPOWER parse error; `description` is one line: `<file>:<line>: <what was expected>`.
public struct MatpowerParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let message: String
    public init(file: String, line: Int, message: String) { self.file = file; self.line = line; self.message = message }
    public var description: String { "\(file):\(line): \(message)" }
}
