#!/usr/bin/env bash
# The one benchmark command: builds Chorus in Release and runs `chorus bench` on a fresh workspace
# under /tmp (deleted afterwards unless --keep), writing the figures to bench/results/<time>.md.
# Defaults: 1,000,000 messages, 100,000 people, 300,000 conversations, SQLite, HTTP load at 32.
# Any `chorus bench` option can be added, e.g.
#   bench/run.sh --messages 100000 --people 10000 --conversations 30000 --skip-http
#   bench/run.sh --provider postgres --connection "Host=127.0.0.1;Port=55433;Username=postgres;Database=postgres"
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

dotnet build src/Chorus -c Release -nodeReuse:false -clp:ErrorsOnly
mkdir -p bench/results
results="bench/results/$(date -u +%Y%m%d-%H%M%S).md"
{
  echo "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, Linux $(uname -r), .NET SDK $(dotnet --version)"
  echo "started: $(date -u '+%Y-%m-%d %H:%M UTC'), load: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$results.machine"
src/Chorus/bin/Release/net10.0/Chorus bench --results "$results" "$@"
cat "$results.machine" "$results" > "$results.tmp" && mv "$results.tmp" "$results" && rm "$results.machine"
echo "figures: $results"
