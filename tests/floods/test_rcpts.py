"""Floods (issue 7), case 3: 10,000 RCPTs in one transaction.  PARAM
max-recipients (default SMTP_RCPT_DEFAULT) holds: 452 4.5.3 past it, the
message goes to the first ones only, and the session child's memory stays
small.  docs/robustness.md, "## Floods"."""
import re
import time

import pytest

from floodhelp import (PLAIN, Sampler, connect, limit, no_crash, pump,
                       read_until, replies, vmrss_kb, wait_children)
from smtpd import Smtpd

N = 10000
# How much the session child's VmRSS may grow over the transaction
# (docs/robustness.md); measured: well under 1 MB.
RSS_GROWTH_MAX_KB = 8 * 1024


def envelope_rcpts(spool):
    env = spool.split(b"env-end\n", 1)[0].decode("latin-1")
    return re.findall(r"^to <([^>]*)>$", env, re.M)


@pytest.mark.parametrize("max_rcpt", [None, 100000], ids=["default", "100000"])
def test_10000_rcpts_in_one_transaction(workdir, max_rcpt):
    conf = PLAIN if max_rcpt is None else "PARAM max-recipients %d\n" % max_rcpt + PLAIN
    allowed = min(N, max_rcpt or limit("SMTP_RCPT_DEFAULT"))
    rss = {}      # pid: [VmRSS at the first sample, largest VmRSS]

    def probe(kids):
        for pid, name in kids:
            kb = vmrss_kb(pid)
            if kb is not None and name == "smtpserver":
                r = rss.setdefault(pid, [kb, kb])
                r[1] = max(r[1], kb)

    with Smtpd(workdir, conf=conf) as d:
        with Sampler(d.pid, probe=probe) as smp:
            s = connect(d.port, "127.0.0.2")
            try:
                assert read_until(s, rb"220 [^\r]*\r\n")[1] == "match"
                end = time.monotonic() + 10
                while not rss and time.monotonic() < end:
                    time.sleep(0.01)          # the baseline, before any RCPT
                s.sendall(b"EHLO many.example\r\nMAIL FROM:<a@x.example>\r\n")
                assert read_until(s, rb"250 2\.1\.0[^\r]*\r\n")[1] == "match"
                blob = b"".join(b"RCPT TO:<u%d@y.example>\r\n" % i for i in range(N))
                got, sent, how = pump(s, blob, timeout=120, lines=N)
                assert sent == len(blob) and how == "match", (how, got[-200:])
                lines = replies(got)
                assert len(lines) == N
                assert all(l.startswith("250 2.1.5") for l in lines[:allowed])
                assert all(l.startswith("452 4.5.3 ") for l in lines[allowed:])
                s.sendall(b"DATA\r\n")
                assert read_until(s, rb"354 [^\r]*\r\n")[1] == "match"
                s.sendall(b"Subject: many\r\n\r\nhello\r\n.\r\n")
                data, how = read_until(s, rb"250 2\.6\.0 [^\r]*\r\n", timeout=60)
                assert how == "match", data
                s.sendall(b"QUIT\r\n")
                assert read_until(s, rb"221 [^\r]*\r\n")[1] == "match"
            finally:
                s.close()
            assert wait_children(d.pid, 0, timeout=30) == []
            no_crash(d)
        # the 452s are not errors: the session was not cut
        assert "rule=errors" not in d.log()
        (name,) = d.spooled()
        assert envelope_rcpts(d.read_spool(name)) == ["u%d@y.example" % i
                                                      for i in range(allowed)]
        assert "nrcpt=%d " % allowed in d.log()
        # the session child was sampled, and stayed small
        assert smp.nsamples > 0 and len(rss) == 1, rss
        ((first, top),) = rss.values()
        assert 0 < first <= top and top - first < RSS_GROWTH_MAX_KB, rss
        print("VmRSS of the session child: %d kB, at most %d kB" % (first, top))
