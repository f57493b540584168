"""Floods (issue 7), case 2: clients that hold sessions without doing
anything useful are freed by the timeouts: PARAM command-timeout (a whole
command line), data-timeout (a data block), session-timeout (the whole
session, whatever the client sends).  Each gets 421 4.4.2 and the
session child exits.  docs/robustness.md, "## Floods"."""
import json
import os
import socket
import subprocess
import time

from floodhelp import (Flood, connect, drain_all, no_crash, pump, raise_nofile,
                       read_until, replies, tracer_of, wait_children)
from smtpd import DOUBLE, Smtpd


def conf(cmd=2, data=2, session=600, extra="", patterns="127.0.0.1 -\n*  -\n"):
    return ("PARAM tcpwrap off\nPARAM command-timeout %d\nPARAM data-timeout %d\n"
            "PARAM session-timeout %d\n%s%s" % (cmd, data, session, extra, patterns))


def greet(d, source="127.0.0.2"):
    s = connect(d.port, source)
    data, how = read_until(s, rb"220 [^\r]*\r\n", timeout=10)
    assert how == "match", data
    return s


def cmd(s, text, code, timeout=10):
    s.sendall(text.encode() + b"\r\n")
    data, how = read_until(s, rb"(^|\n)\d{3} [^\r]*\r\n", timeout=timeout)
    assert how == "match" and replies(data)[-1].startswith(str(code)), (text, data, how)
    return data


def test_200_idle_sessions_freed_by_command_timeout(workdir):
    raise_nofile(600)
    # -L: the default backlog (5) loses most of a burst of 200 connects
    # (docs/robustness.md, Floods)
    with Smtpd(workdir, conf=conf(cmd=2), options=["-L", "1024"]) as d:
        fl = Flood(d.port, 200)
        try:
            assert fl.wait_first_line(timeout=60) == 0
            assert len(fl.held) == 200, fl.first
            for i, s in enumerate(fl.held):
                kind = i % 4
                if kind == 1:
                    s.send(b"NOOP")                      # stops mid-command
                elif kind == 2:
                    s.send(b"EHLO idle.example\r\nMAIL FROM:<a@x.exa")
                elif kind == 3:
                    s.send(b"EHLO idle.example\r\n")     # then nothing
            res = drain_all(fl.held, timeout=60)
        finally:
            fl.close()
        for data, how in res:
            lines = replies(data)
            assert how == "EOF" and lines, (data, how)
            assert lines[-1].startswith("421 4.4.2 ") and "timeout" in lines[-1], lines
        assert d.log().count("event=disconnect reason=timeout") == 200
        assert wait_children(d.pid, 0, timeout=30) == []
        no_crash(d)


def test_trickled_command_line_freed_by_command_timeout(workdir):
    """One byte every 0.25 s and never a line end: the command timeout (2 s)
    is for the whole line, not for each byte."""
    with Smtpd(workdir, conf=conf(cmd=2)) as d:
        s = greet(d)
        got, n = b"", 0
        try:
            for n in range(160):                  # 40 s at most
                try:
                    s.send(b"X")
                except (BrokenPipeError, ConnectionResetError):
                    break
                s.settimeout(0.25)
                try:
                    chunk = s.recv(4096)
                except socket.timeout:
                    continue
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                got += chunk
        finally:
            s.close()
        assert got.startswith(b"421 4.4.2 ") and b"timeout" in got, got
        assert n < 80       # freed long before 20 s (the bound is generous)
        d.wait_log("reason=timeout", timeout=10)
        assert wait_children(d.pid, 0, timeout=30) == []
        no_crash(d)


def test_stall_in_data_freed_by_data_timeout(workdir):
    with Smtpd(workdir, conf=conf(cmd=2, data=2)) as d:
        s = greet(d)
        try:
            cmd(s, "EHLO stall.example", 250)
            cmd(s, "MAIL FROM:<a@x.example>", 250)
            cmd(s, "RCPT TO:<b@y.example>", 250)
            cmd(s, "DATA", 354)
            s.sendall(b"Subject: stall\r\n\r\nsome text and then noth")
            data, how = read_until(s, rb"421 [^\r]*\r\n", timeout=30)
            assert how == "match" and b"421 4.4.2 " in data and b"timeout in DATA" in data
            assert read_until(s, rb"never", timeout=10)[1] in ("EOF", "RESET")
        finally:
            s.close()
        assert "cmd=DATA result=abort reason=timeout" in d.log()
        assert d.public_files() == [] and d.spooled() == []
        assert wait_children(d.pid, 0, timeout=30) == []
        no_crash(d)


