"""Helpers of the relation tests: run build/tests/relations/relprobe."""
import os
import subprocess

SRC = os.environ.get("ZM_SRC") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("ZM_BUILD") or os.path.join(SRC, "build")

RELPROBE = os.path.join(BUILD, "tests", "relations", "relprobe")
RELMKDB = os.path.join(BUILD, "bin", "relmkdb")


def probe(options, keys, env=None, timeout=60):
    """Define a relation from options (a list) and look keys up in one
    process; returns {key: (status, text)} and the process's stderr."""
    r = subprocess.run([RELPROBE, *options, "--", *keys], capture_output=True,
                       text=True, timeout=timeout, env=env)
    assert r.returncode == 0, r.stderr
    out = {}
    for line in r.stdout.splitlines():
        k, st, text = line.split("\t", 2)
        out[k] = (int(st), text)
    assert len(out) == len(set(keys)), r.stdout
    return out, r.stderr


class Prober:
    """A long-lived relprobe: ask(key) -> (status, text); db(cmd) ->
    (status, output), or (status, message) when the status is not 0."""

    def __init__(self, options, env=None):
        self.p = subprocess.Popen([RELPROBE, *options, "--"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, env=env)

    def ask(self, key):
        self.p.stdin.write(key + "\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        assert line, "relprobe died: " + self.p.stderr.read()
        k, st, text = line.rstrip("\n").split("\t", 2)
        assert k == key
        return int(st), text

    def db(self, cmd):
        self.p.stdin.write("db " + cmd + "\n")
        self.p.stdin.flush()
        lines = []
        for _ in range(100000):
            line = self.p.stdout.readline()
            assert line, "relprobe died: " + self.p.stderr.read()
            if line == ".\n":
                break
            lines.append(line)
        _, st, err = lines[0].rstrip("\n").split("\t", 2)
        return int(st), err or "".join(lines[1:])

    def close(self):
        try:
            self.p.stdin.close()
            self.p.wait(timeout=10)
        finally:
            if self.p.poll() is None:
                self.p.kill()
                self.p.wait(timeout=10)
        return self.p.stderr.read()
