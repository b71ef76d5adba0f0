#!/usr/bin/env python3
"""Side-by-side AC power flow: CityTwin vs lightsim2grid (KLU, single slack) vs pandapower.

Every tool solves the same MATPOWER case with MATPOWER semantics (no Q limits, tolerance
1e-8 p.u. on the mismatch). Accuracy is measured against the PYPOWER references in
Models/grids/pf_reference (SOURCES.md: pandapower's from_ppc alters case300/case9241, so it is
compared for time, not accuracy). Times are per solve, excluding parsing and model building,
medians over --repeats runs taken in this one process run, on this machine.
"""
import argparse, json, math, os, re, statistics, subprocess, sys, time, warnings

import numpy as np

warnings.filterwarnings("ignore")


def parse_m(path):
    """Independent minimal MATPOWER reader (regex), including case33bw's unit conversion."""
    text = open(path, encoding="utf-8").read()
    base = float(re.search(r"mpc\.baseMVA\s*=\s*([0-9.eE+-]+)", text).group(1))

    def mat(name):
        m = re.search(r"mpc\.%s\s*=\s*\[(.*?)\]" % name, text, re.S)
        rows = []
        for line in m.group(1).split("\n"):
            line = line.split("%")[0]
            for seg in line.split(";"):
                if seg.strip():
                    rows.append([float(x) for x in seg.replace(",", " ").split()])
        width = max(len(r) for r in rows)
        return np.array([r + [0.0] * (width - len(r)) for r in rows])

    bus, gen, branch = mat("bus"), mat("gen"), mat("branch")
    if re.search(r"mpc\.branch\(:,\s*\[BR_R BR_X\]\)\s*=", text):
        vbase = bus[0, 9] * 1e3
        sbase = base * 1e6
        branch[:, 2:4] /= vbase ** 2 / sbase
        bus[:, 2:4] /= 1e3
    return {"version": "2", "baseMVA": base, "bus": bus, "gen": gen, "branch": branch}


def reference(root, case):
    rows = np.loadtxt(os.path.join(root, "Models/grids/pf_reference/%s_pf_bus.csv" % case), delimiter=",", skiprows=1)
    return rows[:, 2], rows[:, 3]


def pypower_setup(ppc):
    from pypower.ext2int import ext2int
    from pypower.makeYbus import makeYbus
    from pypower.makeSbus import makeSbus
    from pypower.bustypes import bustypes
    ppc = ext2int({k: (v.copy() if hasattr(v, "copy") else v) for k, v in ppc.items()})
    base, bus, gen, branch = ppc["baseMVA"], ppc["bus"], ppc["gen"], ppc["branch"]
    ref, pv, pq = bustypes(bus, gen)
    on = np.flatnonzero(gen[:, 7] > 0)
    gbus = gen[on, 0].astype(int)
    V0 = bus[:, 7] * np.exp(1j * np.pi / 180 * bus[:, 8])
    vcb = np.ones(V0.shape)
    vcb[pq] = 0
    k = np.flatnonzero(vcb[gbus])
    V0[gbus[k]] = gen[on[k], 5] / abs(V0[gbus[k]]) * V0[gbus[k]]
    Ybus, _, _ = makeYbus(base, bus, branch)
    Sbus = makeSbus(base, bus, gen)
    sload = (bus[:, 2] + 1j * bus[:, 3]) / base   # the load part of Sbus (Sbus = gen - load)
    return Ybus.tocsc(), Sbus, V0, ref, pv, pq, sload


def lightsim_sets(V0, ref, pv, pq):
    """Slack weights and int32 bus sets as NRSing_KLU.compute_pf takes them."""
    weights = np.zeros(len(V0))
    weights[ref] = 1.0
    return weights, ref.astype(np.int32), pv.astype(np.int32), pq.astype(np.int32)


