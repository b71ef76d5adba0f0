#!/usr/bin/env bash
# Runs the whole CityTwin test suite from a fresh clone: installs the Debian packages the
# project needs (when missing), builds, and runs every test target. The Python interop tests
# create their own virtual environment under .build-venv on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
swift build --build-tests
swift test --skip-build 2>&1 | tee .build/test-output.txt
