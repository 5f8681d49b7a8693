#!/usr/bin/env bash
# One-shot health summary of a subnet-miner host, for a human: service state, /health,
# standing, serving, GPU, memory, disk and the last errors from the journal.
# Read-only; needs no root (journal access may need the systemd-journal or adm group).
set -uo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/monitor.sh [options]

  --admin URL      admin listener (default $MINER_ADMIN_URL or http://127.0.0.1:9100)
  --unit NAME      systemd unit (default subnet-miner)
  --since TIME     journal window for errors and the last reports (default "-24h")
  --errors N       how many error lines to show (default 10)
  --chain          also ask the chain: subnet-miner status --json (slower)
  --config FILE    config for --chain (default /etc/subnet-miner/config.json)
  -h, --help       this text
USAGE
}

ADMIN_URL="${MINER_ADMIN_URL:-http://127.0.0.1:9100}"
UNIT=subnet-miner
SINCE="-24h"
ERRORS=10
CHAIN=0
CONFIG=/etc/subnet-miner/config.json
APP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

while [ "$#" -gt 0 ]; do
  case "$1" in
    --admin) ADMIN_URL="${2:?}"; shift ;;
    --unit) UNIT="${2:?}"; shift ;;
    --since) SINCE="${2:?}"; shift ;;
    --errors) ERRORS="${2:?}"; shift ;;
    --chain) CHAIN=1 ;;
    --config) CONFIG="${2:?}"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) printf 'unknown option: %s\n' "$1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

have() { command -v "$1" >/dev/null 2>&1; }
section() { printf '\n== %s\n' "$1"; }
NODE="$(command -v node || true)"

# GET a URL (curl, else node's fetch); prints the body, fails on a connection error.
http_get() {
  if have curl; then
    curl -s --max-time 5 "$1"
  elif [ -n "$NODE" ]; then
    "$NODE" -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(5000) }).then((r) => r.text()).then((t) => process.stdout.write(t), () => process.exit(1))' "$1"
  else
    return 1
  fi
}

# Formats pino JSON lines from stdin as "time level msg key=value ...".
format_lines() {
  if [ -z "$NODE" ]; then cat; return; fi
  # shellcheck disable=SC2016 # JavaScript template literals, not shell expansions
  "$NODE" -e '
    const skip = new Set(["time", "level", "msg", "pid", "hostname", "module"]);
    let buf = "";
    process.stdin.on("data", (d) => (buf += d)).on("end", () => {
      for (const line of buf.split("\n")) {
        if (!line.trim()) continue;
        let o;
        try { o = JSON.parse(line); } catch { console.log(line); continue; }
        const rest = Object.entries(o).filter(([k]) => !skip.has(k))
          .map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : v}`).join(" ");
        console.log(`${o.time ?? ""} ${String(o.level ?? "").toUpperCase()} ${o.module ? "[" + o.module + "] " : ""}${o.msg ?? ""}  ${rest}`.slice(0, 400));
      }
    });'
}

journal() {
  if have journalctl; then journalctl -u "$UNIT" --since "$SINCE" -o cat --no-pager 2>/dev/null; fi
}

service_state() {
  section "service"
  if ! have systemctl; then
    echo "systemctl not available"
    return
  fi
  systemctl show "$UNIT" -p ActiveState -p SubState -p MainPID -p NRestarts -p ActiveEnterTimestamp -p Result 2>/dev/null |
    sed 's/^/  /' || echo "  unit $UNIT not found"
}

health() {
  section "health ($ADMIN_URL/health)"
  local body
  if ! body="$(http_get "$ADMIN_URL/health")" || [ -z "$body" ]; then
    echo "  admin listener not reachable"
    return
  fi
  if [ -n "$NODE" ]; then
    # shellcheck disable=SC2016 # JavaScript template literals, not shell expansions
    printf '%s' "$body" | "$NODE" -e '
      let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
        try {
          const h = JSON.parse(s);
          for (const [k, v] of Object.entries(h)) console.log(`  ${k.padEnd(22)} ${typeof v === "object" ? JSON.stringify(v) : v}`);
        } catch { console.log("  " + s.slice(0, 500)); }
      });'
  else
    printf '  %s\n' "$body"
  fi
}

standing() {
  section "standing"
  local metrics
  if metrics="$(http_get "$ADMIN_URL/metrics")" && [ -n "$metrics" ]; then
    printf '%s\n' "$metrics" | grep -E '^miner_(standing|metagraph_age|chain_block_age|chain_connected)[a-z_]* ' | sed 's/^/  /'
  fi
  echo "  last standing report:"
  journal | grep '"msg":"standing report"' | tail -n 1 | format_lines | sed 's/^/    /'
  journal | grep '"msg":"miner not registered on subnet"' | tail -n 1 | format_lines | sed 's/^/    /'
  if [ "$CHAIN" = 1 ] && [ -n "$NODE" ]; then
    echo "  from the chain (subnet-miner status --json):"
    timeout 90 "$NODE" "$APP_DIR/dist/src/cli/main.js" status --json --config "$CONFIG" 2>&1 | sed 's/^/    /'
  fi
}

serving() {
  section "serving (last report)"
  journal | grep '"msg":"serving report"' | tail -n 1 | format_lines | sed 's/^/  /'
  journal | grep -E '"msg":"threshold (crossed|recovered)"' | tail -n 5 | format_lines | sed 's/^/  /'
}

hardware() {
  section "gpu"
  if have nvidia-smi; then
    timeout 10 nvidia-smi --query-gpu=index,name,utilization.gpu,temperature.gpu,memory.used,memory.total,power.draw \
      --format=csv 2>&1 | sed 's/^/  /'
  elif have rocm-smi; then
    timeout 10 rocm-smi --showuse --showtemp --showmeminfo vram --showpower 2>&1 | sed 's/^/  /'
  else
    echo "  no GPU tool (nvidia-smi, rocm-smi) on this host"
  fi
  section "cpu and memory"
  printf '  load: %s   cores: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)" "$(nproc 2>/dev/null)"
  if have free; then free -h | sed 's/^/  /'; fi
  section "disk"
  df -h / /var/lib/subnet-miner 2>/dev/null | awk '!seen[$0]++' | sed 's/^/  /'
}

last_errors() {
  section "last $ERRORS errors (since $SINCE)"
  local lines
  lines="$(journal | grep -E '"level":"(error|fatal)"' | tail -n "$ERRORS")"
  if [ -z "$lines" ]; then
    echo "  none"
  else
    printf '%s\n' "$lines" | format_lines | sed 's/^/  /'
  fi
}

printf 'subnet-miner on %s at %s\n' "$(hostname)" "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
service_state
health
standing
serving
hardware
last_errors
