"""nscheck against a hostile or broken DNS server.

nsd (tests/dnsfix.py) only sends well-formed answers; these tests need a
server that lies: compression loops, bad rdlengths, truncation that never
ends, silence for some questions only, labels holding dots.  A small
responder on a loopback port (UDP and TCP, one thread, bounded) answers
each question from a table of crafted byte strings.
"""
import os
import select
import socket
import struct
import subprocess
import threading
import time

import pytest

from conftest import BIN
from dnsfix import _encode_name, _free_port

NSCHECK = os.path.join(BIN, "cks", "nscheck")
A, NS, AAAA = 1, 2, 28


def rr(owner, rtype, rdata):
    return _encode_name(owner) + struct.pack("!HHIH", rtype, 1, 300, len(rdata)) + rdata


def a(addr):
    return socket.inet_pton(socket.AF_INET, addr)


def answer(query, an=(), ns=(), ar=(), rcode=0, tc=False, raw_an=b""):
    """A response to query (its id and question echoed)."""
    qid = query[:2]
    qend = 12
    while query[qend] != 0:
        qend += 1 + query[qend]
    question = query[12:qend + 5]
    flags = 0x8400 | 0x0100 | (0x0200 if tc else 0) | rcode
    counts = (1, len(an) + (1 if raw_an else 0), len(ns), len(ar))
    return (qid + struct.pack("!HHHHH", flags, *counts) + question +
            b"".join(an) + raw_an + b"".join(ns) + b"".join(ar))


class Hostile:
    """Answers (qname, qtype) with handler(query, qname, qtype, tcp) ->
    bytes or None (silence)."""

    def __init__(self, handler):
        self.handler = handler
        self.port = _free_port("127.0.0.1")
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", self.port))
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind(("127.0.0.1", self.port))
        self.tcp.listen(8)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def addr(self):
        return "127.0.0.1:%d" % self.port

    @staticmethod
    def _question(q):
        off, labels = 12, []
        while q[off] != 0:
            labels.append(q[off + 1:off + 1 + q[off]].decode("latin-1"))
            off += 1 + q[off]
        return ".".join(labels).lower(), struct.unpack("!H", q[off + 1:off + 3])[0]

    def _serve(self):
        deadline = time.monotonic() + 120
        while not self.stop.is_set() and time.monotonic() < deadline:
            r, _, _ = select.select([self.udp, self.tcp], [], [], 0.1)
            if self.udp in r:
                q, peer = self.udp.recvfrom(4096)
                try:
                    name, qtype = self._question(q)
                    out = self.handler(q, name, qtype, False)
                except (IndexError, struct.error):
                    out = None
                if out is not None:
                    self.udp.sendto(out, peer)
            if self.tcp in r:
                c, _ = self.tcp.accept()
                c.settimeout(2)
                try:
                    n = struct.unpack("!H", c.recv(2))[0]
                    q = b""
                    while len(q) < n:
                        chunk = c.recv(n - len(q))
                        if not chunk:
                            break
                        q += chunk
                    name, qtype = self._question(q)
                    out = self.handler(q, name, qtype, True)
                    if out is not None:
                        c.sendall(struct.pack("!H", len(out)) + out)
                except (OSError, IndexError, struct.error):
                    pass
                finally:
                    c.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=5)
        self.udp.close()
        self.tcp.close()


@pytest.fixture
def tables(workdir):
    allow = os.path.join(workdir, "hosts.allow")
    deny = os.path.join(workdir, "hosts.deny")
    with open(allow, "w") as f:
        f.write("")
    with open(deny, "w") as f:
        f.write("smtpserver: 198.51.100.0/24, .spamdns.test\n")
    return ["-a", allow, "-D", deny]


