#!/usr/bin/env bash
# Kernel benchmark: the classic hold model in CityTwin and in SimPy, side by side, on this
# machine, at 1,000 and 1,000,000 pending events. Prints one JSON line per run and a summary
# with medians and the CityTwin/SimPy ratio. See Benchmarks/README.md (kernel section).
#
#   Benchmarks/kernel/run.sh [repetitions]        (default 5)
#
# Environment: EVENTS_1K / EVENTS_1M (CityTwin events per run), SIMPY_EVENTS_1K /
# SIMPY_EVENTS_1M, VENV (virtual environment for SimPy, default .build-venv-bench),
# CITYTWIN (a citytwin binary to use instead of building one).
set -euo pipefail
cd "$(dirname "$0")/../.."
REPS="${1:-5}"
EVENTS_1K="${EVENTS_1K:-100000000}"
EVENTS_1M="${EVENTS_1M:-30000000}"
SIMPY_EVENTS_1K="${SIMPY_EVENTS_1K:-1000000}"
SIMPY_EVENTS_1M="${SIMPY_EVENTS_1M:-2000000}"
VENV="${VENV:-.build-venv-bench}"
OUT="${OUT:-.build-bench/kernel}"
mkdir -p "$OUT"

# The venv is shared with the other benchmarks: check for SimPy itself, not for the venv.
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
if ! "$VENV/bin/python" -c "import simpy" 2>/dev/null; then
  "$VENV/bin/pip" install --quiet simpy
fi

if [ -z "${CITYTWIN:-}" ]; then
  swift build -c release --scratch-path .build-bench --product citytwin >&2
  CITYTWIN=.build-bench/release/citytwin
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
: > "$OUT/results.jsonl"
for pending in 1000 1000000; do
  if [ "$pending" = 1000 ]; then ev="$EVENTS_1K"; sev="$SIMPY_EVENTS_1K"; else ev="$EVENTS_1M"; sev="$SIMPY_EVENTS_1M"; fi
  for ((i = 0; i < REPS; i++)); do
    # Alternate the engines so a change in machine load hits both alike.
    "$CITYTWIN" bench kernel --pending "$pending" --events "$ev" | tail -n 1 | tee -a "$OUT/results.jsonl"
    "$VENV/bin/python" Benchmarks/kernel/simpy_hold.py --pending "$pending" --events "$sev" | tee -a "$OUT/results.jsonl"
  done
done

"$VENV/bin/python" - "$OUT/results.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print("\n| pending | CityTwin median ev/s | SimPy median ev/s | ratio |")
print("|---:|---:|---:|---:|")
for pending in (1000, 1000000):
    med = {}
    for engine in ("citytwin", "simpy"):
        rates = [r["events_per_second"] for r in rows if r["engine"] == engine and r["pending"] == pending]
        med[engine] = statistics.median(rates) if rates else float("nan")
    print(f"| {pending:,} | {med['citytwin']:,.0f} | {med['simpy']:,.0f} | {med['citytwin'] / med['simpy']:.0f}x |")
PY
