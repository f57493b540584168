"""`bind` relations against a real DNS server (nsd via tests/dnsfix.py) on a
loopback port, reached through RESOLVER=127.0.0.1:PORT."""
import os
import time

from relhelp import probe
from dnsfix import NoServer, dns_server  # noqa: F401 (pytest fixture)

ZONE = """
@       IN SOA ns1 hostmaster 1 3600 600 86400 300
@       IN NS  ns1
@       IN NS  ns2
@       IN MX  20 mx-b
@       IN MX  10 mx-a
ns1     IN A   192.0.2.1
ns2     IN A   192.0.2.2
www     IN A   192.0.2.80
www     IN A   192.0.2.81
www     IN AAAA 2001:db8::80
alias   IN CNAME www
txt     IN TXT "v=spf1 -all" " more"
txt     IN TXT "second record"
mx-a    IN A   192.0.2.25
mx-b    IN A   192.0.2.26
"""

REV4 = """
@       IN SOA ns1.example.test. hostmaster.example.test. 1 3600 600 86400 300
@       IN NS  ns1.example.test.
80      IN PTR www.example.test.
"""

REV6 = """
@       IN SOA ns1.example.test. hostmaster.example.test. 1 3600 600 86400 300
@       IN NS  ns1.example.test.
0.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 IN PTR www.example.test.
"""

ZONES = {"example.test": ZONE, "2.0.192.in-addr.arpa": REV4,
         "8.b.d.0.1.0.0.2.ip6.arpa": REV6}


def env_for(addr):
    e = dict(os.environ)
    e["RESOLVER"] = addr
    return e


def ask(dns, sub, keys, extra=()):
    out, _ = probe(["-t", "bind," + sub, *extra, "dns"], keys, env=env_for(dns.addr))
    return out


def test_bind_subtypes(dns_server):
    dns = dns_server(ZONES)
    a = ask(dns, "a", ["www.example.test", "WWW.Example.Test", "nope.example.test",
                       "txt.example.test", "alias.example.test"])
    assert a["www.example.test"][0] == 0
    assert sorted(a["www.example.test"][1].split()) == ["192.0.2.80", "192.0.2.81"]
    assert a["WWW.Example.Test"][0] == 0
    assert a["nope.example.test"] == (1, "")            # NXDOMAIN
    assert a["txt.example.test"] == (1, "")             # NODATA
    # A CNAME is followed by the server; only the A records count.
    assert sorted(a["alias.example.test"][1].split()) == ["192.0.2.80", "192.0.2.81"]

    assert ask(dns, "aaaa", ["www.example.test"])["www.example.test"] == (0, "2001:db8::80")
    mx = ask(dns, "mx", ["example.test", "www.example.test"])
    assert mx["example.test"] == (0, "mx-a.example.test mx-b.example.test")
    assert mx["www.example.test"] == (1, "")
    ns = ask(dns, "ns", ["example.test"])["example.test"]
    assert ns[0] == 0 and sorted(ns[1].split()) == ["ns1.example.test", "ns2.example.test"]
    cn = ask(dns, "cname", ["alias.example.test", "www.example.test"])
    assert cn == {"alias.example.test": (0, "www.example.test"),
                  "www.example.test": (1, "")}
    txt = ask(dns, "txt", ["txt.example.test"])["txt.example.test"]
    assert txt[0] == 0 and txt[1] in ("v=spf1 -all more", "second record")
    ptr = ask(dns, "ptr", ["192.0.2.80", "2001:db8::80", "80.2.0.192.in-addr.arpa",
                           "192.0.2.99"])
    assert ptr["192.0.2.80"] == (0, "www.example.test")
    assert ptr["2001:db8::80"] == (0, "www.example.test")
    assert ptr["80.2.0.192.in-addr.arpa"] == (0, "www.example.test")
    assert ptr["192.0.2.99"] == (1, "")
    # -b: the key itself; bad names are simply not found (never sent).
    b = ask(dns, "a", ["www.example.test", "bad name", "a..b"], extra=["-b"])
    assert b == {"www.example.test": (0, "www.example.test"),
                 "bad name": (1, ""), "a..b": (1, "")}


def test_bind_refused_is_defer(dns_server):
    dns = dns_server(ZONES)
    out = ask(dns, "a", ["www.example.org"])          # not nsd's zone: REFUSED
    assert out["www.example.org"][0] == 75, out
    assert out["www.example.org"][1]


def test_bind_timeout_is_defer_and_bounded():
    with NoServer() as dead:
        t0 = time.monotonic()
        out, _ = probe(["-t", "bind,a", "dns"], ["www.example.test"], env=env_for(dead.addr))
        took = time.monotonic() - t0
    assert out["www.example.test"] == (75, "DNS timeout or server failure")
    # REL_DNS_TIMEOUT (3 s) x REL_DNS_TRIES (2), with room for a slow machine.
    assert took < 20, took


def test_bind_bad_resolver_is_defer():
    out, _ = probe(["-t", "bind,a", "dns"], ["www.example.test"], env=env_for("not-an-ip:x"))
    assert out["www.example.test"][0] == 75
