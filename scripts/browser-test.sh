#!/usr/bin/env bash
# Renders the planner reports of the bundled scenarios in headless Chromium and refreshes
# the screenshots in docs/images (used by docs/planner-guide.md). Fails when a page reports
# a script error or draws no chart/map. Needs: chromium (apt-get install chromium); Pillow
# in .build-venv shrinks the PNGs when available.
# Usage: scripts/browser-test.sh [scratch-path]   (default .build-rpt)
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH="${1:-.build-rpt}"
CHROMIUM="$(command -v chromium || command -v chromium-browser || true)"
[ -n "$CHROMIUM" ] || { echo "error: chromium not found (apt-get install chromium)" >&2; exit 2; }
swift build --scratch-path "$SCRATCH" --product citytwin >/dev/null
CT="$SCRATCH/debug/citytwin"
mkdir -p out docs/images
for s in baseline heatwave storm; do "$CT" run "Scenarios/$s.yaml" -o "out/$s.h5" >/dev/null; done
"$CT" report out/baseline.h5 -o out/report-baseline.html >/dev/null
"$CT" report out/baseline.h5 --compare out/heatwave.h5 -o out/report-heatwave.html >/dev/null
"$CT" report out/baseline.h5 --compare out/storm.h5 -o out/report-storm.html >/dev/null
for n in baseline heatwave storm; do
  page="$PWD/out/report-$n.html"
  status=$("$CHROMIUM" --headless --no-sandbox --disable-gpu --dump-dom "file://$page" 2>/dev/null | grep -o '<p id="ct-status"[^>]*>')
  echo "$n: $status"
  case "$status" in *'data-status="ok"'*) ;; *) echo "error: $n: page reported a problem" >&2; exit 1 ;; esac
  case "$status" in *'data-charts="0"'*|*'data-maps="0"'*) echo "error: $n: no chart or map drawn" >&2; exit 1 ;; esac
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --screenshot="out/report-$n.png" \
    --window-size=1400,4000 "file://$page" >/dev/null 2>&1
  if [ -x .build-venv/bin/python ] && .build-venv/bin/python -c "import PIL" 2>/dev/null; then
    .build-venv/bin/python - "out/report-$n.png" "docs/images/report-$n.png" <<'PY'
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
px, h = im.load(), im.height
while h > 100 and all(px[x, h - 1] == (255, 255, 255) for x in range(0, im.width, 7)):
    h -= 1
im = im.crop((0, 0, im.width, min(im.height, h + 20)))
im = im.resize((im.width * 7 // 10, im.height * 7 // 10), Image.LANCZOS)
im.quantize(colors=96, method=Image.Quantize.MEDIANCUT).save(sys.argv[2], optimize=True)
PY
  else
    cp "out/report-$n.png" "docs/images/report-$n.png"
  fi
done
echo "screenshots: docs/images/report-{baseline,heatwave,storm}.png"
