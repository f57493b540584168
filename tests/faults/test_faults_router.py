"""Faults of the router (docs/robustness.md "Faults", DESIGN 7,
docs/wire.md "Failure handling"): the real router killed between
commands and while it answers, stopped (hung), a router program that
prints garbage, and repeated failures.  The real smtpserver on loopback,
the real router with the shipped policy."""
import os
import signal

from faultkit import (DOUBLE, RCPT, SENDER, Smtpd, alive, assert_clean,
                      children, deliver, double_conf, greet, kill, proc_state,
                      router_of, start_policy, wait_for)

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
        (prog,) = children(old)
        kill(old)
        c, lines = r.reply(timeout=10)
        assert c == 451 and lines[0].startswith("451 4.3.0"), lines
        # the program dies with the router (it would sleep 20 s)
        wait_for(lambda: not alive(prog), 5, "the router's program to die")
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
        wait_for(lambda: proc_state(old) == "T", 10, "the router to stop")
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
        r.send("MAIL FROM:<sleep@localhost>\r\n")
        sess, old = router_of(d)
        wait_for(lambda: "sleep" in _cmdlines(old), 10, "the router's program")
        (prog,) = children(old)
        c, lines = r.reply(timeout=15)
        assert c == 451 and lines[0].startswith("451 4.3.0"), lines
        assert "reason=\"router-timeout reached\"" in d.log()
        # nothing the killed router ran is left running
        wait_for(lambda: not alive(prog), 5, "the router's program to die")
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
        for bad in ("oversize", "binary", "longline", "threexx", "nocode", "partial"):
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
        assert log.count("rule=router-failure") == 6
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


def test_router_restarted_mid_transaction_knows_helo_and_sender(workdir):
    """A router that replaces a dead one is told the accepted HELO and
    MAIL FROM again (docs/wire.md), so the policy's session state holds:
    a trap hit after the restart records the sender and the HELO name."""
    d = start_policy(workdir)
    relay = os.path.join(d.sandbox, "var", "db", "relay")
    with open(os.path.join(relay, "trapaddrs"), "w") as f:
        f.write("trap@localhost\n")
    try:
        r = greet(d, helo="spamhost.example")
        r.expect("MAIL FROM:<spammer@spam.example>", 250)
        sess, old = router_of(d)
        kill(old)
        wait_for(lambda: not alive(old), 5, "the router to die")
        lines = r.expect("RCPT TO:<trap@localhost>", 454)
        assert "[flushot-trap]" in lines[-1], lines
        r.expect("QUIT", 221)
        with open(os.path.join(relay, "flushots")) as f:
            records = [l for l in f.read().splitlines() if l and not l.startswith("#")]
        assert len(records) == 1, records
        assert "spammer@spam.example" in records[0] and "spamhost.example" in records[0], records
        assert "hit with null sender" not in d.log()
        # the origin is held from now on
        r = greet(d)
        lines = r.expect("MAIL FROM:<spammer@spam.example>", 454)
        assert "[flushot]" in lines[-1], lines
        r.expect("QUIT", 221)
        assert_clean(d)
        deliver(d)
    finally:
        d.stop()


def test_replay_to_a_new_router_on_the_wire(workdir):
    """What a replacing router is told, byte for byte (router-double, a
    TEST DOUBLE): init, then the accepted HELO and sender, then the
    request; after RSET the sender is no longer replayed."""
    conf = "PARAM tcpwrap off\nPARAM router-timeout 2\n127.0.0.1 -\n*  fth\n"
    path, log = double_conf(workdir, [{"key": "to", "arg": "bad@x.example", "do": "!crash"}])
    d = Smtpd(workdir, conf=conf, router=DOUBLE, env={"ROUTER_DOUBLE": path})
    try:
        r = greet(d, helo="c.example")
        r.expect("MAIL FROM:<a@x.example>", 250)
        r.expect("RCPT TO:<bad@x.example>", 451)
        r.expect("RCPT TO:<good@x.example>", 250)
        r.expect("RSET", 250)
        r.expect("MAIL FROM:<>", 250)
        r.expect("RCPT TO:<bad@x.example>", 451)
        r.expect("RSET", 250)
        r.expect("RCPT TO:<bad@x.example>", 503)
        r.expect("MAIL FROM:<b@x.example>", 250)
        r.expect("QUIT", 221)
        d.wait_log("reason=quit")
        with open(log, "rb") as f:
            got = f.read()
        init = b"init\t[127.0.0.2]\t[127.0.0.2]\n"
        assert got == (init + b"helo\tc.example\nfrom\ta@x.example\nto\tbad@x.example\n"
                       + init + b"helo\tc.example\nfrom\ta@x.example\nto\tgood@x.example\n"
                       b"from\t\nto\tbad@x.example\n"
                       + init + b"helo\tc.example\nfrom\tb@x.example\n"), got
    finally:
        d.stop()


def test_session_killed_while_its_router_runs_a_program(workdir):
    """SIGKILL to the session child while its router runs a program: the
    router and its program die with it at once (they do not wait for the
    program to end and the router to read EOF)."""
    d = start_policy(workdir)
    try:
        r = greet(d)
        r.send("MAIL FROM:<sleep@localhost>\r\n")
        sess, rtr = router_of(d)
        wait_for(lambda: "sleep" in _cmdlines(rtr), 10, "the router's program")
        (prog,) = children(rtr)
        kill(sess)
        assert r.closed(timeout=10)
        wait_for(lambda: not alive(rtr) and not alive(prog), 5,
                 "the router and its program to die")
        assert_clean(d)
        deliver(d)
    finally:
        d.stop()


def test_script_looping_forever_451_from_the_router(workdir):
    """A policy script that never returns: the router's own step limit
    (ZMSH_STEPS_MAX) ends the request with 451 4.3.0 before
    router-timeout; the same router answers the next command."""
    d = start_policy(workdir)
    try:
        r = greet(d)
        sess, rtr = router_of(d)
        c, lines = r.cmd("MAIL FROM:<loop@localhost>", timeout=15)
        assert c == 451 and lines[0] == \
            "451 4.3.0 Temporary policy failure, try again later", lines
        r.expect("MAIL FROM:<%s>" % SENDER, 250)
        assert router_of(d) == (sess, rtr)
        r.expect("QUIT", 221)
        log = d.wait_log("reason=quit")
        assert "rule=router-failure" not in log and "failures=" not in log
        assert "server.cf:" in log and "(runaway loop?)" in log
        assert_clean(d)
        deliver(d)
    finally:
        d.stop()
