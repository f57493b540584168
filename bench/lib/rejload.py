"""rejload.py - sessions whose sender is refused, as fast as they go.

    python3 rejload.py HOST PORT SESSIONS CONCURRENCY FROM WANT

smtp-source gives up at the first refused MAIL FROM, so this client plays
the refused-sender session itself: greeting, HELO client.bench.test,
MAIL FROM:<FROM> (its reply must start with WANT, e.g. 550), QUIT, close.
CONCURRENCY sessions run at once in one event loop (no threads).  Prints
the elapsed seconds; exits 1 if any session got another reply, and
everything is bounded by a 300 s deadline.  compare.sh also runs it
against smtp-sink (WANT 250) to show this client's own ceiling.
"""
import selectors
import socket
import sys
import time

HELO = b"HELO client.bench.test\r\n"


class Sess:
    def __init__(self, host, port, mail):
        self.s = socket.socket()
        self.s.setblocking(False)
        self.s.connect_ex((host, port))
        self.buf = b""
        self.step = 0          # 0 greeting, 1 helo, 2 mail, 3 quit
        self.mail = mail


def main():
    host, port, total, conc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    mail = b"MAIL FROM:<" + sys.argv[5].encode() + b">\r\n"
    want = sys.argv[6].encode()
    sel = selectors.DefaultSelector()
    started = done = bad = 0
    deadline = time.time() + 300
    t0 = time.perf_counter()

    def start():
        nonlocal started
        x = Sess(host, port, mail)
        sel.register(x.s, selectors.EVENT_READ, x)
        started += 1

    while started < min(conc, total):
        start()
    while done < total and time.time() < deadline:
        for key, _ in sel.select(1.0):
            x = key.data
            try:
                data = x.s.recv(4096)
            except OSError:
                data = b""
            finished = False
            if not data:
                if x.step < 3:
                    bad += 1
                finished = True
            else:
                x.buf += data
                while b"\r\n" in x.buf and not finished:
                    line, x.buf = x.buf.split(b"\r\n", 1)
                    if len(line) >= 4 and line[3:4] == b"-":
                        continue
                    if x.step == 0:
                        ok = line.startswith(b"220"); x.s.send(HELO)
                    elif x.step == 1:
                        ok = line.startswith(b"250"); x.s.send(x.mail)
                    elif x.step == 2:
                        ok = line.startswith(want); x.s.send(b"QUIT\r\n")
                    else:
                        ok = True; finished = True
                    if not ok:
                        bad += 1
                        if bad == 1:
                            print("rejload: unexpected reply %r at step %d" % (line[:80], x.step), file=sys.stderr)
                    x.step += 1
            if finished:
                sel.unregister(x.s)
                x.s.close()
                done += 1
                if started < total:
                    start()
    elapsed = time.perf_counter() - t0
    if done < total:
        print("rejload: only %d of %d sessions finished" % (done, total), file=sys.stderr)
        return 1
    if bad:
        print("rejload: %d sessions got an unexpected reply" % bad, file=sys.stderr)
        return 1
    print("%.6f" % elapsed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
