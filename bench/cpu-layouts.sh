#!/usr/bin/env bash
# Interleaved A/B of CPU layouts: this host's speed drifts by more than the layouts differ, so
# each round runs every layout in turn and the comparison is made within rounds.
#
#   npm run build && bash bench/cpu-layouts.sh [rounds] [pages.json]
#   CPU_LAYOUTS_ONLY=burst (or single) runs one half only.
#   CPU_LAYOUTS_SET=precision compares the recogniser's CPU precision (int8, fp32) instead of the layouts.
#
# pages.json: 64 pages written by `BENCH_MAKE_PAGES=pages.json BENCH_PAGES=64 node dist/bench/inference.js`
# (sharp pages); without it the burst bench renders its own. The single-page runs read the
# tutorial-pipeline corpus in .cache/ocr-corpus (`/usr/bin/python3 scripts/ocr-corpus.py .cache/ocr-corpus --pages 4`). Prints one line per layout and round:
# 64-page burst throughput and the bench's peak RSS, then request-to-answer p50s through the daemon.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-2}"
pages="${2:-}"
only="${CPU_LAYOUTS_ONLY:-}"   # burst or single: one half only
export MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=33554432
declare -A layouts=(
  [one-lane]='{"devices":["cpu"]}'
  [default]='{}'
  [two-lanes-no-solo]='{"devices":["cpu","cpu"],"cpuSolo":false}'
)
order=(one-lane default two-lanes-no-solo)
if [ "${CPU_LAYOUTS_SET:-}" = precision ]; then
  layouts=([int8]='{"ocr":{"recCpuPrecision":"int8"}}' [fp32]='{"ocr":{"recCpuPrecision":"fp32"}}')
  order=(int8 fp32)
fi
echo "cpu-layouts: $(git log --oneline -1 2>/dev/null || echo '?'), $(nproc) cores, $(uptime | sed 's/.*load/load/')"
for r in $(seq 1 "$rounds"); do
  [ "$only" = single ] || for name in "${order[@]}"; do
    # env, not a bare prefix: an assignment that comes out of an expansion is not an assignment.
    out=$(env BENCH_DEVICE=auto BENCH_CFG="${layouts[$name]}" BENCH_BURST_ONLY=1 ${pages:+BENCH_PAGES_FILE=$pages} \
      /usr/bin/time -f 'peak RSS %M kB' node dist/bench/inference.js 2>&1 || true)
    echo "round $r burst $name: $(grep '^burst' <<<"$out" | sed 's/burst of 64 concurrent pages: //') | $(grep 'peak RSS' <<<"$out")"
  done
  [ "$only" = burst ] || for name in "${order[@]}"; do
    out=$(PAGEL_CFG="${layouts[$name]}" node dist/bench/pageLatency.js .cache/ocr-corpus test/fixtures/ocr/tutorial 2>&1 || true)
    echo "round $r single pages $name:"
    grep -E 'pages [0-9]+ \(|daemon memory' <<<"$out" | sed 's/^/  /'
  done
done