def pandapower_net(ppc):
    """pandapower net from the case (from_ppc, its chatter silenced) and MATPOWER's 1e-8 p.u. in MVA."""
    from pandapower.converter.pypower.from_ppc import from_ppc
    import io, contextlib
    ppc = {k: (v.copy() if hasattr(v, "copy") else v) for k, v in ppc.items()}
    ppc["bus"][ppc["bus"][:, 9] == 0, 9] = 1.0     # case14 has baseKV 0, which from_ppc cannot convert
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        net = from_ppc(ppc, f_hz=60)
    return net, 1e-8 * ppc["baseMVA"]


def run_lightsim(ppc, repeats, solver=None):
    import lightsim2grid
    from lightsim2grid.algorithm import NRSing_KLU
    Ybus, Sbus, V0, ref, pv, pq, _ = pypower_setup(ppc)
    solver = solver or NRSing_KLU()
    weights, ref32, pv32, pq32 = lightsim_sets(V0, ref, pv, pq)
    times, internal, iters, ok, V = [], [], 0, False, None
    for _ in range(repeats + 1):          # the first call (symbolic analysis) is not timed
        V = V0.copy()
        before = solver.get_timers()[3]
        t = time.perf_counter()
        ok = solver.compute_pf(Ybus, V, Sbus, ref32, weights, pv32, pq32, 10, 1e-8)
        times.append(time.perf_counter() - t)
        # Its own C++ timer (timer_total_nr). In lightsim2grid 1.2 it restarts at every call; should a
        # version accumulate instead, the reading exceeds the call's wall time and the difference is used.
        after = solver.get_timers()[3]
        internal.append(after if after <= times[-1] * 1.05 else after - before)
        iters = solver.get_nb_iter()
    return {"ok": bool(ok), "iters": int(iters), "vm": np.abs(solver.get_V()), "va": np.angle(solver.get_V(), deg=True),
            "median": statistics.median(times[1:]), "min": min(times[1:]), "internal": statistics.median(internal[1:]),
            "version": lightsim2grid.__version__}


def run_pandapower(ppc, repeats):
    import pandapower as pp
    net, tol = pandapower_net(ppc)
    wall, nr = [], []
    for _ in range(repeats + 1):
        t = time.perf_counter()
        pp.runpp(net, algorithm="nr", tolerance_mva=tol, max_iteration=10, numba=True)
        wall.append(time.perf_counter() - t)
        nr.append(net._ppc["et"])
    return {"ok": bool(net.converged), "iters": int(net._ppc["iterations"]), "vm": net.res_bus.vm_pu.values,
            "median": statistics.median(wall[1:]), "nr_median": statistics.median(nr[1:]), "version": pp.__version__}


def series_scale(step):
    """Same profile as CityTwin's PowerFlowCaseOptions.seriesLoadScale: ±3 % daily swing, 15-min steps."""
    return 1 + 0.03 * math.sin(2 * math.pi * step / 96)


def run_lightsim_series(ppc, steps, solver=None):
    """Warm-started series: each solve starts from the previous voltages with loads scaled."""
    from lightsim2grid.algorithm import NRSing_KLU
    Ybus, Sbus, V0, ref, pv, pq, sload = pypower_setup(ppc)
    sgen = Sbus + sload
    solver = solver or NRSing_KLU()
    weights, ref32, pv32, pq32 = lightsim_sets(V0, ref, pv, pq)
    ok = solver.compute_pf(Ybus, V0.copy(), Sbus, ref32, weights, pv32, pq32, 10, 1e-8)   # cold, untimed
    V = solver.get_V().copy()
    times, iters = [], 0
    for step in range(1, steps + 1):
        t = time.perf_counter()
        S = sgen - series_scale(step) * sload
        ok = solver.compute_pf(Ybus, V, S, ref32, weights, pv32, pq32, 10, 1e-8)
        V = solver.get_V().copy()
        times.append(time.perf_counter() - t)
        iters += solver.get_nb_iter()
        if not ok:
            break
    return {"ok": bool(ok), "steps": len(times), "iters": iters, "vm": np.abs(V), "median": statistics.median(times)}


