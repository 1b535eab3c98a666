#!/usr/bin/env bash
# Chorus's one test command. Installs what the tests need when it is missing (Debian packages),
# starts throwaway servers on 127.0.0.1, runs every test project, stops what it started, and ends
# with one line: "N passed, N failed, N skipped". Under CI=true a missing server fails the run.
# Usage: ./test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Inbound]
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
T0=$SECONDS
log() { echo "[test +$((SECONDS - T0))s] $*"; }
export DEBIAN_FRONTEND=noninteractive DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

# ------------------------------------------------------------------ 1. Debian packages, only if missing
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
# Mail: Postfix (SMTP) delivering over LMTP into Dovecot (IMAP) — see tests/mail-servers.sh.
command -v dovecot >/dev/null 2>&1 || need+=(dovecot-imapd)
[ -x /usr/lib/dovecot/lmtp ] || need+=(dovecot-lmtpd)
command -v postfix >/dev/null 2>&1 || need+=(postfix)
# Redis: the realtime relay between Chorus nodes (cluster and fault tests).
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if ((${#need[@]})); then
  if [ "$(id -u)" != 0 ]; then echo "missing packages: ${need[*]} (run as root, or install them)"; exit 1; fi
  log "apt-get install ${need[*]}"
  # Postfix asks how to configure the machine's own mail system: not at all (tests bring their own config).
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get -o DPkg::Lock::Timeout=900 -qq update
  apt-get -o DPkg::Lock::Timeout=900 -y -qq install --no-install-recommends "${need[@]}" >/dev/null
fi
log "packages ready"

# ------------------------------------------------------------------ 2. servers on loopback
# Each run gets its own directory and a block of five free ports (PostgreSQL, IMAP, SMTP, LMTP,
# Redis), so two runs on one machine never stop or share each other's servers.
SERVICES=/tmp/chorus-test-services
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

# Stops the servers recorded under one run directory, by pid file only (never by name); a stale
# pid file left by a run that was killed is harmless.
stop_services() {
  local dir=$1
  if [ -f "$dir/pg/data/postmaster.pid" ]; then
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$dir/pg/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  if [ -d "$dir/mail" ]; then "$ROOT/tests/mail-servers.sh" stop "$dir/mail" || true; fi
  if [ -f "$dir/redis/redis.pid" ]; then kill "$(cat "$dir/redis/redis.pid")" 2>/dev/null || true; fi
  return 0
}
# Leftovers of earlier runs that were killed before they could stop their servers.
mkdir -p "$SERVICES"
[ -f "$SERVICES/owner" ] || { stop_services "$SERVICES"; rm -rf "$SERVICES/pg" "$SERVICES/mail" "$SERVICES/redis"; }
for old in "$SERVICES"/*/; do
  old=${old%/}
  owner=$(cat "$old/owner" 2>/dev/null || true)
  if [ -z "$owner" ] || ! kill -0 "$owner" 2>/dev/null; then stop_services "$old"; rm -rf "$old"; fi
done

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
block_free() { local p; for p in $(seq "$1" $(($1 + 4))); do port_busy "$p" && return 1; done; return 0; }
BASE=${CHORUS_TEST_PORTBASE:-}
if [ -z "$BASE" ]; then
  for candidate in $(seq 55400 10 55990); do
    # mkdir claims the block: of two runs starting at once only one gets it.
    if block_free "$candidate" && mkdir "$SERVICES/$candidate" 2>/dev/null; then BASE=$candidate; break; fi
  done
  [ -n "$BASE" ] || { log "no free block of ports in 55400-55999"; exit 1; }
fi
PGPORT=$BASE REDISPORT=$((BASE + 4))
export CHORUS_TEST_IMAPPORT=$((BASE + 1)) CHORUS_TEST_SMTPPORT=$((BASE + 2)) CHORUS_TEST_LMTPPORT=$((BASE + 3))
RUN=$SERVICES/$BASE
mkdir -p "$RUN"
echo $$ > "$RUN/owner"
trap 'stop_services "$RUN"; rm -rf "$RUN/pg" "$RUN/mail" "$RUN/redis"' EXIT

install -d -o postgres -g postgres "$RUN/pg"
runuser -u postgres -- "$PGBIN/initdb" -D "$RUN/pg/data" -A trust -U postgres -E UTF8 --no-locale >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$RUN/pg/data" -l "$RUN/pg/log" -w \
  -o "-p $PGPORT -k $RUN/pg -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
for _ in $(seq 50); do "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT" && break; sleep 0.1; done
if ! "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT"; then log "PostgreSQL did not start"; tail -20 "$RUN/pg/log"; exit 1; fi
log "PostgreSQL up on 127.0.0.1:$PGPORT"

mkdir -p "$RUN/mail"
if ! "$ROOT/tests/mail-servers.sh" start "$RUN/mail"; then log "the mail servers did not start"; exit 1; fi
log "Postfix SMTP on 127.0.0.1:$CHORUS_TEST_SMTPPORT, Dovecot IMAP on 127.0.0.1:$CHORUS_TEST_IMAPPORT"

mkdir -p "$RUN/redis"
redis-server --port "$REDISPORT" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
  --dir "$RUN/redis" --pidfile "$RUN/redis/redis.pid" --logfile "$RUN/redis/log"
for _ in $(seq 50); do redis-cli -p "$REDISPORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
if ! redis-cli -p "$REDISPORT" ping >/dev/null 2>&1; then log "Redis did not start"; tail -20 "$RUN/redis/log"; exit 1; fi
log "Redis up on 127.0.0.1:$REDISPORT"

export TEST_REDIS="127.0.0.1:$REDISPORT"
export TEST_PG="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=postgres;Maximum Pool Size=20"
export TEST_SMTP="127.0.0.1:$CHORUS_TEST_SMTPPORT" TEST_IMAP="127.0.0.1:$CHORUS_TEST_IMAPPORT"
export TEST_DOVECOT_CONF="$RUN/mail/dovecot/dovecot.conf"
export CHROMIUM_PATH=/usr/bin/chromium
export SCREENSHOT_DIR="$ROOT/artifacts/screenshots"
mkdir -p "$SCREENSHOT_DIR"

# ------------------------------------------------------------------ 3. build and test
dotnet restore Chorus.slnx
dotnet build Chorus.slnx --no-restore -nodeReuse:false -clp:ErrorsOnly
log "built"
set +e
dotnet test Chorus.slnx --no-build "$@" 2>&1 | tee "$RUN/test.log"
rc=${PIPESTATUS[0]}
set -e
dotnet build-server shutdown >/dev/null 2>&1 || true
log "tested (exit $rc)"
# One plain summary line summed over every test assembly (vstest minimal and normal formats).
awk '/^(Passed|Failed)! +- Failed:/ { gsub(/,/, ""); f += $4; p += $6; s += $8; next }
     /^ +Passed: [0-9]+$/ { p += $2 } /^ +Failed: [0-9]+$/ { f += $2 } /^ +Skipped: [0-9]+$/ { s += $2 }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$RUN/test.log"
exit "$rc"
