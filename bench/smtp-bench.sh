#!/bin/sh
# smtp-bench.sh - sessions per second of smtpserver, and of Postfix's
# smtp-sink in the same run, with Postfix's smtp-source as the load.
#
#   sh bench/smtp-bench.sh [--build DIR] [--messages N]
#
# Measures (each a single run; not a test, not part of `make check`):
#  1. sessions/s, 1 KB message, 1 recipient, concurrency 1, 10, 50:
#     smtpserver (no router checks, gate off) vs smtp-sink;
#  2. the gate's cost: the same with the gate on (private hosts.allow /
#     hosts.deny with a few rules) vs off, concurrency 10;
#  3. refusals/s the parent manages over -m (one held session, -m 1):
#     silent close vs -M (a child answers 421).
# Needs root (smtp-sink -u), Debian's postfix package for smtp-source and
# smtp-sink (installed with DEBIAN_FRONTEND=noninteractive if missing; the
# postfix service is stopped and never left running).  Everything runs on
# 127.0.0.1; every process started here is stopped by pid in the EXIT trap.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$SRC/build
N=2000
PY=/usr/bin/python3
while [ $# -gt 0 ]; do
	case $1 in
	--build) BUILD=$2; shift ;;
	--messages) N=$2; shift ;;
	*) echo "usage: sh bench/smtp-bench.sh [--build DIR] [--messages N]" >&2; exit 64 ;;
	esac
	shift
done
BUILD=$(cd "$BUILD" && pwd)

if ! command -v smtp-source >/dev/null 2>&1 && [ ! -x /usr/sbin/smtp-source ]; then
	export DEBIAN_FRONTEND=noninteractive
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections 2>/dev/null || true
	apt-get install -y -q postfix >/dev/null
fi
# Never leave the system postfix running on port 25.
postfix stop >/dev/null 2>&1 || true
systemctl stop postfix >/dev/null 2>&1 || true
PATH=$PATH:/usr/sbin

TMP=$(mktemp -d /tmp/smtpbench.XXXXXX)
chmod 755 "$TMP"
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	sleep 0.5
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

freeport() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
waitport() {
	i=0
	while [ $i -lt 100 ]; do
		$PY -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1',$1)))" 2>/dev/null && return 0
		sleep 0.05; i=$((i + 1))
	done
	echo "port $1 did not open" >&2; return 1
}

sh "$SRC/tools/mksandbox" "$TMP/sb" "$BUILD" >/dev/null
ZC=$TMP/sb/zmailer.conf
CONF_OFF=$TMP/off.conf
CONF_ON=$TMP/on.conf
mkdir -p "$TMP/tables"
cat > "$TMP/tables/hosts.allow" <<'T'
smtpserver: 127.0.0.10 : setenv OPTREJECT temp : deny
smtpserver: 192.0.2.0/255.255.255.0 : setenv OPTMSG watched : allow
smtpserver: 127.0.0.1 : setenv BENCH yes : allow
T
printf 'smtpserver: 198.51.100.0/255.255.255.0\n' > "$TMP/tables/hosts.deny"
chmod -R a+rX "$TMP/tables"
BASE="PARAM MaxSameIpSource 0
127.0.0.1 -
*  -"
printf 'PARAM tcpwrap off\n%s\n' "$BASE" > "$CONF_OFF"
printf 'PARAM tcpwrap-allow %s\nPARAM tcpwrap-deny %s\n%s\n' \
	"$TMP/tables/hosts.allow" "$TMP/tables/hosts.deny" "$BASE" > "$CONF_ON"
chmod 644 "$CONF_OFF" "$CONF_ON"

start_smtpd() { # conf port [options]
	conf=$1; port=$2; shift 2
	"$BUILD/bin/smtpserver" -d -g -Z "$ZC" -C "$conf" -a 127.0.0.1 -p "$port" \
		-L 256 -I "$TMP/pid.$port" "$@" 2>>"$TMP/smtpserver.log" &
	SMTPD=$!
	PIDS="$PIDS $SMTPD"
	waitport "$port"
}
stop_smtpd() {
	kill "$SMTPD" 2>/dev/null; wait "$SMTPD" 2>/dev/null
	rm -f "$TMP"/sb/postoffice/router/*
}

# sessions/s of smtp-source against host:port
rate() { # port concurrency messages
	t0=$($PY -c 'import time; print(time.monotonic())')
	smtp-source -l 1024 -m "$3" -s "$2" -f bench@source.example \
		-t rcpt@dest.example -S "bench" 127.0.0.1:"$1" >/dev/null 2>"$TMP/source.err"
	rc=$?
	t1=$($PY -c 'import time; print(time.monotonic())')
	[ $rc -eq 0 ] || { echo "smtp-source failed: $(head -3 "$TMP/source.err")" >&2; echo "fail"; return; }
	$PY -c "print('%.0f' % ($3 / ($t1 - $t0)))"
}

echo "# smtp-bench: $N messages of 1 KB, 1 recipient each, one per session"
echo "# $(uname -sr), $(nproc) CPU, build $BUILD"
SINKPORT=$(freeport)
smtp-sink -u nobody 127.0.0.1:"$SINKPORT" 256 &
SINK=$!; PIDS="$PIDS $SINK"
waitport "$SINKPORT"
PORT=$(freeport)
start_smtpd "$CONF_OFF" "$PORT"
printf '%-12s %14s %14s %8s\n' concurrency smtpserver smtp-sink ratio
for c in 1 10 50; do
	a=$(rate "$PORT" "$c" "$N")
	b=$(rate "$SINKPORT" "$c" "$N")
	r=$($PY -c "a,b='$a','$b'; print('%.2f' % (float(b)/float(a)) if a.isdigit() and b.isdigit() else '-')")
	printf '%-12s %14s %14s %8s\n' "$c" "$a/s" "$b/s" "sink/ours=$r"
	rm -f "$TMP"/sb/postoffice/router/*
done
stop_smtpd
kill "$SINK"; wait "$SINK" 2>/dev/null

echo
echo "# the gate's cost, concurrency 10"
PORT=$(freeport)
start_smtpd "$CONF_ON" "$PORT"
on=$(rate "$PORT" 10 "$N")
stop_smtpd
PORT=$(freeport)
start_smtpd "$CONF_OFF" "$PORT"
off=$(rate "$PORT" 10 "$N")
stop_smtpd
printf 'gate on: %s/s   gate off: %s/s\n' "$on" "$off"

echo
echo "# refusals/s over -m 1 (one session held open), 20 parallel clients"
for mode in silent 421; do
	PORT=$(freeport)
	if [ $mode = 421 ]; then start_smtpd "$CONF_OFF" "$PORT" -m 1 -M
	else start_smtpd "$CONF_OFF" "$PORT" -m 1; fi
	$PY - "$PORT" "$N" <<'P'
import socket, sys, threading, time
port, n = int(sys.argv[1]), int(sys.argv[2])
hold = socket.create_connection(("127.0.0.1", port)); hold.recv(100)
done = [0]; lock = threading.Lock(); per = n // 20
def worker():
    for _ in range(per):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        try:
            while s.recv(512):
                pass
        except OSError:
            pass
        s.close()
        with lock:
            done[0] += 1
t0 = time.monotonic()
ts = [threading.Thread(target=worker) for _ in range(20)]
[t.start() for t in ts]; [t.join(60) for t in ts]
print("%.0f refusals/s (%d connections)" % (done[0] / (time.monotonic() - t0), done[0]), end="")
hold.close()
P
	if [ $mode = 421 ]; then echo "  with -M (a child answers 421)"; else echo "  silent close"; fi
	stop_smtpd
done
