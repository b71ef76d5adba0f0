import Foundation
import TwinIO
import Numerics

/// Bus type with MATPOWER's numeric codes.
public enum BusType: Int, Sendable, CaseIterable {
    case pq = 1, pv = 2, ref = 3, isolated = 4
}

/// A grid validation error; `description` is one line naming the file, the row and what was expected.
public struct PowerGridError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A transmission or distribution grid in per-unit-ready form (struct of arrays).
///
/// Buses keep the case's row order (index `i` = row `i` of `mpc.bus`); generators and branches
/// hold only the in-service elements, each with the row it came from (`genSourceRow`,
/// `branchSourceRow`) so results can be reported in the case's order. Powers are in MW/MVAr,
/// angles in degrees, impedances in p.u. on `baseMVA`, as in MATPOWER.
///
/// `busType` is the type used for solving, resolved like MATPOWER's `bustypes`: a PV or slack
/// bus without an in-service generator becomes PQ; if no slack bus with a generator remains,
/// the first PV bus becomes the slack. `caseBusType` keeps the type written in the file.
/// Isolated buses (type 4), and branches and generators attached to them, are left out of the
/// network equations, as MATPOWER's `ext2int` does.
public struct PowerGrid: Sendable {
    public var name: String
    public var baseMVA: Double

    // Buses.
    public var busID: [Int]
    public var caseBusType: [BusType]
    public var busType: [BusType]
    public var pd: [Double], qd: [Double], gs: [Double], bs: [Double]
    public var vm: [Double], va: [Double], baseKV: [Double], vmax: [Double], vmin: [Double]

    // In-service generators.
    public var genBus: [Int]
    public var pg: [Double], qg: [Double], qmax: [Double], qmin: [Double], vg: [Double], pmax: [Double]
    public var genSourceRow: [Int]
    /// Number of generator rows in the case (in and out of service).
    public var caseGenCount: Int

    // In-service branches (bus indices, not IDs).
    public var branchFrom: [Int], branchTo: [Int]
    public var r: [Double], x: [Double], b: [Double], rateA: [Double]
    /// Off-nominal tap ratio (the case's 0 already replaced by 1).
    public var tap: [Double]
    /// Phase shift in degrees.
    public var shift: [Double]
    public var branchSourceRow: [Int]
    /// Number of branch rows in the case (in and out of service).
    public var caseBranchCount: Int
    /// Notes about type resolution (e.g. "bus 5: PV without generator treated as PQ").
    public var notes: [String]

    @inlinable public var busCount: Int { busID.count }
    @inlinable public var genCount: Int { genBus.count }
    @inlinable public var branchCount: Int { branchFrom.count }

    /// Net active bus injections P = Pg − Pd − Gs in MW for the current dispatch and loads (the
    /// DC power flow's right-hand side). O(buses + generators).
    public func netInjectionsMW() -> [Double] {
        var p = [Double](repeating: 0, count: busCount)
        for i in 0..<busCount { p[i] = -pd[i] - gs[i] }
        for k in 0..<genCount { p[genBus[k]] += pg[k] }
        return p
    }

    /// Index of the (unique) slack bus.
    public var slackBus: Int { busType.firstIndex(of: .ref) ?? 0 }

