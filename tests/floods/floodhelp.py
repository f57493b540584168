"""Helpers for the flood tests: many concurrent raw clients (selectors),
a sampler of the daemon's children from /proc, memory and spool probes,
and a client that writes a big pipelined blob while reading the replies.

Every loop here is bounded in count and in time; every socket opened is
closed by the caller (Flood.close(), or the with-block)."""
import os
import re
import resource
import selectors
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from conftest import SRC  # noqa: E402
from smtpd import proc_name  # noqa: E402

# smtpserver.conf for floods: no gate, loopback and every HELO plain.
PLAIN = "PARAM tcpwrap off\n127.0.0.1 -\n*  -\n"
# Sources for the flood clients (127.0.0.1 is the HELO-exempt loopback).
SOURCES = ["127.0.0.%d" % i for i in range(10, 50)]


def limit(name):
    """A named limit from lib/limits.h (tests never restate the number)."""
    with open(os.path.join(SRC, "lib", "limits.h")) as f:
        for line in f:
            m = re.match(r"#define\s+%s\s+\(?(\d+)L?\)?" % re.escape(name), line)
            if m:
                return int(m.group(1))
    raise AssertionError("%s not in lib/limits.h" % name)


def raise_nofile(n):
    """Make sure this process may hold n descriptors."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(n, hard), hard))
    assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] >= n


# ---- processes -----------------------------------------------------------

def _stat(pid):
    """(comm, state, ppid) from /proc/pid/stat, or None if it is gone."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            text = f.read().decode("latin-1")
    except (FileNotFoundError, ProcessLookupError):
        return None
    o, c = text.index("("), text.rindex(")")
    rest = text[c + 2:].split()
    name = text[o + 1:c]
    if name.startswith("memcheck-"):    # make check-valgrind
        name = proc_name(pid) or name
    return name, rest[0], int(rest[1])


def children(ppid):
    """[(pid, comm)] of the processes whose PPid is ppid (zombies too: the
    parent counts a child until it has reaped it)."""
    out = []
    try:
        with open("/proc/%d/task/%d/children" % (ppid, ppid)) as f:
            pids = [int(p) for p in f.read().split()]
    except FileNotFoundError:
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    for pid in pids:
        st = _stat(pid)
        if st is not None and st[2] == ppid:
            out.append((pid, st[0]))
    return out


def wait_children(ppid, n=0, timeout=30):
    """Wait until ppid has at most n children; returns what is left."""
    end = time.monotonic() + timeout
    while True:
        kids = children(ppid)
        if len(kids) <= n or time.monotonic() > end:
            return kids
        time.sleep(0.05)


