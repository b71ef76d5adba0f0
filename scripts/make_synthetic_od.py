#!/usr/bin/env python3
"""Writes a synthetic daily OD matrix for an OSM network (OSM extracts carry no demand).

Zones are the intersections nearest to the centres of a COLS x ROWS grid laid over the
network; daily trips between zones follow a gravity model T_ij = K exp(-d_ij / L) (i != j),
scaled to TOTAL trips. Deterministic: no random numbers.

Usage: make_synthetic_od.py NODES.h5 OUT.csv [TOTAL] [COLS] [ROWS] [L_METRES]
NODES.h5 is any CityTwin output of a run on the network (it reads /traffic/nodes).
"""
import csv
import math
import sys

import h5py

path, out = sys.argv[1], sys.argv[2]
total = float(sys.argv[3]) if len(sys.argv) > 3 else 60000
cols = int(sys.argv[4]) if len(sys.argv) > 4 else 8
rows = int(sys.argv[5]) if len(sys.argv) > 5 else 5
length = float(sys.argv[6]) if len(sys.argv) > 6 else 1500.0

with h5py.File(path, "r") as f:
    ids = [int(v) for v in f["traffic/nodes/external_id"][:]]
    xs = [float(v) for v in f["traffic/nodes/x"][:]]
    ys = [float(v) for v in f["traffic/nodes/y"][:]]

x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
zones = []
for r in range(rows):
    for c in range(cols):
        cx = x0 + (c + 0.5) * (x1 - x0) / cols
        cy = y0 + (r + 0.5) * (y1 - y0) / rows
        k = min(range(len(ids)), key=lambda i: ((xs[i] - cx) ** 2 + (ys[i] - cy) ** 2, ids[i]))
        if k not in zones:
            zones.append(k)

weights = {}
for i in zones:
    for j in zones:
        if i != j:
            weights[(i, j)] = math.exp(-math.hypot(xs[i] - xs[j], ys[i] - ys[j]) / length)
scale = total / sum(weights.values())
with open(out, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["origin", "destination", "trips"])
    for (i, j), v in sorted(weights.items(), key=lambda kv: (ids[kv[0][0]], ids[kv[0][1]])):
        w.writerow([ids[i], ids[j], f"{v * scale:.3f}"])
print(f"{len(zones)} zones, {len(weights)} OD pairs, {total:.0f} trips -> {out}")
