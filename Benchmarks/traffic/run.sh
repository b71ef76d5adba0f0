#!/usr/bin/env bash
# Traffic benchmark: CityTwin's queue model vs SUMO's mesoscopic model (eclipse-sumo from PyPI)
# on the same network and the same trips. See Benchmarks/README.md (traffic section) and
# Benchmarks/traffic/sumo_bench.py for what is timed.
#
#   Benchmarks/traffic/run.sh [repetitions] [cases…]     (default 3; siouxfalls anaheim anaheim10)
#
# SUMO_REPEATS limits the SUMO runs per case (SUMO meso needs minutes for the congested Anaheim x 10
# day), e.g. `SUMO_REPEATS=1 Benchmarks/traffic/run.sh 3 anaheim10`; SUMO_TIMEOUT (s) kills a SUMO run
# that takes longer and reports the time as a lower bound; SUMO_ARGS adds sumo options, e.g.
# SUMO_ARGS="--time-to-teleport 10" to release gridlock after 10 s like CityTwin's stuck_time.
#
# Environment: CITYTWIN (a citytwin binary to use instead of building one), VENV (virtual
# environment, default .build-venv-bench), OUT (work directory, default .build-bench/traffic).
# Everything generated (SUMO inputs, nets, routes, HDF5 outputs) stays under OUT.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPS="${1:-3}"
shift || true
VENV="${VENV:-.build-venv-bench}"
OUT="${OUT:-.build-bench/traffic}"
mkdir -p "$OUT"

if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
if ! "$VENV/bin/python" -c "import sumo, h5py, numpy" 2>/dev/null; then
  "$VENV/bin/pip" install --quiet eclipse-sumo h5py numpy
fi
SUMO_HOME="$("$VENV/bin/python" -c "import sumo; print(sumo.SUMO_HOME)")"

if [ -z "${CITYTWIN:-}" ]; then
  swift build -c release --scratch-path .build-bench --product citytwin >&2
  CITYTWIN=.build-bench/release/citytwin
fi
CITYTWIN="$(cd "$(dirname "$CITYTWIN")" && pwd)/$(basename "$CITYTWIN")"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "SUMO $("$SUMO_HOME/bin/sumo" --version | head -n 1)" >&2
"$VENV/bin/python" Benchmarks/traffic/sumo_bench.py --citytwin "$CITYTWIN" --sumo-home "$SUMO_HOME" \
  --work "$OUT" --repeats "$REPS" ${SUMO_REPEATS:+--sumo-repeats "$SUMO_REPEATS"} \
  ${SUMO_TIMEOUT:+--sumo-timeout "$SUMO_TIMEOUT"} --sumo-args="${SUMO_ARGS:-}" --json "$OUT/results.json" "$@"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