    /// Converts and validates a parsed MATPOWER case. O(buses + gens + branches).
    /// Throws `PowerGridError` for unknown bus numbers, duplicate buses, bad types, zero
    /// impedances, non-finite values or a missing slack bus.
    public init(matpower c: MatpowerCase) throws {
        let file = c.sourcePath.isEmpty ? (c.name.isEmpty ? "<case>" : c.name) : c.sourcePath
        func line(_ lines: [Int], _ k: Int) -> Int { k < lines.count ? lines[k] : 0 }
        typealias B = MatpowerCase.Bus
        typealias G = MatpowerCase.Gen
        typealias R = MatpowerCase.Branch
        name = c.name
        baseMVA = c.baseMVA
        guard baseMVA > 0, baseMVA.isFinite else { throw PowerGridError("\(file): baseMVA: expected a positive number, found \(baseMVA)") }
        let nb = c.bus.count
        busID = []; caseBusType = []; pd = []; qd = []; gs = []; bs = []; vm = []; va = []; baseKV = []; vmax = []; vmin = []
        var indexOf: [Int: Int] = [:]
        for (k, row) in c.bus.enumerated() {
            let ln = line(c.busLines, k)
            guard row.count >= B.requiredColumns else {
                throw PowerGridError("\(file):\(ln): bus row \(k + 1): expected \(B.requiredColumns) columns, found \(row.count)")
            }
            for (j, v) in row.prefix(B.requiredColumns).enumerated() where !v.isFinite {
                throw PowerGridError("\(file):\(ln): bus row \(k + 1) column \(j + 1): expected a finite number, found \(v)")
            }
            let id = Int(row[B.busI])
            guard Double(id) == row[B.busI], id > 0 else {
                throw PowerGridError("\(file):\(ln): bus row \(k + 1): bus_i must be a positive integer, found \(row[B.busI])")
            }
            guard indexOf[id] == nil else { throw PowerGridError("\(file):\(ln): bus row \(k + 1): duplicate bus number \(id)") }
            guard let t = BusType(rawValue: Int(row[B.type])), Double(t.rawValue) == row[B.type] else {
                throw PowerGridError("\(file):\(ln): bus row \(k + 1): type must be 1 (PQ), 2 (PV), 3 (ref) or 4 (isolated), found \(row[B.type])")
            }
            indexOf[id] = k
            busID.append(id); caseBusType.append(t)
            pd.append(row[B.pd]); qd.append(row[B.qd]); gs.append(row[B.gs]); bs.append(row[B.bs])
            vm.append(row[B.vm]); va.append(row[B.va]); baseKV.append(row[B.baseKV])
            vmax.append(row[B.vmax]); vmin.append(row[B.vmin])
        }

        genBus = []; pg = []; qg = []; qmax = []; qmin = []; vg = []; pmax = []; genSourceRow = []
        caseGenCount = c.gen.count
        for (k, row) in c.gen.enumerated() {
            let ln = line(c.genLines, k)
            guard row.count >= G.requiredColumns else {
                throw PowerGridError("\(file):\(ln): gen row \(k + 1): expected \(G.requiredColumns) columns, found \(row.count)")
            }
            guard let bi = indexOf[Int(row[G.bus])], row[G.bus].isFinite else {
                throw PowerGridError("\(file):\(ln): gen row \(k + 1): bus \(row[G.bus]) is not a bus number in mpc.bus")
            }
            for j in [G.pg, G.qg, G.vg, G.status] where !row[j].isFinite {
                throw PowerGridError("\(file):\(ln): gen row \(k + 1) column \(j + 1): expected a finite number, found \(row[j])")
            }
            guard row[G.status] > 0, caseBusType[bi] != .isolated else { continue }
            genBus.append(bi); pg.append(row[G.pg]); qg.append(row[G.qg])
            qmax.append(row[G.qmax]); qmin.append(row[G.qmin]); vg.append(row[G.vg]); pmax.append(row[G.pmax]); genSourceRow.append(k)
        }

        branchFrom = []; branchTo = []; r = []; x = []; b = []; rateA = []; tap = []; shift = []; branchSourceRow = []
        caseBranchCount = c.branch.count
        for (k, row) in c.branch.enumerated() {
            let ln = line(c.branchLines, k)
            guard row.count >= R.requiredColumns else {
                throw PowerGridError("\(file):\(ln): branch row \(k + 1): expected \(R.requiredColumns) columns, found \(row.count)")
            }
            guard let f = indexOf[Int(row[R.fbus])], row[R.fbus].isFinite else {
                throw PowerGridError("\(file):\(ln): branch row \(k + 1): from bus \(row[R.fbus]) is not a bus number in mpc.bus")
            }
            guard let t = indexOf[Int(row[R.tbus])], row[R.tbus].isFinite else {
                throw PowerGridError("\(file):\(ln): branch row \(k + 1): to bus \(row[R.tbus]) is not a bus number in mpc.bus")
            }
            for j in [R.r, R.x, R.b, R.rateA, R.ratio, R.angle, R.status] where !row[j].isFinite {
                throw PowerGridError("\(file):\(ln): branch row \(k + 1) column \(j + 1): expected a finite number, found \(row[j])")
            }
            guard row[R.rateA] >= 0 else {
                throw PowerGridError("\(file):\(ln): branch row \(k + 1) column \(R.rateA + 1) (RATE_A): expected a rating ≥ 0 MVA (0 = unrated), found \(row[R.rateA])")
            }
            guard row[R.status] > 0, caseBusType[f] != .isolated, caseBusType[t] != .isolated else { continue }
            guard row[R.r] != 0 || row[R.x] != 0 else {
                throw PowerGridError("\(file):\(ln): branch row \(k + 1): r and x are both zero (expected a non-zero series impedance)")
            }
            branchFrom.append(f); branchTo.append(t)
            r.append(row[R.r]); x.append(row[R.x]); b.append(row[R.b]); rateA.append(row[R.rateA])
            tap.append(row[R.ratio] == 0 ? 1 : row[R.ratio]); shift.append(row[R.angle]); branchSourceRow.append(k)
        }

        // Resolve solve types like MATPOWER's bustypes().
        var hasGen = [Bool](repeating: false, count: nb)
        for g in genBus { hasGen[g] = true }
        busType = caseBusType
        notes = []
        for i in 0..<nb where (busType[i] == .pv || busType[i] == .ref) && !hasGen[i] {
            notes.append("bus \(busID[i]): \(busType[i] == .ref ? "slack" : "PV") bus without in-service generator treated as PQ")
            busType[i] = .pq
        }
        var refs = (0..<nb).filter { busType[$0] == .ref }
        if refs.isEmpty {
            guard let firstPV = busType.firstIndex(of: .pv) else {
                throw PowerGridError("\(file): no slack bus: expected a bus of type 3 (or 2) with an in-service generator")
            }
            busType[firstPV] = .ref
            notes.append("bus \(busID[firstPV]): no slack bus in the case, first PV bus used as slack")
            refs = [firstPV]
        }
        // Several slack buses: MATPOWER keeps the first as the angle reference and the others
        // as voltage-controlled; we do the same (they become PV).
        for i in refs.dropFirst() {
            busType[i] = .pv
            notes.append("bus \(busID[i]): extra slack bus treated as PV")
        }
        // Buses without an in-service path to the slack cannot be solved: they are treated as
        // isolated (de-energised, their load unserved) and reported, as MATPOWER users expect
        // from `extract_islands`-style checks, instead of a singular Jacobian.
        var adjacency = [[Int]](repeating: [], count: nb)
        for k in branchFrom.indices {
            adjacency[branchFrom[k]].append(branchTo[k])
            adjacency[branchTo[k]].append(branchFrom[k])
        }
        var reached = [Bool](repeating: false, count: nb)
        var stack = [refs[0]]
        reached[refs[0]] = true
        while let i = stack.popLast() {
            for j in adjacency[i] where !reached[j] { reached[j] = true; stack.append(j) }
        }
        var islanded: [Int] = []
        for i in 0..<nb where !reached[i] && busType[i] != .isolated {
            busType[i] = .isolated
            islanded.append(busID[i])
        }
        if !islanded.isEmpty {
            let shown = islanded.prefix(10).map(String.init).joined(separator: ", ") + (islanded.count > 10 ? ", …" : "")
            notes.append("\(islanded.count) bus(es) not connected to the slack bus by in-service branches (\(shown)): treated as isolated, their load is not served")
        }
        // Branches touching an isolated bus carry nothing; drop them from the model.
        let keep = branchFrom.indices.filter { busType[branchFrom[$0]] != .isolated && busType[branchTo[$0]] != .isolated }
        if keep.count != branchFrom.count {
            branchFrom = keep.map { branchFrom[$0] }; branchTo = keep.map { branchTo[$0] }
            r = keep.map { r[$0] }; x = keep.map { x[$0] }; b = keep.map { b[$0] }; rateA = keep.map { rateA[$0] }
            tap = keep.map { tap[$0] }; shift = keep.map { shift[$0] }; branchSourceRow = keep.map { branchSourceRow[$0] }
        }
        let keepGen = genBus.indices.filter { busType[genBus[$0]] != .isolated }
        if keepGen.count != genBus.count {
            genBus = keepGen.map { genBus[$0] }; pg = keepGen.map { pg[$0] }; qg = keepGen.map { qg[$0] }
            qmax = keepGen.map { qmax[$0] }; qmin = keepGen.map { qmin[$0] }; vg = keepGen.map { vg[$0] }
            pmax = keepGen.map { pmax[$0] }; genSourceRow = keepGen.map { genSourceRow[$0] }
        }
    }

