#!/usr/bin/env bash
# Listening evaluations: the sentiment scorer against human ratings, the spike detector with NAB's scoring.
#   bench/listening.sh SENTIMENT_DIR NAB_DIR NAB_SCORE_PY
# e.g. bench/listening.sh ../shared/data/sentiment-vader ../shared/data/nab-tweets ../shared/tools/nab_score.py
# SENTIMENT_DIR holds VADER's *_GroundTruth*.tsv sets; NAB_DIR holds series CSVs and windows.json.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
sentiment=$1 nab=$2 scorer=$3
dotnet build src/Chorus -c Release -nodeReuse:false -clp:ErrorsOnly
chorus=src/Chorus/bin/Release/net10.0/Chorus

echo "## sentiment"
python3 bench/sentiment.py "$sentiment" "$chorus"

echo "## spike detection"
alerts=$(mktemp -d)
trap 'rm -rf "$alerts"' EXIT
for series in "$nab"/*.csv; do
  "$chorus" listening detect --series "$series" --out "$alerts/$(basename "$series")"
done
for profile in standard reward_low_FP_rate reward_low_FN_rate; do
  python3 "$scorer" --windows "$nab/windows.json" --data "$nab" --detections "$alerts" --profile "$profile"
done
