#!/usr/bin/env bash
# The one prepared script for a GPU host (docs/inference.md, "Measuring on the H200"): checks the
# CUDA provider, then runs bench/inference.ts with BENCH_DEVICE=cuda once per tuning choice and
# writes every figure under $OUT. Runs from the staged app directory (after
# `source /root/stage/env.sh`) or from a checkout with node, the build and `npm run gpu:install`.
#
#   OUT=/some/dir bash bench/gpu-h200.sh
#   env: BENCH_TUNINGS="default rec512 twoLanes memPatternOff initOutsideArena rec64" (in order of value)
#        BUDGET_S=480   stop starting new runs once this many seconds have passed (the host's time is short)
#        RUN_S=150      limit for one bench run
#        BENCH_PAGES_FILE=dist/bench/pages.json (made by bench/gpu-stage.sh where the fonts are)
#        A dry run of the flow on a CPU machine: DRY_RUN_CPU=1 BENCH_TUNINGS=default BENCH_PAGES=4 BENCH_SECONDS=0.2
set -uo pipefail

cd "$(dirname "$0")/.."
[ -f dist/bench/inference.js ] || { echo "gpu-h200: dist/bench/inference.js not found (build first)" >&2; exit 2; }
out=${OUT:-$PWD/bench-out}
mkdir -p "$out"
budget=${BUDGET_S:-480}
run_s=${RUN_S:-150}
tunings=${BENCH_TUNINGS:-default rec512 twoLanes memPatternOff initOutsideArena rec64}
pages=${BENCH_PAGES_FILE:-dist/bench/pages.json}
start=$SECONDS
log() { printf 'gpu-h200: %s\n' "$*" | tee -a "$out/summary.txt"; }

{ node --version; nvidia-smi; nvidia-smi -L; } > "$out/host.txt" 2>&1
log "host: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1); node $(node --version); $(nproc) cores"

device=cuda
if [ "${DRY_RUN_CPU:-0}" = 1 ]; then
  device=cpu
  log "DRY_RUN_CPU: provider check skipped, benches on CPU"
elif ! bash scripts/gpu-install.sh --check > "$out/gpu-install.txt" 2>&1; then
  log "CUDA provider check failed; see gpu-install.txt"
  tail -5 "$out/gpu-install.txt" | tee -a "$out/summary.txt"
  exit 4
fi
[ -f "$out/gpu-install.txt" ] && grep 'CUDA session ok' "$out/gpu-install.txt" | tee -a "$out/summary.txt"

# GPU utilisation once a second while the benches run: busy % says whether copies or compute bound.
nvidia-smi --query-gpu=timestamp,index,utilization.gpu,memory.used --format=csv,noheader -l 1 > "$out/gpu-util.csv" 2>/dev/null &
sampler=$!
trap 'kill "$sampler" 2>/dev/null' EXIT

[ -f "$pages" ] || log "no pages file $pages: pages are generated here (needs fonts-liberation)"
for t in $tunings; do
  left=$((budget - (SECONDS - start)))
  if [ "$left" -lt 60 ]; then log "budget spent: $t and later tunings not run"; break; fi
  limit=$(( left < run_s ? left : run_s ))
  seconds=1; [ "$t" = default ] || seconds=0.5
  seconds=${BENCH_SECONDS:-$seconds}
  log "run $t (limit ${limit}s)"
  t0=$SECONDS
  BENCH_DEVICE=$device BENCH_TUNING=$t BENCH_SECONDS=$seconds BENCH_PAGES=${BENCH_PAGES:-64} BENCH_PAGES_FILE=$pages BENCH_JSON="$out/bench.jsonl" \
    timeout "$limit" node dist/bench/inference.js > "$out/bench-$t.txt" 2>&1
  rc=$?
  log "  $t: rc=$rc in $((SECONDS - t0))s"
  grep -E '^(tuning|raw onnxruntime|engine rec =|burst|GOAL)' "$out/bench-$t.txt" | sed 's/^/    /' | tee -a "$out/summary.txt"
  [ "$rc" = 0 ] || tail -5 "$out/bench-$t.txt" | sed 's/^/    ! /' | tee -a "$out/summary.txt"
done
log "done in $((SECONDS - start))s; figures in $out (summary.txt, bench-*.txt, bench.jsonl, gpu-util.csv)"
