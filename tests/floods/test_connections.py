"""Floods (issue 7), case 1: 1000 connections against -m 100, without
and with -M.  The parent never has more than -m session children, the
excess is closed silently (or answered 421 4.3.2 by short-lived
children, at most SMTP_REFUSERS_MAX at once), and the parent serves a
normal message afterwards.  docs/robustness.md, "## Floods"."""
import concurrent.futures
import os
import re
import signal
import smtplib
import socket
import struct
import subprocess
import time

import pytest

from floodhelp import (PLAIN, SOURCES, Flood, Sampler, connect, limit, no_crash,
                       raise_nofile, read_until, session_pids, tracer_of,
                       vmrss_kb, wait_children)
from smtpd import Smtpd

N = 1000
MAXSESS = 100


def send_message(d, rcpt="b@y.example"):
    with smtplib.SMTP("127.0.0.1", d.port, timeout=30) as c:
        c.ehlo("after.example")
        c.sendmail("a@x.example", [rcpt], "Subject: after the flood\r\n\r\nhello\r\n")


@pytest.mark.parametrize("excess421", [False, True], ids=["close", "421"])
def test_1000_connections_against_m100(workdir, excess421):
    raise_nofile(N + 200)
    opts = ["-m", str(MAXSESS), "-L", "1024"] + (["-M"] if excess421 else [])
    with Smtpd(workdir, options=opts, conf=PLAIN) as d:
        with Sampler(d.pid) as smp:
            fl = Flood(d.port, N)
            try:
                assert fl.wait_first_line(timeout=90) == 0, fl.first
                banners = [f for f in fl.first if f.startswith("220 ")]
                refused = [f for f in fl.first if not f.startswith("220 ")]
                # exactly -m sessions: none of them ends while the flood runs
                assert len(banners) == MAXSESS
                log = d.log()
                n421 = log.count("rule=maxsessions sessions=%d limit=%d action=421"
                                 % (MAXSESS, MAXSESS))
                nclose = log.count("rule=maxsessions sessions=%d limit=%d action=close"
                                   % (MAXSESS, MAXSESS))
                assert n421 + nclose == N - MAXSESS
                if excess421:
                    # what each client saw is what the log says it got
                    assert sum(1 for f in refused if f.startswith("421 4.3.2 ")) == n421
                    assert sum(1 for f in refused if f == "EOF") == nclose
                    assert n421 > 0
                else:
                    assert n421 == 0
                    assert refused == ["EOF"] * (N - MAXSESS)
                # during the flood (all -m sessions held) the parent answers
                # at once, one connection after another
                for _ in range(20):
                    s = connect(d.port, "127.0.0.3")
                    data, how = read_until(s, rb"\r\n", timeout=10)
                    s.close()
                    if excess421:
                        assert data.startswith(b"421 4.3.2 ") and how == "match", (data, how)
                    else:
                        assert data == b"" and how == "EOF"
                # the held sessions are alive and answer
                for s in fl.held:
                    s.setblocking(True)
                    s.settimeout(30)
                    s.sendall(b"QUIT\r\n")
                for s in fl.held:
                    data, how = read_until(s, rb"221 [^\r]*\r\n", timeout=30)
                    assert how == "match", (data, how)
            finally:
                fl.close()
            left = wait_children(d.pid, 0, timeout=60)
            assert left == []
            no_crash(d)
        # never more than -m sessions; the sampler saw the -m sessions
        log = d.log()
        assert len(session_pids(log)) == MAXSESS
        assert smp.max_sessions(log) == MAXSESS
        assert smp.names() <= {"smtpserver", "smtpserver-421"}
        assert smp.max_named("smtpserver-421") <= limit("SMTP_REFUSERS_MAX")
        assert smp.max_total() <= MAXSESS + limit("SMTP_REFUSERS_MAX")
        if not excess421:
            assert smp.max_total() == MAXSESS
        # the parent serves a normal session after the flood
        send_message(d)
        assert len(d.spooled()) == 1
        assert "result=queued" in d.log()
        assert d.proc.poll() is None


def test_421_answerers_bounded_when_they_linger(workdir):
    """421 answerers that do not get to exit (a busy machine): strace holds
    each one 5 s in its shutdown(2), after its 421 is written.  The parent
    keeps at most SMTP_REFUSERS_MAX of them and closes the rest of the
    excess without a word; every client got what the log says."""
    maxsess, n = 10, 400
    raise_nofile(n + 200)
    cap = limit("SMTP_REFUSERS_MAX")
    with Smtpd(workdir, options=["-m", str(maxsess), "-M", "-L", "1024"],
               conf=PLAIN) as d:
        tracer = subprocess.Popen(
            ["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=shutdown",
             "-e", "inject=shutdown:delay_enter=5000000", "-p", str(d.pid)],
            stdin=subprocess.DEVNULL)
        fl = None
        try:
            end = time.monotonic() + 10
            while tracer_of(d.pid) == 0 and time.monotonic() < end:
                time.sleep(0.02)
            assert tracer_of(d.pid) == tracer.pid
            with Sampler(d.pid) as smp:
                fl = Flood(d.port, n)
                assert fl.wait_first_line(timeout=60) == 0, fl.first
            log = d.log()
            n421 = log.count("rule=maxsessions sessions=%d limit=%d action=421"
                             % (maxsess, maxsess))
            nclose = log.count("rule=maxsessions sessions=%d limit=%d action=close"
                               % (maxsess, maxsess))
            assert n421 + nclose == n - maxsess
            assert sum(1 for f in fl.first if f.startswith("220 ")) == maxsess
            assert sum(1 for f in fl.first if f.startswith("421 4.3.2 ")) == n421
            assert sum(1 for f in fl.first if f == "EOF") == nclose
            # the cap was reached and held; the rest got a silent close
            assert smp.max_named("smtpserver-421") == cap
            assert smp.max_total() <= maxsess + cap
            assert n421 >= cap and nclose > 0
        finally:
            tracer.terminate()
            tracer.wait(timeout=30)
            if fl:
                fl.close()
        assert wait_children(d.pid, 0, timeout=60) == []
        no_crash(d)
        send_message(d)
        assert len(d.spooled()) == 1


