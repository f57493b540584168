#!/bin/sh
# compare.sh - our smtpserver against Postfix, same policy, same machine, same run.
#
#   sh bench/compare.sh [--quick] [--rounds N] [--build DIR] [--keep] [--only LIST]
#
# Run from anywhere after `make`.  As root (Postfix's master must start as
# root; our daemon drops to SMTPUSER).  What it does, bounded everywhere:
#  1. installs Debian's postfix if missing (never starts the system one),
#  2. starts ONE nsd with the zones of bench/dns on 127.0.0.1:PORT (our
#     side: RESOLVER=127.0.0.1:PORT) and on PFXADDR:53, a private loopback
#     address that the Postfix instance's chroot resolv.conf names
#     (docs/performance.md, "DNS"),
#  3. lays out our sandbox (tools/mksandbox, the shipped cf/ and db/) and
#     a private Postfix instance (bench/postfix/*.in) with the equivalent
#     policy, both fed the same lists,
#  4. checks with bench/lib/probe.py that both sides take the same
#     decisions (accept, badsender, flushot, nscheck, relay, nouser,
#     helo-fqdn); a side that fails is reported and not measured,
#  5. measures with Postfix's smtp-source, alternating A/B each round, and
#     prints one table of medians and ratios (ours / Postfix),
#  6. router start-up, memory per session at 500 open sessions, and the
#     per-session cost with 10 vs 1,000,000 entries in flushots and
#     badsenders.
# Every process it starts is stopped by the EXIT trap (by pid; Postfix by
# `postfix -c DIR stop`).  Temp files live in one /tmp/zmbench.* directory,
# removed at exit unless --keep.  Not a test; not part of `make check`.
set -u

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$SRC/build
QUICK=0
ROUNDS=
KEEP=0
ONLY="probe,sessions,rcpt,reject,sink,startup,memory,lists"
PY=/usr/bin/python3
PFXADDR=127.83.53.1

usage() {
	echo "usage: sh bench/compare.sh [--quick] [--rounds N] [--build DIR] [--keep] [--only LIST]" >&2
	echo "  LIST: comma-separated of $ONLY" >&2
	exit 64
}
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--rounds) [ $# -ge 2 ] || usage; ROUNDS=$2; shift ;;
	--build) [ $# -ge 2 ] || usage; BUILD=$2; shift ;;
	--keep) KEEP=1 ;;
	--only) [ $# -ge 2 ] || usage; ONLY=$2; shift ;;
	*) usage ;;
	esac
	shift
done
case ${ROUNDS:-x} in
x) if [ $QUICK -eq 1 ]; then ROUNDS=3; else ROUNDS=5; fi ;;
*[!0-9]*|0) usage ;;
esac
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || { echo "compare.sh: no build directory; run make" >&2; exit 1; }

# Sizes: messages per timed run (per side, per round).
if [ $QUICK -eq 1 ]; then
	M1=100; M10=300; M50=500; MR=10; MREJ=300; MSINK=2000
	NSTART=50; NMEM=500; NLIST=60; BIG=1000000
else
	M1=400; M10=2000; M50=3000; MR=40; MREJ=2000; MSINK=20000
	NSTART=300; NMEM=500; NLIST=150; BIG=1000000
fi
RUN_TIMEOUT=300          # seconds for any one smtp-source run

