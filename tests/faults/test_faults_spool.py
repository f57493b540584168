"""Faults of the spool (DESIGN 9, docs/robustness.md "Faults"): a full
file system (no blocks, no inodes), an unwritable router/ directory, and
the session child killed with SIGKILL in the middle of DATA.

tests/smtpserver/test_daemon.py already covers a message larger than a
small tmpfs (452 in a fresh session) and public/ mode 0500 (451 at DATA);
these tests cover the other places a spool write can fail."""
import contextlib
import errno
import os
import pwd
import signal
import subprocess

from faultkit import (PLAIN, RCPT, SENDER, Smtpd, alive, assert_clean,
                      deliver, greet, kill, need_root, proc_state, router_of,
                      session_children, start_policy, wait_for)


@contextlib.contextmanager
def tmpfs_spool(d, options):
    """A tmpfs mounted as d's POSTOFFICE (public/ and router/ on it, so
    link() works), owned by SMTPUSER; unmounted afterwards."""
    need_root()
    po = d.postoffice
    subprocess.run(["mount", "-t", "tmpfs", "-o", options + ",mode=0755",
                    "tmpfs", po], check=True, timeout=10)
    try:
        uid = pwd.getpwnam("daemon").pw_uid
        for sub in ("public", "router"):
            os.mkdir(os.path.join(po, sub), 0o700)
            os.chown(os.path.join(po, sub), uid, -1)
        yield po
    finally:
        d.stop()
        if subprocess.run(["umount", po], timeout=10).returncode != 0:
            subprocess.run(["umount", "-l", po], timeout=10)


