#!/usr/bin/env bash
# Runs the whole CityTwin test suite from a fresh clone: installs the Debian packages the
# project needs (when missing), builds, and runs every test target. The Python interop tests
# create their own virtual environment under .build-venv on first use (PyPI access needed).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --with-browser
swift build --build-tests
mkdir -p .build
set +e
swift test --skip-build --disable-swift-testing 2>&1 | tee .build/test-output.txt
status=${PIPESTATUS[0]}
set -e
# One plain closing line with the totals of the XCTest run.
summary=$(grep -E "^[[:space:]]*Executed [0-9]+ tests?, with " .build/test-output.txt | tail -1 || true)
if [[ -n "$summary" ]]; then
  total=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$summary")
  failed=$(sed -E 's/.* ([0-9]+) failures?.*/\1/' <<<"$summary")
  skipped=0
  if grep -qE "[0-9]+ tests? skipped" <<<"$summary"; then
    skipped=$(sed -E 's/.* ([0-9]+) tests? skipped.*/\1/' <<<"$summary")
  fi
  echo "Tests: $((total - failed - skipped)) passed, $failed failed, $skipped skipped"
fi
exit "$status"