    /// Row index of bus number `id`, or nil. O(buses) — build your own map for repeated look-ups.
    public func busIndex(ofID id: Int) -> Int? { busID.firstIndex(of: id) }

    /// Number of in-service branches whose tap differs from 1 or that shift phase (transformers).
    public var transformerCount: Int {
        var n = 0
        for k in 0..<branchCount where tap[k] != 1 || shift[k] != 0 { n += 1 }
        return n
    }

    /// A short multi-line summary for `citytwin inspect`: buses by type, generators, branches,
    /// transformers, total load and generation capacity.
    public func describe() -> String {
        var counts = [Int](repeating: 0, count: 5)
        for t in caseBusType { counts[t.rawValue] += 1 }
        var loadP = 0.0, loadQ = 0.0
        for i in 0..<busCount { loadP += pd[i]; loadQ += qd[i] }
        var genP = 0.0, cap = 0.0
        for k in 0..<genCount { genP += pg[k]; cap += pmax[k] }
        func f(_ v: Double) -> String { String(format: "%.2f", v) }
        var s = "grid \(name.isEmpty ? "(unnamed)" : name): baseMVA \(f(baseMVA))\n"
        s += "buses: \(busCount) (PQ \(counts[1]), PV \(counts[2]), slack \(counts[3]), isolated \(counts[4])); slack bus \(busID.isEmpty ? 0 : busID[slackBus])\n"
        s += "generators: \(genCount) in service of \(caseGenCount); dispatch \(f(genP)) MW, capacity (sum of Pmax) \(f(cap)) MW\n"
        s += "branches: \(branchCount) in service of \(caseBranchCount); transformers \(transformerCount)\n"
        s += "load: \(f(loadP)) MW, \(f(loadQ)) MVAr"
        for n in notes.prefix(5) { s += "\nnote: \(n)" }
        if notes.count > 5 { s += "\nnote: … \(notes.count - 5) more" }
        return s
    }
}
