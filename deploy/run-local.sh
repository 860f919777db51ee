#!/usr/bin/env bash
# A multi-instance tokentrace on this machine, on loopback only:
#
#   https://127.0.0.1:$TT_LB_PORT  HAProxy (TLS 1.3, self-signed certificate made here)
#        ├─▶ tokentrace #1  http://127.0.0.1:$TT_PORT_1   NODE_ENV=production
#        └─▶ tokentrace #2  http://127.0.0.1:$TT_PORT_2   TLS terminated by the proxy, TRUST_PROXY
#                 both on one Postgres (DATABASE_URL) and one Redis (REDIS_URL)
#
#   deploy/run-local.sh up       start everything (idempotent: refuses if already up)
#   deploy/run-local.sh down     stop everything it started
#   deploy/run-local.sh status   which processes are running
#
# Needs: node (≥ 20, after `npm ci`), haproxy, openssl (Debian: apt-get install -y haproxy openssl),
# a reachable Postgres whose database exists, and Redis. Everything it makes (certificate, key
# ring, logs, pid files) goes to $TT_DEPLOY_DIR (default .tokentrace/deploy, git-ignored): the
# certificate and keys are generated on first `up` and never committed.
#
# This script is what CI tests (deploy/multi-instance.test.ts); compose.yaml mirrors it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${TT_DEPLOY_DIR:-$ROOT/.tokentrace/deploy}"
LB_PORT="${TT_LB_PORT:-8443}"
PORT_1="${TT_PORT_1:-4101}"
PORT_2="${TT_PORT_2:-4102}"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tokentrace}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
PUBLIC_URL="${TOKENTRACE_PUBLIC_URL:-https://localhost:$LB_PORT}"

say() { echo "run-local: $*"; }
die() { echo "run-local: $*" >&2; exit 1; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Polls a URL until it answers 200 (curl -k: the proxy's own certificate is checked by clients).
wait_ready() {
  local url="$1" what="$2" log="$3" pidfile="$4"
  for _ in $(seq 1 300); do
    if curl -sk -o /dev/null -w '%{http_code}' "$url" 2>/dev/null | grep -q '^200$'; then return 0; fi
    if ! alive "$pidfile"; then
      echo "run-local: $what exited; last lines of $log:" >&2
      tail -n 30 "$log" >&2 || true
      exit 1
    fi
    sleep 0.1
  done
  die "$what did not become ready within 30 s (see $log)"
}

make_certificate() {
  [ -f "$STATE/tls/haproxy.pem" ] && return 0
  say "generating a self-signed certificate for localhost / 127.0.0.1 (30 days) in $STATE/tls"
  mkdir -p "$STATE/tls" && chmod 700 "$STATE/tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$STATE/tls/key.pem" -out "$STATE/tls/cert.pem" 2>/dev/null
  # HAProxy reads the chain and its key from one file.
  (umask 077 && cat "$STATE/tls/cert.pem" "$STATE/tls/key.pem" > "$STATE/tls/haproxy.pem")
  rm -f "$STATE/tls/key.pem"
}

make_key_ring() {
  # Every instance must seal and open span content with the same keys, and sign the audit log
  # with the same key. In production they come from a secret store; here both key rings are
  # generated once and kept beside the logs.
  [ -f "$STATE/encryption-keys.env" ] && return 0
  say "generating the span-content and audit key rings in $STATE/encryption-keys.env"
  (umask 077 && printf 'TOKENTRACE_ENCRYPTION_KEYS=k1:%s\nTOKENTRACE_AUDIT_KEYS=a1:%s\n' "$(openssl rand -base64 32)" "$(openssl rand -base64 32)" > "$STATE/encryption-keys.env")
}

start_instance() {
  local n="$1" port="$2"
  local pidfile="$STATE/tokentrace-$n.pid" log="$STATE/tokentrace-$n.log"
  alive "$pidfile" && die "tokentrace #$n is already running (pid $(cat "$pidfile")); run '$0 down' first"
  say "starting tokentrace #$n on http://127.0.0.1:$port"
  (
    set -a
    # shellcheck disable=SC1091
    . "$STATE/encryption-keys.env"
    set +a
    cd "$ROOT"
    NODE_ENV=production HOST=127.0.0.1 PORT="$port" \
      TOKENTRACE_PUBLIC_URL="$PUBLIC_URL" \
      TOKENTRACE_TLS_TERMINATED_BY_PROXY=true TRUST_PROXY=true \
      TOKENTRACE_DATA_DIR="$STATE/instance-$n" LOG_LEVEL="${LOG_LEVEL:-info}" \
      exec node --max-semi-space-size=64 --import tsx server/cli.ts start
  ) >"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  wait_ready "http://127.0.0.1:$port/readyz" "tokentrace #$n" "$log" "$pidfile"
}

start_haproxy() {
  local pidfile="$STATE/haproxy.pid" log="$STATE/haproxy.log"
  alive "$pidfile" && die "HAProxy is already running (pid $(cat "$pidfile")); run '$0 down' first"
  say "starting HAProxy on https://127.0.0.1:$LB_PORT"
  TT_LB_ADDR="127.0.0.1:$LB_PORT" TT_LB_CERT="$STATE/tls/haproxy.pem" \
    TT_INSTANCE_1="127.0.0.1:$PORT_1" TT_INSTANCE_2="127.0.0.1:$PORT_2" TT_LB_SERVED_BY=1 \
    haproxy -db -f "$ROOT/deploy/haproxy.cfg" >"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  wait_ready "https://127.0.0.1:$LB_PORT/readyz" "HAProxy" "$log" "$pidfile"
}

stop_one() {
  local pidfile="$1" what="$2"
  [ -f "$pidfile" ] || return 0
  local pid
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    say "stopped $what (pid $pid)"
  fi
  rm -f "$pidfile"
}

up() {
  for tool in node haproxy openssl curl; do
    command -v "$tool" >/dev/null || die "$tool is missing (Debian: apt-get install -y haproxy openssl curl)"
  done
  [ -d "$ROOT/node_modules" ] || die "run npm ci in $ROOT first"
  mkdir -p "$STATE" && chmod 700 "$STATE"
  make_certificate
  make_key_ring
  # One after the other: the first migrates the database (and builds the dashboard if needed).
  start_instance 1 "$PORT_1"
  start_instance 2 "$PORT_2"
  start_haproxy
  say "up: https://localhost:$LB_PORT (certificate: $STATE/tls/cert.pem, e.g. curl --cacert it)"
  say "metrics of each instance (loopback only): http://127.0.0.1:$PORT_1/metrics, http://127.0.0.1:$PORT_2/metrics"
  say "logs and pid files in $STATE; stop with: $0 down"
}

down() {
  stop_one "$STATE/haproxy.pid" HAProxy
  stop_one "$STATE/tokentrace-1.pid" "tokentrace #1"
  stop_one "$STATE/tokentrace-2.pid" "tokentrace #2"
}

status() {
  for name in haproxy tokentrace-1 tokentrace-2; do
    if alive "$STATE/$name.pid"; then echo "$name: running (pid $(cat "$STATE/$name.pid"))"; else echo "$name: stopped"; fi
  done
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) die "usage: $0 up|down|status" ;;
esac
