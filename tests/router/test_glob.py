"""Pathname expansion of unquoted words: bracket expressions glob only
when a ']' closes them; an unmatched '[' (the `[` test command) is an
ordinary character, with the same result as glob(3) would give."""
import os

from zmshhelp import run_f

SCRIPT = r'''
echo [ab]1
echo [!a]1
echo []a]1
echo [^b]1
echo "[ab]1" '[ab]1'
echo [x
echo [y
echo [
echo z]
echo *1
set -f
echo [ab]1
set +f
[ -n "ok" ] && echo test-ok
'''


def test_brackets(workdir):
    for name in ("a1", "b1", "]1", "[x"):
        open(os.path.join(workdir, name), "w").close()
    path = os.path.join(workdir, "glob.zmsh")
    with open(path, "w") as f:
        f.write(SCRIPT)
    r = run_f(path, cwd=workdir)
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().splitlines() == [
        "a1 b1",
        "]1 b1",
        "]1 a1",
        "]1 a1",
        "[ab]1 [ab]1",
        "[x",
        "[y",
        "[",
        "z]",
        "]1 a1 b1",
        "[ab]1",
        "test-ok",
    ]