def run(server, tables, domain, t=5):
    t0 = time.monotonic()
    r = subprocess.run([NSCHECK, "-v", "-s", server.addr, "-t", str(t)] + tables + [domain],
                       capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    r.elapsed = time.monotonic() - t0
    return r


def test_refusal_from_glue_survives_a_timeout(tables):
    """ns1's glue is shunned; ns2's addresses never come: exit 1 at -t."""
    def h(q, name, qtype, tcp):
        if name == "slow.test" and qtype == NS:
            return answer(q, an=[rr("slow.test", NS, _encode_name("ns1.slow.test")),
                                 rr("slow.test", NS, _encode_name("ns2.slow.test"))],
                          ar=[rr("ns1.slow.test", A, a("198.51.100.9"))])
        return None
    with Hostile(h) as s:
        r = run(s, tables, "slow.test", t=3)
    assert r.returncode == 1, r.stderr
    assert r.stdout == "ns1.slow.test 198.51.100.9\n"
    assert r.elapsed < 4.5, r.elapsed
    assert "time limit" in r.stderr


def test_clean_glue_then_timeout_is_could_not_tell(tables):
    def h(q, name, qtype, tcp):
        if name == "slow.test" and qtype == NS:
            return answer(q, an=[rr("slow.test", NS, _encode_name("ns1.slow.test")),
                                 rr("slow.test", NS, _encode_name("ns2.slow.test"))],
                          ar=[rr("ns1.slow.test", A, a("192.0.2.9"))])
        return None
    with Hostile(h) as s:
        r = run(s, tables, "slow.test", t=2)
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    assert 1.5 < r.elapsed < 3.5, r.elapsed


def test_compression_loop_in_answer(tables):
    def h(q, name, qtype, tcp):
        # An NS whose target is a pointer to itself.
        off = len(q) + len(_encode_name("loop.test")) + 10   # the rdata
        loop = struct.pack("!H", 0xC000 | off)
        return answer(q, raw_an=_encode_name("loop.test") +
                      struct.pack("!HHIH", NS, 1, 300, 2) + loop)
    with Hostile(h) as s:
        r = run(s, tables, "loop.test")
    assert r.returncode == 2, r.stderr
    assert "malformed" in r.stderr
    assert r.elapsed < 2


def test_bad_rdlength_in_answer(tables):
    def h(q, name, qtype, tcp):
        if qtype == NS:
            return answer(q, an=[rr("bad.test", NS, _encode_name("ns1.bad.test"))],
                          raw_an=_encode_name("bad.test") + struct.pack("!HHIH", NS, 1, 300, 900) + b"\0")
        return None
    with Hostile(h) as s:
        r = run(s, tables, "bad.test")
    assert r.returncode == 2, r.stderr
    assert r.elapsed < 2


def test_truncated_udp_answer_is_asked_over_tcp(tables):
    """UDP always says TC; the full answer (with a shunned nameserver far
    past 512 octets) only comes over TCP."""
    names = ["ns%02d.%s.big.test" % (i, "z" * 50) for i in range(30)]

    def h(q, name, qtype, tcp):
        if qtype != NS:
            return None
        if not tcp:
            return answer(q, tc=True)
        return answer(q, an=[rr("big.test", NS, _encode_name(n)) for n in names],
                      ar=[rr(n, A, a("198.51.100.%d" % i if i == 29 else "192.0.2.%d" % i))
                          for i, n in enumerate(names)] +
                         [rr(n, AAAA, socket.inet_pton(socket.AF_INET6, "2001:db8::%x" % i))
                          for i, n in enumerate(names)])
    with Hostile(h) as s:
        r = run(s, tables, "big.test")
    assert r.returncode == 1, r.stderr
    assert r.stdout == "%s 198.51.100.29\n" % names[29]
    assert "30 nameservers" in r.stderr


def test_truncated_over_tcp_too_is_could_not_tell(tables):
    def h(q, name, qtype, tcp):
        return answer(q, tc=True)
    with Hostile(h) as s:
        r = run(s, tables, "trunc.test")
    assert r.returncode == 2, r.stderr


def test_answer_to_another_question_is_ignored(tables):
    def h(q, name, qtype, tcp):
        other = bytearray(q)
        other[13] ^= 0x20                  # change a letter's case... and more
        other[-5] = ord("q")
        return answer(bytes(other), an=[rr("other.test", NS, _encode_name("ns1.other.test"))])
    with Hostile(h) as s:
        r = run(s, tables, "wrong.test", t=2)
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""


def test_dot_inside_a_label_cannot_fake_a_suffix(tables):
    """The label "ns1.spamdns" under fake.test is not spamdns.test."""
    evil = b"\x0bns1.spamdns\x04test\x00"

    def h(q, name, qtype, tcp):
        if qtype == NS and name == "fake.test":
            return answer(q, raw_an=_encode_name("fake.test") +
                          struct.pack("!HHIH", NS, 1, 300, len(evil)) + evil)
        if qtype == A and name == "ns1.spamdns.test":
            return answer(q, an=[rr("ns1.spamdns.test", A, a("192.0.2.5"))])
        return answer(q)                   # NODATA
    with Hostile(h) as s:
        r = run(s, tables, "fake.test")
    assert r.returncode == 0, r.stderr
    assert "ns1\\046spamdns.test unknown no address: allowed" in r.stderr