def test_session_timeout_frees_a_noop_loop(workdir):
    """A NOOP every 0.5 s keeps within the command timeout for ever; the
    session timeout (4 s) ends it."""
    with Smtpd(workdir, conf=conf(cmd=2, session=4)) as d:
        s = greet(d)
        last, n = "", 0
        try:
            for n in range(80):                   # 40 s at most
                try:
                    s.sendall(b"NOOP\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    break
                data, how = read_until(s, rb"\d{3} [^\r]*\r\n", timeout=10)
                if how != "match":
                    break
                last = replies(data)[-1]
                if not last.startswith("250"):
                    break
                time.sleep(0.5)
        finally:
            s.close()
        assert last.startswith("421 4.4.2 ") and "timeout" in last, last
        assert n < 30       # ended long before 15 s (the bound is generous)
        assert wait_children(d.pid, 0, timeout=30) == []
        no_crash(d)


def test_session_timeout_ends_pipelined_slow_commands(workdir):
    """40 VRFYs in one write, each taking the router 0.5 s: the session
    ends at its deadline (3 s) even though commands are still waiting."""
    dconf = os.path.join(workdir, "double.json")
    with open(dconf, "w") as f:
        json.dump({"default": "!slow:0.5"}, f)
    os.chmod(dconf, 0o644)
    c = conf(cmd=2, session=3, extra="PARAM router-timeout 10\n",
             patterns="*  v\n")
    with Smtpd(workdir, conf=c, router=DOUBLE, env={"ROUTER_DOUBLE": dconf}) as d:
        s = greet(d)
        try:
            cmd(s, "EHLO slow.example", 250)
            s.sendall(b"".join(b"VRFY user%d\r\n" % i for i in range(40)))
            data, how = read_until(s, rb"421 [^\r]*\r\n", timeout=40)
        finally:
            s.close()
        lines = replies(data)
        assert how == "match" and lines[-1].startswith("421 4.4.2 "), (lines, how)
        answered = [l for l in lines if l.startswith("250 2.0.0 slow ok")]
        # about 6 in 3 s; never all 40 (that would take 20 s)
        assert len(answered) < 20, lines
        assert wait_children(d.pid, 0, timeout=30) == []
        no_crash(d)


def test_session_timeout_ends_endless_data(workdir):
    """A client that streams DATA for ever, always faster than the server
    reads: the session ends at its deadline (3 s) with 421, the partial
    spool file is removed."""
    c = conf(cmd=2, data=2, session=3, extra="PARAM maxsize 1048576\n")
    with Smtpd(workdir, conf=c) as d:
        s = greet(d)
        block = (b"x" * 998 + b"\r\n") * 1024          # 1 MB of lines
        got, how = b"", "TIMEOUT"
        try:
            cmd(s, "EHLO stream.example", 250)
            cmd(s, "MAIL FROM:<a@x.example>", 250)
            cmd(s, "RCPT TO:<b@y.example>", 250)
            cmd(s, "DATA", 354)
            s.settimeout(1)
            end = time.monotonic() + 30
            while time.monotonic() < end:
                try:
                    s.sendall(block)
                except socket.timeout:
                    pass
                except (BrokenPipeError, ConnectionResetError):
                    break
            got, how = read_until(s, rb"421 [^\r]*\r\n", timeout=10)
        finally:
            s.close()
        assert b"421 4.4.2 " in got, (got[-200:], how)
        assert d.public_files() == [] and d.spooled() == []
        assert wait_children(d.pid, 0, timeout=30) == []
        no_crash(d)


def test_session_timeout_holds_for_data_already_sent(workdir):
    """The deadline (3 s) passes while the router thinks about the RCPT
    (4 s); DATA and the whole message, pipelined behind it, are already
    in the server's hands.  The session still ends at its deadline: 421,
    nothing spooled."""
    dconf = os.path.join(workdir, "double.json")
    with open(dconf, "w") as f:
        json.dump({"rules": [{"key": "to", "do": "!slow:4"}]}, f)
    os.chmod(dconf, 0o644)
    c = conf(cmd=10, data=10, session=3, extra="PARAM router-timeout 10\n",
             patterns="*  t\n")
    with Smtpd(workdir, conf=c, router=DOUBLE, env={"ROUTER_DOUBLE": dconf}) as d:
        s = greet(d)
        try:
            cmd(s, "EHLO late.example", 250)
            cmd(s, "MAIL FROM:<a@x.example>", 250)
            s.sendall(b"RCPT TO:<b@y.example>\r\nDATA\r\nSubject: late\r\n\r\n"
                      + b"line of text\r\n" * 2000 + b".\r\nQUIT\r\n")
            data, how = read_until(s, rb"(421|221) [^\r]*\r\n", timeout=30)
        finally:
            s.close()
        lines = replies(data)
        assert lines[0].startswith("250 2.0.0 slow ok"), lines
        assert lines[-1].startswith("421 4.4.2 "), lines
        assert d.spooled() == [] and d.public_files() == []
        assert "result=queued" not in d.log()
        assert wait_children(d.pid, 0, timeout=30) == []
        no_crash(d)


def test_client_that_never_reads_is_freed(workdir):
    """A client that pipelines commands and never reads a reply: once the
    replies fill the socket buffers the session may wait for it only the
    command timeout (2 s), not until the session timeout (600 s)."""
    with Smtpd(workdir, conf=conf(cmd=2, session=600)) as d:
        s = greet(d)
        try:
            s.setblocking(False)
            blob = b"NOOP\r\n" * (1 << 20)          # 6 MB; replies: 14 MB
            off, end = 0, time.monotonic() + 30
            while off < len(blob) and time.monotonic() < end:
                try:
                    off += s.send(blob[off:off + 65536])
                except BlockingIOError:
                    time.sleep(0.01)
                except (BrokenPipeError, ConnectionResetError):
                    break
            # never a recv: the session must go away on its own
            assert wait_children(d.pid, 0, timeout=30) == []
        finally:
            s.close()
        assert "event=disconnect reason=error" in d.log()
        no_crash(d)


def test_session_deadline_in_data_with_input_always_waiting(workdir):
    """strace slows every read(2) of the session to one per 0.1 s, so a
    5 MB message always has input waiting at the server; the session
    deadline (3 s) still ends DATA with 421 (not the dot, 30 s later)."""
    c = conf(cmd=10, data=10, session=3)
    with Smtpd(workdir, conf=c) as d:
        tracer = subprocess.Popen(
            ["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=read",
             "-e", "inject=read:delay_enter=100000", "-p", str(d.pid)],
            stdin=subprocess.DEVNULL)
        s = None
        try:
            end = time.monotonic() + 10
            while tracer_of(d.pid) == 0 and time.monotonic() < end:
                time.sleep(0.02)
            assert tracer_of(d.pid) == tracer.pid
            s = greet(d)
            s.sendall(b"EHLO slow.example\r\nMAIL FROM:<a@x.example>\r\n"
                      b"RCPT TO:<b@y.example>\r\nDATA\r\n")
            data, how = read_until(s, rb"354 [^\r]*\r\n", timeout=20)
            assert how == "match", data
            body = b"Subject: slow\r\n\r\n" + (b"z" * 78 + b"\r\n") * 65536 + b".\r\n"
            got, sent, how = pump(s, body, timeout=25, stop=rb"\d{3} [^\r]*\r\n")
        finally:
            tracer.terminate()
            tracer.wait(timeout=30)
            if s:
                s.close()
        assert how == "match" and got.startswith(b"421 4.4.2 "), (got, how, sent)
        assert b"timeout in DATA" in got
        assert sent < len(body)
        assert d.spooled() == [] and d.public_files() == []
        assert wait_children(d.pid, 0, timeout=30) == []
        no_crash(d)
