"""Faults of the router (docs/robustness.md "Faults", DESIGN 7,
docs/wire.md "Failure handling"): the real router killed between
commands and while it answers, stopped (hung), a router program that
prints garbage, and repeated failures.  The real smtpserver on loopback,
the real router with the shipped policy."""
import os
import signal

from faultkit import (RCPT, SENDER, Smtpd, alive, assert_clean, children,
                      deliver, greet, kill, router_of, start_policy, wait_for)

HERE = os.path.dirname(os.path.abspath(__file__))
BAD_ROUTER = os.path.join(HERE, "bad-router")


def test_router_killed_between_commands(workdir):
    d = start_policy(workdir)
    try:
        r = greet(d)
        r.expect("MAIL FROM:<%s>" % SENDER, 250)
        sess, old = router_of(d)
        kill(old)
        wait_for(lambda: not alive(old), 5, "the router to die")
        # The next request finds the router gone before asking: a new one
        # is started and the command is answered normally (the failure
        # is counted and logged).
        r.expect("RCPT TO:<%s>" % RCPT, 250)
        _, new = router_of(d)
        assert new != old
        r.expect("DATA", 354)
        r.send("Subject: x\r\n\r\nbody\r\n.\r\n")
        c, lines = r.reply()
        assert c == 250, lines
        r.expect("QUIT", 221)
        log = d.wait_log("reason=quit")
        assert "result=fail reason=\"unexpected output or exit between requests\"" in log
        assert_clean(d, d.spooled())
        assert len(d.spooled()) == 1
        deliver(d)
    finally:
        d.stop()


def test_router_killed_while_answering(workdir):
    d = start_policy(workdir)
    try:
        r = greet(d)
        r.send("MAIL FROM:<sleep@localhost>\r\n")      # the router runs sleep 20
        sess, old = router_of(d)
        wait_for(lambda: "sleep" in _cmdlines(old), 10, "the router's program")
        kill(old)
        c, lines = r.reply(timeout=10)
        assert c == 451 and lines[0].startswith("451 4.3.0"), lines
        # the session goes on with a new router
        r.expect("MAIL FROM:<%s>" % SENDER, 250)
        r.expect("RCPT TO:<%s>" % RCPT, 250)
        r.expect("QUIT", 221)
        log = d.wait_log("reason=quit")
        assert "router closed its output" in log
        assert "cmd=from result=tempfail code=451 rule=router-failure" in log
        assert_clean(d)
        deliver(d)
    finally:
        d.stop()


def _cmdlines(pid):
    """Command lines of pid's children, joined (to see the router's program)."""
    out = []
    for c in children(pid):
        try:
            with open("/proc/%d/cmdline" % c, "rb") as f:
                out.append(f.read().replace(b"\0", b" ").decode())
        except FileNotFoundError:
            pass
    return " ".join(out)


def test_router_stopped_times_out_451(workdir):
    d = start_policy(workdir)           # PARAM router-timeout 2
    try:
        r = greet(d)
        r.expect("MAIL FROM:<%s>" % SENDER, 250)
        sess, old = router_of(d)
        kill(old, signal.SIGSTOP)
        c, lines = r.cmd("RCPT TO:<%s>" % RCPT, timeout=15)
        assert c == 451 and lines[0].startswith("451 4.3.0"), lines
        # the stopped router was killed and reaped, not left behind
        wait_for(lambda: not os.path.exists("/proc/%d" % old), 5,
                 "the stopped router to be reaped")
        r.expect("RCPT TO:<%s>" % RCPT, 250)
        _, new = router_of(d)
        assert new != old
        r.expect("DATA", 354)
        r.send("Subject: x\r\n\r\nbody\r\n.\r\n")
        assert r.reply()[0] == 250
        r.expect("QUIT", 221)
        log = d.wait_log("reason=quit")
        assert "reason=\"router-timeout reached\"" in log
        assert len(d.spooled()) == 1 and d.public_files() == []
        deliver(d)
    finally:
        d.stop()