def fill(path):
    """Write a root-owned file until the file system is full."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        chunk = b"f" * 4096
        for _ in range(100000):
            try:
                os.write(fd, chunk)
            except OSError as e:
                assert e.errno == errno.ENOSPC, e
                return path
        raise AssertionError("the file system never filled")
    finally:
        os.close(fd)


def test_spool_without_free_inodes_452_at_data(workdir):
    d = Smtpd(workdir, conf=PLAIN)
    # 3 inodes: the root, public/ and router/; no room for a spool file
    with tmpfs_spool(d, "size=1m,nr_inodes=3") as po:
        r = greet(d)
        r.expect("MAIL FROM:<a@x.example>", 250)
        r.expect("RCPT TO:<b@y.example>", 250)
        c, lines = r.cmd("DATA")
        assert c == 452 and lines[0] == "452 4.3.1 Insufficient system storage", lines
        # the session goes on: the envelope is kept, DATA can be retried
        r.expect("NOOP", 250)
        assert_clean(d)
        assert "cmd=DATA result=tempfail code=452 rule=spool " \
            "error=\"No space left on device\"" in d.log()
        subprocess.run(["mount", "-o", "remount,nr_inodes=64", "tmpfs", po],
                       check=True, timeout=10)
        c, lines = r.cmd("DATA")
        assert c == 354, lines
        r.send("Subject: x\r\n\r\nnow there is room\r\n.\r\n")
        assert r.reply()[0] == 250
        assert len(d.spooled()) == 1 and d.public_files() == []
        deliver(d, sender="a@x.example", rcpt="b@y.example")


def test_spool_full_at_the_final_dot_452_same_session_recovers(workdir):
    d = Smtpd(workdir, conf=PLAIN)
    with tmpfs_spool(d, "size=256k") as po:
        filler = fill(os.path.join(po, "filler"))
        r = greet(d)
        r.expect("MAIL FROM:<a@x.example>", 250)
        r.expect("RCPT TO:<b@y.example>", 250)
        # the file is created (an inode is free) but no block is: the
        # failure shows at the final dot, after the whole message was read
        r.expect("DATA", 354)
        r.send("Subject: x\r\n\r\n" + "line of text\r\n" * 2000 + ".\r\n")
        c, lines = r.reply()
        assert c == 452 and lines[0] == "452 4.3.1 Insufficient system storage", lines
        assert_clean(d)
        assert "result=tempfail code=452 rule=spool" in d.log()
        os.unlink(filler)
        # the same session delivers the next transaction
        r.expect("MAIL FROM:<a@x.example>", 250)
        r.expect("RCPT TO:<b@y.example>", 250)
        r.expect("DATA", 354)
        r.send("Subject: y\r\n\r\nsmall\r\n.\r\n")
        c, lines = r.reply()
        assert c == 250, lines
        assert len(d.spooled()) == 1 and d.public_files() == []
        # and a message bigger than the space, then a small one, in one session
        r.expect("MAIL FROM:<a@x.example>", 250)
        r.expect("RCPT TO:<b@y.example>", 250)
        r.expect("DATA", 354)
        r.send("Subject: z\r\n\r\n" + ("w" * 78 + "\r\n") * 5000 + ".\r\n")
        c, lines = r.reply()
        assert c == 452, lines
        assert len(d.spooled()) == 1 and d.public_files() == []
        r.expect("QUIT", 221)
        deliver(d, sender="a@x.example", rcpt="b@y.example")


def test_public_owned_by_root_451_at_data(workdir):
    need_root()
    d = Smtpd(workdir, conf=PLAIN)
    try:
        os.chown(d.public_dir, 0, 0)
        os.chmod(d.public_dir, 0o755)
        try:
            r = greet(d)
            r.expect("MAIL FROM:<a@x.example>", 250)
            r.expect("RCPT TO:<b@y.example>", 250)
            c, lines = r.cmd("DATA")
            assert c == 451 and lines[0] == \
                "451 4.3.0 Cannot create the spool file, try again later", lines
            assert "code=451 rule=spool error=\"Permission denied\"" in d.log()
            r.expect("QUIT", 221)
            assert_clean(d)
        finally:
            os.chown(d.public_dir, pwd.getpwnam("daemon").pw_uid, -1)
            os.chmod(d.public_dir, 0o700)
        deliver(d, sender="a@x.example", rcpt="b@y.example")
    finally:
        d.stop()


def test_router_dir_unwritable_451_at_the_final_dot(workdir):
    d = Smtpd(workdir, conf=PLAIN)
    try:
        os.chmod(d.router_dir, 0o500)
        try:
            r = greet(d)
            r.expect("MAIL FROM:<a@x.example>", 250)
            r.expect("RCPT TO:<b@y.example>", 250)
            r.expect("DATA", 354)
            r.send("Subject: x\r\n\r\nbody\r\n.\r\n")
            c, lines = r.reply()
            assert c == 451 and lines[0].startswith("451 4.3.0"), lines
            assert_clean(d)
            assert "rule=spool error=\"Permission denied\"" in d.log()
            r.expect("QUIT", 221)
        finally:
            os.chmod(d.router_dir, 0o700)
        deliver(d, sender="a@x.example", rcpt="b@y.example")
    finally:
        d.stop()


def test_session_killed_in_data_leaves_nothing(workdir):
    d = start_policy(workdir)
    try:
        r = greet(d)
        r.expect("MAIL FROM:<%s>" % SENDER, 250)
        r.expect("RCPT TO:<%s>" % RCPT, 250)
        sess, rtr = router_of(d)
        r.expect("DATA", 354)
        r.send("Subject: cut short\r\n\r\n" + ("q" * 70 + "\r\n") * 3000)

        def partial():
            files = d.public_files()
            return files and os.path.getsize(os.path.join(d.public_dir, files[0])) > 0
        wait_for(partial, 10, "a partial spool file in public/")
        assert d.spooled() == []
        kill(sess)
        assert r.closed(timeout=10)
        # The parent reaps the killed session and removes its spool file;
        # the router, its stdin closed, exits by itself.
        wait_for(lambda: d.public_files() == [], 10, "public/ to be cleaned")
        wait_for(lambda: not alive(rtr), 10, "the orphaned router to exit")
        log = d.wait_log("event=cleanup")
        assert "pid=%d" % sess in log and "signal=9" in log
        assert_clean(d)
        assert alive(d.pid)
        deliver(d)
        wait_for(lambda: [p for p in session_children(d) if alive(p)] == [], 10,
                 "the last session to end")
    finally:
        d.stop()


def test_cleanup_after_a_killed_session_spares_other_sessions(workdir):
    """The clean-up after a killed session removes only that session's
    files: a message in progress in another session is untouched."""
    d = Smtpd(workdir, conf=PLAIN)
    try:
        slow = greet(d)
        slow.expect("MAIL FROM:<a@x.example>", 250)
        slow.expect("RCPT TO:<b@y.example>", 250)
        slow.expect("DATA", 354)
        slow.send("Subject: slow\r\n\r\n" + ("s" * 70 + "\r\n") * 200)
        wait_for(lambda: d.public_files(), 10, "the slow session's spool file")
        (spid,) = session_children(d)
        victim = greet(d, source="127.0.0.3")
        (vpid,) = set(session_children(d)) - {spid}
        victim.expect("MAIL FROM:<a@x.example>", 250)
        victim.expect("RCPT TO:<b@y.example>", 250)
        victim.expect("DATA", 354)
        victim.send("Subject: victim\r\n\r\n" + ("v" * 70 + "\r\n") * 200)
        wait_for(lambda: len(d.public_files()) == 2, 10, "two spool files")
        kill(vpid)
        assert victim.closed(timeout=10)
        wait_for(lambda: len(d.public_files()) == 1, 10, "the victim's file to go")
        assert d.public_files()[0].startswith("smtp.%d." % spid)
        slow.send(".\r\n")
        c, lines = slow.reply()
        assert c == 250, lines
        assert len(d.spooled()) == 1 and d.public_files() == []
        assert "Subject: slow" in d.read_spool(d.spooled()[0]).decode()
    finally:
        d.stop()


def test_daemon_stopped_during_data_leaves_nothing(workdir):
    """SIGTERM to the daemon while a session is in DATA: after PARAM
    drain-timeout the session is terminated and its partial file removed."""
    d = Smtpd(workdir, conf="PARAM tcpwrap off\nPARAM drain-timeout 1\n127.0.0.1 -\n*  -\n")
    try:
        r = greet(d)
        r.expect("MAIL FROM:<a@x.example>", 250)
        r.expect("RCPT TO:<b@y.example>", 250)
        r.expect("DATA", 354)
        r.send("Subject: cut short\r\n\r\n" + ("d" * 70 + "\r\n") * 3000)
        wait_for(lambda: d.public_files(), 10, "a partial spool file")
        (sess,) = session_children(d)
        kill(d.pid, signal.SIGTERM)
        assert d.proc.wait(timeout=20) == 0
        assert r.closed(timeout=10)
        assert not alive(sess)
        assert_clean(d)
        log = d.log()
        assert "pid=%d event=cleanup signal=15 removed=1" % sess in log, log
    finally:
        d.stop()


def test_daemon_stopped_with_a_stuck_session_in_data_leaves_nothing(workdir):
    """A session that does not end on SIGTERM (here: stopped with SIGSTOP)
    is SIGKILLed at the end of the drain; the parent still reaps it and
    removes its partial file before it exits."""
    d = Smtpd(workdir, conf="PARAM tcpwrap off\nPARAM drain-timeout 0\n127.0.0.1 -\n*  -\n")
    try:
        r = greet(d)
        r.expect("MAIL FROM:<a@x.example>", 250)
        r.expect("RCPT TO:<b@y.example>", 250)
        r.expect("DATA", 354)
        r.send("Subject: cut short\r\n\r\n" + ("k" * 70 + "\r\n") * 3000)
        wait_for(lambda: d.public_files(), 10, "a partial spool file")
        (sess,) = session_children(d)
        kill(sess, signal.SIGSTOP)
        wait_for(lambda: proc_state(sess) == "T", 10, "the session to stop")
        kill(d.pid, signal.SIGTERM)
        assert d.proc.wait(timeout=20) == 0
        assert not os.path.exists("/proc/%d" % sess)
        assert_clean(d)
        assert "pid=%d event=cleanup signal=9 removed=1" % sess in d.log()
    finally:
        d.stop()
