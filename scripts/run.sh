#!/usr/bin/env bash
# Builds CityTwin in release mode (installing the Debian packages it needs when missing) and
# runs a scenario: by default the bundled Scenarios/baseline.yaml. Extra arguments go to
# `citytwin run`, e.g. scripts/run.sh Scenarios/heatwave.yaml --set weather.heat_wave.delta_c=6
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
swift build -c release --product citytwin
if [[ $# -eq 0 ]]; then set -- Scenarios/baseline.yaml; fi
exec .build/release/citytwin run "$@"
