"""Helpers of the router tests: paths and a router -I smtpserver driver."""
import os
import select
import subprocess
import time

SRC = os.environ.get("ZM_SRC") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("ZM_BUILD") or os.path.join(SRC, "build")
ROUTER = os.path.join(BUILD, "bin", "router")


def base_env(**extra):
    """A minimal environment (sanitizer settings of `make check-san` kept)."""
    e = {"PATH": "/usr/bin:/bin", "HOME": "/", "TMPDIR": "/tmp"}
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if k in os.environ:
            e[k] = os.environ[k]
    e.update(extra)
    return e


def run_f(path, *args, cwd=None, env=None, timeout=60, stdin=None):
    """router -f path args...: the CompletedProcess (bytes)."""
    e = base_env()
    if env:
        e.update(env)
    return subprocess.run([ROUTER, "-f", path, *args], cwd=cwd, env=e,
                          capture_output=True, timeout=timeout, input=stdin)


class Wire:
    """A router -I smtpserver over pipes; requests and framed replies."""

    def __init__(self, conf, env=None):
        e = base_env(ZM_LOG_STDERR="1")
        if env:
            e.update(env)
        self.p = subprocess.Popen([ROUTER, "-I", "smtpserver", "-Z", conf],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=e)
        self.buf = b""

    def send_raw(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def reply(self, timeout=20):
        """Read lines up to the final 'DDD ' line; returns the list."""
        lines = []
        deadline = time.monotonic() + timeout
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                lines.append(line.decode("ascii"))
                if len(line) >= 4 and line[3:4] == b" ":
                    return lines
            left = deadline - time.monotonic()
            assert left > 0, "no reply from router: %r" % lines
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if r:
                chunk = os.read(self.p.stdout.fileno(), 65536)
                assert chunk, "router closed its output: %r" % lines
                self.buf += chunk

    def request(self, key, *args):
        self.send_raw(("\t".join((key,) + args) + "\n").encode())
        return self.reply()

    def close(self):
        """EOF on stdin; returns (exit status, stderr text).  Idempotent."""
        if getattr(self, "closed", None) is not None:
            return self.closed
        try:
            self.p.stdin.close()
        except OSError:
            pass
        try:
            self.p.wait(timeout=20)
        finally:
            if self.p.poll() is None:
                self.p.kill()
                self.p.wait()
        err = self.p.stderr.read().decode(errors="replace")
        self.p.stdout.close()
        self.p.stderr.close()
        self.closed = (self.p.returncode, err)
        return self.closed


def make_conf(workdir, router_cf, extra=""):
    """A zmailer.conf whose MAILSHARE holds router_cf; returns its path."""
    share = os.path.join(workdir, "share")
    os.makedirs(share, exist_ok=True)
    with open(os.path.join(share, "router.cf"), "w") as f:
        f.write(router_cf)
    conf = os.path.join(workdir, "zmailer.conf")
    with open(conf, "w") as f:
        f.write("MAILSHARE=%s\nMAILVAR=%s\nMAILBIN=%s\n%s" % (
            share, workdir, os.path.join(BUILD, "bin"), extra))
    return conf
