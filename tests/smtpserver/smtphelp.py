"""Helpers for the smtpserver end-to-end tests: a raw SMTP client that
reads whole replies with bounded waits, and router-double set-up."""
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import smtpd as _smtpd  # noqa: E402  (tests/smtpd.py)

DOUBLE = _smtpd.DOUBLE
_OPEN = []


class Smtpd(_smtpd.Smtpd):
    """tests/smtpd.py's Smtpd; stop() first closes every Raw client, so
    the daemon's SIGTERM drain does not wait for idle test sessions."""

    def stop(self):
        while _OPEN:
            _OPEN.pop().close()
        return super().stop()

# smtpserver.conf for tests that do not exercise the gate or the router.
PLAIN = "PARAM tcpwrap off\n127.0.0.1 -\n*  -\n"


class Raw:
    """A raw SMTP connection from a chosen 127.0.0.0/8 source address."""

    def __init__(self, port, source="127.0.0.2", host="127.0.0.1", timeout=10):
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.s = socket.socket(fam, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        if source:
            self.s.bind((source, 0))
        self.s.connect((host, port))
        self.buf = b""
        _OPEN.append(self)

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.s.sendall(data)

    def _line(self, timeout):
        end = time.monotonic() + timeout
        while b"\r\n" not in self.buf:
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError("no complete line; have %r" % self.buf)
            self.s.settimeout(left)
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("connection closed; have %r" % self.buf)
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("latin-1")

    def reply(self, timeout=10):
        """One whole reply: (code, [lines])."""
        lines = []
        for _ in range(100):
            line = self._line(timeout)
            lines.append(line)
            if len(line) < 4 or line[3] != "-":
                return int(line[:3]), lines
        raise AssertionError("reply too long: %r" % lines)

    def cmd(self, text, timeout=10):
        self.send(text + "\r\n")
        return self.reply(timeout)

    def expect(self, text, code, timeout=10):
        c, lines = self.cmd(text, timeout)
        assert c == code, "%s: got %r, want %d" % (text, lines, code)
        return lines

    def closed(self, timeout=5):
        """True if the server closes the connection (no more bytes)."""
        self.s.settimeout(timeout)
        try:
            data = self.s.recv(65536)
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False
        return data == b""

    def close(self):
        self.s.close()


def double_conf(workdir, rules=(), default=None, name="double.json"):
    """Write a router-double configuration; returns (path, log path, env path)."""
    log = os.path.join(workdir, "requests.log")
    envp = os.path.join(workdir, "routerenv.{pid}.json")
    conf = {"log": log, "env": envp, "rules": list(rules)}
    if default is not None:
        conf["default"] = default
    path = os.path.join(workdir, name)
    with open(path, "w") as f:
        json.dump(conf, f)
    for p in (path,):
        os.chmod(p, 0o644)
    # The router runs as SMTPUSER: let it write its log.
    open(log, "ab").close()
    os.chmod(log, 0o666)
    os.chmod(workdir, 0o777)
    return path, log


def requests(log):
    with open(log, "rb") as f:
        return f.read()
