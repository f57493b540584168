"""Runs every C unit test program built under $(BUILD)/tests/unit."""
import glob
import os
import subprocess

import pytest

from conftest import BUILD

UNITS = sorted(glob.glob(os.path.join(BUILD, "tests", "unit", "test_*")))
UNITS = [u for u in UNITS if os.access(u, os.X_OK) and not u.endswith((".o", ".d"))]


def test_unit_programs_exist():
    assert UNITS, "no unit test programs were built under " + BUILD


@pytest.mark.parametrize("prog", UNITS, ids=[os.path.basename(u) for u in UNITS])
def test_unit(prog):
    r = subprocess.run([prog], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