def run_pandapower_series(ppc, steps):
    import pandapower as pp
    net, tol = pandapower_net(ppc)
    pp.runpp(net, algorithm="nr", tolerance_mva=tol, max_iteration=10, numba=True)   # cold, untimed
    p0, q0 = net.load.p_mw.values.copy(), net.load.q_mvar.values.copy()
    times, iters = [], 0
    for step in range(1, steps + 1):
        t = time.perf_counter()
        f = series_scale(step)
        net.load["p_mw"] = p0 * f
        net.load["q_mvar"] = q0 * f
        pp.runpp(net, algorithm="nr", tolerance_mva=tol, max_iteration=10, numba=True, init="results")
        times.append(time.perf_counter() - t)
        iters += int(net._ppc["iterations"])
        if not net.converged:
            break
    return {"ok": bool(net.converged), "steps": len(times), "iters": iters, "median": statistics.median(times)}


def run_citytwin_series(cmd, path, steps, reuse=True):
    extra = [] if reuse else ["--no-jacobian-reuse"]
    out = subprocess.run(cmd.split() + [path, "--json", "--series", str(steps)] + extra, check=True, capture_output=True, text=True)
    r = json.loads(out.stdout)
    return {"ok": r["converged"], "steps": r["series_steps"], "iters": r["series_iterations"],
            "facts": r["series_factorizations"], "vm": np.array(r["vm_pu"]), "median": r["solve_seconds"]}


