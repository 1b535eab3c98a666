#!/usr/bin/env bash
# The community forum benchmark (issue 6): builds Chorus in Release and runs `chorus bench forum` on a fresh
# SQLite workspace under /tmp (deleted afterwards): posts/s through PostToForum (with classification) building
# a topic of 1,000 replies, that topic's pages rendered over loopback (p95 against 50 ms) and 200 concurrent
# readers (pages/s, p99). Bounded: a fixed number of posts and reads, the reads capped at 3 minutes.
# Figures go to bench/results/forum-<time>.md. Any `chorus bench forum` option can be added, e.g.
#   bench/forum.sh --replies 2000 --readers 100
#   bench/forum.sh --Database:Provider=Postgres --ConnectionStrings:Chorus="Host=127.0.0.1;Port=55433;Username=postgres;Database=forum_bench"
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

dotnet build src/Chorus -c Release -nodeReuse:false -clp:ErrorsOnly
mkdir -p bench/results
results="bench/results/forum-$(date -u +%Y%m%d-%H%M%S).md"
{
  echo "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, Linux $(uname -r), .NET SDK $(dotnet --version), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "started: $(date -u '+%Y-%m-%d %H:%M UTC'), load: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$results.machine"
src/Chorus/bin/Release/net10.0/Chorus bench forum --results "$results" "$@"
cat "$results.machine" "$results" > "$results.tmp" && mv "$results.tmp" "$results" && rm "$results.machine"
echo "figures: $results"
