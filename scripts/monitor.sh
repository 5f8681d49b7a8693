#!/usr/bin/env bash
# One-shot health summary of a subnet-miner host, for a human: service state, /health,
# standing, serving, GPU, memory, disk and the last errors from the journal.
# Read-only; needs no root (journal access may need the systemd-journal or adm group).
#
# Exit status (for cron, Nagios-style checks, `scripts/monitor.sh || alert`):
#   0 unit active, admin listener answers, /health "ok"
#   1 /health "degraded" (serving from an aging metagraph while the chain is down)
#   2 usage error
#   3 the unit is missing or not active
#   4 the admin listener does not answer
#   5 /health "unavailable" (503; the reasons are printed)
# The first problem found in that order decides (unit, then admin, then health).
set -uo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/monitor.sh [options]

  --admin URL      admin listener (default $MINER_ADMIN_URL or http://127.0.0.1:9100)
  --unit NAME      systemd unit (default subnet-miner)
  --since TIME     journal window for errors and the last reports (default "-24h")
  --errors N       how many error lines to show (default 10)
  --chain          also ask the chain: subnet-miner status, a short summary (slower)
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
STATUS=0
# Keeps the first problem's exit code (unit 3, admin 4, health 5/1).
fail() { if [ "$STATUS" = 0 ] || { [ "$STATUS" = 1 ] && [ "$1" != 1 ]; }; then STATUS="$1"; fi; }
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

# The unit's journal, read once. JOURNAL_STATE: ok, or why there is no data.
JOURNAL=""
JOURNAL_STATE=""
read_journal() {
  if [ -n "$JOURNAL_STATE" ]; then return; fi
  if ! have journalctl; then JOURNAL_STATE="journalctl not available"; return; fi
  local err rc
  err="$(mktemp)"
  JOURNAL="$(journalctl -u "$UNIT" --since "$SINCE" -o cat --no-pager 2>"$err")"
  rc=$?
  if [ "$rc" != 0 ]; then
    JOURNAL_STATE="journalctl failed: $(head -c 200 "$err")"
  elif grep -qiE 'insufficient permissions|not seeing messages' "$err"; then
    JOURNAL_STATE="no permission to read the journal (join the systemd-journal or adm group)"
  else
    JOURNAL_STATE=ok
  fi
  rm -f "$err"
}

journal() {
  read_journal
  printf '%s\n' "$JOURNAL"
}

service_state() {
  section "service"
  if ! have systemctl; then
    echo "  systemctl not available: unit state unknown"
    return
  fi
  local state load
  load="$(systemctl show "$UNIT" -p LoadState --value 2>/dev/null)"
  state="$(systemctl show "$UNIT" -p ActiveState --value 2>/dev/null)"
  if [ -z "$load" ] || [ "$load" = not-found ]; then
    echo "  unit $UNIT not found"
    fail 3
    return
  fi
  systemctl show "$UNIT" -p ActiveState -p SubState -p MainPID -p NRestarts -p ActiveEnterTimestamp -p Result 2>/dev/null | sed 's/^/  /'
  if [ "$state" != active ]; then
    echo "  PROBLEM: unit $UNIT is $state"
    fail 3
  fi
}

health() {
  section "health ($ADMIN_URL/health)"
  local body
  if ! body="$(http_get "$ADMIN_URL/health")" || [ -z "$body" ]; then
    echo "  PROBLEM: admin listener not reachable"
    fail 4
    return
  fi
  local status
  status="$(printf '%s' "$body" | grep -oE '"status":"[a-z]+"' | head -n 1 | cut -d'"' -f4)"
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
  case "$status" in
    ok) ;;
    degraded) echo "  WARNING: degraded (see reasons)"; fail 1 ;;
    *) echo "  PROBLEM: health is ${status:-unreadable}"; fail 5 ;;
  esac
}

standing() {
  section "standing"
  local metrics
  if metrics="$(http_get "$ADMIN_URL/metrics")" && [ -n "$metrics" ]; then
    printf '%s\n' "$metrics" | grep -E '^miner_(monitor_standing|chain_metagraph_age|chain_block_age|chain_connected)[a-z_]* ' | sed 's/^/  /'
  fi
  echo "  last standing report:"
  read_journal
  if [ "$JOURNAL_STATE" != ok ]; then echo "    no data: $JOURNAL_STATE"; fi
  journal | grep '"msg":"standing report"' | tail -n 1 | format_lines | sed 's/^/    /'
  journal | grep '"msg":"miner not registered on subnet"' | tail -n 1 | format_lines | sed 's/^/    /'
  if [ "$CHAIN" = 1 ] && [ -n "$NODE" ]; then
    echo "  from the chain (subnet-miner status):"
    timeout 90 "$NODE" "$APP_DIR/dist/src/cli/main.js" status --config "$CONFIG" 2>&1 | sed 's/^/    /'
  fi
}

serving() {
  section "serving (last report)"
  read_journal
  if [ "$JOURNAL_STATE" != ok ]; then echo "  no data: $JOURNAL_STATE"; fi
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
  read_journal
  if [ "$JOURNAL_STATE" != ok ]; then
    echo "  no data: $JOURNAL_STATE"
    return
  fi
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
printf '\nexit %s\n' "$STATUS"
exit "$STATUS"
