#!/usr/bin/env bash
# "1-million-trip city day" benchmark (DESIGN.md: a full simulated day of a 1-million-trip city
# in under a minute on 2 cores): runs Scenarios/benchmarks/million-trips.yaml REPS times in a
# release build under /usr/bin/time -v and prints each run and the medians (wall time of the
# whole `citytwin run`, events, events/s, peak resident memory). See Benchmarks/README.md.
#
#   Benchmarks/city/run.sh [repetitions] [--set path=value …]      (default 3)
#
# Environment: CITYTWIN (a citytwin binary to use instead of building one), OUT (work
# directory, default .build-bench/city; the HDF5 output and logs go there).
set -euo pipefail
cd "$(dirname "$0")/../.."
REPS="${1:-3}"
shift || true
OUT="${OUT:-.build-bench/city}"
SCENARIO="${SCENARIO:-Scenarios/benchmarks/million-trips.yaml}"
mkdir -p "$OUT"

if [ -z "${CITYTWIN:-}" ]; then
  swift build -c release --scratch-path .build-bench --product citytwin >&2
  CITYTWIN=.build-bench/release/citytwin
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, load $(cut -d' ' -f1-3 /proc/loadavg)"
: > "$OUT/runs.tsv"
for ((i = 1; i <= REPS; i++)); do
  /usr/bin/time -v -o "$OUT/time-$i.txt" "$CITYTWIN" run "$SCENARIO" -o "$OUT/million-trips.h5" --progress never "$@" > "$OUT/run-$i.txt"
  # "Scenario NAME: 1d simulated, N events, K snapshots in S s" (S: CityRun's own wall clock)
  events=$(sed -n 's/.* simulated, \([0-9]*\) events.*/\1/p' "$OUT/run-$i.txt")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (k = 1; k <= n; k++) s = s * 60 + p[k]; print s}' "$OUT/time-$i.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/time-$i.txt")
  cpu=$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {print u + s}' "$OUT/time-$i.txt")
  printf '%s\t%s\t%s\t%s\t%s\n' "$i" "$wall" "$events" "$rss" "$cpu" | tee -a "$OUT/runs.tsv" | \
    awk -F'\t' '{printf "run %d: %.2f s wall, %.2f s CPU, %d events (%.2f M/s), peak RSS %.0f MiB\n", $1, $2, $5, $3, $3 / $2 / 1e6, $4 / 1024}'
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
sort -t$'\t' -k2,2g "$OUT/runs.tsv" | awk -F'\t' -v n="$REPS" '
  { w[NR] = $2; e[NR] = $3; r[NR] = $4; c[NR] = $5 }
  END { m = int((n + 1) / 2); printf "median of %d: %.2f s wall (target < 60 s), %.2f s CPU, %d events, %.2f M events/s, peak RSS %.0f MiB\n", n, w[m], c[m], e[m], e[m] / w[m] / 1e6, r[m] / 1024 }'
echo "KPIs of the last run:"
sed -n '/^KPIs:/,/^Output:/p' "$OUT/run-$REPS.txt"
