"""Regressions for what the libFuzzer harnesses (tests/fuzz/) found in the
router; each input is also in the harness's seed corpus."""
import os

from zmshhelp import run_f


def write(workdir, name, data, mode=0o600):
    path = os.path.join(workdir, name)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)
    return path


def test_ordered_value_with_nul_is_skipped(workdir):
    """fuzz_rel (corpus/rel/ordered-nul-value): an ordered list returned a
    value with a NUL byte in it; the line is now skipped with file:line,
    as the unordered and cidr lists always did."""
    write(workdir, "list", b"a 1\nkey v\0x\nz 2\n")
    script = write(workdir, "t.cf",
                   b"relation -t ordered -f list r\n"
                   b"v=$(r key); echo \"key [$v] $?\"\n"
                   b"v=$(r a); echo \"a [$v] $?\"\n"
                   b"v=$(r z); echo \"z [$v] $?\"\n", 0o644)
    r = run_f(script, cwd=workdir, env={"ZM_LOG_STDERR": "1"})
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"key [] 1\na [1] 0\nz [2] 0\n"
    assert b"relation=r list:2: NUL byte, line skipped" in r.stderr, r.stderr


LEAK_SCRIPT = b"""\
fn0 () { c0=; while [ "$c0" != 'xxxx' ]; do c0="${c0}x"; echo $l0 "$@"; done; }
c1=; while [ "$c1" != 'xxxxxxxxxxxxxxxxxx' ]; do c1="${c1}x"; setf $(cdr $l0) $(fn0 a); done
echo not-reached
"""


def test_echo_into_full_capture_does_not_leak(workdir):
    """fuzz_zmsheval (corpus/zmsheval/leak-echo-capture): `echo` filling a
    $(...) past ZMSH_SUBST_MAX ended the script from inside io_write()
    and leaked echo's buffer (2 MB).  Buffers that live across a call
    that may end the script are now on the cleanup stack (buf_scratch).
    Under the sanitizer build (make check-san) the leak checker is on for
    this run, so a leak fails the test."""
    script = write(workdir, "t.cf", LEAK_SCRIPT, 0o644)
    r = run_f(script, cwd=workdir, env={"ASAN_OPTIONS": "detect_leaks=1"})
    assert r.returncode == 2, r.stderr
    assert b"t.cf:1:67: output larger than 1048576 bytes" in r.stderr, r.stderr
    assert b"not-reached" not in r.stdout
    assert b"LeakSanitizer" not in r.stderr, r.stderr


SLOW_SCRIPT = b"""\
fn0 () { c0=; while [ "$c0"j != 'xxxx' ]; do c0="${c0}x"; echo $l0 "$@"; done; }
c1=; while [ "$c1" != 'xxxxxxxxxxxxxxxxxx' ]; do c1="${c1}x"; setf $(cdr $l0) $(fn0 a); done
echo not-reached
"""


def test_runaway_script_stopped_by_cpu_limit(workdir):
    """fuzz_zmsheval (corpus/zmsheval/slow-growing-string): a loop that
    grows a string copies it once per command, so the million commands
    of ZMSH_STEPS_MAX took over two minutes of CPU.  A run now also stops
    after ZMSH_CPU_MAX (10) seconds of CPU time, with its position."""
    script = write(workdir, "t.cf", SLOW_SCRIPT, 0o644)
    r = run_f(script, cwd=workdir, timeout=600)
    assert r.returncode == 2, r.stderr
    assert b"t.cf:1:68: more than 10 s of CPU time in one run " \
        b"(runaway loop?)" in r.stderr, r.stderr
    assert b"not-reached" not in r.stdout


SIFT_SCRIPT = b"""\
p='(a)'
ssift abc in
"$p.*" echo one ;;
'b' echo two ;;
'c' echo three ;;
'd' echo four ;;
'e' echo five ;;
tfiss
tsift 'x y' in
"$p" echo six ;;
'b' ;;
'c' ;;
'd' ;;
'e' ;;
tfist
echo done
"""


def test_dynamic_sift_pattern_freed_with_its_unit(workdir):
    """fuzz_zmsheval (corpus/zmsheval/leak-sift-arms-moved): the arms of a
    sift statement move when a fifth is added; the unit's list of arms to
    free kept pointing at the old copies, so a pattern built at run time
    in the first four arms (ssift regex, tsift program) leaked.  Under the
    sanitizer build (make check-san) the leak checker is on for this run."""
    script = write(workdir, "t.cf", SIFT_SCRIPT, 0o644)
    r = run_f(script, cwd=workdir, env={"ASAN_OPTIONS": "detect_leaks=1"})
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"one\ndone\n"
    assert b"LeakSanitizer" not in r.stderr, r.stderr


HEAP_SCRIPT = b"""\
x=a
c=; while [ "$c" != xxxxxxxxxxxxxxxxxxx ]; do c="${c}x"; x="$x$x"; done
n=0
while :; do lappend l "$x"; done
echo not-reached
"""


def test_variables_bounded_by_heap_limit(workdir):
    """fuzz_zmsheval (its long run peaked at 3.4 GB; input
    corpus/zmsheval/heap-growing-list): the arena bounded temporaries but
    not what variables hold; a list of 512 KB members grew to 2.7 GB
    before the CPU limit.  Text held by variables is now bounded by
    ZMSH_HEAP_MAX (256 MB): going over is a script error."""
    script = write(workdir, "t.cf", HEAP_SCRIPT, 0o644)
    r = run_f(script, cwd=workdir, timeout=300)
    assert r.returncode == 2, r.stderr
    assert b"t.cf:4:23: variables would hold more than 268435456 bytes" \
        in r.stderr, r.stderr
    assert b"not-reached" not in r.stdout
