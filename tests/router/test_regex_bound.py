"""ssift patterns are bounded before regcomp() (router/sift.c sre_check).

Regression for the fuzz_zmsh finding: stacked repetition operators
('<(.*+++...+)>') made glibc's regcomp() allocate gigabytes.  Each case
runs the router under a 512 MB address-space limit: the unbounded
regcomp() would exhaust it and fail differently (no message naming the
pattern's position)."""
import os
import resource

import subprocess

import pytest

from zmshhelp import ROUTER, SRC, base_env

REPRO = os.path.join(SRC, "tests", "fuzz", "corpus", "zmsh", "oom-regcomp")


def _limit():
    lim = 512 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (lim, lim))


def router(*args):
    env = base_env()
    # ASan reserves terabytes of address space: under check-san the
    # address-space limit cannot apply, the sanitizer's own RSS limit does.
    san = "ASAN_OPTIONS" in os.environ or "build-san" in ROUTER
    if san:
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") +
                               ":rss_limit_mb=512:allocator_may_return_null=1")
    return subprocess.run([ROUTER, *args], capture_output=True, text=True,
                          timeout=60, env=env,
                          preexec_fn=None if san else _limit)


def write(workdir, name, text):
    path = os.path.join(workdir, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def test_reproducer_is_refused_at_load_time():
    r = router("-n", REPRO)
    assert r.returncode == 1, r.stderr
    assert "oom-regcomp:2:1: bad regular expression: repetition " \
        "operator '+' right after another one (offset 4)" in r.stderr, r.stderr


@pytest.mark.parametrize("pat,why", [
    (".*+", "repetition operator '+' right after another one (offset 2)"),
    ("a.*?b", "repetition operator '?' right after another one (offset 3)"),
    ("x{2}{3}", "repetition operator '{' right after another one (offset 4)"),
    ("((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)", "pattern too large once its "
     "repetitions are expanded (more than 2000 nodes"),
    ("(a{1000}){1000}", "pattern too large once its repetitions are "
     "expanded (more than 2000 nodes at offset 9)"),
    ("a" * 1025, "pattern longer than 1024 bytes"),
])
def test_bad_static_patterns(workdir, pat, why):
    path = write(workdir, "t.cf", "x=1\nssift x in\n  '%s' : ;;\ntfiss\n" % pat)
    r = router("-n", path)
    assert r.returncode == 1, r.stderr
    assert "t.cf:3:3: bad regular expression: " + why in r.stderr, r.stderr


def test_dynamic_pattern_refused_at_run_time(workdir):
    """A pattern built at run time goes through the same bound: a script
    error with the arm's position, the body never runs."""
    path = write(workdir, "t.cf",
                 "q='%s'\n"
                 "ssift '<a>' in\n"
                 "\"<(.*$q)>\" echo matched ;;\n"
                 "tfiss\n"
                 "echo not-reached\n" % ("+" * 100))
    r = router("-f", path)
    assert r.returncode != 0
    assert "t.cf:3:1: bad regular expression: repetition operator '+' " \
        "right after another one (offset 4)" in r.stderr, r.stderr
    assert "matched" not in r.stdout and "not-reached" not in r.stdout


def test_dynamic_pattern_via_eval(workdir):
    """eval parses its text at run time: the same check, an eval error."""
    path = write(workdir, "t.cf",
                 "eval \"ssift x in '(.*+++)' echo matched ;; tfiss\"\n"
                 "echo status $?\n")
    r = router("-f", path)
    assert "t.cf:1:6: eval:1:12: bad regular expression: repetition " \
        "operator '+' right after another one (offset 3)" in r.stderr, r.stderr
    assert r.stdout.startswith("status ") and r.stdout != "status 0\n"
    assert "matched" not in r.stdout


@pytest.mark.parametrize("pat,subject,groups", [
    (r"\[([0-9]{1,3})\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\]",
     "[192.0.2.1]", "192"),
    ("([^+]*)\\+.*", "user+tag", "user"),
    ("(a|b)*c{2,}", "abacc", "a"),
    ("x[*+?]y", "x+y", ""),
    ("a\\*+", "a**", ""),
    ("(ab){2}(x?y?){90}", "abab", "ab"),
])
def test_ordinary_patterns_still_work(workdir, pat, subject, groups):
    path = write(workdir, "t.cf", "ssift '%s' in\n'%s' echo \"m[\\1]\" ;;\n"
                 "tfiss\n" % (subject, pat))
    r = router("-f", path)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "m[%s]\n" % groups
