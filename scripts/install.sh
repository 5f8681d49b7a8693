#!/usr/bin/env bash
# Installs subnet-miner as a systemd service: a dedicated user, its directories, the
# application under /opt/subnet-miner (or the checkout itself), a config and an env file
# template (never overwritten), the unit, and daemon-reload. Idempotent: run it again after
# an upgrade (`git pull && npm ci && npm run build && sudo scripts/install.sh`).
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: sudo scripts/install.sh [options]

  --dry-run          print what would be done, change nothing (no root needed)
  --use-checkout     run from this checkout instead of copying it to the prefix
  --prefix DIR       where the application is copied (default /opt/subnet-miner)
  --node PATH        node binary for ExecStart (default: `command -v node`, must be >= 20)
  --user NAME        service user (default subnet-miner)
  --root DIR         install into a staging root (packaging, tests): no user, no chown, no systemctl
  --start            enable and (re)start the service at the end
  --external-ip IP   the address validators reach; announced on chain (serve_axon). Asked for
                     on a terminal when not given; without it the miner announces nothing
  --external-port N  the port validators reach (default: --port)
  --port N           the axon's listening port (default 8091)
  --netuid N         the subnet (default 1)
  --network NAME     finney, test or local (default finney)
  -h, --help         this text

The config is written only when /etc/subnet-miner/config.json does not exist yet; it is
printed either way (also with --dry-run).
USAGE
}

SRC_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX=/opt/subnet-miner
USE_CHECKOUT=0
DRY_RUN=0
ROOT=""
START=0
SERVICE_USER=subnet-miner
NODE_BIN=""
EXTERNAL_IP=""
EXTERNAL_PORT=""
AXON_PORT=8091
NETUID=1
NETWORK=finney

while [ "$#" -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --use-checkout) USE_CHECKOUT=1 ;;
    --prefix) PREFIX="${2:?--prefix needs a directory}"; shift ;;
    --node) NODE_BIN="${2:?--node needs a path}"; shift ;;
    --user) SERVICE_USER="${2:?--user needs a name}"; shift ;;
    --root) ROOT="${2:?--root needs a directory}"; shift ;;
    --start) START=1 ;;
    --external-ip) EXTERNAL_IP="${2:?--external-ip needs an address}"; shift ;;
    --external-port) EXTERNAL_PORT="${2:?--external-port needs a port}"; shift ;;
    --port) AXON_PORT="${2:?--port needs a port}"; shift ;;
    --netuid) NETUID="${2:?--netuid needs a number}"; shift ;;
    --network) NETWORK="${2:?--network needs finney, test or local}"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) printf 'unknown option: %s\n\n' "$1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

STATE_DIR=/var/lib/subnet-miner
CACHE_DIR=/var/cache/subnet-miner
CONF_DIR=/etc/subnet-miner
UNIT_PATH=/etc/systemd/system/subnet-miner.service
CHANGED_UNIT=0

