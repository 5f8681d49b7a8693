#!/usr/bin/env bash
# Prepares the H200 run here (where npm, the network and fonts-liberation are): builds, writes the
# benchmark's invoice pages to dist/bench/pages.json (the GPU host has no fonts to draw them),
# then packs everything with ../shared/gpu/stage.sh, adding the two scripts the host runs.
# Then follow the printed commands, and on the host: source /root/stage/env.sh && bash bench/gpu-h200.sh
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json >/dev/null || true   # emits even with type errors elsewhere
[ -f dist/bench/inference.js ] || { echo "gpu-stage: build produced no dist/bench/inference.js" >&2; exit 2; }
BENCH_MAKE_PAGES=dist/bench/pages.json BENCH_PAGES=16 node dist/bench/inference.js
echo "gpu-stage: $(du -h dist/bench/pages.json | cut -f1) of pages in dist/bench/pages.json"
stage=${GPU_STAGE_SCRIPT:-../shared/gpu/stage.sh}
bash "$stage" bench/gpu-h200.sh scripts/gpu-install.sh
