#!/usr/bin/env bash
# Side-by-side AC power-flow benchmark: CityTwin vs lightsim2grid (KLU) vs pandapower,
# accuracy against the PYPOWER references. Usage: Benchmarks/powerflow/run.sh [REPEATS] [CASES...]
# Needs: swift, python3 (PyPI: pandapower, lightsim2grid, pypower, numba — installed into
# .build-venv-bench on first run).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
REPEATS="${1:-20}"; shift || true
CASES=("$@")
[ ${#CASES[@]} -eq 0 ] && CASES=(case14 case33bw case118 case300 case1354pegase case9241pegase)

VENV="$ROOT/.build-venv-bench"
# The venv is shared with the other benchmarks: check for the packages, not for the venv.
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
if ! "$VENV/bin/python" -c "import pandapower, lightsim2grid, pypower, numba" 2>/dev/null; then
  "$VENV/bin/pip" install -q pandapower lightsim2grid pypower numba
fi

# CityTwin side: the CLI if it already has the powerflow command, otherwise a standalone
# harness built from the same sources (Numerics, TwinIO MATPOWER reader, Energy/Grid) so the
# benchmark does not depend on the rest of the tree compiling.
CT_CMD=""
if [ -n "${CITYTWIN:-}" ]; then
  CT_CMD="$CITYTWIN powerflow"
else
  H="$ROOT/.build-pf-bench"
  mkdir -p "$H/Sources/Energy" "$H/Sources/TwinIO" "$H/Sources/pfharness"
  ln -sfn "$ROOT/Sources/Numerics" "$H/Sources/Numerics"
  ln -sfn "$ROOT/Sources/CKLU" "$H/Sources/CKLU"
  ln -sfn "$ROOT/Sources/CLinearAlgebra" "$H/Sources/CLinearAlgebra"
  ln -sfn "$ROOT/Sources/Energy/Grid" "$H/Sources/Energy/Grid"
  for f in "$ROOT"/Sources/TwinIO/MATPOWER*.swift; do ln -sf "$f" "$H/Sources/TwinIO/"; done
  ln -sf "$ROOT/Benchmarks/powerflow/harness/main.swift" "$H/Sources/pfharness/main.swift"
  cat > "$H/Package.swift" <<'PKG'
// swift-tools-version:6.0
import PackageDescription
let optimize: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
let package = Package(name: "pfharness", platforms: [.macOS(.v13)], targets: [
    .systemLibrary(name: "CLinearAlgebra", pkgConfig: "lapacke"),
    .systemLibrary(name: "CKLU"),
    .target(name: "Numerics", dependencies: ["CLinearAlgebra", "CKLU"], swiftSettings: optimize),
    .target(name: "TwinIO"),
    .target(name: "Energy", dependencies: ["Numerics", "TwinIO"], swiftSettings: optimize),
    .executableTarget(name: "pfharness", dependencies: ["Energy"], swiftSettings: optimize),
])
PKG
  (cd "$H" && swift build -c release --product pfharness >/dev/null)
  CT_CMD="$H/.build/release/pfharness"
fi

"$VENV/bin/python" "$ROOT/Benchmarks/powerflow/compare.py" --root "$ROOT" --repeats "$REPEATS" \
  --citytwin "$CT_CMD" "${CASES[@]}"