log() { printf '%s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

# Runs a command, or only prints it in dry-run mode.
run() {
  if [ "$DRY_RUN" = 1 ]; then
    printf '[dry-run]'
    printf ' %q' "$@"
    printf '\n'
  else
    printf '+'
    printf ' %q' "$@"
    printf '\n'
    "$@"
  fi
}

# Paths inside the (optional) staging root.
r() { printf '%s%s' "$ROOT" "$1"; }

owner_args() {
  if [ -z "$ROOT" ]; then printf -- '-o %s -g %s' "$SERVICE_USER" "$SERVICE_USER"; fi
}

check_prerequisites() {
  if [ "$DRY_RUN" = 0 ] && [ -z "$ROOT" ] && [ "$(id -u)" != 0 ]; then
    die "run as root (sudo), or use --dry-run to see what it would do"
  fi
  NODE_BIN="${NODE_BIN:-$(command -v node || true)}"
  if [ -z "$NODE_BIN" ] || [ ! -x "$NODE_BIN" ]; then die "node not found: install Node.js 20+ or pass --node PATH"; fi
  local major
  major="$("$NODE_BIN" -p 'process.versions.node.split(".")[0]')"
  [ "$major" -ge 20 ] || die "node $major is too old: subnet-miner needs Node.js 20+"
  [ -f "$SRC_DIR/dist/src/cli/main.js" ] || die "no build in $SRC_DIR/dist: run 'npm ci && npm run build' first"
  [ -d "$SRC_DIR/node_modules" ] || die "no node_modules in $SRC_DIR: run 'npm ci' first"
  if [ "$USE_CHECKOUT" = 1 ]; then PREFIX="$SRC_DIR"; fi
  log "node: $NODE_BIN (v$major)   app: $PREFIX   user: $SERVICE_USER${ROOT:+   root: $ROOT}"
}

ensure_user() {
  if [ -n "$ROOT" ]; then log "user: skipped (--root)"; return; fi
  if id -u "$SERVICE_USER" >/dev/null 2>&1; then
    log "user: $SERVICE_USER exists"
  else
    run useradd --system --user-group --home-dir "$STATE_DIR" --no-create-home \
      --shell /usr/sbin/nologin --comment "subnet-miner daemon" "$SERVICE_USER"
  fi
}

ensure_dirs() {
  # shellcheck disable=SC2046 # owner_args is empty or two separate options on purpose
  run install -d -m 0750 $(owner_args) "$(r "$STATE_DIR")" "$(r "$CACHE_DIR")"
  # shellcheck disable=SC2046
  run install -d -m 0700 $(owner_args) "$(r "$STATE_DIR/wallets")"
  run install -d -m 0755 "$(r "$CONF_DIR")" "$(r /etc/systemd/system)"
}

# Node one-liner: removes the "workspaces" key from the package.json named by its argument.
# shellcheck disable=SC2016 # JavaScript, not shell: no expansion wanted
DROP_WORKSPACES='const fs = require("node:fs"); const f = process.argv[1]; const p = JSON.parse(fs.readFileSync(f, "utf8")); delete p.workspaces; fs.writeFileSync(f, JSON.stringify(p, null, 2) + "\n");'

# Copies the build to the prefix through a staging directory, so a failed copy never leaves a
# half-updated application behind.
install_app() {
  if [ "$USE_CHECKOUT" = 1 ]; then log "app: running from the checkout $SRC_DIR"; return; fi
  local dest new old
  dest="$(r "$PREFIX")"
  new="$dest.new"
  old="$dest.old"
  run rm -rf "$new" "$old"
  run install -d -m 0755 "$new"
  run cp -a "$SRC_DIR/dist" "$SRC_DIR/node_modules" "$SRC_DIR/package.json" "$new/"
  for extra in package-lock.json docs systemd scripts wallets.example README.md; do
    if [ -e "$SRC_DIR/$extra" ]; then run cp -a "$SRC_DIR/$extra" "$new/"; fi
  done
  if command -v npm >/dev/null 2>&1; then
    # The daemon alone: packages/ (devnet, validator simulator) is not copied, and without the
    # "workspaces" key npm prunes their dependencies (chopsticks) too; `npm prune
    # --workspaces=false` would keep them, the lockfile still lists the workspaces.
    run "$NODE_BIN" -e "$DROP_WORKSPACES" "$new/package.json"
    # Dev dependencies (compiler, test runner) are not needed to run; pruning works offline.
    run npm prune --omit=dev --no-audit --no-fund --prefix "$new"
  fi
  run chmod -R go-w "$new"
  if [ -e "$dest" ]; then run mv "$dest" "$old"; fi
  run mv "$new" "$dest"
  run rm -rf "$old"
}

# Writes a file only when it does not exist yet: operators' edits survive upgrades.
write_once() {
  local path="$1" mode="$2" content="$3"
  if [ -e "$path" ]; then
    log "keep: $path (exists)"
    return
  fi
  if [ "$DRY_RUN" = 1 ]; then
    printf '[dry-run] write %s (mode %s)\n' "$path" "$mode"
    return
  fi
  printf '+ write %s (mode %s)\n' "$path" "$mode"
  printf '%s\n' "$content" >"$path"
  chmod "$mode" "$path"
  if [ -z "$ROOT" ]; then chgrp "$SERVICE_USER" "$path"; fi
}

is_port() { [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] && [ "$1" -le 65535 ]; }

# The announced address: a flag, else a question on a terminal. Validated, because a typo here
# means a miner nobody can reach.
ask_external_address() {
  if [ -z "$EXTERNAL_IP" ] && [ -t 0 ] && [ "$DRY_RUN" = 0 ]; then
    read -r -p "External IP validators reach (announced on chain; empty: announce nothing): " EXTERNAL_IP || true
  fi
  if [ -n "$EXTERNAL_IP" ] && ! [[ "$EXTERNAL_IP" =~ ^[0-9a-fA-F.:]+$ ]]; then die "--external-ip $EXTERNAL_IP is not an IPv4 or IPv6 address"; fi
  case "$EXTERNAL_IP" in 127.* | ::1 | localhost) die "--external-ip $EXTERNAL_IP is a loopback address: the chain refuses it" ;; esac
  is_port "$AXON_PORT" || die "--port $AXON_PORT is not a port"
  EXTERNAL_PORT="${EXTERNAL_PORT:-$AXON_PORT}"
  is_port "$EXTERNAL_PORT" || die "--external-port $EXTERNAL_PORT is not a port"
  [[ "$NETUID" =~ ^[0-9]+$ ]] || die "--netuid $NETUID is not a number"
  case "$NETWORK" in finney | test | local) ;; *) die "--network must be finney, test or local" ;; esac
  if [ -z "$EXTERNAL_IP" ] && [ "$NETWORK" != local ]; then
    log "warning: no --external-ip: the miner will announce nothing and validators will not find it;"
    log "         set axon.externalIp in $CONF_DIR/config.json (or MINER_AXON_EXTERNAL_IP in $CONF_DIR/env) before starting"
  fi
}

