#!/usr/bin/env bash
# Sweep benchmarks (Benchmarks/README.md, sweep section):
#   1. 16 short baseline runs with --jobs 1 and --jobs 2 (target: jobs 2 ≤ 0.6 × jobs 1),
#   2. 1,000 tiny runs with --jobs 2 (target: well under a minute),
#   3. the same sweep under MPI (mpirun -np 3: rank 0 coordinates, 2 workers), if mpirun exists.
# Usage: Benchmarks/sweep/run.sh [repeats]   (release build in .build-sweep-rel)
set -euo pipefail
cd "$(dirname "$0")/../.."
repeats=${1:-3}
swift build -c release --scratch-path .build-sweep-rel --product citytwin >/dev/null
exe=$(swift build -c release --scratch-path .build-sweep-rel --show-bin-path)/citytwin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"

time_sweep() {  # prints wall seconds of one fresh sweep
    local out="$work/$RANDOM$RANDOM"
    local t0=$(date +%s.%N)
    "$@" --out "$out" --progress never >/dev/null
    local t1=$(date +%s.%N)
    rm -rf "$out"
    echo "$t1 - $t0" | bc -l
}

best() { sort -g | head -1; }

for jobs in 1 2; do
    t=$(for i in $(seq "$repeats"); do time_sweep "$exe" sweep Benchmarks/sweep/short-runs.yaml --jobs "$jobs"; done | best)
    printf 'short-runs (16 runs of 6 h)  --jobs %d  best of %d: %.2f s\n' "$jobs" "$repeats" "$t"
done
t=$(for i in $(seq "$repeats"); do time_sweep "$exe" sweep Benchmarks/sweep/tiny-1000.yaml --jobs 2; done | best)
printf 'tiny-1000 (1000 runs)        --jobs 2  best of %d: %.2f s\n' "$repeats" "$t"
t=$(for i in $(seq "$repeats"); do time_sweep "$exe" sweep Benchmarks/sweep/tiny-1000.yaml --jobs 1; done | best)
printf 'tiny-1000 (1000 runs)        --jobs 1  best of %d: %.2f s\n' "$repeats" "$t"
if command -v mpirun >/dev/null; then
    t=$(for i in $(seq "$repeats"); do time_sweep mpirun --allow-run-as-root --oversubscribe -np 3 "$exe" sweep Benchmarks/sweep/tiny-1000.yaml --mpi; done | best)
    printf 'tiny-1000 (1000 runs)        mpirun -np 3 best of %d: %.2f s\n' "$repeats" "$t"
fi
