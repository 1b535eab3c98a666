#!/usr/bin/env bash
# The soak (issue 8): builds Release, runs `chorus bench soak` — a Chorus process on 127.0.0.1 under mixed load
# (inbound, agents replying and noting, searches, page views) for 10 minutes, memory sampled every 10 s — and
# writes the figures, the memory curve and p99 per minute to bench/results/soak-<time>.md. With dotnet-gcdump installed
# (dotnet tool install -g dotnet-gcdump --version 10.0.750501) it also takes heap snapshots at 25/50/75/97 % of the run
# (each a full GC; --heap-snapshots to choose, none for none): live heap after each, the types that grew, and the
# .gcdump files beside the results for PerfView or Visual Studio.
#   bench/soak.sh                      # 10 minutes on SQLite
#   bench/soak.sh --minutes 2          # a shorter try
#   bench/soak.sh --provider postgres --connection "Host=127.0.0.1;Port=16300;Username=postgres;Database=postgres"
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
dotnet build src/Chorus -c Release -nodeReuse:false -clp:ErrorsOnly
mkdir -p bench/results
results="bench/results/soak-$(date -u +%Y%m%d-%H%M%S).md"
{
  echo "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, Linux $(uname -r), .NET SDK $(dotnet --version)"
  echo "started: $(date -u '+%Y-%m-%d %H:%M UTC'), load: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$results.machine"
status=0
src/Chorus/bin/Release/net10.0/Chorus bench soak --results "$results" "$@" || status=$?
cat "$results.machine" "$results" >"$results.tmp" && mv "$results.tmp" "$results" && rm "$results.machine"
echo "figures: $results"
exit $status
