"""Shared pytest helpers for every test directory.

Paths: ZM_BUILD (the build directory, set by `make test`) and ZM_SRC (the
source tree).  Work directories are made with world-readable parents
because the daemon, started as root, drops to SMTPUSER (daemon) and must
still reach its configuration; pytest's own tmp_path is 0700 under root.
"""
import os
import shutil
import socket
import subprocess
import tempfile

import pytest

SRC = os.environ.get("ZM_SRC") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("ZM_BUILD") or os.path.join(SRC, "build")
BIN = os.path.join(BUILD, "bin")


def free_port(host="127.0.0.1"):
    """A TCP port that was free on host a moment ago."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@pytest.fixture
def workdir():
    """A fresh directory (mode 0755, under a 0755 parent), removed afterwards."""
    d = tempfile.mkdtemp(prefix="zmtest-", dir="/tmp")
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def mksandbox(directory, *extra):
    """Run tools/mksandbox; returns the path of the sandbox's zmailer.conf."""
    out = subprocess.run(
        ["sh", os.path.join(SRC, "tools", "mksandbox"), directory, BUILD, *extra],
        check=True, capture_output=True, text=True, timeout=60)
    return out.stdout.strip().splitlines()[-1]
