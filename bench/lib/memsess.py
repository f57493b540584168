"""memsess.py - private memory per session with N sessions open at once.

    python3 memsess.py ours|postfix HOST PORT N PARENT_PID

Opens N SMTP sessions to HOST:PORT and takes each one through the greeting,
HELO and MAIL FROM (so our session child has started its router), keeps
them all open, then sums Private_Clean + Private_Dirty + Private_Hugetlb
from /proc/PID/smaps_rollup over:
  ours:    every descendant of PARENT_PID (the smtpserver parent), that is
           the session children, their routers and anything they run;
  postfix: the smtpd children of PARENT_PID (Postfix's master).
Prints "X KiB/session (N sessions, M processes, total T MiB)" and closes
every session.  Every wait is bounded; exits 1 if fewer than N sessions
got through MAIL FROM.
"""
import os
import socket
import sys
import time


def children():
    """{ppid: [pid...]} for every process."""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        ppid = int(st[st.rindex(")") + 2:].split()[1])
        out.setdefault(ppid, []).append(int(d))
    return out


def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return ""


def private_kib(pid):
    total = 0
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith(("Private_Clean:", "Private_Dirty:", "Private_Hugetlb:")):
                    total += int(line.split()[1])
    except OSError:
        pass
    return total


def read_reply(s, buf, deadline):
    while time.time() < deadline:
        while b"\r\n" in buf[0]:
            line, buf[0] = buf[0].split(b"\r\n", 1)
            if len(line) < 4 or line[3:4] != b"-":
                return line
        s.settimeout(max(0.1, deadline - time.time()))
        data = s.recv(4096)
        if not data:
            return b"(closed)"
        buf[0] += data
    return b"(timeout)"


def main():
    side, host, port, n, parent = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    socks = []
    ok = 0
    deadline = time.time() + 300
    try:
        for _ in range(n):
            if time.time() > deadline:
                break
            s = socket.create_connection((host, port), 10)
            socks.append(s)
            buf = [b""]
            if not read_reply(s, buf, time.time() + 30).startswith(b"220"):
                continue
            s.sendall(b"HELO client.bench.test\r\n")
            if not read_reply(s, buf, time.time() + 30).startswith(b"250"):
                continue
            s.sendall(b"MAIL FROM:<sender@good.test>\r\n")
            if read_reply(s, buf, time.time() + 30).startswith(b"250"):
                ok += 1
        if ok < n:
            raise RuntimeError("only %d of %d sessions got through MAIL FROM" % (ok, n))
        time.sleep(1)
        kids = children()
        if side == "ours":
            pids, todo = [], list(kids.get(parent, []))
            while todo:
                p = todo.pop()
                pids.append(p)
                todo.extend(kids.get(p, []))
        else:
            pids = [p for p in kids.get(parent, []) if comm(p) == "smtpd"]
        by = {}
        for p in pids:
            c = comm(p) or "?"
            by[c] = by.get(c, 0) + private_kib(p)
        total = sum(by.values())
        parts = " + ".join("%s %.0f" % (c, k / n) for c, k in sorted(by.items()))
        print("%.0f KiB/session (%s; %d sessions, %d processes, total %.1f MiB)"
              % (total / n, parts, n, len(pids), total / 1024.0))
    finally:
        for s in socks:
            try:
                s.sendall(b"QUIT\r\n")
            except OSError:
                pass
            s.close()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        print("memsess: %s" % e, file=sys.stderr)
        sys.exit(1)
