#!/usr/bin/env bash
# Chorus against Request Tracker 5 (Debian's request-tracker5), same machine, same run (issue 8):
# installs RT if missing (needs root), configures it on 127.0.0.1 with its own fresh PostgreSQL database on the
# given server (a config of its own under /tmp, nothing in /etc is changed), makes root an auth token, starts
# rt-server (Starlet, prefork), builds Chorus in Release and runs `chorus bench rt`, then stops RT and drops its
# database. Figures go to bench/results/rt-<time>.md.
#   bench/rt.sh --connection "Host=127.0.0.1;Port=16300;Username=postgres;Database=postgres" [--tickets 2000] [--concurrency 8] [--searches 100]
# RT's workers: RT_WORKERS (default: the concurrency given, else 8). RT's port: RT_PORT (default 58080).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

connection=""
concurrency=8
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --connection) connection="${args[$((i + 1))]}" ;;
    --concurrency) concurrency="${args[$((i + 1))]}" ;;
  esac
done
[[ -n "$connection" ]] || { echo "usage: bench/rt.sh --connection 'Host=…;Port=…;Username=…;Database=postgres' [chorus bench rt options]" >&2; exit 2; }
field() { sed -n "s/.*\b$1=\([^;]*\).*/\1/Ip" <<<"$connection"; }
pg_host=$(field Host); pg_port=$(field Port); pg_user=$(field Username)
pg_port=${pg_port:-5432}; pg_user=${pg_user:-postgres}
rt_port=${RT_PORT:-58080}
workers=${RT_WORKERS:-$concurrency}

if ! command -v rt-setup-database-5 >/dev/null; then
  echo "Installing Request Tracker 5 (request-tracker5, PostgreSQL driver)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends request-tracker5 libdbd-pg-perl
fi

dir=/tmp/chorus-bench-rt
rt_db="rt_bench_$(date -u +%Y%m%d%H%M%S)"
rm -rf "$dir" && mkdir -p "$dir/RT_SiteConfig.d" "$dir/log"
cat >"$dir/RT_SiteConfig.pm" <<EOF
Set(\$rtname, 'bench.test');
Set(\$Organization, 'bench.test');
Set(\$WebDomain, '127.0.0.1');
Set(\$WebPort, $rt_port);
Set(\$WebPath, '');
Set(\$WebBaseURL, 'http://127.0.0.1:$rt_port');
Set(\$DatabaseType, 'Pg');
Set(\$DatabaseHost, '$pg_host');
Set(\$DatabasePort, '$pg_port');
Set(\$DatabaseName, '$rt_db');
Set(\$DatabaseUser, 'rt_bench');
Set(\$DatabasePassword, 'rt_bench_password');
Set(\$DatabaseAdmin, '$pg_user');
Set(\$LogDir, '$dir/log');
Set(\$LogToSyslog, undef);
Set(\$LogToSTDERR, 'error');
Set(\$LogToFile, undef);
# Mail RT would send (auto-replies to requestors, as by default) goes to an mbox file, not out.
Set(\$MailCommand, 'mbox');
Set(\$CorrespondAddress, 'rt\@bench.test');
Set(\$CommentAddress, 'rt-comment\@bench.test');
1;
EOF
export RT_SITE_CONFIG="$dir/RT_SiteConfig.pm" RT_SITE_CONFIG_DIR="$dir/RT_SiteConfig.d"
psql_admin() { PGPASSWORD="${PGPASSWORD:-}" psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres -v ON_ERROR_STOP=1 -qc "$1"; }
cleanup() {
  [[ -n "${rt_pid:-}" ]] && kill "$rt_pid" 2>/dev/null && wait "$rt_pid" 2>/dev/null || true
  psql_admin "DROP DATABASE IF EXISTS $rt_db WITH (FORCE)" || true
}
trap cleanup EXIT
psql_admin "DO \$\$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'rt_bench') THEN EXECUTE 'DROP OWNED BY rt_bench'; DROP ROLE rt_bench; END IF; END \$\$" || true

echo "Creating RT's database $rt_db on $pg_host:$pg_port"
rt-setup-database-5 --action init --dba "$pg_user" --dba-password "${PGPASSWORD:-}" >"$dir/setup.log" 2>&1 \
  || { cat "$dir/setup.log"; exit 1; }
echo "Setting up RT's PostgreSQL full-text index (as docs/full_text_indexing.pod describes)"
rt-setup-fulltext-index-5 --dba "$pg_user" --dba-password "${PGPASSWORD:-}" --noask >>"$dir/setup.log" 2>&1 || { cat "$dir/setup.log"; exit 1; }
cat >"$dir/RT_SiteConfig.d/50-fulltext.pm" <<EOF
Set(%FullTextSearch, Enable => 1, Indexed => 1, Table => 'AttachmentsIndex', Column => 'ContentIndex');
1;
EOF
rt_token=$(perl -I/usr/share/request-tracker5/lib -e '
  use RT; RT::LoadConfig(); RT::Init();
  my $root = RT::User->new(RT->SystemUser); $root->Load("root");
  my $token = RT::AuthToken->new(RT::CurrentUser->new($root));
  my ($id, $msg, $auth) = $token->Create(Owner => $root->Id, Description => "chorus bench");
  die "token: $msg\n" unless $id; print $auth;')

echo "Starting rt-server on 127.0.0.1:$rt_port ($workers Starlet workers)"
/usr/share/request-tracker5/libexec/rt-server --server Starlet --host 127.0.0.1 --port "$rt_port" --max-workers "$workers" >"$dir/server.log" 2>&1 &
rt_pid=$!
for _ in $(seq 1 120); do
  curl -sf -o /dev/null -H "Authorization: token $rt_token" "http://127.0.0.1:$rt_port/REST/2.0/queues/all" && break
  kill -0 "$rt_pid" 2>/dev/null || { cat "$dir/server.log"; exit 1; }
  sleep 1
done
curl -sf -o /dev/null -H "Authorization: token $rt_token" "http://127.0.0.1:$rt_port/REST/2.0/queues/all" || { echo "RT did not answer"; cat "$dir/server.log"; exit 1; }

dotnet build src/Chorus -c Release -nodeReuse:false -clp:ErrorsOnly
mkdir -p bench/results
results="bench/results/rt-$(date -u +%Y%m%d-%H%M%S).md"
{
  echo "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, Linux $(uname -r), .NET SDK $(dotnet --version), $(dpkg-query -W -f='request-tracker5 ${Version}' request-tracker5), PostgreSQL $(psql -V | awk '{print $3}')"
  echo "started: $(date -u '+%Y-%m-%d %H:%M UTC'), load: $(cut -d' ' -f1-3 /proc/loadavg); RT: rt-server (Starlet) with $workers workers"
} | tee "$results.machine"
src/Chorus/bin/Release/net10.0/Chorus bench rt --rt "http://127.0.0.1:$rt_port" --rt-token "$rt_token" \
  --rt-index-command "RT_SITE_CONFIG=$RT_SITE_CONFIG RT_SITE_CONFIG_DIR=$RT_SITE_CONFIG_DIR rt-fulltext-indexer-5 --all --quiet" --results "$results" "$@"
cat "$results.machine" "$results" >"$results.tmp" && mv "$results.tmp" "$results" && rm "$results.machine"
echo "figures: $results"