def test_one_address_floods_maxsameipsource(workdir):
    """300 connections from one address: PARAM MaxSameIpSource (default
    50) sessions, the rest 421 4.7.0 (or, past SMTP_REFUSERS_MAX live
    answerers, a silent close), as the log says."""
    n, same = 300, 50
    raise_nofile(n + 200)
    with Smtpd(workdir, options=["-L", "1024"], conf=PLAIN) as d:
        with Sampler(d.pid) as smp:
            fl = Flood(d.port, n, sources=["127.0.0.77"])
            try:
                assert fl.wait_first_line(timeout=60) == 0
                log = d.log()
                n421 = log.count("rule=MaxSameIpSource limit=%d action=421" % same)
                nclose = log.count("rule=MaxSameIpSource limit=%d action=close" % same)
                assert sum(1 for f in fl.first if f.startswith("220 ")) == same
                assert n421 + nclose == n - same
                assert sum(1 for f in fl.first if f.startswith("421 4.7.0 ")) == n421
                assert sum(1 for f in fl.first if f == "EOF") == nclose
                assert n421 > 0
            finally:
                fl.close()
            assert wait_children(d.pid, 0, timeout=60) == []
        assert smp.max_sessions(d.log()) == same
        assert smp.max_named("smtpserver-421") <= limit("SMTP_REFUSERS_MAX")
        no_crash(d)
        send_message(d)
        assert len(d.spooled()) == 1


def parent_state(pid):
    return len(os.listdir("/proc/%d/fd" % pid)), vmrss_kb(pid)


def test_parent_does_not_leak_over_2000_sessions(workdir):
    """10 waves of 200 sessions (banner, QUIT): afterwards the parent has
    the same descriptors, no child, and its memory has not grown."""
    raise_nofile(600)
    with Smtpd(workdir, options=["-m", "300", "-L", "1024"], conf=PLAIN) as d:
        send_message(d)
        fds0, rss0 = parent_state(d.pid)
        for wave in range(10):
            fl = Flood(d.port, 200)
            try:
                assert fl.wait_first_line(timeout=60) == 0
                assert len(fl.held) == 200, fl.first
                for s in fl.held:
                    s.setblocking(True)
                    s.settimeout(30)
                    s.sendall(b"QUIT\r\n")
                for s in fl.held:
                    assert read_until(s, rb"221 [^\r]*\r\n", timeout=30)[1] == "match"
            finally:
                fl.close()
            assert wait_children(d.pid, 0, timeout=60) == []
        fds1, rss1 = parent_state(d.pid)
        assert fds1 == fds0
        assert rss1 - rss0 < 1024, (rss0, rss1)
        assert d.log().count("event=disconnect reason=quit") >= 2000
        no_crash(d)
        send_message(d)
        assert len(d.spooled()) == 2


def test_500_connections_reset_at_once(workdir):
    """500 clients that connect and reset at once (SO_LINGER 0), half of
    them after sending half a command: every session ends cleanly, the
    parent serves on."""
    raise_nofile(800)
    with Smtpd(workdir, options=["-L", "1024"], conf=PLAIN) as d:
        socks = []
        try:
            for i in range(500):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             struct.pack("ii", 1, 0))
                s.bind((SOURCES[i % len(SOURCES)], 0))
                s.settimeout(10)
                s.connect(("127.0.0.1", d.port))
                if i % 2:
                    s.send(b"EHLO reset.exa")
                socks.append(s)
        finally:
            for s in socks:
                s.close()          # RST
        end = time.monotonic() + 60
        while (d.log().count("event=disconnect") < 500
               and time.monotonic() < end):
            time.sleep(0.05)
        assert d.log().count("event=disconnect") == 500
        assert wait_children(d.pid, 0, timeout=60) == []
        no_crash(d)
        send_message(d)
        assert len(d.spooled()) == 1


def test_200_concurrent_messages_each_spooled_once(workdir):
    """200 messages from 50 concurrent smtplib clients (40 addresses), each
    100 KB: every one is queued exactly once, with its own recipient,
    and nothing is left in public/."""
    n, body = 200, ("y" * 76 + "\r\n") * 1300

    def one(i):
        with smtplib.SMTP("127.0.0.1", d.port, timeout=60,
                          source_address=(SOURCES[i % len(SOURCES)], 0)) as c:
            c.ehlo("many%d.example" % i)
            c.sendmail("a@x.example", ["r%d@y.example" % i],
                       "Subject: message %d\r\n\r\n%s" % (i, body))
        return i

    with Smtpd(workdir, options=["-m", "100", "-L", "1024"], conf=PLAIN) as d:
        with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
            done = sorted(pool.map(one, range(n), timeout=120))
        assert done == list(range(n))
        names = d.spooled()
        assert len(names) == n and d.public_files() == []
        seen = []
        for name in names:
            data = d.read_spool(name)
            (rcpt,) = re.findall(rb"^to <r(\d+)@y\.example>$", data, re.M)
            assert b"Subject: message %s\n" % rcpt in data
            assert data.count(b"y" * 76 + b"\n") == 1300
            seen.append(int(rcpt))
        assert sorted(seen) == list(range(n))
        assert d.log().count("result=queued") == n
        assert wait_children(d.pid, 0, timeout=60) == []
        no_crash(d)
