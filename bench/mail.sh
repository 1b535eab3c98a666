#!/usr/bin/env bash
# The e-mail channel benchmark (issue 3): builds Chorus in Release, starts throwaway Postfix → LMTP →
# Dovecot on 127.0.0.1 (tests/mail-servers.sh, on ports of their own so a test run can go on beside it),
# runs `chorus bench mail` (10,000 messages in, 1,000 replies out by default), stops the servers and
# writes the figures to bench/results/mail-<time>.md. Needs root and postfix, dovecot-imapd, dovecot-lmtpd.
# Any `chorus bench mail` option can be added, e.g. bench/mail.sh --messages 2000 --replies 200
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
export CHORUS_TEST_IMAPPORT=${CHORUS_TEST_IMAPPORT:-57143} CHORUS_TEST_SMTPPORT=${CHORUS_TEST_SMTPPORT:-57525} CHORUS_TEST_LMTPPORT=${CHORUS_TEST_LMTPPORT:-57524}
servers=/tmp/chorus-bench-mail

dotnet build src/Chorus -c Release -nodeReuse:false -clp:ErrorsOnly
trap 'tests/mail-servers.sh stop "$servers"; rm -rf "$servers"' EXIT
tests/mail-servers.sh start "$servers"

mkdir -p bench/results
results="bench/results/mail-$(date -u +%Y%m%d-%H%M%S).md"
{
  echo "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, Linux $(uname -r), .NET SDK $(dotnet --version), $(dovecot --version | cut -d' ' -f1) Dovecot, Postfix $(postconf -d -h mail_version 2>/dev/null)"
  echo "started: $(date -u '+%Y-%m-%d %H:%M UTC'), load: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$results.machine"
src/Chorus/bin/Release/net10.0/Chorus bench mail --imap "127.0.0.1:$CHORUS_TEST_IMAPPORT" --smtp "127.0.0.1:$CHORUS_TEST_SMTPPORT" --results "$results" "$@"
cat "$results.machine" "$results" > "$results.tmp" && mv "$results.tmp" "$results" && rm "$results.machine"
echo "figures: $results"
