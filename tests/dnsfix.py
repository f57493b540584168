"""dnsfix.py - a real authoritative DNS server (Debian's nsd) for tests.

The shared DNS fixture of the project.  Every test that needs DNS (nscheck,
the router's `bind` relations, the policy scripts) starts a real nsd on a
free 127.0.0.1 port with its own zones, and points the program under test
at it with RESOLVER=127.0.0.1:PORT (or nscheck -s 127.0.0.1:PORT).

Usage::

    from dnsfix import DnsServer, NoServer, dns_server

    ZONE = '''
    @    IN SOA ns1 hostmaster 1 3600 600 86400 300
    @    IN NS  ns1
    ns1  IN A   192.0.2.1
    '''
    with DnsServer({"example.test": ZONE}) as dns:
        dns.addr        # "127.0.0.1:PORT", for RESOLVER= or -s
        dns.host, dns.port
        dns.query("ns1.example.test", "A")   # (rcode, [rdata text...]) self-check

    with NoServer() as dead:      # a port where nothing ever answers
        dead.addr                 # "127.0.0.1:PORT": UDP and TCP swallowed

As a pytest fixture (import the name into your test module)::

    from dnsfix import dns_server          # noqa: F401 (pytest fixture)

    def test_x(dns_server):
        dns = dns_server({"example.test": ZONE})   # started; stopped at teardown

Zones are given as zone-file text.  `$ORIGIN <zone>.` and `$TTL 300` are put
in front of it, so relative names work; a text that sets its own `$ORIGIN`
or `$TTL` overrides them.  The zone text is dedented first.  nsd checks the
zone when it loads it: a zone nsd refuses makes start() raise with nsd's
log in the message; a zone that nsd-checkzone refuses makes it
raise ValueError with nsd-checkzone's message.

Guarantees:
* nsd runs in the foreground (`nsd -d`) as a child of the test process, in
  its own session (process group); stop() sends SIGTERM to that group, waits
  (bounded) and then SIGKILLs it, so no nsd outlives the test.
* Everything lives in a fresh 0755 directory under /tmp (config, zone files,
  pid file, log), removed at stop().  Nothing under /etc is read or written,
  port 53 is never used, the nsd system service is neither needed nor
  touched, and nsd does not chroot or change user.
* start() returns only once the server answers the SOA query of every zone
  (bounded by `timeout` seconds, default 15), over UDP and TCP.
"""
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import textwrap
import time

import pytest

NSD = os.environ.get("ZM_NSD", "/usr/sbin/nsd")
NSD_CHECKZONE = os.path.join(os.path.dirname(NSD), "nsd-checkzone")

QTYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15,
          "TXT": 16, "AAAA": 28, "ANY": 255}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN",
          4: "NOTIMP", 5: "REFUSED"}


def _free_port(host):
    """A port free for both UDP and TCP on host a moment ago."""
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    for _ in range(50):
        with socket.socket(fam, socket.SOCK_STREAM) as t:
            t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            t.bind((host, 0))
            port = t.getsockname()[1]
            with socket.socket(fam, socket.SOCK_DGRAM) as u:
                try:
                    u.bind((host, port))
                except OSError:
                    continue
            return port
    raise RuntimeError("dnsfix: no free UDP+TCP port on " + host)


# ---- a minimal DNS client, for readiness checks and self-checks ---------

def _encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\0"