def test_router_busy_past_timeout_451(workdir):
    d = start_policy(workdir)
    try:
        r = greet(d)
        c, lines = r.cmd("MAIL FROM:<sleep@localhost>", timeout=15)
        assert c == 451 and lines[0].startswith("451 4.3.0"), lines
        assert "reason=\"router-timeout reached\"" in d.log()
        # MAIL was not accepted; a new router answers the next one
        r.expect("RCPT TO:<%s>" % RCPT, 503)
        r.expect("MAIL FROM:<%s>" % SENDER, 250)
        r.expect("QUIT", 221)
        assert_clean(d)
        deliver(d)
    finally:
        d.stop()


def test_repeated_router_failures_421_and_close(workdir):
    d = start_policy(workdir)
    try:
        r = greet(d)
        olds = []
        for want in (451, 451, 421):
            r.send("MAIL FROM:<sleep@localhost>\r\n")
            sess, old = router_of(d)
            assert old not in olds
            olds.append(old)
            wait_for(lambda: "sleep" in _cmdlines(old), 10, "the router's program")
            kill(old)
            c, lines = r.reply(timeout=10)
            assert c == want and lines[0].startswith("%d 4.3.0" % want), lines
        assert r.closed()
        log = d.wait_log("event=disconnect")
        assert "failures=3" in log and "code=421 rule=router-failure" in log
        wait_for(lambda: not alive(sess), 5, "the session to end")
        assert_clean(d)
        deliver(d)
    finally:
        d.stop()


def test_router_program_printing_garbage_451(workdir):
    conf = "PARAM tcpwrap off\nPARAM router-timeout 2\n127.0.0.1 -\n*  f\n"
    d = Smtpd(workdir, conf=conf, router=BAD_ROUTER)
    try:
        for bad in ("oversize", "binary", "longline", "threexx", "nocode"):
            r = greet(d)
            c, lines = r.cmd("MAIL FROM:<%s@x.example>" % bad, timeout=15)
            assert c == 451 and lines[0] == \
                "451 4.3.0 Temporary policy failure, try again later", (bad, lines)
            # nothing of the garbage reached the client; the session goes on
            r.expect("MAIL FROM:<good@x.example>", 250)
            r.expect("RCPT TO:<b@y.example>", 250)
            r.expect("RSET", 250)
            r.expect("QUIT", 221)
            r.close()
        log = d.log()
        assert log.count("rule=router-failure") == 5
        assert "malformed reply" in log
        # repeated garbage in one session: 421 and close
        r = greet(d)
        for want in (451, 451, 421):
            c, lines = r.cmd("MAIL FROM:<nocode@x.example>")
            assert c == want, lines
        assert r.closed()
        assert_clean(d)
        deliver(d, sender="good@x.example", rcpt="b@y.example")
    finally:
        d.stop()


def test_router_script_oversized_reply_reaches_the_client_cut(workdir):
    """The real router bounds what a script prints (docs/wire.md): at most
    32 lines of at most 510 octets, printable ASCII; smtpserver then
    accepts it as a valid reply."""
    d = start_policy(workdir)
    try:
        r = greet(d)
        lines = r.expect("MAIL FROM:<many@localhost>", 250)
        assert len(lines) == 32 and lines[-1] == "250 2.0.0 end", lines[-3:]
        r.expect("RSET", 250)
        lines = r.expect("MAIL FROM:<long@localhost>", 250)
        assert len(lines) == 1 and len(lines[0]) <= 512, len(lines[0])
        r.expect("RSET", 250)
        lines = r.expect("MAIL FROM:<binary@localhost>", 250)
        assert len(lines) == 1 and lines[0].startswith("250 2.0.0 bin "), lines
        assert all(0x20 <= ord(ch) <= 0x7e for ch in lines[0]), lines
        r.expect("RSET", 250)
        r.expect("QUIT", 221)
        assert "rule=router-failure" not in d.log()
        assert_clean(d)
        deliver(d)
    finally:
        d.stop()
