"""Self-tests of the shared DNS fixture (tests/dnsfix.py): a real nsd comes
up on a loopback port with the given zones, answers over UDP and TCP, and is
gone (process and directory) after stop()."""
import os
import socket
import time

import pytest

from dnsfix import DnsServer, NoServer, closed_port, dns_query, dns_server  # noqa: F401

ZONE = """
@    IN SOA ns1 hostmaster 1 3600 600 86400 300
@    IN NS  ns1
ns1  IN A   192.0.2.1
ns1  IN AAAA 2001:db8::1
www  IN A   192.0.2.80
"""


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); look at its state.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(") ")[1][0] != "Z"
    except OSError:
        return False


def test_server_answers_and_goes_away():
    with DnsServer({"example.test": ZONE, "other.test": ZONE}) as dns:
        pid, d = dns.pid, dns.dir
        assert dns.addr == "127.0.0.1:%d" % dns.port
        assert dns.port != 53
        assert oct(os.stat(d).st_mode & 0o777) == "0o755"
        assert dns.query("ns1.example.test", "A") == ("NOERROR", ["192.0.2.1"])
        assert dns.query("ns1.other.test", "AAAA", tcp=True) == ("NOERROR", ["2001:db8::1"])
        assert dns.query("nope.example.test", "A")[0] == "NXDOMAIN"
        # NODATA: the SOA of the zone comes back in the authority section.
        rcode, ans, auth = dns_query(dns.host, dns.port, "www.example.test", "NS")
        assert (rcode, ans) == ("NOERROR", [])
        assert [(o, t) for o, t, _ in auth] == [("example.test.", 6)]
        # Not our zone: nsd refuses.
        assert dns.query("example.org", "A")[0] == "REFUSED"
    assert not _alive(pid)
    assert not os.path.exists(d)


def test_bad_zone_is_reported():
    srv = DnsServer({"bad.test": "@ IN SOA\n"}, timeout=5)
    with pytest.raises(ValueError) as e:
        srv.start()
    assert "bad.test" in str(e.value) and "nsd-checkzone" in str(e.value)
    assert srv.proc is None and srv.dir is None


def test_fixture_stops_servers(dns_server):
    a = dns_server({"a.test": ZONE})
    b = dns_server({"b.test": ZONE})
    assert a.port != b.port
    assert a.query("www.a.test")[1] == ["192.0.2.80"]
    assert b.query("www.b.test")[1] == ["192.0.2.80"]


def test_no_server_is_silent():
    with NoServer() as dead:
        t0 = time.monotonic()
        with pytest.raises(socket.timeout):
            dns_query(dead.host, dead.port, "example.test", "A", timeout=0.5)
        assert time.monotonic() - t0 < 3


def test_closed_port_refuses():
    port = closed_port()
    t0 = time.monotonic()
    with pytest.raises(ConnectionRefusedError):
        dns_query("127.0.0.1", port, "example.test", "A", timeout=5.0)
    assert time.monotonic() - t0 < 2


def test_no_rate_limiting():
    """nsd's response rate limiting is off: a burst of similar questions
    from one address is answered in full (RRL would drop some, and a
    resolver under test would stall for its whole timeout)."""
    with DnsServer({"example.test": ZONE}) as dns:
        t0 = time.monotonic()
        for i in range(600):
            rcode, _, _ = dns_query(dns.host, dns.port, "n%d.example.test" % i, "A", timeout=1.0)
            assert rcode == "NXDOMAIN"
        assert time.monotonic() - t0 < 20