config_json() {
  local axon="\"port\": $AXON_PORT"
  if [ -n "$EXTERNAL_IP" ]; then axon="$axon, \"externalIp\": \"$EXTERNAL_IP\", \"externalPort\": $EXTERNAL_PORT"; fi
  printf '%s' "{
  \"network\": { \"preset\": \"$NETWORK\" },
  \"netuid\": $NETUID,
  \"wallet\": { \"path\": \"$STATE_DIR/wallets\", \"name\": \"default\", \"hotkey\": \"default\" },
  \"axon\": { $axon },
  \"monitor\": { \"admin\": { \"host\": \"127.0.0.1\", \"port\": 9100 }, \"diskPath\": \"$STATE_DIR\" },
  \"log\": { \"level\": \"info\" }
}"
}

install_config() {
  local config existing
  config="$(config_json)"
  existing="$(r "$CONF_DIR/config.json")"
  if [ -e "$existing" ]; then
    log "config ($CONF_DIR/config.json, kept as it is):"
    sed 's/^/    /' "$existing"
    grep -q '"externalIp"' "$existing" || log "warning: $CONF_DIR/config.json has no axon.externalIp: the miner announces nothing"
  else
    log "config ($CONF_DIR/config.json):"
    printf '%s\n' "$config" | sed 's/^/    /'
  fi
  write_once "$(r "$CONF_DIR/config.json")" 0640 "$config"
  write_once "$(r "$CONF_DIR/env")" 0640 "# Environment for subnet-miner.service (KEY=value, no quotes needed).
# Every config key has a MINER_* variable: subnet-miner config env lists them.
# MINER_NETUID=1
# MINER_AXON_EXTERNAL_IP=203.0.113.7
# MINER_LOG_LEVEL=info
# BT_WALLET_PATH=$STATE_DIR/wallets
# MINER_REDIS_PASSWORD=
# Coldkey password, only for 'subnet-miner register' (the daemon does not need the coldkey):
# MINER_COLDKEY_PASSWORD="
}

render_unit() {
  sed -e "s#^ExecStart=/usr/bin/node \\(.*\\)/opt/subnet-miner/#ExecStart=$NODE_BIN \\1$PREFIX/#" \
    -e "s#^Documentation=file:/opt/subnet-miner/#Documentation=file:$PREFIX/#" \
    -e "s#^User=subnet-miner#User=$SERVICE_USER#" \
    -e "s#^Group=subnet-miner#Group=$SERVICE_USER#" \
    "$SRC_DIR/systemd/subnet-miner.service"
}

install_unit() {
  local dest
  dest="$(r "$UNIT_PATH")"
  if [ -f "$dest" ] && render_unit | cmp -s - "$dest"; then
    log "unit: $dest unchanged"
    return
  fi
  CHANGED_UNIT=1
  if [ "$DRY_RUN" = 1 ]; then
    printf '[dry-run] write %s (ExecStart=%s %s/dist/src/cli/main.js run ...)\n' "$dest" "$NODE_BIN" "$PREFIX"
    return
  fi
  printf '+ write %s\n' "$dest"
  render_unit >"$dest.tmp"
  chmod 0644 "$dest.tmp"
  mv "$dest.tmp" "$dest"
}

reload_systemd() {
  if [ -n "$ROOT" ]; then log "systemctl: skipped (--root)"; return; fi
  if [ ! -d /run/systemd/system ]; then
    log "systemctl: systemd is not running here; run 'systemctl daemon-reload' on the target host"
    return
  fi
  if [ "$CHANGED_UNIT" = 1 ]; then run systemctl daemon-reload; fi
  run systemctl enable subnet-miner.service
  if [ "$START" = 1 ]; then run systemctl restart subnet-miner.service; fi
}

main() {
  check_prerequisites
  ask_external_address
  ensure_user
  ensure_dirs
  install_app
  install_config
  install_unit
  reload_systemd
  log ""
  log "Next: put the hotkey in $STATE_DIR/wallets/<wallet>/hotkeys/<hotkey> (owner $SERVICE_USER, file 0600, directories 0700),"
  log "edit $CONF_DIR/config.json, check it with:"
  log "  sudo -u $SERVICE_USER $NODE_BIN $PREFIX/dist/src/cli/main.js config check --config $CONF_DIR/config.json"
  log "then: sudo systemctl start subnet-miner && journalctl -fu subnet-miner   (summary: scripts/monitor.sh)"
}

main
