"""A program that a router script runs (nscheck, flushot, anything on
PATH) inherits no descriptor of the router's own files: LMDB opens its
data file without O_CLOEXEC, and `lmdb` relations used to pass it on
(found with valgrind --track-fds, docs/robustness.md "Valgrind").
"""
import os
import subprocess

from conftest import BIN

ROUTER = os.path.join(BIN, "router")


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)


def test_program_inherits_no_lmdb_descriptor(workdir):
    lst = os.path.join(workdir, "list")
    write(lst, "key value\n")
    r = subprocess.run([os.path.join(BIN, "relmkdb"), lst], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    script = os.path.join(workdir, "fds.cf")
    # The lookup loads the database; the shell then lists what it holds.
    write(script,
          "relation -t lmdb -f %s.lmdb l\n"
          "x=$(l key)\n"
          "echo \"lookup=$? $x\"\n"
          "/bin/sh -c 'ls -l /proc/$$/fd'\n" % lst)
    r = subprocess.run([ROUTER, "-f", script], capture_output=True, text=True,
                       timeout=60, env={"PATH": "/usr/bin:/bin", "HOME": "/"})
    assert r.returncode == 0, r
    lines = r.stdout.splitlines()
    assert lines[0] == "lookup=0 value", r.stdout
    fds = [l for l in lines[1:] if "->" in l]
    assert fds, r.stdout                      # the listing really ran
    assert not [l for l in fds if ".lmdb" in l], r.stdout
