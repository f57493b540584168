"""Faults of process resources (docs/robustness.md "Faults"): the daemon
parent at its file-descriptor limit, and fork() failing under a real
RLIMIT_NPROC for the daemon's uid.  Real limits set with prlimit(1) on
the running daemon, no LD_PRELOAD."""
import contextlib
import fcntl
import os
import pwd
import socket
import time

from faultkit import (SENDER, Raw, alive, assert_clean, cpu_ticks,
                      deliver, greet, need_root, prlimit, session_children,
                      start_policy, wait_for)

TICKS = os.sysconf("SC_CLK_TCK")


def open_fds(pid):
    return sorted(int(x) for x in os.listdir("/proc/%d/fd" % pid))


def test_parent_at_its_fd_limit_does_not_spin_and_recovers(workdir):
    need_root()
    d = start_policy(workdir, hooks=False, options=["-L", "64"])
    try:
        deliver(d)
        # The parent holds no descriptor per connection (it closes its
        # copy after fork), so no number of clients brings it to its
        # limit: lower the running parent's limit to the descriptors it
        # holds, so accept() has no descriptor to return (EMFILE).
        fds = open_fds(d.pid)
        lowest_free = next(i for i in range(len(fds) + 1) if i not in fds)
        prlimit(d.pid, nofile=lowest_free)
        clients = []
        for i in range(lowest_free + 8):
            s = socket.create_connection(("127.0.0.1", d.port), timeout=10)
            clients.append(s)
        d.wait_log("event=accept result=fail")
        # Over two seconds, the parent must not spin on the pending
        # connections: a busy loop would use about 2 s of CPU.
        before = cpu_ticks(d.pid)
        time.sleep(2)
        used = (cpu_ticks(d.pid) - before) / TICKS
        assert used < 0.5, "parent used %.2f s of CPU in 2 s" % used
        assert alive(d.pid)
        assert session_children(d) == []
        # one log line for the streak, not one per failed accept
        assert d.log().count("event=accept result=fail") == 1
        # Descriptors free again: the waiting clients are served in turn.
        prlimit(d.pid, nofile=1024)
        for s in clients:
            s.settimeout(15)
            assert s.recv(512).startswith(b"220 "), "client not greeted"
            s.sendall(b"QUIT\r\n")
        for s in clients:
            s.close()
        assert "event=accept result=resumed" in d.log()
        assert_clean(d, d.spooled())
        deliver(d)
    finally:
        d.stop()


# A system user no other test runs as, so that counting its processes for
# RLIMIT_NPROC is not disturbed by tests running in parallel as daemon;
# two runs of this test at once (two checkouts) take turns on a lock.
NPROC_USER = "uucp"
NPROC_LOCK = "/tmp/zmailer-gw-faults-nproc.lock"


@contextlib.contextmanager
def nproc_turn(timeout=180):
    fd = os.open(NPROC_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        end = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > end:
                    raise AssertionError("another run holds %s" % NPROC_LOCK)
                time.sleep(0.2)
        yield
    finally:
        os.close(fd)


def tasks_of(uid):
    """Tasks (processes and threads) whose real uid is uid: what
    RLIMIT_NPROC counts."""
    n = 0
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/status" % p) as f:
                st = dict(l.split(":", 1) for l in f if ":" in l)
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
        if int(st["Uid"].split()[0]) == uid and st["State"].split()[0] != "Z":
            n += int(st["Threads"])
    return n


def test_fork_failing_under_rlimit_nproc(workdir):
    need_root()
    with nproc_turn():
        fork_failing(workdir)


def fork_failing(workdir):
    pw = pwd.getpwnam(NPROC_USER)
    conf = "PARAM tcpwrap off\nPARAM router-timeout 5\n127.0.0.1 -\n*  ft\n"
    d = start_policy(workdir, conf=conf, hooks=False,
                     zconf=["SMTPUSER=" + NPROC_USER])
    try:
        for root, dirs, files in os.walk(d.postoffice):
            for n in dirs + files:
                os.lchown(os.path.join(root, n), pw.pw_uid, pw.pw_gid)
        os.chown(d.postoffice, pw.pw_uid, pw.pw_gid)
        relay = os.path.join(d.sandbox, "var", "db", "relay")
        for n in os.listdir(relay):
            if n.startswith("flushots"):
                os.chown(os.path.join(relay, n), pw.pw_uid, pw.pw_gid)
        first = deliver(d)
        wait_for(lambda: tasks_of(pw.pw_uid) == 1, 10, "only the parent as " + NPROC_USER)
        # the parent may fork one session; that session cannot fork its router
        prlimit(d.pid, nproc=2)
        r = greet(d)
        c, lines = r.cmd("MAIL FROM:<%s>" % SENDER)
        assert c == 451 and lines[0].startswith("451 4.3.0"), lines
        assert "reason=\"cannot start the router\"" in d.log()
        # the session goes on
        r.expect("NOOP", 250)
        r.expect("RSET", 250)
        # the parent cannot fork a second session: that client is closed
        other = Raw(d.port, "127.0.0.3")
        assert other.closed(timeout=10)
        d.wait_log("event=fork result=fail")
        assert alive(d.pid)
        r.expect("QUIT", 221)
        r.close()
        # the limit frees when the session ends: a new session is served
        wait_for(lambda: tasks_of(pw.pw_uid) == 1, 10, "the session to end")
        r = greet(d)
        r.expect("QUIT", 221)
        r.close()
        wait_for(lambda: tasks_of(pw.pw_uid) == 1, 10, "the session to end")
        # room for a session and its router again: mail flows
        prlimit(d.pid, nproc=8)
        second = deliver(d)
        assert_clean(d, [first, second])
    finally:
        d.stop()


def test_session_out_of_descriptors_451_and_goes_on(workdir):
    """A session child with no free descriptor: it cannot make the router's
    pipes nor create the spool file.  Each command that needs one gets
    451 4.3.0; the session goes on and works once descriptors are free."""
    need_root()
    d = start_policy(workdir, hooks=False)
    try:
        r = greet(d, helo=None)            # EHLO would start the router (flag h)
        (sess,) = session_children(d)
        fds = open_fds(sess)
        prlimit(sess, nofile=next(i for i in range(len(fds) + 1) if i not in fds))
        c, lines = r.cmd("EHLO client.example")
        assert c == 451 and lines[0].startswith("451 4.3.0"), lines
        assert "reason=\"cannot start the router\"" in d.log()
        prlimit(sess, nofile=1024)
        r.expect("EHLO client.example", 250)
        r.expect("MAIL FROM:<%s>" % SENDER, 250)
        r.expect("RCPT TO:<postmaster@localhost>", 250)
        # the router runs; now no descriptor for the spool file
        fds = open_fds(sess)
        prlimit(sess, nofile=next(i for i in range(len(fds) + 1) if i not in fds))
        c, lines = r.cmd("DATA")
        assert c == 451 and lines[0] == \
            "451 4.3.0 Cannot create the spool file, try again later", lines
        assert "rule=spool error=\"Too many open files\"" in d.log()
        prlimit(sess, nofile=1024)
        r.expect("DATA", 354)
        r.send("Subject: x\r\n\r\nbody\r\n.\r\n")
        c, lines = r.reply()
        assert c == 250, lines
        r.expect("QUIT", 221)
        assert len(d.spooled()) == 1
        assert_clean(d, d.spooled())
        deliver(d)
    finally:
        d.stop()
