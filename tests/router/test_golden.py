"""Golden tests of the zmsh interpreter: every tests/router/golden/*.zmsh
is run with `router -f` (cwd: the golden directory, a minimal environment)
and its stdout must equal the .out file beside it."""
import glob
import os
import subprocess

import pytest

from zmshhelp import ROUTER, base_env

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "golden")
SCRIPTS = sorted(glob.glob(os.path.join(GOLDEN, "*.zmsh")))


def run_script(path, **kw):
    env = base_env()
    return subprocess.run([ROUTER, "-f", os.path.basename(path)],
                          cwd=os.path.dirname(path), env=env, capture_output=True,
                          timeout=60, **kw)


def test_there_are_golden_scripts():
    assert len(SCRIPTS) >= 8


@pytest.mark.parametrize("script", SCRIPTS, ids=[os.path.basename(s) for s in SCRIPTS])
def test_golden(script):
    with open(script[:-5] + ".out", "rb") as f:
        want = f.read()
    got = run_script(script)
    assert got.returncode == 0, got.stderr.decode(errors="replace")
    if got.stdout != want:
        print("--- got\n" + got.stdout.decode(errors="replace"))
        print("--- want\n" + want.decode(errors="replace"))
    assert got.stdout == want