def _read_name(msg, off, depth=0):
    """(name, offset after the name in place); follows pointers (bounded)."""
    labels = []
    end = None
    for _ in range(128):
        if off >= len(msg):
            raise ValueError("name runs past the message")
        n = msg[off]
        if n == 0:
            off += 1
            break
        if n & 0xC0 == 0xC0:
            if off + 1 >= len(msg):
                raise ValueError("truncated pointer")
            if end is None:
                end = off + 2
            off = ((n & 0x3F) << 8) | msg[off + 1]
            continue
        labels.append(msg[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n
    else:
        raise ValueError("name too long or pointer loop")
    return ".".join(labels) + ".", (end if end is not None else off)


def _rdata_text(msg, rtype, off, rdlen):
    rd = msg[off:off + rdlen]
    if rtype == 1 and rdlen == 4:
        return socket.inet_ntop(socket.AF_INET, rd)
    if rtype == 28 and rdlen == 16:
        return socket.inet_ntop(socket.AF_INET6, rd)
    if rtype in (2, 5, 12):
        return _read_name(msg, off)[0]
    if rtype == 6:
        mname, o = _read_name(msg, off)
        rname, o = _read_name(msg, o)
        return "%s %s %d %d %d %d %d" % ((mname, rname) + struct.unpack("!5I", msg[o:o + 20]))
    return rd.hex()


def dns_query(host, port, name, qtype="A", tcp=False, timeout=2.0):
    """Ask host:port one question (RD clear).

    Returns (rcode_text, answers, authority) where answers/authority are
    lists of (owner, type_number, rdata_text).  Raises OSError/socket.timeout
    when nothing usable comes back within timeout.
    """
    qid = random.randrange(65536)
    q = struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0)
    q += _encode_name(name) + struct.pack("!HH", QTYPES.get(qtype, qtype) if isinstance(qtype, str) else qtype, 1)
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    if tcp:
        with socket.socket(fam, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect((host, port))
            s.sendall(struct.pack("!H", len(q)) + q)
            buf = b""
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                chunk = s.recv(65537)
                if not chunk:
                    break
                buf += chunk
                if len(buf) >= 2 and len(buf) >= 2 + struct.unpack("!H", buf[:2])[0]:
                    break
            if len(buf) < 2:
                raise OSError("dnsfix: empty TCP answer")
            msg = buf[2:2 + struct.unpack("!H", buf[:2])[0]]
    else:
        with socket.socket(fam, socket.SOCK_DGRAM) as s:
            s.settimeout(timeout)
            s.connect((host, port))     # so an ICMP refusal is reported
            s.send(q)
            msg = s.recv(65535)
    if len(msg) < 12:
        raise OSError("dnsfix: short answer")
    rid, flags, qd, an, ns, _ar = struct.unpack("!HHHHHH", msg[:12])
    if rid != qid:
        raise OSError("dnsfix: answer id mismatch")
    off = 12
    for _ in range(qd):
        off = _read_name(msg, off)[1] + 4
    sections = []
    for count in (an, ns):
        recs = []
        for _ in range(count):
            owner, off = _read_name(msg, off)
            rtype, _cls, _ttl, rdlen = struct.unpack("!HHIH", msg[off:off + 10])
            off += 10
            recs.append((owner, rtype, _rdata_text(msg, rtype, off, rdlen)))
            off += rdlen
        sections.append(recs)
    return RCODES.get(flags & 0xF, str(flags & 0xF)), sections[0], sections[1]


# ---- the server -----------------------------------------------------------

class DnsServer:
    """A real nsd serving `zones` ({zone name: zone file text}) on host:port.

    Attributes after start(): host, port, addr ("host:port"; "[v6]:port"
    for an IPv6 host), pid, dir (the private directory).  Use it as a
    context manager, or call start()/stop() (stop() is idempotent).
    """

    def __init__(self, zones, host="127.0.0.1", port=None, timeout=15.0):
        if not zones:
            raise ValueError("dnsfix: at least one zone is needed")
        self.zones = {z.rstrip(".").lower(): t for z, t in zones.items()}
        self.host = host
        self.port = port
        self.timeout = timeout
        self.proc = None
        self.dir = None

    @property
    def addr(self):
        if ":" in self.host:
            return "[%s]:%d" % (self.host, self.port)
        return "%s:%d" % (self.host, self.port)

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def log(self):
        """nsd's log so far (for assertion messages)."""
        try:
            with open(os.path.join(self.dir, "nsd.log"), errors="replace") as f:
                return f.read()
        except (OSError, TypeError):
            return ""

    def _write_config(self, port):
        d = self.dir
        lines = [
            "server:",
            "  ip-address: %s" % self.host,
            "  port: %d" % port,
            "  do-ip4: %s" % ("no" if ":" in self.host else "yes"),
            "  do-ip6: %s" % ("yes" if ":" in self.host else "no"),
            '  username: ""',
            '  chroot: ""',
            '  zonesdir: "%s"' % d,
            '  database: ""',
            '  pidfile: "%s/nsd.pid"' % d,
            '  xfrdfile: "%s/xfrd.state"' % d,
            '  zonelistfile: "%s/zone.list"' % d,
            '  xfrdir: "%s"' % d,
            '  logfile: "%s/nsd.log"' % d,
            "  server-count: 1",
            "  tcp-count: 32",
            "  verbosity: 1",
            "  hide-version: yes",
            # No response rate limiting: a test asks fast and from one
            # address, and RRL would drop answers (5 s resolver stalls).
            "  rrl-ratelimit: 0",
            "  rrl-whitelist-ratelimit: 0",
            "  minimal-responses: no",
            "remote-control:",
            "  control-enable: no",
        ]
        for i, (zone, text) in enumerate(sorted(self.zones.items())):
            fname = "zone%d.zone" % i
            body = textwrap.dedent(text).strip("\n") + "\n"
            with open(os.path.join(d, fname), "w") as f:
                f.write("$ORIGIN %s.\n$TTL 300\n" % zone)
                f.write(body)
            # A zone nsd would refuse: fail now, with nsd's own words.
            r = subprocess.run([NSD_CHECKZONE, zone, os.path.join(d, fname)],
                               capture_output=True, text=True, timeout=30)
            if r.returncode != 0:
                raise ValueError("dnsfix: zone %s refused by nsd-checkzone:\n%s%s"
                                 % (zone, r.stdout, r.stderr))
            lines += ["zone:", '  name: "%s"' % zone, '  zonefile: "%s"' % fname]
        with open(os.path.join(d, "nsd.conf"), "w") as f:
            f.write("\n".join(lines) + "\n")

    def _ready(self):
        for zone in self.zones:
            for tcp in (False, True):
                try:
                    rcode, ans, _ = dns_query(self.host, self.port, zone, "SOA", tcp=tcp, timeout=0.5)
                except (OSError, ValueError, struct.error):
                    return False
                if rcode != "NOERROR" or not ans:
                    return False
        return True

    def start(self):
        self.dir = tempfile.mkdtemp(prefix="zmdns-", dir="/tmp")
        os.chmod(self.dir, 0o755)
        fixed = self.port is not None
        last = ""
        for _attempt in range(1 if fixed else 3):
            port = self.port if fixed else _free_port(self.host)
            try:
                self._write_config(port)
            except Exception:
                self.stop()
                raise
            with open(os.path.join(self.dir, "nsd.log"), "w"):
                pass
            self.port = port
            with open(os.path.join(self.dir, "nsd.stderr"), "w") as err:
                self.proc = subprocess.Popen(
                    [NSD, "-d", "-c", os.path.join(self.dir, "nsd.conf")],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=err, cwd=self.dir, start_new_session=True)
            deadline = time.monotonic() + self.timeout
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                if self._ready():
                    return self
                time.sleep(0.05)
            try:
                with open(os.path.join(self.dir, "nsd.stderr"), errors="replace") as f:
                    last = f.read() + self.log()
            except OSError:
                last = self.log()
            self._kill()
            if not fixed:
                self.port = None
        self.stop()
        raise RuntimeError("dnsfix: nsd did not come up:\n" + last)

    def _kill(self):
        p = self.proc
        if p is None:
            return
        self.proc = None
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        # nsd's own children (xfrd, the server process) are in the group.
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass

    def stop(self):
        self._kill()
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def query(self, name, qtype="A", tcp=False):
        """(rcode, [rdata text]) of the answer section, straight from nsd."""
        rcode, ans, _ = dns_query(self.host, self.port, name, qtype, tcp=tcp)
        return rcode, [r[2] for r in ans]

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


class NoServer:
    """A UDP+TCP port on host where nothing ever answers (timeout tests).

    The UDP socket is bound and never read, the TCP socket listens and never
    accepts, so queries neither get an answer nor an ICMP refusal: the
    client must give up on its own clock.  addr/host/port as DnsServer.
    """

    def __init__(self, host="127.0.0.1"):
        self.host = host
        self.port = None
        self.socks = []

    @property
    def addr(self):
        if ":" in self.host:
            return "[%s]:%d" % (self.host, self.port)
        return "%s:%d" % (self.host, self.port)

    def start(self):
        fam = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        for _ in range(20):
            port = _free_port(self.host)
            u = socket.socket(fam, socket.SOCK_DGRAM)
            t = socket.socket(fam, socket.SOCK_STREAM)
            try:
                u.bind((self.host, port))
                t.bind((self.host, port))
                t.listen(1)
            except OSError:
                u.close()
                t.close()
                continue
            self.port = port
            self.socks = [u, t]
            return self
        raise RuntimeError("dnsfix: could not bind a silent port")

    def stop(self):
        for s in self.socks:
            s.close()
        self.socks = []

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


def closed_port(host="127.0.0.1"):
    """A port where no socket is bound at all: queries are refused at once
    (ICMP port unreachable / RST) rather than left unanswered."""
    return _free_port(host)


@pytest.fixture
def dns_server():
    """Factory fixture: dns_server(zones, **kw) -> a started DnsServer.

    Every server started through it is stopped at teardown, even when the
    test fails.
    """
    started = []

    def make(zones, **kw):
        s = DnsServer(zones, **kw)
        started.append(s)
        return s.start()

    yield make
    for s in started:
        s.stop()


@pytest.fixture
def no_server():
    """A started NoServer, closed at teardown."""
    s = NoServer().start()
    yield s
    s.stop()
