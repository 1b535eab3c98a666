#!/usr/bin/env bash
# Throwaway mail servers for the e-mail tests, on 127.0.0.1 only, everything under one directory:
#   Postfix (SMTP) → LMTP → Dovecot (IMAP), Maildirs owned by 'nobody'.
# Every address @example.test is a mailbox (created on first delivery) with the password "pass",
# so each test can use mailboxes nobody else touches. nosuchuser@example.test bounces: Postfix's
# error transport answers it with a real DSN to the sender.
# Usage: tests/mail-servers.sh start|stop DIR   (ports: CHORUS_TEST_IMAPPORT, _SMTPPORT, _LMTPPORT)
# Needs root and the Debian packages dovecot-imapd, dovecot-lmtpd, postfix. Stops by pid file only.
set -euo pipefail
action=${1:?start or stop}
RUN=${2:?directory}
IMAPPORT=${CHORUS_TEST_IMAPPORT:-51143}
SMTPPORT=${CHORUS_TEST_SMTPPORT:-52525}
LMTPPORT=${CHORUS_TEST_LMTPPORT:-52524}

stop() {
  local pids=() pidfile pid
  for pidfile in "$RUN/dovecot/run/master.pid" "$RUN/postfix/queue/pid/master.pid"; do
    if [ -f "$pidfile" ] && pid=$(tr -d ' \n' < "$pidfile") && [ -n "$pid" ] && kill "$pid" 2>/dev/null; then pids+=("$pid"); fi
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  return 0
}

if [ "$action" = stop ]; then stop; exit 0; fi
[ "$action" = start ] || { echo "usage: $0 start|stop DIR"; exit 2; }

stop
rm -rf "$RUN/dovecot" "$RUN/postfix" "$RUN/mail"
mkdir -p "$RUN/dovecot/run" "$RUN/dovecot/state"
install -d -o nobody -g nogroup -m 700 "$RUN/mail"

# ---- Dovecot: IMAP for staff and customers, LMTP for Postfix. Plaintext, no TLS (loopback tests).
cat > "$RUN/dovecot/dovecot.conf" <<CONF
protocols = imap lmtp
listen = 127.0.0.1
base_dir = $RUN/dovecot/run
state_dir = $RUN/dovecot/state
log_path = $RUN/dovecot/log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:$RUN/mail/%u/Maildir
# support+c42@example.test is delivered to support@example.test (plus-addressed reply tokens).
recipient_delimiter = +
lmtp_save_to_detail_mailbox = no
passdb {
  driver = static
  args = password=pass
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$RUN/mail/%u allow_all_users=yes
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAPPORT
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTPPORT
  }
  unix_listener lmtp {
    mode = 0
  }
}
CONF
dovecot -c "$RUN/dovecot/dovecot.conf"

# ---- Postfix: SMTP on loopback, relays nowhere, hands every @example.test recipient to Dovecot.
PF="$RUN/postfix"
mkdir -p "$PF/conf" "$PF/queue" "$PF/data"
chown postfix "$PF/data"
cat > "$PF/conf/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $PF/queue
data_directory = $PF/data
meta_directory = /etc/postfix
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = $PF/log
maillog_file_prefixes = $PF
myhostname = mail.example.test
mydomain = example.test
myorigin = example.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_banner = \$myhostname ESMTP
biff = no
virtual_mailbox_domains = example.test
virtual_transport = lmtp:inet:127.0.0.1:$LMTPPORT
transport_maps = inline:{ { nosuchuser@example.test = error:5.1.1 Mailbox does not exist } }
alias_maps =
alias_database =
local_recipient_maps =
# Accept it and bounce afterwards, so the sender gets a real DSN.
smtpd_reject_unlisted_recipient = no
recipient_delimiter = +
message_size_limit = 26214400
# Tests restart Dovecot and Postfix: retry deferred mail quickly.
queue_run_delay = 2s
minimal_backoff_time = 2s
maximal_backoff_time = 10s
CONF
cat > "$PF/conf/master.cf" <<CONF
127.0.0.1:$SMTPPORT inet n - n - - smtpd
pickup    unix n - n 60 1 pickup
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
tlsmgr    unix - - n 1000? 1 tlsmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
smtp      unix - - n - - smtp
relay     unix - - n - - smtp
showq     unix n - n - - showq
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
lmtp      unix - - n - - lmtp
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
CONF
# postfix(1) reports only to syslog (none here) unless its output is a terminal: give it one.
script -qec "postfix -c '$PF/conf' check" /dev/null
script -qec "postfix -c '$PF/conf' start" /dev/null >/dev/null || { cat "$PF/log" 2>/dev/null; exit 1; }

ready() { (exec 3<>"/dev/tcp/127.0.0.1/$IMAPPORT") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$SMTPPORT") 2>/dev/null; }
for _ in $(seq 100); do ready && break; sleep 0.1; done
if ! ready; then tail -n 20 "$RUN/dovecot/log" "$PF/log" 2>/dev/null; exit 1; fi
