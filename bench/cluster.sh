#!/usr/bin/env bash
# Two Chorus nodes against one on PostgreSQL + Redis (issue 8): builds Release, runs `chorus bench cluster`
# (one node, then two, on 127.0.0.1, sharing a fresh database on the given server and the given Redis),
# writes the figures to bench/results/cluster-<time>.md.
#   bench/cluster.sh --connection "Host=127.0.0.1;Port=16300;Username=postgres;Database=postgres" --redis 127.0.0.1:16390
# Any `chorus bench cluster` option can be added, e.g. --requests 5000 --agents 50 --agent-seconds 30
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
dotnet build src/Chorus -c Release -nodeReuse:false -clp:ErrorsOnly
mkdir -p bench/results
results="bench/results/cluster-$(date -u +%Y%m%d-%H%M%S).md"
{
  echo "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, Linux $(uname -r), .NET SDK $(dotnet --version)"
  echo "started: $(date -u '+%Y-%m-%d %H:%M UTC'), load: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$results.machine"
src/Chorus/bin/Release/net10.0/Chorus bench cluster --results "$results" "$@"
cat "$results.machine" "$results" >"$results.tmp" && mv "$results.tmp" "$results" && rm "$results.machine"
echo "figures: $results"
