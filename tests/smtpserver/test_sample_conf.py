"""The shipped smtpserver.conf.sample (what mksandbox and make install
put in place) loads and means what its comments say."""
import os

from conftest import SRC
from smtphelp import DOUBLE, Raw, Smtpd, double_conf, requests


def test_shipped_sample(workdir):
    sample = open(os.path.join(SRC, "smtpserver", "smtpserver.conf.sample")).read()
    empty = os.path.join(workdir, "empty.table")
    open(empty, "w").close()
    os.chmod(empty, 0o644)
    # the same file, pointed at private (empty) TCP Wrappers tables
    conf = sample + "PARAM tcpwrap-allow %s\nPARAM tcpwrap-deny %s\n" % (empty, empty)
    path, log = double_conf(workdir)
    with Smtpd(workdir, conf=conf, router=DOUBLE, env={"ROUTER_DOUBLE": path}) as d:
        # loopback: no HELO needed, and -s ve applies (no MAIL/RCPT checks)
        r = Raw(d.port, "127.0.0.1")
        assert r.reply()[0] == 220
        r.expect("MAIL FROM:<local@x.example>", 250)
        r.expect("RCPT TO:<b@y.example>", 250)
        r.close()
        # anyone else: HELO first, then f t v h through the router, EXPN 502
        r = Raw(d.port, "127.0.0.2")
        assert r.reply()[0] == 220
        r.expect("MAIL FROM:<a@x.example>", 503)
        lines = r.expect("EHLO client.example", 250)
        assert "250-SIZE 10485760" in lines
        r.expect("MAIL FROM:<a@x.example>", 250)
        r.expect("RCPT TO:<b@y.example>", 250)
        r.expect("VRFY b", 250)
        r.expect("EXPN list", 502)
        r.expect("QUIT", 221)
        d.wait_log("client=[127.0.0.2] event=disconnect")
        assert requests(log) == (b"init\t[127.0.0.2]\t[127.0.0.2]\nhelo\tclient.example\n"
                                 b"from\ta@x.example\nto\tb@y.example\nverify\tb\n")
        assert "gate=libwrap decision=allow" in d.log()
