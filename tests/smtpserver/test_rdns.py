"""The client's reverse DNS name (DESIGN 10): through RESOLVER from
zmailer.conf to a real nsd on a loopback port (tests/dnsfix.py), bounded
in time, validated, and "[ip]" when there is no answer."""
import time

from dnsfix import DnsServer, NoServer
from smtphelp import DOUBLE, PLAIN, Raw, Smtpd, double_conf, requests

ZONE = """
@    IN SOA ns1.test.example. hostmaster.test.example. 1 3600 600 86400 300
@    IN NS  ns1.test.example.
40   IN PTR client40.test.example.
"""


def test_reverse_name_via_resolver(workdir):
    with DnsServer({"0.0.127.in-addr.arpa": ZONE}) as dns:
        path, log = double_conf(workdir)
        conf = "PARAM tcpwrap off\n127.0.0.1 -\n*  f\n"
        with Smtpd(workdir, conf=conf, gullible=False, router=DOUBLE,
                   zconf=["RESOLVER=" + dns.addr], env={"ROUTER_DOUBLE": path}) as d:
            r = Raw(d.port, "127.0.0.40")
            assert r.reply()[0] == 220
            assert r.expect("EHLO c.example", 250)[0].endswith(
                "Hello client40.test.example [127.0.0.40]")
            r.expect("MAIL FROM:<a@x.example>", 250)
            r.expect("RCPT TO:<b@y.example>", 250)
            r.expect("DATA", 354)
            r.send("Subject: x\r\n\r\nx\r\n.\r\n")
            assert r.reply()[0] == 250
            spool = d.read_spool(d.spooled()[0]).decode()
            assert "\nrcvdfrom client40.test.example ([127.0.0.40]:" in spool
            assert "Received: from c.example (client40.test.example [127.0.0.40])" in spool
            assert requests(log).startswith(b"init\tclient40.test.example\t[127.0.0.40]\n")
            # no PTR record: the address literal
            r = Raw(d.port, "127.0.0.41")
            assert r.reply()[0] == 220
            assert r.expect("EHLO c.example", 250)[0].endswith("Hello unknown [127.0.0.41]")
            assert "rhost=[127.0.0.41]" in d.log()


def test_dead_resolver_is_bounded(workdir):
    with NoServer() as dead:
        with Smtpd(workdir, conf=PLAIN, gullible=False,
                   zconf=["RESOLVER=" + dead.addr]) as d:
            t0 = time.monotonic()
            r = Raw(d.port, "127.0.0.40", timeout=30)
            assert r.reply(timeout=30)[0] == 220
            assert time.monotonic() - t0 < 12
            assert "rhost=[127.0.0.40]" in d.log()
