"""The flushot command: records, index, and safety under concurrency.

Runs the real build/bin/flushot against real files: many concurrent
`add`s never lose or tear a line, a `clear` running while adds continue
loses none of them, and the LMDB index always agrees with the text.
"""
import os
import shutil
import subprocess
import threading

import pytest

from conftest import BIN, SRC

FLUSHOT = os.path.join(BIN, "flushot")


@pytest.fixture
def store(workdir):
    path = os.path.join(workdir, "flushots")
    shutil.copy(os.path.join(SRC, "db", "relay", "flushots"), path)
    return path


def run(*args, check=True):
    r = subprocess.run([FLUSHOT, *args], capture_output=True, text=True, timeout=30)
    if check:
        assert r.returncode == 0, r.stderr
    return r


def records(path):
    with open(path) as f:
        return [l for l in f.read().splitlines() if l and not l.startswith("#")]


def test_add_check_clear(store):
    run("-f", store, "add", "Spam@Example.COM", "[127.0.0.9]", "helo.example", "trap@here.test")
    (line,) = records(store)
    f = line.split("\t")
    assert f[0] == "Spam@Example.COM" and f[2] == "[127.0.0.9]" and f[3] == "helo.example"
    assert f[4] == "trap@here.test" and f[1].isdigit()
    r = run("-f", store, "check", "spam@example.com")
    assert r.stdout.strip() == f[1]
    assert run("-f", store, "check", "other@example.com", check=False).returncode == 1
    r = run("-f", store, "clear", "SPAM@example.com")
    assert "1 record cleared" in r.stdout
    assert records(store) == []
    assert run("-f", store, "check", "spam@example.com", check=False).returncode == 1
    # The header comment survives a rewrite.
    assert open(store).read().startswith("# flushots")


def test_bad_fields_refused(store):
    for bad in ("a\tb@x", "", "x" * 600):
        r = run("-f", store, "add", bad, "[127.0.0.1]", "h", "t@x", check=False)
        assert r.returncode == 75 and "bad record field" in r.stderr
    assert records(store) == []


def test_ban_moves_to_badsenders(store, workdir):
    bad = os.path.join(workdir, "badsenders")
    open(bad, "w").write("# badsenders\n")
    run("-f", store, "add", "b@x.test", "[127.0.0.2]", "-", "trap@here.test")
    run("-f", store, "ban", "b@x.test", "-b", bad)
    assert records(store) == []
    assert open(bad).read().splitlines()[-1].startswith("b@x.test\t")


def test_concurrent_adds_are_intact(store):
    n = 50
    procs = [subprocess.Popen([FLUSHOT, "-f", store, "add", "s%d@spam.test" % i,
                               "[127.0.0.%d]" % (i + 1), "h%d.example" % i, "trap@here.test"])
             for i in range(n)]
    for p in procs:
        assert p.wait(timeout=60) == 0
    recs = records(store)
    assert len(recs) == n
    assert sorted(r.split("\t")[0] for r in recs) == sorted("s%d@spam.test" % i for i in range(n))
    assert all(len(r.split("\t")) == 5 for r in recs)
    for i in range(0, n, 7):
        assert run("-f", store, "check", "S%d@spam.test" % i).returncode == 0


def test_clear_while_adding_loses_nothing(store):
    run("-f", store, "add", "victim@spam.test", "[127.0.0.1]", "-", "trap@here.test")
    errors = []

    def adder(lo, hi):
        for i in range(lo, hi):
            r = subprocess.run([FLUSHOT, "-f", store, "add", "a%d@spam.test" % i,
                                "[127.0.0.1]", "-", "trap@here.test"], capture_output=True, timeout=30)
            if r.returncode:
                errors.append(r.stderr)

    threads = [threading.Thread(target=adder, args=(k * 40, k * 40 + 40)) for k in range(3)]
    for t in threads:
        t.start()
    for _ in range(10):
        run("-f", store, "clear", "victim@spam.test", check=False)
        run("-f", store, "add", "victim@spam.test", "[127.0.0.1]", "-", "trap@here.test")
    run("-f", store, "clear", "victim@spam.test")
    for t in threads:
        t.join(timeout=120)
    assert not errors
    origins = [r.split("\t")[0] for r in records(store)]
    assert sorted(origins) == sorted("a%d@spam.test" % i for i in range(120))
    # The index agrees with the text after all of it.
    assert run("-f", store, "check", "victim@spam.test", check=False).returncode == 1
    assert run("-f", store, "check", "a119@spam.test").returncode == 0
