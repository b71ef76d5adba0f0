#!/usr/bin/env bash
# Installs the Debian packages CityTwin needs, only when some are missing.
# Idempotent: a second run with everything present does nothing and prints one line.
set -euo pipefail

PACKAGES=(
  pkg-config
  libhdf5-dev hdf5-tools
  libopenblas-dev liblapacke-dev
  libsuitesparse-dev
  libopenmpi-dev openmpi-bin
  python3-venv
)
# Optional extras (browser for report tests) are requested with --with-browser.
if [[ "${1:-}" == "--with-browser" ]]; then
  PACKAGES+=(chromium)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PACKAGES[@]} Debian packages present"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing Debian packages: ${missing[*]}" >&2
  echo "install-deps: run this script as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
