"""router -I smtpserver: the router side of docs/wire.md."""
import os
import time

import pytest

from zmshhelp import Wire, make_conf

SERVER_CF = r'''
nums=$(seq 0 99)
server (key) {
	case "$key" in
	init)	echo "250 2.0.0 ready $1 $2" ;;
	echo)	for a in "$@"; do echo "250-[$a]"; done ; echo "250 2.0.0 done $#" ;;
	junk)	echo "some diagnostic"; echo "not a reply"; echo "550 5.7.1 refused $1"; echo "trailing junk" ;;
	multi)	echo "250-first"; echo "451-second"; echo "550 5.1.1 last decides" ;;
	silent)	: ;;
	die)	x=${nosuch?this variable is required} ;;
	loop)	while true; do :; done ;;
	deep)	deep ;;
	big)	for i in $nums; do echo "250-line $i with some text to make it longer"; done; echo "250 end" ;;
	bin)	echo "250 2.0.0 bad bytes: $1" ;;
	exit)	echo "250 bye"; exit 0 ;;
	*)	echo "500 5.5.1 unknown $key" ;;
	esac
}
deep () { deep; }
'''

FAIL = ["451 4.3.0 Temporary policy failure, try again later"]


@pytest.fixture
def wire(workdir):
    w = Wire(make_conf(workdir, SERVER_CF))
    yield w
    w.close()


def test_init_and_arguments_as_values(wire, workdir):
    assert wire.request("init", "client.example", "[192.0.2.7]") == [
        "250 2.0.0 ready client.example [192.0.2.7]"]
    marker = os.path.join(workdir, "PWNED")
    hostile = ["$(touch %s)" % marker, "`touch %s`" % marker, "it's", 'say "hi"',
               "a;touch %s" % marker, "100%s%n", "back\\slash", "$HOME", "*", "\\1"]
    got = wire.request("echo", *hostile)
    assert got == ["250-[%s]" % h for h in hostile] + ["250 2.0.0 done %d" % len(hostile)]
    assert not os.path.exists(marker)


def test_empty_argument_kept(wire):
    assert wire.request("echo", "") == ["250-[]", "250 2.0.0 done 1"]


def test_junk_is_logged_not_sent(wire):
    assert wire.request("junk", "x") == ["550 5.7.1 refused x"]
    status, err = wire.close()
    assert status == 0
    assert "some diagnostic" in err and "trailing junk" in err


def test_last_reply_line_gives_the_code(wire):
    assert wire.request("multi") == ["550-first", "550-second", "550 5.1.1 last decides"]


@pytest.mark.parametrize("key", ["silent", "die", "loop", "deep"])
def test_failures_give_451_and_the_router_goes_on(wire, key):
    assert wire.request(key) == FAIL
    assert wire.request("init", "h", "[1.2.3.4]") == ["250 2.0.0 ready h [1.2.3.4]"]


def test_failure_is_logged_with_position(wire):
    assert wire.request("die") == FAIL
    _, err = wire.close()
    assert "router.cf:" in err and "this variable is required" in err


def test_reply_is_limited(wire):
    got = wire.request("big")
    assert got[-1] == "250 end"
    assert 1 < len(got) <= 32
    assert sum(len(l) + 1 for l in got) <= 8192


def test_non_printable_bytes_are_cleaned(wire):
    wire.send_raw(b"bin\t\xff\x01ok\n")
    assert wire.reply() == ["250 2.0.0 bad bytes: ??ok"]


@pytest.mark.parametrize("raw", [b"\n", b"echo\ta\rb\n", b"x" * 5000 + b"\n",
                                 b"echo" + b"\ta" * 17 + b"\n", b"echo\0\n"])
def test_malformed_requests(wire, raw):
    wire.send_raw(raw)
    assert wire.reply() == ["451 4.3.0 router: malformed request"]
    assert wire.request("init", "h", "i") == ["250 2.0.0 ready h i"]


def test_exit_ends_router_after_reply(wire):
    assert wire.request("exit") == ["250 bye"]
    assert wire.p.wait(timeout=10) == 0


def test_eof_exits_zero(wire):
    status, _ = wire.close()
    assert status == 0


def test_nothing_printed_before_first_request(workdir):
    conf = make_conf(workdir, "echo loading noise\n" + SERVER_CF)
    w = Wire(conf)
    try:
        assert w.request("init", "a", "b") == ["250 2.0.0 ready a b"]
    finally:
        _, err = w.close()
    assert "loading noise" in err


def test_load_error_exits_78(workdir):
    w = Wire(make_conf(workdir, "server () {\n echo x\n"))
    status, err = w.close()
    assert status == 78
    assert "router.cf:" in err and "'}' expected" in err


def test_missing_required_module(workdir):
    w = Wire(make_conf(workdir, "require frobnicator\n" + SERVER_CF))
    status, err = w.close()
    assert status == 78 and "frobnicator" in err


def test_conf_variables_and_environment(workdir):
    cf = 'server (k) { echo "250 $SITEVAR $FROMENV" ; }\n'
    w = Wire(make_conf(workdir, cf, "SITEVAR=from-conf\n"), env={"FROMENV": "env"})
    try:
        assert w.request("x") == ["250 from-conf env"]
    finally:
        w.close()


def test_long_session_does_not_grow(workdir):
    cf = SERVER_CF + 'relation -t incore mem\n'
    env = {}
    if "ASAN_OPTIONS" in os.environ:    # freed memory must be reusable
        env["ASAN_OPTIONS"] = os.environ["ASAN_OPTIONS"] + \
            ":quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
    w = Wire(make_conf(workdir, cf), env=env)
    try:
        def rss():
            with open("/proc/%d/status" % w.p.pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
            return 0
        for _ in range(200):
            w.request("big")
        before = rss()
        for _ in range(1000):
            w.request("big")
        after = rss()
        assert after - before < 2048, (before, after)
    finally:
        w.close()