def vmrss_kb(pid):
    """VmRSS of pid in kB, or None if it is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def session_pids(log):
    """Pids (low 20 bits) of the session children, from the log: each
    session logs "s=ID ... event=connect" and ID ends in its pid as five
    hex digits (session.c).  A 421 answerer never logs."""
    return {int(m.group(1), 16) for m in
            re.finditer(r"s=[0-9a-f]*([0-9a-f]{5}) client=\S+ port=\S+ .*event=connect", log)}


class Sampler:
    """Samples the children of ppid every few milliseconds in a thread
    (at most `limit_s` seconds), and optionally calls probe(kids) each
    time.  Keeps every distinct sample; max_sessions(log) is the largest
    number of session children seen at once (sessions told from 421
    answerers by the log, since a fresh answerer is named "smtpserver"
    for an instant before it renames itself "smtpserver-421")."""

    def __init__(self, ppid, probe=None, limit_s=120, interval=0.005):
        self.ppid = ppid
        self.interval = interval
        self.probe = probe
        self.limit_s = limit_s
        self.samples = []
        self.nsamples = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        end = time.monotonic() + self.limit_s
        last = None
        while not self._stop.is_set() and time.monotonic() < end:
            kids = children(self.ppid)
            snap = frozenset(kids)
            if snap != last:
                self.samples.append(snap)
                last = snap
            if self.probe:
                self.probe(kids)
            self.nsamples += 1
            if self.interval:
                self._stop.wait(self.interval)

    def names(self):
        return {n for snap in self.samples for _, n in snap}

    def max_total(self):
        return max((len(snap) for snap in self.samples), default=0)

    def max_named(self, name):
        return max((sum(1 for _, n in snap if n == name)
                    for snap in self.samples), default=0)

    def max_sessions(self, log):
        sess = session_pids(log)
        return max((sum(1 for p, _ in snap if p & 0xfffff in sess)
                    for snap in self.samples), default=0)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join(timeout=10)


# ---- many clients at once --------------------------------------------------

class Flood:
    """n connections opened at once, without blocking, from SOURCES in
    turn.  wait_first_line() reads each one's first line (or notes its
    close/reset); connections whose first line is a 220 banner are kept
    open in .held for the caller, the rest are closed."""

    def __init__(self, port, n, sources=SOURCES, host="127.0.0.1"):
        self.port = port
        self.sel = selectors.DefaultSelector()
        self.socks = []
        self.first = [None] * n     # "220 ...", "421 ...", "EOF", "RESET"
        self.bufs = [b""] * n
        self.held = []
        for i in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.bind((sources[i % len(sources)], 0))
            rc = s.connect_ex((host, port))
            assert rc in (0, 115), os.strerror(rc)   # EINPROGRESS
            self.socks.append(s)
            self.sel.register(s, selectors.EVENT_READ, i)

    def wait_first_line(self, timeout=60):
        end = time.monotonic() + timeout
        pending = sum(1 for f in self.first if f is None)
        while pending and time.monotonic() < end:
            for key, _ in self.sel.select(timeout=min(1.0, max(0.0, end - time.monotonic()))):
                i, s = key.data, key.fileobj
                try:
                    data = s.recv(4096)
                except BlockingIOError:
                    continue
                except (ConnectionResetError, ConnectionRefusedError):
                    data, self.first[i] = None, "RESET"
                if data:
                    self.bufs[i] += data
                    if b"\r\n" not in self.bufs[i]:
                        continue
                    self.first[i] = self.bufs[i].split(b"\r\n", 1)[0].decode("latin-1")
                elif data == b"":
                    self.first[i] = "EOF"
                self.sel.unregister(s)
                pending -= 1
                if self.first[i].startswith("220 "):
                    self.held.append(s)
                else:
                    s.close()
        return pending

    def close(self):
        for s in self.socks:
            s.close()
        self.sel.close()


def read_until(sock, pattern, timeout=30, limit_bytes=64 << 20):
    """Read from a blocking socket until pattern (bytes regex) matches the
    data so far, EOF, reset or timeout; returns (data, how) with how one
    of "match", "EOF", "RESET", "TIMEOUT"."""
    rx = re.compile(pattern)
    data = b""
    end = time.monotonic() + timeout
    while len(data) < limit_bytes:
        if rx.search(data):
            return data, "match"
        left = end - time.monotonic()
        if left <= 0:
            return data, "TIMEOUT"
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            return data, "TIMEOUT"
        except ConnectionResetError:
            return data, "RESET"
        if not chunk:
            return data, "EOF"
        data += chunk
    return data, "TOOMUCH"


def pump(sock, blob, timeout=60, stop=None, limit_bytes=64 << 20, lines=None):
    """Write blob (pipelined, non-blocking) while reading everything the
    server answers, until EOF/reset, `stop` (a bytes regex) matches what
    was read, `lines` CR LF ended lines were read, or timeout.  A write error (the server closed) ends the
    writing, not the reading.  Returns (read bytes, written count, how)."""
    rx = re.compile(stop) if stop else None
    sock.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE)
    view, off, got = memoryview(blob), 0, bytearray()
    end, how = time.monotonic() + timeout, "TIMEOUT"
    nlines = 0
    try:
        while time.monotonic() < end and len(got) < limit_bytes:
            if (rx and rx.search(got)) or (lines is not None and nlines >= lines):
                how = "match"
                break
            evs = sel.select(timeout=min(1.0, max(0.0, end - time.monotonic())))
            done = False
            for _, ev in evs:
                if ev & selectors.EVENT_READ:
                    try:
                        chunk = sock.recv(65536)
                    except BlockingIOError:
                        chunk = None
                    except ConnectionResetError:
                        how, done = "RESET", True
                        break
                    if chunk == b"":
                        how, done = "EOF", True
                        break
                    if chunk:
                        # a CR LF split across two reads counts once
                        nlines += (got[-1:] + chunk).count(b"\r\n") - got[-1:].count(b"\r\n")
                        got += chunk
                if ev & selectors.EVENT_WRITE and off < len(view):
                    try:
                        off += sock.send(view[off:off + 262144])
                    except BlockingIOError:
                        pass
                    except (BrokenPipeError, ConnectionResetError):
                        off = len(view) + 1   # the server closed: stop writing
                if off >= len(view):
                    sel.modify(sock, selectors.EVENT_READ)
            if done:
                break
    finally:
        sel.close()
        sock.setblocking(True)
    return bytes(got), min(off, len(view)), how


def connect(port, source="127.0.0.2", timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                 source_address=(source, 0))
    return s


def replies(data):
    """Reply lines of data (decoded), without CR LF."""
    return [l.decode("latin-1") for l in data.split(b"\r\n") if l]


def drain_all(socks, timeout=60, limit_bytes=1 << 20):
    """Read every socket (non-blocking, all at once) until each one is at
    EOF or reset, or timeout; returns [(data, how)] in the order of socks,
    how being "EOF", "RESET" or "TIMEOUT"."""
    sel = selectors.DefaultSelector()
    out = [[b"", "TIMEOUT"] for _ in socks]
    for i, s in enumerate(socks):
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, i)
    pending = len(socks)
    end = time.monotonic() + timeout
    try:
        while pending and time.monotonic() < end:
            for key, _ in sel.select(timeout=min(1.0, max(0.0, end - time.monotonic()))):
                i, s = key.data, key.fileobj
                try:
                    chunk = s.recv(65536)
                except BlockingIOError:
                    continue
                except ConnectionResetError:
                    chunk, out[i][1] = None, "RESET"
                if chunk:
                    out[i][0] += chunk
                    if len(out[i][0]) < limit_bytes:
                        continue
                    out[i][1] = "TOOMUCH"
                elif chunk == b"":
                    out[i][1] = "EOF"
                sel.unregister(s)
                pending -= 1
    finally:
        sel.close()
    return [tuple(o) for o in out]


def no_crash(d):
    """No session child of d died other than by exiting 0 (the parent logs
    such a death as event=cleanup, listen.c), and the parent runs."""
    log = d.log()
    assert "event=cleanup" not in log, log[-2000:]
    assert d.proc.poll() is None


def tracer_of(pid):
    """TracerPid of pid (0: not traced)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("TracerPid:"):
                return int(line.split()[1])
    return 0