want() { case ",$ONLY," in *",$1,"*) return 0 ;; esac; return 1; }
say() { printf '%s\n' "$*" >&2; }
die() { say "compare.sh: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (Postfix's master and port 53 on $PFXADDR need it)"
# A program of ours that is missing is reported, and only our side is
# left out: the Postfix figures are still worth having.
ZM_MISSING=
for p in smtpserver router flushot cks/nscheck; do
	[ -x "$BUILD/bin/$p" ] || ZM_MISSING="$ZM_MISSING $p"
done
[ -z "$ZM_MISSING" ] || say "OUR SIDE IS INCOMPLETE: missing in $BUILD/bin:$ZM_MISSING (run make)"
[ -x "$PY" ] || die "$PY missing"
[ -x /usr/sbin/nsd ] || die "nsd missing (tools/packages.txt; make deps)"

# ---- Postfix from Debian, never the system instance -----------------------
install_postfix() {
	command -v postfix >/dev/null 2>&1 && command -v smtp-source >/dev/null 2>&1 && return 0
	say "installing postfix (Debian package)"
	i=0
	while [ $i -lt 30 ]; do
		if DEBIAN_FRONTEND=noninteractive apt-get install -y -q postfix >/dev/null 2>&1; then
			break
		fi
		i=$((i + 1)); sleep 10     # another apt may hold the lock
	done
	command -v smtp-source >/dev/null 2>&1 || die "could not install postfix"
	# The package may enable the system service: stop and disable it.
	postfix stop >/dev/null 2>&1 || true
	command -v systemctl >/dev/null 2>&1 && { systemctl stop postfix; systemctl disable postfix; } >/dev/null 2>&1
	true
}
install_postfix
PATH=$PATH:/usr/sbin:/sbin
# Other work on the machine skews both sides: say so in the report.
LOAD0=$(cut -d' ' -f1 /proc/loadavg)
awk -v l="$LOAD0" 'BEGIN {exit !(l > 0.5)}' && say "WARNING: load average $LOAD0 before the start: the machine is busy"

# ---- one temp tree, one cleanup --------------------------------------------
T=$(mktemp -d /tmp/zmbench.XXXXXX) || die "mktemp"
chmod 755 "$T"
PIDS=
PF_UP=0
cleanup() {
	trap - EXIT INT TERM HUP
	[ $PF_UP -eq 1 ] && postfix -c "$T/postfix/etc" stop >/dev/null 2>&1
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done
	i=0
	for p in $PIDS; do
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		kill -KILL "$p" 2>/dev/null
	done
	# Postfix's master: bounded wait, then by its pid file.
	if [ $PF_UP -eq 1 ] && [ -f "$T/postfix/spool/pid/master.pid" ]; then
		mp=$(tr -dc 0-9 < "$T/postfix/spool/pid/master.pid")
		i=0
		while [ -n "$mp" ] && kill -0 "$mp" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		[ -n "$mp" ] && kill -KILL "$mp" 2>/dev/null
	fi
	if [ $KEEP -eq 1 ]; then say "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {   # host port seconds
	"$PY" - "$1" "$2" "$3" <<'EOF'
import socket, sys, time
h, p, t = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
end = time.time() + t
while time.time() < end:
    try:
        socket.create_connection((h, p), 0.5).close(); sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
EOF
}
now_ns() { date +%s%N; }
median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) {print "n/a"; exit} if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

