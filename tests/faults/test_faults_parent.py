"""The daemon parent killed (docs/robustness.md "Faults"): sessions in
progress are independent processes and finish their messages; a new
daemon starts on the same port and spool at once (the pidfile lock and
the listening socket died with the parent)."""
import os
import signal
import subprocess

import smtpd as smtpd_helper
from faultkit import (PLAIN, Smtpd, alive, assert_clean, deliver, greet, kill,
                      session_children, wait_for)


def read(path):
    with open(path, "rb") as f:
        return f.read().decode("latin-1")


def test_parent_killed_sessions_finish_and_a_new_daemon_starts(workdir):
    d = Smtpd(workdir, conf=PLAIN)
    new = None
    try:
        r = greet(d)
        r.expect("MAIL FROM:<a@x.example>", 250)
        r.expect("RCPT TO:<b@y.example>", 250)
        r.expect("DATA", 354)
        r.send("Subject: across the crash\r\n\r\n" + ("c" * 70 + "\r\n") * 100)
        (sess,) = session_children(d)
        kill(d.pid)
        d.proc.wait(timeout=10)
        # the session goes on without its parent
        r.send("the end\r\n.\r\n")
        c, lines = r.reply()
        assert c == 250, lines
        r.expect("QUIT", 221)
        wait_for(lambda: not alive(sess), 10, "the orphaned session to end")
        assert len(d.spooled()) == 1 and d.public_files() == []
        # a new daemon on the same port, spool and pidfile
        log = os.path.join(workdir, "second.log")
        with open(log, "wb") as out:
            new = subprocess.Popen(
                [smtpd_helper.SMTPSERVER, "-d", "-Z", d.zconfig, "-p", str(d.port),
                 "-a", "127.0.0.1", "-g"], stdin=subprocess.DEVNULL, stdout=out,
                stderr=out, start_new_session=True)
        def started():
            assert new.poll() is None, read(log)
            return "event=start" in read(log)
        wait_for(started, 10, "the new daemon to start")
        first = d.spooled()[0]
        second = deliver(d, sender="a@x.example", rcpt="b@y.example")
        assert_clean(d, [first, second])
    finally:
        if new is not None:
            kill(new.pid, signal.SIGTERM)
            try:
                new.wait(timeout=10)
            except subprocess.TimeoutExpired:
                kill(new.pid)
                new.wait(timeout=10)
            try:
                os.killpg(new.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            text = read(os.path.join(workdir, "second.log"))
            for bad in ("AddressSanitizer", "runtime error:", "LeakSanitizer"):
                assert bad not in text, text
        d.stop()
