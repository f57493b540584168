"""Helpers for the fault tests (docs/robustness.md, "Faults").

Every fault test runs the real smtpserver on loopback (tests/smtpd.py),
the real router with the shipped policy unless it says otherwise, and
real files; after the fault it checks three things:
  * the client got the documented 4xx,
  * the daemon keeps serving: a fresh session completes a message,
  * nothing partial is in POSTOFFICE/router/ and public/ is empty.
"""
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "smtpserver"))

from smtphelp import DOUBLE, PLAIN, Raw, Smtpd, double_conf  # noqa: E402,F401
from smtpd import proc_name  # noqa: E402

# The policy's server function with test hooks in front: a sender whose
# local part is "sleep" makes the router run a program that sleeps (a
# router busy answering, or hung); "loop" loops forever in the script;
# "many", "long" and "binary" make the
# script print an oversized or dirty reply (files written by
# start_policy); everything else is the shipped policy.
HOOKS_CF = """
# --- tests/faults hooks ---
server (key) {
	case "$key:$1" in
	from:sleep@*)	sleep 20 ;;
	from:loop@*)	while :; do :; done ;;
	from:many@*)	cat "$MAILSHARE/faults-many" ; return 0 ;;
	from:long@*)	cat "$MAILSHARE/faults-long" ; return 0 ;;
	from:binary@*)	cat "$MAILSHARE/faults-binary" ; return 0 ;;
	esac
	case "$key" in
	init)	server_init "$@" ;;
	helo)	server_helo "$1" ;;
	from)	server_from "$1" ;;
	to)	server_to "$1" ;;
	verify)	verify_user "$1" ;;
	expand)	expand_user "$1" ;;
	*)	echo "500 5.5.1 unknown request $key" ;;
	esac
}
"""

HOOK_FILES = {
    "faults-many": b"".join(b"250-2.0.0 line %d\n" % i for i in range(1000))
    + b"250 2.0.0 end\n",
    "faults-long": b"250 2.0.0 " + b"L" * 5000 + b"\n",
    "faults-binary": b"250 2.0.0 bin \x01\x1b[2J\xc3\xa9\x00 end\n",
}

# Router flags for every command, a short router-timeout so a hung router
# costs seconds, not the default 30.
ROUTER_CONF = "PARAM tcpwrap off\nPARAM router-timeout 2\n127.0.0.1 -\n*  fth\n"

INSIDE = "127.0.0.2"      # in the shipped ournets (127.0.0.0/8)
SENDER = "someone@localhost"
RCPT = "postmaster@localhost"


def start_policy(workdir, conf=ROUTER_CONF, hooks=True, **kw):
    """The daemon with the real router and the shipped policy (+ hooks)."""
    d = Smtpd(workdir, conf=conf, start=False, **kw)
    d.start()
    if hooks:
        with open(os.path.join(d.share, "cf", "server.cf"), "a") as f:
            f.write(HOOKS_CF)
        for name, data in HOOK_FILES.items():
            path = os.path.join(d.share, name)
            with open(path, "wb") as f:
                f.write(data)
            os.chmod(path, 0o644)
    return d


def greet(d, source=INSIDE, helo="client.example", timeout=10):
    r = Raw(d.port, source, timeout=timeout)
    c, lines = r.reply(timeout)
    assert c == 220, lines
    if helo:
        r.expect("EHLO " + helo, 250, timeout)
    return r


def deliver(d, source=INSIDE, sender=SENDER, rcpt=RCPT, body="fault test\r\n",
            timeout=20):
    """A fresh session that must complete a message; returns the spool
    name of the new message."""
    before = set(d.spooled())
    r = greet(d, source, timeout=timeout)
    r.expect("MAIL FROM:<%s>" % sender, 250, timeout)
    r.expect("RCPT TO:<%s>" % rcpt, 250, timeout)
    r.expect("DATA", 354, timeout)
    r.send("Subject: after the fault\r\n\r\n" + body + ".\r\n")
    c, lines = r.reply(timeout)
    assert c == 250 and lines[0].startswith("250 2.6.0 <"), lines
    r.expect("QUIT", 221, timeout)
    r.close()
    new = sorted(set(d.spooled()) - before)
    assert len(new) == 1, new
    text = d.read_spool(new[0]).decode("latin-1")
    assert "\nto <%s>\n" % rcpt in text and text.endswith(body.replace("\r\n", "\n"))
    return new[0]


def assert_clean(d, spooled=()):
    """router/ holds exactly the given complete messages; public/ is empty."""
    assert d.spooled() == sorted(spooled), d.spooled()
    assert d.public_files() == [], d.public_files()
    for name in spooled:
        assert d.read_spool(name).endswith(b"\n"), name


# ---- processes -----------------------------------------------------------

def children(pid):
    """Pids of the children of pid (from /proc)."""
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except (FileNotFoundError, ProcessLookupError):
        return []


def comm(pid):
    # the program's name also under valgrind (make check-valgrind)
    return proc_name(pid)


def proc_state(pid):
    """The state letter of pid (R, S, T, Z ...), "" if it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return ""
    return st[st.rindex(")") + 2]


def alive(pid):
    """True while pid exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return st[st.rindex(")") + 2] != "Z"


def wait_for(pred, timeout=10, what="condition"):
    """Poll pred() every 20 ms until it returns a true value."""
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > end:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.02)


def session_children(d):
    return [p for p in children(d.pid) if comm(p) == "smtpserver"]


def router_of(d, timeout=10):
    """(session pid, router pid) of the daemon's only session."""
    def find():
        for s in session_children(d):
            for r in children(s):
                if comm(r) == "router":
                    return s, r
        return None
    return wait_for(find, timeout, "a session with a router")


def cpu_ticks(pid):
    """utime + stime of pid in clock ticks (/proc/PID/stat)."""
    with open("/proc/%d/stat" % pid) as f:
        st = f.read()
    fields = st[st.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])


def kill(pid, sig=signal.SIGKILL):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def need_root():
    assert os.geteuid() == 0, "this fault test needs root (mount, prlimit, users)"


def prlimit(pid, **limits):
    """Set soft limits of a running process: prlimit --pid PID --nofile=N:
    run with the process's own uid and gid (setpriv), because changing the
    limits of another user's process needs CAP_SYS_RESOURCE, which a
    container's root may lack.  The hard limits stay as they are."""
    with open("/proc/%d/status" % pid) as f:
        st = dict(l.split(":", 1) for l in f if ":" in l)
    uid = int(st["Uid"].split()[0])
    gid = int(st["Gid"].split()[0])
    args = ["prlimit", "--pid", str(pid)]
    for k, v in limits.items():
        args.append("--%s=%d:" % (k, v))
    if uid != os.geteuid():
        args = ["setpriv", "--reuid", str(uid), "--regid", str(gid),
                "--clear-groups"] + args
    subprocess.run(args, check=True, timeout=10)
