"""DNS timing out (docs/robustness.md "Faults", DESIGN 10, POLICY.md 2):
every query goes to a loopback port that reads nothing and answers
nothing (tests/dnsfix.py NoServer).  The reverse name falls back to
[ip], nscheck on MAIL FROM gives 4xx within its own deadline (before
router-timeout, so it is the policy's [dns] answer, not a router
failure), and the session goes on.

tests/smtpserver/test_rdns.py and tests/policy/test_policy.py test each
lookup alone; this test runs both in one session with the shipped policy
and checks what follows."""
import os

from dnsfix import NoServer
from faultkit import (RCPT, assert_clean, deliver, greet, start_policy)

OUTSIDE = "127.1.0.7"       # outside ournets as set below: nscheck runs


def test_dns_timing_out_rdns_and_nscheck(workdir):
    conf = "PARAM tcpwrap off\nPARAM router-timeout 15\n127.0.0.1 -\n*  ft\n"
    with NoServer() as dead:
        d = start_policy(workdir, conf=conf, hooks=False, gullible=False,
                         zconf=["RESOLVER=" + dead.addr, "NSCHECK_TIMEOUT=2"])
        try:
            ournets = os.path.join(d.sandbox, "var", "db", "relay", "ournets")
            with open(ournets, "w") as f:
                f.write("127.0.0.0/24\n")
            r = greet(d, OUTSIDE, helo=None, timeout=30)
            lines = r.expect("EHLO mx.client.example", 250, timeout=30)
            assert lines[0].endswith("Hello unknown [%s]" % OUTSIDE), lines
            assert "rhost=[%s] event=connect" % OUTSIDE in d.log()
            c, lines = r.cmd("MAIL FROM:<someone@clean.example>", timeout=30)
            assert c == 451 and lines[-1].startswith("451 4.4.3"), lines
            assert "[dns]" in lines[-1], lines
            log = d.log()
            assert "rule=dns" in log and "rule=router-failure" not in log
            # the session goes on: the null sender needs no DNS
            r.expect("MAIL FROM:<>", 250, timeout=30)
            r.expect("RCPT TO:<%s>" % RCPT, 250, timeout=30)
            r.expect("DATA", 354)
            r.send("Subject: bounce\r\n\r\nno dns needed\r\n.\r\n")
            c, lines = r.reply(timeout=30)
            assert c == 250, lines
            r.expect("QUIT", 221)
            (first,) = d.spooled()
            text = d.read_spool(first).decode()
            assert "\nrcvdfrom [%s] ([%s]:" % (OUTSIDE, OUTSIDE) in text
            assert "\nchannel error\n" in text
            assert_clean(d, [first])
            # a fresh session from inside completes a message
            second = deliver(d, timeout=30)
            assert_clean(d, [first, second])
        finally:
            d.stop()
