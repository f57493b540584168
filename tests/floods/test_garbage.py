"""Floods (issue 7), case 5: garbage.  Unknown commands, overlong lines,
NUL bytes, bare CR/LF and binary junk each get 500/501 (503 out of
order), and after PARAM max-errors (default SMTP_ERRORS_MAX) the session
gets 421 4.7.0 and is closed; the same pipelined in one big write, and
one line of 1 MB.  No session crashes, the parent serves afterwards.
docs/robustness.md, "## Floods"."""
import random
import smtplib

import pytest

from floodhelp import (PLAIN, connect, limit, no_crash, pump, read_until,
                       replies, wait_children)
from smtpd import Smtpd

# (line as sent, reply it gets); none of them is a valid command
GARBAGE = [
    (b"FOOBAR\r\n", "500 5.5.2 Command unrecognized"),
    (b"HELO\r\n", "501 5.5.4 "),
    (b"X" * 3000 + b"\r\n", "500 5.5.2 Line too long"),
    (b"NO\x00OP\r\n", "500 5.5.2 NUL in command"),
    (b"NOOP\nNOOP\r\n", "500 5.5.2 Bare CR or LF"),
    (b"NO\rOP\r\n", "500 5.5.2 Bare CR or LF"),
    (b"\x01\x02\xfe\xff junk\r\n", "500 5.5.2 Control character in command"),
    (b"\xc3\xa9t\xc3\xa9\r\n", "500 5.5.2 Control character in command"),
    (b"RCPT TO:<b@y.example>\r\n", "503 5.5.1 "),
    (b"DATA now\r\n", "501 5.5.4 "),
    (b"VRFY\r\n", "501 5.5.4 "),
    (b"MAIL TO:<a@x.example>\r\n", "503 5.5.1 "),     # before HELO
]


def plain_message(d):
    with smtplib.SMTP("127.0.0.1", d.port, timeout=30) as c:
        c.ehlo("after.example")
        c.sendmail("a@x.example", ["b@y.example"], "Subject: after\r\n\r\nok\r\n")


def test_each_kind_of_garbage_then_421(workdir):
    maxerr = limit("SMTP_ERRORS_MAX")
    with Smtpd(workdir, conf=PLAIN) as d:
        s = connect(d.port, "127.0.0.2")
        try:
            assert read_until(s, rb"220 [^\r]*\r\n")[1] == "match"
            for i, (line, want) in enumerate(GARBAGE[:maxerr]):
                s.sendall(line)
                data, how = read_until(s, rb"\d{3} [^\r]*\r\n", timeout=10)
                got = replies(data)
                assert how == "match" and got, (line, got, how)
                assert len(got) == 1 or i == maxerr - 1, got
                assert got[0].startswith(want), (line, got)
                if i < maxerr - 1:
                    # a good command in between still works, and is no error
                    s.sendall(b"NOOP\r\n")
                    assert read_until(s, rb"250 [^\r]*\r\n")[1] == "match"
                else:
                    # the last error: its reply, then 421 (maybe in one read)
                    if len(got) == 1:
                        data, how = read_until(s, rb"421 [^\r]*\r\n", timeout=10)
                        assert how == "match", (data, how)
                        got += replies(data)
                    assert len(got) == 2 and got[1].startswith("421 4.7.0 "), got
            assert read_until(s, rb"never", timeout=10)[1] in ("EOF", "RESET")
        finally:
            s.close()
        assert "rule=errors errors=%d" % maxerr in d.log()
        assert wait_children(d.pid, 0, timeout=30) == []
        no_crash(d)
        plain_message(d)
        assert len(d.spooled()) == 1


def junk_lines(n, seed):
    """n garbage lines: the kinds above and random binary lines."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        if i % 3 == 0:
            out.append(GARBAGE[rnd.randrange(len(GARBAGE))][0])
        else:
            body = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 200)))
            body = body.replace(b"\r\n", b"??")
            out.append(body.rstrip(b"\r") + b"\r\n")
    return b"".join(out)


@pytest.mark.parametrize("maxerr", [None, 1000], ids=["default", "1000"])
def test_10000_garbage_lines_pipelined(workdir, maxerr):
    conf = PLAIN if maxerr is None else "PARAM max-errors %d\n" % maxerr + PLAIN
    maxerr = maxerr or limit("SMTP_ERRORS_MAX")
    blob = junk_lines(10000, seed=7)
    with Smtpd(workdir, conf=conf) as d:
        s = connect(d.port, "127.0.0.2")
        try:
            assert read_until(s, rb"220 [^\r]*\r\n")[1] == "match"
            got, sent, how = pump(s, blob, timeout=60)
        finally:
            s.close()
        assert how in ("EOF", "RESET"), how
        lines = replies(got)
        # a bare CR or LF can join or split "lines" as the server sees
        # them; every reply is an error until the 421
        assert lines[-1].startswith("421 4.7.0 "), lines[-3:]
        errors = lines[:-1]
        assert len(errors) == maxerr, (len(errors), errors[:20])
        assert all(l[:3] in ("500", "501", "502", "503", "555") for l in errors), \
            sorted({l[:3] for l in errors})
        assert "rule=errors errors=%d" % maxerr in d.log()
        assert wait_children(d.pid, 0, timeout=30) == []
        no_crash(d)
        plain_message(d)
        assert len(d.spooled()) == 1


def test_one_line_of_1mb(workdir):
    conf = "PARAM command-timeout 2\n" + PLAIN
    with Smtpd(workdir, conf=conf) as d:
        # 1 MB then its line end: one "too long", and the session goes on
        s = connect(d.port, "127.0.0.2")
        try:
            assert read_until(s, rb"220 [^\r]*\r\n")[1] == "match"
            got, sent, how = pump(s, b"A" * (1 << 20) + b"\r\nNOOP\r\n",
                                  timeout=30, lines=2)
            assert how == "match", (how, got)
            assert replies(got) == ["500 5.5.2 Line too long", "250 2.0.0 OK"]
            s.sendall(b"QUIT\r\n")
            assert read_until(s, rb"221 [^\r]*\r\n")[1] == "match"
        finally:
            s.close()
        # 1 MB and no line end: the command timeout (whole line) ends it
        s = connect(d.port, "127.0.0.2")
        try:
            assert read_until(s, rb"220 [^\r]*\r\n")[1] == "match"
            got, sent, how = pump(s, b"B" * (1 << 20), timeout=30)
            assert sent == 1 << 20 and how == "EOF", (sent, how, got)
            assert replies(got) and replies(got)[-1].startswith("421 4.4.2 "), got
        finally:
            s.close()
        assert wait_children(d.pid, 0, timeout=30) == []
        no_crash(d)
        plain_message(d)
        assert len(d.spooled()) == 1
