#!/usr/bin/env python3
"""CityTwin queue model vs SUMO's mesoscopic model on the same network and the same trips.

For each case (a scenario plus `--set` overrides):
  1. run `citytwin run` once and read the network it simulated (/traffic links and nodes) and
     the trips it sampled (/traffic/trips: origin, destination, departure) with h5py;
  2. write them as SUMO plain XML (nodes, edges with length, speed and lanes; one trip per
     CityTwin trip, fromJunction/toJunction), build the net with netconvert and route the trips
     on free-flow travel times with duarouter --junction-taz (CityTwin's routes are free-flow
     shortest paths too; re-routing is off in both) — preprocessing, timed separately;
  3. time REPEATS runs of `sumo --mesosim` and of `citytwin run`, alternating so load changes
     on this shared machine hit both alike, and report medians.

CityTwin's "simulation part" is the full run minus a run of the same scenario with
`--set duration=1s` (parsing, demand sampling, routing, output set-up and the trip table are in
both), medians of each. SUMO's simulation part is its own "Duration" (`--duration-log.statistics`),
which excludes loading the network. Everything generated goes to the work directory (default
.build-bench/traffic, git-ignored).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import h5py
import numpy as np

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

CASES = {
    "siouxfalls": ("Scenarios/benchmarks/traffic-siouxfalls.yaml", [], "Models/roads/SiouxFalls/SiouxFalls_net.tntp"),
    "anaheim": ("Scenarios/benchmarks/traffic-anaheim.yaml", [], "Models/roads/Anaheim/Anaheim_net.tntp"),
    "anaheim10": ("Scenarios/benchmarks/traffic-anaheim.yaml", ["demand.scale=10"], "Models/roads/Anaheim/Anaheim_net.tntp"),
}


def first_thru_node(tntp_path):
    """TNTP `<FIRST THRU NODE>`: nodes below it are zone centroids that routes may not pass."""
    with open(tntp_path) as f:
        for line in f:
            m = re.match(r"\s*<FIRST THRU NODE>\s*(\d+)", line)
            if m:
                return int(m.group(1))
            if "<END OF METADATA>" in line:
                break
    return 1


def run_citytwin(citytwin, scenario, sets, out):
    cmd = [citytwin, "run", scenario, "-o", out, "--progress", "never", "-q"]
    for s in sets:
        cmd += ["--set", s]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=REPO, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def citytwin_stats(h5path):
    with h5py.File(h5path, "r") as f:
        t = f["traffic/trips"]
        dep = t["departure"][:]
        arr = t["arrival"][:]
        dist = t["distance"][:]
        done = ~np.isnan(arr)
        kpi = {}
        if "kpi" in f:
            g = f["kpi"]
            names = [n.decode() if isinstance(n, bytes) else str(n) for n in g["kpi"][:]] if "kpi" in g else []
            if names and "value" in g:
                kpi = dict(zip(names, [float(v) for v in g["value"][:]]))
        events = int(f["meta"].attrs.get("events_executed", 0))
    return {
        "trips": int(dep.size),
        "completed": int(done.sum()),
        "mean_travel_time_s": float(np.mean(arr[done] - dep[done])) if done.any() else float("nan"),
        "mean_distance_m": float(np.mean(dist[done])) if done.any() else float("nan"),
        "events": events,
        "stuck_pushes": kpi.get("traffic_stuck_pushes", kpi.get("stuck_pushes", float("nan"))),
    }


def export_sumo_inputs(h5path, tntp_path, work):
    """Write nodes, edges, prohibited centroid through-movements and trips as SUMO plain XML."""
    with h5py.File(h5path, "r") as f:
        tr = f["traffic"]
        nodes = tr["nodes"]
        x, y = nodes["x"][:], nodes["y"][:]
        ext = nodes["external_id"][:]
        frm, to = tr["from_node"][:], tr["to_node"][:]
        length, speed_kmh, lanes = tr["length"][:], tr["free_speed"][:], tr["lanes"][:]
        trips = tr["trips"]
        o, d, dep = trips["origin"][:], trips["destination"][:], trips["departure"][:]
    ftn = first_thru_node(tntp_path)
    with open(os.path.join(work, "net.nod.xml"), "w") as w:
        w.write("<nodes>\n")
        for i in range(x.size):
            w.write(f'  <node id="n{i}" x="{x[i]:.2f}" y="{y[i]:.2f}" type="priority"/>\n')
        w.write("</nodes>\n")
    with open(os.path.join(work, "net.edg.xml"), "w") as w:
        w.write("<edges>\n")
        for l in range(frm.size):
            # Explicit length: SUMO must use CityTwin's link length, not the node distance.
            w.write(f'  <edge id="e{l}" from="n{frm[l]}" to="n{to[l]}" numLanes="{max(1, int(lanes[l]))}" '
                    f'speed="{speed_kmh[l] / 3.6:.4f}" length="{length[l]:.2f}"/>\n')
        w.write("</edges>\n")
    # Zone centroids (TNTP nodes < FIRST THRU NODE) are not through-nodes in CityTwin's router:
    # delete every through connection there so duarouter cannot route across them either.
    incoming, outgoing = {}, {}
    for l in range(frm.size):
        outgoing.setdefault(int(frm[l]), []).append(l)
        incoming.setdefault(int(to[l]), []).append(l)
    with open(os.path.join(work, "net.con.xml"), "w") as w:
        w.write("<connections>\n")
        for n in range(x.size):
            if int(ext[n]) < ftn:
                for a in incoming.get(n, []):
                    for b in outgoing.get(n, []):
                        w.write(f'  <delete from="e{a}" to="e{b}"/>\n')
        w.write("</connections>\n")
    order = np.lexsort((np.arange(dep.size), dep))  # SUMO wants departures sorted; ties by input order
    with open(os.path.join(work, "trips.xml"), "w") as w:
        # speedDev 0: every car drives at the edge speed, as in CityTwin (no speed distribution).
        w.write('<routes>\n  <vType id="car" speedDev="0"/>\n')
        for i in order:
            w.write(f'  <trip id="t{i}" type="car" depart="{dep[i]:.3f}" fromJunction="n{o[i]}" toJunction="n{d[i]}"/>\n')
        w.write("</routes>\n")
    return int(x.size), int(frm.size), int(dep.size)


def timed(cmd, **kw):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)
    return time.perf_counter() - t0, p


def sumo_prepare(bin_dir, work):
    t_net, _ = timed([os.path.join(bin_dir, "netconvert"), "--node-files", "net.nod.xml", "--edge-files", "net.edg.xml",
                      "--connection-files", "net.con.xml", "--no-internal-links", "true", "--no-turnarounds", "true",
                      "--offset.disable-normalization", "true", "--no-warnings", "true", "-o", "net.net.xml"], cwd=work)
    t_route, _ = timed([os.path.join(bin_dir, "duarouter"), "-n", "net.net.xml", "--route-files", "trips.xml",
                        "--junction-taz", "true", "--ignore-errors", "true", "--no-warnings", "true", "--no-step-log", "true",
                        "--routing-algorithm", "astar", "-o", "routes.rou.xml"], cwd=work)
    return t_net, t_route


def sumo_run(bin_dir, work, end_s, extra_args=(), timeout=None):
    """One `sumo --mesosim` run; returns (wall s, SUMO's own duration s, stats), or
    (timeout, nan, None) when it did not finish within `timeout` seconds (it is killed)."""
    cmd = [os.path.join(bin_dir, "sumo"), "--mesosim", "true", "-n", "net.net.xml", "-r", "routes.rou.xml",
           "--begin", "0", "--end", str(end_s), "--no-step-log", "true", "--no-warnings", "true",
           "--duration-log.statistics", "true", "--statistic-output", "stats.xml", *extra_args]
    try:
        wall, p = timed(cmd, cwd=work, timeout=timeout)
    except subprocess.TimeoutExpired:
        return float(timeout), float("nan"), None
    m = re.search(r"Duration:\s*([0-9.]+)\s*s", p.stdout)
    sim = float(m.group(1)) if m else float("nan")
    root = ET.parse(os.path.join(work, "stats.xml")).getroot()
    veh = root.find("vehicles")
    trip = root.find("vehicleTripStatistics")
    tele = root.find("teleports")
    return wall, sim, {
        "loaded": int(veh.get("loaded")),
        "inserted": int(veh.get("inserted")),
        "completed": int(trip.get("count")),
        "mean_travel_time_s": float(trip.get("duration")),
        "mean_distance_m": float(trip.get("routeLength")),
        "teleports": int(tele.get("total")) if tele is not None else 0,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--citytwin", required=True)
    ap.add_argument("--sumo-home", required=True)
    ap.add_argument("--work", default=os.path.join(REPO, ".build-bench", "traffic"))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sumo-repeats", type=int, help="SUMO runs per case (default: --repeats); SUMO takes "
                    "minutes on the congested Anaheim x 10 day, so fewer SUMO runs keep the benchmark short")
    ap.add_argument("--sumo-args", default="", help="extra sumo options, e.g. '--time-to-teleport 10' "
                    "(CityTwin pushes a vehicle blocked for 10 s into the full link; SUMO teleports after 300 s by default)")
    ap.add_argument("--sumo-timeout", type=float, help="kill a SUMO run after this many seconds and report it as '> timeout'")
    ap.add_argument("--json", help="write all figures here")
    ap.add_argument("cases", nargs="*", default=list(CASES))
    a = ap.parse_args()
    bin_dir = os.path.join(a.sumo_home, "bin")
    results = []
    for name in a.cases:
        scenario, sets, tntp = CASES[name]
        work = os.path.join(a.work, name)
        os.makedirs(work, exist_ok=True)
        h5 = os.path.join(work, "citytwin.h5")
        print(f"[{name}] exporting network and trips from a CityTwin run", file=sys.stderr, flush=True)
        run_citytwin(a.citytwin, scenario, sets, h5)
        n_nodes, n_links, n_trips = export_sumo_inputs(h5, os.path.join(REPO, tntp), work)
        ct = citytwin_stats(h5)
        t_net, t_route = sumo_prepare(bin_dir, work)
        ct_wall, ct_setup, su_wall, su_sim = [], [], [], []
        su = None
        for r in range(a.repeats):
            # Alternate the tools (and their order) so load from other processes hits both alike.
            order = ["citytwin", "sumo"] if r % 2 == 0 else ["sumo", "citytwin"]
            for tool in order:
                if tool == "sumo" and a.sumo_repeats is not None and r >= a.sumo_repeats:
                    continue
                if tool == "citytwin":
                    ct_wall.append(run_citytwin(a.citytwin, scenario, sets, h5))
                    ct_setup.append(run_citytwin(a.citytwin, scenario, sets + ["duration=1s", "snapshot_interval=1s"],
                                                 os.path.join(work, "setup.h5")))
                else:
                    w, s, st = sumo_run(bin_dir, work, 86400, a.sumo_args.split(), a.sumo_timeout)
                    su = st or su
                    su_wall.append(w)
                    su_sim.append(s)
            sumo_note = (f"SUMO meso {su_wall[-1]:.2f} s (its own duration {su_sim[-1]:.2f} s) {a.sumo_args}"
                         if len(su_wall) > r else "SUMO skipped (--sumo-repeats)")
            print(f"[{name}] repeat {r + 1}: CityTwin {ct_wall[-1]:.2f} s (setup run {ct_setup[-1]:.2f} s), {sumo_note}",
                  file=sys.stderr, flush=True)
        med = statistics.median
        row = {
            "case": name, "nodes": n_nodes, "links": n_links, "trips": n_trips,
            "citytwin_wall_s": med(ct_wall), "citytwin_setup_s": med(ct_setup),
            "citytwin_sim_s": med(ct_wall) - med(ct_setup), "citytwin_runs": ct_wall,
            "citytwin": ct,
            "sumo_netconvert_s": t_net, "sumo_duarouter_s": t_route,
            "sumo_wall_s": med(su_wall), "sumo_sim_s": med(su_sim), "sumo_runs": su_wall, "sumo": su,
        }
        row["sumo_args"] = a.sumo_args
        row["sumo_finished"] = su is not None
        row["ratio_wall"] = row["sumo_wall_s"] / row["citytwin_wall_s"]
        row["ratio_sim"] = row["sumo_sim_s"] / row["citytwin_sim_s"] if row["citytwin_sim_s"] > 0 else float("nan")
        results.append(row)
    print("| case | nodes / links | trips | CityTwin `run` wall s | CityTwin sim s | SUMO meso wall s | SUMO sim s "
          "| wall ratio SUMO/CityTwin | sim ratio | netconvert + duarouter s | completed CityTwin / SUMO "
          "| mean travel time CityTwin / SUMO min | mean distance CityTwin / SUMO km | stuck pushes / teleports |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|")
    for r in results:
        c, s = r["citytwin"], r["sumo"]
        if s is None:  # SUMO timed out: its time is a lower bound, no trip statistics
            print(f"| {r['case']} | {r['nodes']} / {r['links']} | {r['trips']:,} | {r['citytwin_wall_s']:.2f} | "
                  f"{r['citytwin_sim_s']:.2f} | > {r['sumo_wall_s']:.0f} (killed) | – | **> {r['ratio_wall']:.0f}×** | – | "
                  f"{r['sumo_netconvert_s']:.2f} + {r['sumo_duarouter_s']:.2f} | {c['completed']:,} / – | "
                  f"{c['mean_travel_time_s'] / 60:.1f} / – | {c['mean_distance_m'] / 1000:.2f} / – | {c['stuck_pushes']:.0f} / – |")
            continue
        print(f"| {r['case']} | {r['nodes']} / {r['links']} | {r['trips']:,} | {r['citytwin_wall_s']:.2f} | "
              f"{r['citytwin_sim_s']:.2f} | {r['sumo_wall_s']:.2f} | {r['sumo_sim_s']:.2f} | "
              f"**{r['ratio_wall']:.1f}×** | {r['ratio_sim']:.1f}× | {r['sumo_netconvert_s']:.2f} + {r['sumo_duarouter_s']:.2f} | "
              f"{c['completed']:,} / {s['completed']:,} | {c['mean_travel_time_s'] / 60:.1f} / {s['mean_travel_time_s'] / 60:.1f} | "
              f"{c['mean_distance_m'] / 1000:.2f} / {s['mean_distance_m'] / 1000:.2f} | {c['stuck_pushes']:.0f} / {s['teleports']:,} |")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
