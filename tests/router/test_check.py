"""router -n (syntax check) messages and the limits of ZMSH.md section 10."""
import os
import subprocess

import pytest

from zmshhelp import ROUTER, SRC, base_env, run_f


def check(workdir, text, name="t.cf", *extra):
    path = os.path.join(workdir, name)
    with open(path, "w") as f:
        f.write(text)
    r = subprocess.run([ROUTER, "-n", *extra, path], capture_output=True,
                       text=True, timeout=60, env=base_env())
    return r.returncode, r.stderr.replace(path, name), r.stdout


@pytest.mark.parametrize("text,msg", [
    ("if true; then\n  echo a\n", "t.cf:3:1: unexpected end of file: 'fi' expected (to close 'if' at line 1)"),
    ("x () {\n echo\n", "'}' expected (to close '{' at line 1)"),
    ("while true\ndo :\n", "'done' expected (to close 'while' at line 1)"),
    ("case x in\n a) : ;;\n", "'esac' expected (to close 'case' at line 1)"),
    ("ssift x in\n'a' : ;;\n", "'tfiss' expected (to close 'ssift' at line 1)"),
    ("echo 'open\n\n", "to close \"'\" at line 1"),
    ("echo \"$(ls\n", "')' expected (to close '$(' at line 1)"),
    ("echo )\n", "t.cf:1:6: unexpected ')'"),
    ("fi\n", "t.cf:1:1: unexpected 'fi'"),
    ("ssift x in\n'a(' : ;;\ntfiss\n", "t.cf:2:1: bad regular expression"),
    ("tsift x in\n(a : ;;\ntfist\n", "t.cf:2:1: bad token pattern"),
    ("f (a b!) { :; }\n", "illegal parameter name"),
    ("sleep 1 &\n", "background jobs"),
])
def test_syntax_errors(workdir, text, msg):
    rc, err, _ = check(workdir, text)
    assert rc == 1
    assert msg in err, err


def test_shipped_scripts_parse():
    cf = os.path.join(SRC, "cf")
    files = sorted(os.path.join(cf, f) for f in os.listdir(cf) if f.endswith(".cf"))
    assert files
    r = subprocess.run([ROUTER, "-n", *files], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


def test_several_files_each_reported(workdir):
    a = os.path.join(workdir, "a.cf")
    b = os.path.join(workdir, "b.cf")
    with open(a, "w") as f:
        f.write("if\n")
    with open(b, "w") as f:
        f.write("echo ok\n")
    r = subprocess.run([ROUTER, "-n", a, b, os.path.join(workdir, "none.cf")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert "a.cf:" in r.stderr and "none.cf: No such file" in r.stderr
    assert "b.cf" not in r.stderr


def test_ast_dump_has_positions(workdir):
    rc, err, out = check(workdir, "f (a) {\n\tssift \"$a\" in\n\t'x(.*)' echo \\1 ;;\n\ttfiss\n}\n",
                         "t.cf", "-v")
    assert rc == 0, err
    assert "function @1:1 f (a)" in out
    assert "sift @2:2 ssift" in out
    assert "arm @3:2" in out and "\\1" in out


def test_deep_nesting_is_an_error(workdir):
    rc, err, _ = check(workdir, "{ " * 10000 + "echo\n" + "} " * 10000 + "\n")
    assert rc == 1 and "nesting deeper than" in err
    rc, err, _ = check(workdir, "echo " + "$(" * 10000 + "x" + ")" * 10000 + "\n")
    assert rc == 1 and "nesting deeper than" in err


def limit_run(workdir, text):
    path = os.path.join(workdir, "lim.zmsh")
    with open(path, "w") as f:
        f.write(text)
    return run_f(path, timeout=120)


@pytest.mark.parametrize("text,msg", [
    ("f () { f; }\nf\n", "call depth limit (200)"),
    ("s=x\nssift \"$s\" in\n'x' continue ;;\ntfiss\n", "more than 9999 tests"),
    ("while :; do :; done\n", "more than 1000000 commands"),
    ("x=$(while :; do echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; done)\n", "output larger than 1048576"),
    ("tsift \"$(seq -s ' ' 1 5000)\" in\n.* : ;;\ntfist\n", "more than 4096 tokens"),
    ("l=(a)\ni=0\nwhile :; do l=($l $l); done\n", "memory limit reached"),
    ("x=abcdefghijklmnop\nwhile :; do x=\"$x$x\"; done\n", "longer than"),
])
def test_limits_end_in_an_error(workdir, text, msg):
    r = limit_run(workdir, text)
    err = r.stderr.decode(errors="replace")
    assert r.returncode == 2, err
    assert msg in err, err
    assert "lim.zmsh:" in err


def test_program_output_limit(workdir):
    r = limit_run(workdir, "x=$(yes)\necho status $? ${#x}\n")
    assert r.stdout.startswith(b"status 125 ")
    assert b"yes: output longer than 1048576 bytes, killed" in r.stderr


def test_program_time_limit(workdir):
    r = limit_run(workdir, "PROGRAM_TIMEOUT=1\nsleep 10\necho status $?\n")
    assert r.stdout == b"status 124\n"


def test_script_exit_status(workdir):
    r = limit_run(workdir, "echo hi\nexit 7\necho never\n")
    assert r.returncode == 7 and r.stdout == b"hi\n"


def test_interactive_mode(workdir):
    path = os.path.join(workdir, "lib.zmsh")
    with open(path, "w") as f:
        f.write("greet (n) { echo \"hello $n\"; }\n")
    r = subprocess.run([ROUTER, "-i", "-f", path], input=b"greet world\nif true\nthen echo multi\nfi\necho )\nl=(a b)\ncar $l\nexit 3\necho no\n",
                       capture_output=True, timeout=60, env=base_env())
    assert r.stdout == b"hello world\nmulti\na\n"
    assert b"unexpected ')'" in r.stderr
    assert r.returncode == 3