def series_table(a, cases):
    """Quasi-static time series: per-step medians, every tool warm-started from its last solution."""
    rows = []
    for case in cases:
        path = os.path.join(a.root, "Models/grids/%s.m" % case)
        vm_ref, _ = reference(a.root, case)
        ppc = parse_m(path)
        from lightsim2grid.algorithm import NRSing_KLU
        solver = NRSing_KLU()
        cts, cns, lss, pps = [], [], [], []
        for _ in range(a.rounds):
            cts.append(run_citytwin_series(a.citytwin, path, a.series))
            cns.append(run_citytwin_series(a.citytwin, path, a.series, reuse=False))
            lss.append(run_lightsim_series(ppc, a.series, solver))
            if not a.no_pandapower:
                pps.append(run_pandapower_series(ppc, a.series))
        med = lambda xs: statistics.median(x["median"] for x in xs)
        row = {"case": case, "ct": cts[-1], "cn": cns[-1], "ls": lss[-1], "ct_ms": med(cts) * 1e3, "cn_ms": med(cns) * 1e3,
               "ls_ms": med(lss) * 1e3, "ct_dvm": float(np.max(np.abs(cts[-1]["vm"] - vm_ref)))}
        if pps:
            row.update({"pp": pps[-1], "pp_ms": med(pps) * 1e3})
        rows.append(row)
        print("done series %s" % case, file=sys.stderr)
    print("\nQuasi-static time series: %d warm-started solves (loads x (1 + 0.03 sin(2 pi step/96))), per-step median "
          "(ms) over %d rounds; ΔVm = last step (nominal load) vs PYPOWER reference\n" % (a.series, a.rounds))
    cols = ["case", "CityTwin it / LU", "CityTwin ms", "ΔVm", "CityTwin classic-Newton ms", "LS2G it", "LS2G ms",
            "LS2G / CityTwin"]
    if not a.no_pandapower:
        cols += ["pandapower it", "pandapower ms", "pandapower / CityTwin"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        ok = all(x["ok"] and x["steps"] == a.series for x in [r["ct"], r["cn"], r["ls"]] + ([r["pp"]] if "pp" in r else []))
        line = "| %s%s | %d / %d | %.4f | %.1e | %.4f | %d | %.4f | %.1f× |" % (
            r["case"], "" if ok else " (not all steps converged)", r["ct"]["iters"], r["ct"]["facts"], r["ct_ms"], r["ct_dvm"],
            r["cn_ms"], r["ls"]["iters"], r["ls_ms"], r["ls_ms"] / r["ct_ms"])
        if "pp" in r:
            line += " %d | %.2f | %.0f× |" % (r["pp"]["iters"], r["pp_ms"], r["pp_ms"] / r["ct_ms"])
        print(line)


def run_citytwin(cmd, path, repeats):
    out = subprocess.run(cmd.split() + [path, "--json", "--repeat", str(repeats)], check=True, capture_output=True, text=True)
    r = json.loads(out.stdout)
    return {"ok": r["converged"], "iters": r["iterations"], "vm": np.array(r["vm_pu"]), "va": np.array(r["va_degree"]),
            "median": r["solve_seconds"], "min": r["solve_seconds_min"], "setup": r["setup_seconds"], "parse": r["parse_seconds"],
            "first": r.get("first_solve_seconds", float("nan")), "factorizations": r.get("factorizations", 0),
            "klu_refactor": r.get("klu_refactor_seconds", float("nan")), "klu_solve": r.get("klu_solve_seconds", float("nan")),
            "lu_nnz": r.get("lu_nonzeros", 0), "jac_nnz": r.get("jacobian_nonzeros", 0)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--citytwin", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--no-pandapower", action="store_true")
    ap.add_argument("--json-out")
    ap.add_argument("--series", type=int, default=96, help="time-series steps (0: skip that table)")
    ap.add_argument("cases", nargs="+")
    a = ap.parse_args()
    if a.series > 0:
        series_table(a, a.cases)
    rows = []
    for case in a.cases:
        path = os.path.join(a.root, "Models/grids/%s.m" % case)
        vm_ref, va_ref = reference(a.root, case)
        ppc = parse_m(path)
        # Interleave the two timed tools in rounds so a load spike from other processes on this
        # shared machine hits both alike; each round's median, then the median over rounds.
        from lightsim2grid.algorithm import NRSing_KLU
        solver = NRSing_KLU()
        cts, lss = [], []
        per = max(3, a.repeats // a.rounds)
        for _ in range(a.rounds):
            # per + 1: CityTwin leaves its first solve (KLU's first full factorisation) out of
            # the median, as lightsim2grid's and pandapower's first calls are left out below.
            cts.append(run_citytwin(a.citytwin, path, per + 1))
            lss.append(run_lightsim(ppc, per, solver))
        ct, ls = cts[-1], lss[-1]
        for key in ("median", "min", "setup", "parse", "first", "klu_refactor", "klu_solve"):
            ct[key] = statistics.median(c[key] for c in cts)
        for key in ("median", "min", "internal"):
            ls[key] = statistics.median(l[key] for l in lss)
        row = {"case": case, "buses": len(vm_ref),
               "ct_iters": ct["iters"], "ct_dvm": float(np.max(np.abs(ct["vm"] - vm_ref))),
               "ct_dva": float(np.max(np.abs(ct["va"] - va_ref))), "ct_ms": ct["median"] * 1e3, "ct_min_ms": ct["min"] * 1e3,
               "ct_lu": ct["factorizations"], "ct_refactor_ms": ct["klu_refactor"] * 1e3, "ct_ksolve_ms": ct["klu_solve"] * 1e3,
               "ct_lu_nnz": ct["lu_nnz"], "ct_jac_nnz": ct["jac_nnz"],
               "ct_setup_ms": ct["setup"] * 1e3, "ct_parse_ms": ct["parse"] * 1e3, "ct_first_ms": ct["first"] * 1e3,
               "ls_iters": ls["iters"], "ls_dvm": float(np.max(np.abs(ls["vm"] - vm_ref))), "ls_ms": ls["median"] * 1e3,
               "ls_min_ms": ls["min"] * 1e3, "ls_internal_ms": ls["internal"] * 1e3}
        if not a.no_pandapower:
            pr = max(3, a.repeats // 4) if len(vm_ref) > 5000 else a.repeats
            pp_ = run_pandapower(ppc, pr)
            row.update({"pp_iters": pp_["iters"], "pp_dvm": float(np.max(np.abs(pp_["vm"] - vm_ref))),
                        "pp_ms": pp_["median"] * 1e3, "pp_nr_ms": pp_["nr_median"] * 1e3})
        rows.append(row)
        print("done %s" % case, file=sys.stderr)

    print("\nAC Newton-Raphson, tolerance 1e-8 p.u., per-solve median of %d runs in %d interleaved rounds (ms); accuracy vs PYPOWER reference\n" % (a.repeats, a.rounds))
    cols = ["case", "buses", "CityTwin it", "CityTwin max ΔVm", "CityTwin ms", "LS2G it", "LS2G max ΔVm",
            "LS2G ms (call)", "LS2G ms (C++ timer)", "LS2G call / CityTwin", "LS2G C++ / CityTwin"]
    if not a.no_pandapower:
        cols += ["pandapower it", "pp max ΔVm", "pp runpp ms", "pp NR-only ms", "pp runpp / CityTwin"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        line = "| %s | %d | %d | %.1e | %.4f | %d | %.1e | %.4f | %.4f | %.2f× | %.2f× |" % (
            r["case"], r["buses"], r["ct_iters"], r["ct_dvm"], r["ct_ms"], r["ls_iters"], r["ls_dvm"], r["ls_ms"],
            r["ls_internal_ms"], r["ls_ms"] / r["ct_ms"], r["ls_internal_ms"] / r["ct_ms"])
        if "pp_ms" in r:
            line += " %d | %.1e | %.2f | %.3f | %.0f× |" % (r["pp_iters"], r["pp_dvm"], r["pp_ms"], r["pp_nr_ms"], r["pp_ms"] / r["ct_ms"])
        print(line)
    if not a.no_pandapower:
        # What the KLU kernels alone cost per cold solve, against the time runpp / 50 allows.
        print("\nKLU work in a CityTwin cold solve vs the 50x-pandapower budget (ms; KLU medians from `--repeat`):\n")
        cols = ["case", "Jacobian nnz", "LU nnz", "KLU refactorisation", "KLU solves", "one Newton iteration",
                "CityTwin LU / updates", "CityTwin KLU work", "CityTwin solve", "runpp / 50"]
        print("| " + " | ".join(cols) + " |")
        print("|" + "---|" * len(cols))
        for r in rows:
            work = r["ct_lu"] * r["ct_refactor_ms"] + r["ct_iters"] * r["ct_ksolve_ms"]
            print("| %s | %d | %d | %.4f | %.4f | %.4f | %d / %d | %.4f | %.4f | %.4f |" % (
                r["case"], r["ct_jac_nnz"], r["ct_lu_nnz"], r["ct_refactor_ms"], r["ct_ksolve_ms"],
                r["ct_refactor_ms"] + r["ct_ksolve_ms"], r["ct_lu"], r["ct_iters"], work, r["ct_ms"], r["pp_ms"] / 50))
    print("\nCityTwin one-off costs, ms: parse (read + PowerGrid), setup (Ybus, Jacobian pattern, KLU analysis),")
    print("first solve (includes KLU's first full factorisation and building the DC model for start angles; later solves refactor with its pivot order):")
    for r in rows:
        print("  %s: parse %.3f, setup %.3f, first solve %.4f, min solve %.4f (LS2G min %.4f)" % (
            r["case"], r["ct_parse_ms"], r["ct_setup_ms"], r["ct_first_ms"], r["ct_min_ms"], r["ls_min_ms"]))
    if a.json_out:
        json.dump(rows, open(a.json_out, "w"), indent=1)


if __name__ == "__main__":
    main()