# ---- DNS: one nsd, two addresses --------------------------------------------
DNSPORT=$(free_port)
D=$T/dns
mkdir -p "$D"
cp "$SRC"/bench/dns/*.zone "$D/"
# Port 53 on a private loopback address for the Postfix chroot.  If that
# cannot be bound, the Postfix side has no DNS and says so.
PF_DNS=1
if ss -lun 2>/dev/null | awk '{print $4}' | grep -Eq "(^|[^0-9])(0\.0\.0\.0|\*|$PFXADDR|\[::\]):53$"; then
	PF_DNS=0
fi
if [ $PF_DNS -eq 1 ]; then pfxline="  ip-address: $PFXADDR@53"; else pfxline=""; fi
sed -e "s|@DIR@|$D|g" -e "s|@PORT@|$DNSPORT|g" -e "s|@PFXLINE@|$pfxline|" \
	"$SRC/bench/dns/nsd.conf.in" > "$D/nsd.conf"
/usr/sbin/nsd -d -c "$D/nsd.conf" > "$D/nsd.out" 2>&1 &
PIDS="$PIDS $!"
dns_ok() {  # ADDR PORT: the SOA of good.test answers
	"$PY" - "$1" "$2" <<'EOF'
import random, socket, struct, sys
h, p = sys.argv[1], int(sys.argv[2])
q = struct.pack("!HHHHHH", random.randrange(65536), 0, 1, 0, 0, 0)
q += b"\x04good\x04test\x00" + struct.pack("!HH", 6, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.3)
try:
    s.sendto(q, (h, p)); r = s.recv(4096)
    sys.exit(0 if (r[3] & 15) == 0 else 1)
except OSError:
    sys.exit(1)
EOF
}
i=0
until dns_ok 127.0.0.1 "$DNSPORT"; do
	i=$((i + 1)); [ $i -lt 50 ] || die "nsd did not answer: $(cat "$D/nsd.out" "$D/nsd.log" 2>/dev/null)"
	sleep 0.2
done
if [ $PF_DNS -eq 1 ] && ! dns_ok "$PFXADDR" 53; then PF_DNS=0; fi
[ $PF_DNS -eq 1 ] || say "WARNING: no DNS on $PFXADDR:53: the Postfix side runs WITHOUT its DNS checks"

# ---- our side ---------------------------------------------------------------
Z=$T/zm
mkdir -p "$Z"
ZCONF=$(sh "$SRC/tools/mksandbox" "$Z" "$BUILD" "RESOLVER=127.0.0.1:$DNSPORT" \
	"NSCHECK_TIMEOUT=10" 2>"$T/mksandbox.err" | tail -n 1) || die "mksandbox: $(cat "$T/mksandbox.err")"
R=$Z/var/db/relay
# The load comes from 127.0.0.1 and smtp-source cannot choose its source
# address, so 127.0.0.1 is made an OUTSIDE client (ournets = 127.0.0.2):
# every outside-only check (numeric, forged-local, nscheck) runs.
printf '127.0.0.2/32\tbench: the load (127.0.0.1) is outside\n' > "$R/ournets"
# The shipped helo-exempt exempts loopback from the HELO rule; the load
# must not be exempt either (the helo-fqdn probe), so 127.0.0.0/8 goes.
grep -v '^[[:space:]]*127\.' "$R/helo-exempt" > "$R/helo-exempt.new" && mv "$R/helo-exempt.new" "$R/helo-exempt"
# smtp-source's recipients with -r N: rcpt, 2rcpt .. Nrcpt (all must exist).
{ echo "rcpt: root"; n=2; while [ $n -le 100 ]; do echo "${n}rcpt: root"; n=$((n + 1)); done; } >> "$Z/var/db/aliases"
echo "spamtrap@localhost" >> "$R/trapaddrs"
echo "retired@localhost" >> "$R/badrcpts"
echo "@bad.test" >> "$R/badsenders"
printf 'smtpserver: 192.0.2.66\n' > "$Z/hosts.deny"
: > "$Z/hosts.allow"
chmod 644 "$Z/hosts.deny" "$Z/hosts.allow" "$Z/var/db/aliases" "$R"/*
# smtpserver.conf: the bench's PARAMs, then the shipped sample's lines (if
# any), then a catch-all that turns every router check on.
{
	echo "# written by bench/compare.sh"
	echo "PARAM tcpwrap-allow $Z/hosts.allow"
	echo "PARAM tcpwrap-deny $Z/hosts.deny"
	echo "PARAM MaxSameIpSource 0"
	[ -f "$SRC/smtpserver/smtpserver.conf.sample" ] &&
		grep -v '^[[:space:]]*PARAM[[:space:]]\+\(tcpwrap-allow\|tcpwrap-deny\|MaxSameIpSource\)' \
			"$SRC/smtpserver/smtpserver.conf.sample"
	echo "*	ftveh"
} > "$Z/share/smtpserver.conf"
chmod 644 "$Z/share/smtpserver.conf"
# A trapped origin, recorded the way the router does it.
"$BUILD/bin/flushot" -f "$R/flushots" add trapped@good.test "[192.0.2.9]" helo.example spamtrap@localhost >/dev/null 2>&1 ||
	say "WARNING: flushot add failed"
chown daemon "$R/flushots" "$R"/flushots.lmdb* 2>/dev/null

ZPORT=$(free_port)
ZPID=
zm_start() {
	# -L: the listen backlog Postfix's master gives smtpd here
	# (max(maxproc, default_process_limit) = 700, main.cf.in).
	"$BUILD/bin/smtpserver" -d -Z "$ZCONF" -a 127.0.0.1 -p "$ZPORT" -L 700 -I "$T/zm.pid" \
		>> "$T/zm.log" 2>&1 &
	ZPID=$!
	PIDS="$PIDS $ZPID"
	wait_port 127.0.0.1 "$ZPORT" 10
}
ZM_UP=0
if [ -n "$ZM_MISSING" ]; then
	say "our side not started (missing:$ZM_MISSING)"
elif zm_start; then ZM_UP=1; else say "OUR SIDE DID NOT START: $(tail -n 5 "$T/zm.log")"; fi

# ---- the Postfix side -------------------------------------------------------
P=$T/postfix
PPORT=$(free_port)
mkdir -p "$P/etc" "$P/spool/etc" "$P/data"
chown postfix "$P/data"
# Lists: converted from OUR sandbox's files, so both read the same entries.
keys() { grep -v '^[[:space:]]*#' "$1" | awk 'NF {print tolower($1)}'; }
access_from() {   # FILE ACTION... : our address/domain keys as an access map
	f=$1; shift
	keys "$f" | awk -v a="$*" '{k=$1; sub(/^@/, "", k); print k "\t" a}'
}
pf_lists() {
	access_from "$R/badsenders" "550 5.7.1 mail refused [badsender]" > "$P/etc/badsenders"
	grep -v '^[[:space:]]*#' "$R/flushots" | awk -F'\t' 'NF >= 2 {print tolower($1) "\t454 4.7.1 held since " $2 " (spam trap hit) [flushot]"}' > "$P/etc/flushots"
	access_from "$R/badrcpts" "550 5.1.1 does not accept mail [badrcpt]" > "$P/etc/badrcpts"
	access_from "$R/trapaddrs" "454 4.7.1 not available [flushot-trap]" > "$P/etc/trapaddrs"
	{ keys "$Z/var/db/localnames"; keys "$R/ourdomains"; } | awk '{print $1 "\t550 5.7.1 claims to be from this site [forged-local]"}' > "$P/etc/ourdomains-from"
	{ keys "$Z/var/db/localnames"; keys "$R/ourdomains"; } | awk '{print $1 "\t501 5.7.1 HELO name is ours, you are not [helo-forged]"}' > "$P/etc/ourdomains-helo"
	keys "$R/ournets" | awk '{print $1 "\tOK"}' > "$P/etc/ournets"
	keys "$R/helo-exempt" | awk '/^[0-9.:\/a-f]+$/ && /[.:]/ && !/[g-z]/ {print $1 "\tOK"}' > "$P/etc/helo-exempt"
	keys "$R/helo-exempt" | awk '!(/^[0-9.:\/a-f]+$/ && /[.:]/ && !/[g-z]/) {print $1 "\tOK"}' > "$P/etc/helo-exempt-names"
	awk '{print $2 "/32\t550 5.7.1 nameserver blocked here [nscheck]"}' "$Z/hosts.deny" > "$P/etc/shunned-ns"
	{
		keys "$R/numeric-bad" | awk '{d=$1; gsub(/\./, "\\.", d); if (d ~ /^\\\./) print "/^[0-9]+@.*" d "$/\t550 5.7.1 all-numeric user names refused [numeric]"; else print "/^[0-9]+@" d "$/\t550 5.7.1 all-numeric user names refused [numeric]"}'
		keys "$R/numeric-ok" | awk '{d=$1; gsub(/\./, "\\.", d); if (d ~ /^\\\./) print "/^[0-9]+@.*" d "$/\tDUNNO"; else print "/^[0-9]+@" d "$/\tDUNNO"}'
		echo '/^[0-9]+@/	454 4.7.1 all-numeric user names are held [numeric]'
	} > "$P/etc/numeric"
	grep -v '^[[:space:]]*#' "$Z/var/db/aliases" > "$P/etc/aliases"
	for m in badsenders flushots badrcpts trapaddrs ourdomains-from ourdomains-helo helo-exempt-names; do
		postmap "hash:$P/etc/$m" || return 1
	done
	postalias "hash:$P/etc/aliases" || return 1
}
pf_setup() {
	mydest=$(keys "$Z/var/db/localnames" | tr '\n' ' ')
	relaydoms=$(keys "$R/ourdomains" | tr '\n' ' ')
	mynets=$(keys "$R/ournets" | tr '\n' ' ')
	for f in main.cf master.cf; do
		sed -e "s|@DIR@|$P|g" -e "s|@PORT@|$PPORT|g" -e "s|@MYDEST@|$mydest|" \
			-e "s|@RELAYDOMS@|$relaydoms|" -e "s|@MYNETS@|$mynets|" \
			"$SRC/bench/postfix/$f.in" > "$P/etc/$f"
	done
	pf_lists || return 1
	# The chroot (queue directory) gets what Debian's configure-instance.sh
	# copies, but its resolv.conf names OUR nsd, and its hosts file has no
	# 127.0.0.1 line, so the client's name comes from DNS as on our side.
	if [ $PF_DNS -eq 1 ]; then
		printf 'nameserver %s\noptions timeout:10 attempts:1\n' "$PFXADDR" > "$P/spool/etc/resolv.conf"
	else
		printf 'nameserver 127.255.255.254\noptions timeout:1 attempts:1\n' > "$P/spool/etc/resolv.conf"
	fi
	echo '# bench: no entries, names come from DNS' > "$P/spool/etc/hosts"
	printf 'hosts: files dns\npasswd: files\ngroup: files\n' > "$P/spool/etc/nsswitch.conf"
	cp /etc/services "$P/spool/etc/services"
	[ -e /etc/localtime ] && cp -L /etc/localtime "$P/spool/etc/localtime"
	chmod 644 "$P"/spool/etc/*
	postfix -c "$P/etc" check > "$T/postfix-check.log" 2>&1 || return 1
	postfix -c "$P/etc" start > "$T/postfix-start.log" 2>&1 || return 1
	PF_UP=1
	wait_port 127.0.0.1 "$PPORT" 15
}
PF_OK=1
if ! pf_setup; then
	PF_OK=0
	say "POSTFIX SIDE DID NOT START: $(cat "$T/postfix-check.log" "$T/postfix-start.log" 2>/dev/null | tail -n 5)"
fi

# ---- do both sides take the same decisions? --------------------------------
ZM_OK=$ZM_UP
if true; then   # always: nothing is timed on a side that fails them
	say ""
	say "== policy probes (same cases on both sides; bench/lib/probe.py)"
	if [ $PF_OK -eq 1 ]; then
		"$PY" "$SRC/bench/lib/probe.py" Postfix 127.0.0.1 "$PPORT" "$PF_DNS" >&2 || PF_OK=0
	fi
	if [ $ZM_UP -eq 1 ]; then
		"$PY" "$SRC/bench/lib/probe.py" ours 127.0.0.1 "$ZPORT" 1 >&2 || ZM_OK=0
	fi
	[ $ZM_OK -eq 1 ] || say "OUR SIDE DOES NOT WORK END TO END (see above; log $T/zm.log): its figures are n/a"
	[ $PF_OK -eq 1 ] || say "POSTFIX SIDE FAILED ITS PROBES: its figures are n/a"
fi

# ---- timed runs ---------------------------------------------------------------
# spool_reset: between runs, empty our spool and wait (bounded) for
# Postfix's queue to drain through the discard transport, so that no run
# pays for the previous run's backlog.
spool_reset() {
	find "$Z/postoffice/router" "$Z/postoffice/public" -type f -delete 2>/dev/null
	i=0
	while [ $i -lt 300 ]; do
		n=$(find "$P/spool/incoming" "$P/spool/active" "$P/spool/maildrop" -type f 2>/dev/null | head -n 1 | wc -l)
		[ "$n" -eq 0 ] && return 0
		sleep 0.1; i=$((i + 1))
	done
}
# run_source PORT KIND ARGS... : prints elapsed seconds, or "fail".
# KIND ok: smtp-source ARGS, which must report no error at all;
# KIND rej: bench/lib/rejload.py SESSIONS CONC FROM WANT (smtp-source
# gives up at the first refused MAIL FROM).
run_source() {
	port=$1; kind=$2; shift 2
	spool_reset
	t0=$(now_ns)
	if [ "$kind" = rej ]; then
		timeout "$RUN_TIMEOUT" "$PY" "$SRC/bench/lib/rejload.py" 127.0.0.1 "$port" "$@" > "$T/src.out" 2> "$T/src.err"
	else
		timeout "$RUN_TIMEOUT" smtp-source -M client.bench.test "$@" "127.0.0.1:$port" > "$T/src.out" 2> "$T/src.err"
	fi
	rc=$?
	t1=$(now_ns)
	if [ $rc -ne 0 ] || { [ "$kind" = ok ] && [ -s "$T/src.err" ]; }; then
		{ echo "$kind $* 127.0.0.1:$port: rc=$rc"; head -n 3 "$T/src.err"; } >> "$T/failures.log"
		echo fail
		return
	fi
	echo "$t0 $t1" | awk '{printf "%.6f\n", ($2 - $1) / 1e9}'
}
ROWS=$T/rows
: > "$ROWS"
# measure NAME UNIT COUNT EXPECT ARGS... : A/B alternating, ROUNDS rounds;
# rate = COUNT / elapsed.  Appends "NAME|UNIT|ours|postfix" to ROWS.
measure() {
	name=$1; unit=$2; count=$3; expect=$4; shift 4
	: > "$T/a"; : > "$T/b"
	r=1
	while [ $r -le "$ROUNDS" ]; do
		if [ $((r % 2)) -eq 1 ]; then order="pf zm"; else order="zm pf"; fi
		for side in $order; do
			if [ $side = pf ]; then [ $PF_OK -eq 1 ] || continue; port=$PPORT; out=$T/b
			else [ $ZM_OK -eq 1 ] || continue; port=$ZPORT; out=$T/a; fi
			e=$(run_source "$port" "$expect" "$@")
			if [ "$e" = fail ]; then echo fail >> "$out"
			else echo "$count $e" | awk '{printf "%.1f\n", $1 / $2}' >> "$out"; fi
		done
		r=$((r + 1))
	done
	a=$(summ "$T/a"); b=$(summ "$T/b")
	echo "$name|$unit|$a|$b" >> "$ROWS"
	say "   $name: ours $a, Postfix $b ($(tr '\n' ' ' < "$T/a")| $(tr '\n' ' ' < "$T/b"))"
}
# summ FILE: the median, "n/a" if no run, "FAILED" if any run failed.
summ() {
	if [ ! -s "$1" ]; then echo n/a
	elif grep -q fail "$1"; then echo FAILED
	else median < "$1"; fi
}

FROM=sender@good.test
TO=rcpt@localhost
say ""
say "== timed runs: $ROUNDS rounds, A/B alternating (rates per second; per-round values in brackets)"
if want sessions; then
	measure "sessions/s, c=1, 1 KB, 1 rcpt" sessions/s "$M1" ok -s 1 -m "$M1" -l 1024 -f "$FROM" -t "$TO"
	measure "sessions/s, c=10" sessions/s "$M10" ok -s 10 -m "$M10" -l 1024 -f "$FROM" -t "$TO"
	measure "sessions/s, c=50" sessions/s "$M50" ok -s 50 -m "$M50" -l 1024 -f "$FROM" -t "$TO"
fi
if want rcpt; then
	measure "RCPT/s, 100 rcpt/msg, c=10" RCPT/s "$((MR * 100))" ok -s 10 -m "$MR" -r 100 -l 1024 -f "$FROM" -t "$TO"
fi
if want reject; then
	measure "rejected-sender (badsender) sessions/s, c=10" sessions/s "$MREJ" rej "$MREJ" 10 spammer@bad.test 550
fi

# smtp-sink: the protocol-only ceiling (no policy, no disk).
SINK=; SINKREJ=n/a
if want sink; then
	SPORT=$(free_port)
	smtp-sink -u nobody -c "127.0.0.1:$SPORT" 256 > "$T/sink.out" 2>&1 &
	SINKPID=$!
	PIDS="$PIDS $SINKPID"
	if wait_port 127.0.0.1 "$SPORT" 5; then
		: > "$T/s"
		r=1
		while [ $r -le "$ROUNDS" ]; do
			e=$(run_source "$SPORT" ok -s 10 -m "$MSINK" -l 1024 -f "$FROM" -t "$TO")
			[ "$e" = fail ] && echo fail >> "$T/s" || echo "$MSINK $e" | awk '{printf "%.1f\n", $1 / $2}' >> "$T/s"
			r=$((r + 1))
		done
		SINK=$(summ "$T/s")
		say "   smtp-sink c=10: $SINK ($(tr '\n' ' ' < "$T/s"))"
		# The ceiling of the client that drives the rejected-sender row.
		e=$(run_source "$SPORT" rej "$MREJ" 10 spammer@bad.test 250)
		[ "$e" = fail ] && SINKREJ=FAILED || SINKREJ=$(echo "$MREJ $e" | awk '{printf "%.1f", $1 / $2}')
		say "   smtp-sink, rejload.py client c=10: $SINKREJ"
	fi
	kill "$SINKPID" 2>/dev/null
fi

# ---- router start-up ----------------------------------------------------------
STARTUP=n/a
if want startup && [ ! -x "$BUILD/bin/router" ]; then
	STARTUP="n/a (no $BUILD/bin/router)"
elif want startup; then
	say ""
	say "== router start-up: exec of 'router -I smtpserver' to its reply to init ($NSTART runs)"
	STARTUP=$("$PY" "$SRC/bench/lib/rstart.py" "$BUILD/bin/router" "$ZCONF" "$NSTART" 2>> "$T/rstart.err") || STARTUP="FAILED: $(tail -n 2 "$T/rstart.err")"
	say "   $STARTUP"
fi

# ---- memory at 500 open sessions ----------------------------------------------
MEM_ZM=n/a; MEM_PF=n/a
if want memory; then
	say ""
	say "== private memory per session at $NMEM open sessions (smaps_rollup Private_*)"
	if [ $ZM_OK -eq 1 ]; then
		MEM_ZM=$("$PY" "$SRC/bench/lib/memsess.py" ours 127.0.0.1 "$ZPORT" "$NMEM" "$ZPID" 2>> "$T/mem.err") || MEM_ZM="FAILED: $(tail -n 1 "$T/mem.err")"
		say "   ours: $MEM_ZM"
	fi
	if [ $PF_OK -eq 1 ]; then
		mp=$(tr -dc 0-9 < "$P/spool/pid/master.pid")
		MEM_PF=$("$PY" "$SRC/bench/lib/memsess.py" postfix 127.0.0.1 "$PPORT" "$NMEM" "$mp" 2>> "$T/mem.err") || MEM_PF="FAILED: $(tail -n 1 "$T/mem.err")"
		say "   Postfix: $MEM_PF"
	fi
fi

# ---- 10 vs 1,000,000 list entries -----------------------------------------------
# Fills flushots and badsenders with N entries (none matches the load's
# sender, so every lookup misses: the common case), rebuilds the indexes
# (flushot rebuild; relmkdb; postmap), and times NLIST sessions at c=1.
lists_fill() {   # NFLUSHOTS NBADSENDERS
	n=$1; nb=$2
	grep '^#' "$SRC/db/relay/badsenders" > "$R/badsenders"
	echo "@bad.test" >> "$R/badsenders"
	awk -v n="$nb" 'BEGIN {for (i = 1; i < n; i++) printf "spam%d@list%d.example\n", i, i % 5000}' >> "$R/badsenders"
	grep '^#' "$SRC/db/relay/flushots" > "$R/flushots"
	awk -v n="$n" 'BEGIN {for (i = 0; i < n; i++) printf "trap%d@site%d.example\t%d\t[192.0.2.%d]\thelo%d.example\tspamtrap@localhost\n", i, i % 7000, 1700000000 + i, i % 250 + 1, i}' >> "$R/flushots"
	if [ -x "$BUILD/bin/flushot" ]; then
		"$BUILD/bin/flushot" -f "$R/flushots" rebuild > /dev/null || return 1
	fi
	chown daemon "$R/flushots" "$R"/flushots.lmdb* 2>/dev/null
	chmod 644 "$R/badsenders" "$R/flushots"
	# The postmaster's workflow for a big list (zmailer-lists(5)): index
	# it with relmkdb, as Postfix's side is postmap'ed; the same for 10.
	"$BUILD/bin/relmkdb" "$R/badsenders" > /dev/null || return 1
	[ $PF_OK -eq 1 ] && { pf_lists || return 1; postfix -c "$P/etc" reload >/dev/null 2>&1; sleep 1; }
	return 0
}
if want lists; then
	say ""
	say "== per-session cost with 10 vs $BIG entries in flushots and badsenders (c=1, $NLIST sessions)"
	# Both lists small, both big, then each big alone (which one costs).
	for nn in "10 10" "$BIG $BIG" "$BIG 10" "10 $BIG"; do
		set -- $nn
		if [ "$1" = "$2" ]; then label="lists of $1"
		else label="flushots $1, badsenders $2"; fi
		if lists_fill "$1" "$2"; then
			measure "sessions/s c=1, $label" sessions/s "$NLIST" ok -s 1 -m "$NLIST" -l 1024 -f "$FROM" -t "$TO"
		else
			echo "sessions/s c=1, $label|sessions/s|FAILED|FAILED" >> "$ROWS"
		fi
	done
fi

# ---- the table --------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a+0 > 0 && b+0 > 0) printf "%.2f", a / b; else print "n/a"}'; }
echo ""
echo "zmailer-gw vs Postfix $(postconf -h mail_version 2>/dev/null), $(nproc) CPU, $(date -u +%Y-%m-%dT%H:%MZ), rounds=$ROUNDS$( [ $QUICK -eq 1 ] && echo ' (--quick)')"
echo "load average: $LOAD0 at the start, $(cut -d' ' -f1 /proc/loadavg) at the end (other work on the machine skews both sides)"
[ $ZM_OK -eq 1 ] || echo "NOTE: our side does not work end to end: its figures are n/a (see the probes above)"
[ $PF_DNS -eq 1 ] || echo "NOTE: the Postfix side had no DNS server: its DNS checks did not run"
echo ""
echo "| measure | ours | Postfix | ours/Postfix |"
echo "| --- | ---: | ---: | ---: |"
while IFS='|' read -r name unit a b; do
	echo "| $name | $a | $b | $(ratio "$a" "$b") |"
done < "$ROWS"
[ -n "$SINK" ] && echo "| smtp-sink c=10 (protocol-only ceiling; smtp-source / rejload.py) | | $SINK / $SINKREJ sessions/s | |"
echo ""
echo "router start-up (median, exec to reply to init): $STARTUP"
echo "private memory per session at $NMEM open sessions: ours $MEM_ZM; Postfix $MEM_PF"
l10=$(awk -F'|' '$1 ~ /lists of 10$/ {print $3 " " $4}' "$ROWS")
lbig=$(awk -F'|' -v b="$BIG" '$1 ~ ("lists of " b "$") {print $3 " " $4}' "$ROWS")
if [ -n "$l10" ] && [ -n "$lbig" ]; then
	set -- $l10 $lbig
	echo "cost with $BIG vs 10 list entries (session time ratio; 1.00 = no growth): ours $(ratio "$1" "$3"), Postfix $(ratio "$2" "$4")"
fi
[ -s "$T/failures.log" ] && { echo ""; echo "failed runs (first lines):"; head -n 20 "$T/failures.log"; }
exit 0
