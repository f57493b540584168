"""smtpserver's side of the router wire protocol (docs/wire.md), against
tests/doubles/router-double (a TEST DOUBLE, not the router)."""
import glob
import json
import os
import time

from smtphelp import DOUBLE, Raw, Smtpd, double_conf, requests

CONF = "PARAM tcpwrap off\nPARAM router-timeout 2\n127.0.0.1 -\n*  ftveh\n"


def start(workdir, rules=(), default=None, conf=CONF, **kw):
    path, log = double_conf(workdir, rules, default)
    d = Smtpd(workdir, conf=conf, router=DOUBLE,
              env={"ROUTER_DOUBLE": path}, **kw)
    return d, log


def session(d, source="127.0.0.2"):
    r = Raw(d.port, source)
    assert r.reply()[0] == 220
    return r


def test_requests_framed_and_replies_forwarded(workdir):
    rules = [{"key": "to", "arg": "nobody@local.example",
              "do": "550-5.1.1 no such user\n550 5.1.1 <nobody@local.example> [nouser]"},
             {"key": "verify", "do": "250 2.1.5 Postmaster <postmaster@local.example>"},
             {"key": "expand", "do": "250-2.1.5 <a@x>\n250 2.1.5 <b@x>"}]
    d, log = start(workdir, rules)
    try:
        r = session(d)
        r.expect("EHLO client.example", 250)
        r.expect("MAIL FROM:<>", 250)
        lines = r.expect("RCPT TO:<nobody@local.example>", 550)
        assert lines == ["550-5.1.1 no such user", "550 5.1.1 <nobody@local.example> [nouser]"]
        r.expect("RCPT TO:<ok@local.example>", 250)
        assert r.expect("VRFY postmaster", 250)[0].startswith("250 2.1.5 Postmaster")
        assert r.expect("EXPN staff", 250) == ["250-2.1.5 <a@x>", "250 2.1.5 <b@x>"]
        r.expect("QUIT", 221)
        d.wait_log("reason=quit")
        assert "rule=nouser" in d.log()
        got = requests(log)
        assert got == (b"init\t[127.0.0.2]\t[127.0.0.2]\n"
                       b"helo\tclient.example\n"
                       b"from\t\n"
                       b"to\tnobody@local.example\n"
                       b"to\tok@local.example\n"
                       b"verify\tpostmaster\n"
                       b"expand\tstaff\n")
    finally:
        d.stop()


def test_hostile_addresses_reach_router_byte_for_byte(workdir):
    d, log = start(workdir)
    addrs = ["a$b@x.example", "`id`@x.example", "\"a;b c\"@x.example",
             "a%b@x.example", "$(reboot)@x.example", "'q'@x.example",
             "\"a\\\"b\"@x.example", "\"x;rm -rf /\"@y.example", "\"$HOME\"@x.example"]
    try:
        r = session(d)
        r.expect("EHLO client.example", 250)
        r.expect("MAIL FROM:<%s>" % addrs[0], 250)
        for a in addrs:
            r.expect("RCPT TO:<%s>" % a, 250)
        r.expect("DATA", 354)
        r.send("Subject: x\r\n\r\nx\r\n.\r\n")
        assert r.reply()[0] == 250
        got = requests(log).split(b"\n")
        assert got[2] == b"from\t" + addrs[0].encode()
        assert got[3:3 + len(addrs)] == [b"to\t" + a.encode() for a in addrs]
        env = d.read_spool(d.spooled()[0]).decode()
        for a in addrs:
            assert "\nto <%s>\n" % a in env
    finally:
        d.stop()


