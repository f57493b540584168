"""Regression: a parse error inside `...` must not leak the lexer's buffer
(found by tests/fuzz/fuzz_zmsh.c).  Under the sanitizer build the leak
checker is switched on for this run, so the leak would fail the test."""
import os
import subprocess

from conftest import BIN, SRC


def test_backquote_parse_error_does_not_leak():
    script = os.path.join(SRC, "tests", "fuzz", "corpus", "zmsh", "leak-backquote")
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1")
    r = subprocess.run([os.path.join(BIN, "router"), "-n", script],
                       capture_output=True, text=True, timeout=30, env=env)
    assert r.returncode == 1, r.stderr
    assert "leak-backquote:1:" in r.stderr
    assert "LeakSanitizer" not in r.stderr, r.stderr
