"""Floods (issue 7), case 4: a 50 MB message against PARAM maxsize 1 MB.
The session reads and drops the rest, the spool file is removed as soon
as the limit is passed (not at the end), the client gets 552 5.3.4 at
the end of data and the session goes on.  SIZE= over maxsize gets 552 at
MAIL FROM.  docs/robustness.md, "## Floods"."""
import os
import threading
import time

from floodhelp import (PLAIN, connect, no_crash, read_until, replies,
                       wait_children)
from smtpd import Smtpd

MAXSIZE = 1024 * 1024
BIG = 50 * 1024 * 1024


def cmd(s, text, code, timeout=30):
    s.sendall(text.encode() + b"\r\n")
    data, how = read_until(s, rb"(^|\n)\d{3} [^\r]*\r\n", timeout=timeout)
    assert how == "match" and replies(data)[-1].startswith(str(code)), (text, data, how)
    return replies(data)


class DirWatch:
    """Largest total size of the files in a directory, sampled in a thread."""

    def __init__(self, path, limit_s=120):
        self.path, self.limit_s = path, limit_s
        self.max_bytes = 0
        self.samples = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        end = time.monotonic() + self.limit_s
        while not self._stop.is_set() and time.monotonic() < end:
            total = 0
            for name in os.listdir(self.path):
                try:
                    total += os.stat(os.path.join(self.path, name)).st_blocks * 512
                except FileNotFoundError:
                    pass
            self.max_bytes = max(self.max_bytes, total)
            self.samples += 1
            self._stop.wait(0.002)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join(timeout=10)


def test_50mb_message_against_maxsize_1mb(workdir):
    conf = "PARAM maxsize %d\n" % MAXSIZE + PLAIN
    with Smtpd(workdir, conf=conf) as d:
        s = connect(d.port, "127.0.0.2", timeout=60)
        try:
            assert read_until(s, rb"220 [^\r]*\r\n")[1] == "match"
            ehlo = cmd(s, "EHLO big.example", 250)
            assert "250-SIZE %d" % MAXSIZE in ehlo
            # announced too big: refused at once, and not an error
            lines = cmd(s, "MAIL FROM:<a@x.example> SIZE=%d" % BIG, 552)
            assert lines[-1].startswith("552 5.3.4 ")
            cmd(s, "MAIL FROM:<a@x.example> SIZE=%d" % (MAXSIZE + 1), 552)
            # not announced: found out while reading
            cmd(s, "MAIL FROM:<a@x.example>", 250)
            cmd(s, "RCPT TO:<b@y.example>", 250)
            cmd(s, "DATA", 354)
            line = b"x" * 998 + b"\r\n"
            block = b"Subject: big\r\n\r\n" + line * (1024 * 1024 // len(line))
            with DirWatch(d.public_dir) as pub:
                sent = 0
                while sent < BIG:
                    s.sendall(block)
                    sent += len(block)
                # before the end of data the file is already gone
                end = time.monotonic() + 60
                while d.public_files() and time.monotonic() < end:
                    time.sleep(0.05)
                assert d.public_files() == []
                s.sendall(b".\r\n")
                data, how = read_until(s, rb"\d{3} [^\r]*\r\n", timeout=60)
            assert how == "match" and data.startswith(b"552 5.3.4 "), data
            # never much more than maxsize on disk (envelope, stdio buffer)
            assert pub.samples > 0 and pub.max_bytes <= MAXSIZE + 64 * 1024, pub.max_bytes
            assert d.spooled() == [] and d.public_files() == []
            # the session goes on
            cmd(s, "RSET", 250)
            cmd(s, "MAIL FROM:<a@x.example> SIZE=100", 250)
            cmd(s, "RCPT TO:<b@y.example>", 250)
            cmd(s, "DATA", 354)
            s.sendall(b"Subject: small\r\n\r\nafter the big one\r\n.\r\n")
            data, how = read_until(s, rb"\d{3} [^\r]*\r\n", timeout=30)
            assert data.startswith(b"250 2.6.0 "), data
            cmd(s, "QUIT", 221)
        finally:
            s.close()
        assert len(d.spooled()) == 1
        assert b"after the big one" in d.read_spool(d.spooled()[0])
        log = d.log()
        assert "result=reject code=552 rule=size" in log
        assert "rule=errors" not in log
        assert wait_children(d.pid, 0, timeout=30) == []
        no_crash(d)