def check_failure_then_recovery(workdir, action):
    rules = [{"key": "to", "arg": "bad@x.example", "do": action}]
    d, log = start(workdir, rules)
    try:
        r = session(d)
        r.expect("EHLO client.example", 250)
        r.expect("MAIL FROM:<a@x.example>", 250)
        t0 = time.monotonic()
        lines = r.expect("RCPT TO:<bad@x.example>", 451, timeout=10)
        assert lines[0].startswith("451 4.3.0"), lines
        assert time.monotonic() - t0 < 5
        # the next command works, with a fresh router (init again)
        r.expect("RCPT TO:<good@x.example>", 250)
        r.expect("DATA", 354)
        r.send("Subject: x\r\n\r\nx\r\n.\r\n")
        assert r.reply()[0] == 250
        got = requests(log)
        assert got.count(b"init\t") == 2
        assert "result=fail" in d.log()
        # only the good recipient was accepted
        env = d.read_spool(d.spooled()[0]).decode()
        assert "to <good@x.example>" in env and "bad@" not in env
    finally:
        d.stop()


def test_router_crash_451(workdir):
    check_failure_then_recovery(workdir, "!crash")


def test_router_hang_past_limit_451(workdir):
    check_failure_then_recovery(workdir, "!hang")


def test_router_garbage_451(workdir):
    check_failure_then_recovery(workdir, "!garbage")


def test_router_trailing_and_mixed_codes_451(workdir):
    check_failure_then_recovery(workdir, "!trailing")


def test_router_mixed_codes_451(workdir):
    check_failure_then_recovery(workdir, "!mixed")


def test_router_crash_at_mail_never_accepts(workdir):
    d, log = start(workdir, [{"key": "from", "do": "!crash"}])
    try:
        r = session(d)
        r.expect("EHLO client.example", 250)
        r.expect("MAIL FROM:<a@x.example>", 451)
        r.expect("RCPT TO:<b@x.example>", 503)    # MAIL was not accepted
        r.expect("MAIL FROM:<a@x.example>", 451)
        lines = r.expect("MAIL FROM:<a@x.example>", 421)
        assert lines[0].startswith("421 4.3.0")
        assert r.closed()
    finally:
        d.stop()


def test_router_missing_451(workdir):
    d = Smtpd(workdir, conf=CONF, router="/nonexistent/router")
    try:
        r = session(d)
        lines = r.expect("EHLO client.example", 451)
        assert lines[0].startswith("451 4.3.0")
        r.expect("NOOP", 250)
    finally:
        d.stop()


def test_helo_refused_by_router(workdir):
    d, log = start(workdir, [{"key": "helo", "arg": "bad.example",
                              "do": "501 5.5.2 not fully qualified [helo-fqdn]"}])
    try:
        r = session(d)
        assert r.expect("HELO bad.example", 501) == ["501 5.5.2 not fully qualified [helo-fqdn]"]
        r.expect("MAIL FROM:<a@x.example>", 503)
        r.expect("HELO good.example", 250)
        d.stop()
        assert "rule=helo-fqdn" in d.log()
    finally:
        d.stop()


def test_router_environment(workdir):
    d, log = start(workdir, zconf=["RESOLVER=127.0.0.1:5353"])
    try:
        r = session(d)
        r.expect("HELO client.example", 250)
        r.expect("QUIT", 221)
        d.wait_log("reason=quit")
    finally:
        d.stop()
    files = glob.glob(os.path.join(workdir, "routerenv.*.json"))
    assert len(files) == 1
    info = json.load(open(files[0]))
    assert info["argv"][1:] == ["-I", "smtpserver", "-Z", d.zconfig]
    env = info["env"]
    assert env["SMTPSERVER"] == "y"
    assert env["ZCONFIG"] == d.zconfig
    assert env["TCPWRAP_ALLOW"] == "/etc/hosts.allow"
    assert env["TCPWRAP_DENY"] == "/etc/hosts.deny"
    assert env["RESOLVER"] == "127.0.0.1:5353"
    assert env["ZM_LOG_STDERR"] == "1"
    assert "OPTREJECT" not in env


def test_router_not_started_without_flags(workdir):
    d, log = start(workdir, conf="PARAM tcpwrap off\n*  -\n")
    try:
        r = session(d)
        r.expect("EHLO client.example", 250)
        r.expect("MAIL FROM:<a@x.example>", 250)
        r.expect("RCPT TO:<b@x.example>", 250)
        r.expect("VRFY b", 252)
        r.expect("QUIT", 221)
        assert requests(log) == b""
    finally:
        d.stop()
