"""probe.py - do both servers of bench/compare.sh take the same decisions?

    python3 probe.py LABEL HOST PORT DNS

Plays one SMTP session per case against HOST:PORT (raw socket, every read
bounded by a timeout) and compares the reply code of the step that decides
with what the shipped policy (POLICY.md section 2) wants.  DNS=0 means the
server has no DNS (the nscheck case is then reported, not required).
Prints one line per case; exits 1 if any required case failed, so that
compare.sh never times a side that does not apply the policy.
"""
import socket
import sys
import time

HELO = "client.bench.test"
GOOD = "sender@good.test"
# (case, helo, mail from, rcpt to, the step that decides, wanted code prefix)
CASES = [
    ("accept (whole message)", HELO, GOOD, "rcpt@localhost", "data", "250"),
    ("alias recipient 100rcpt", HELO, GOOD, "100rcpt@localhost", "rcpt", "250"),
    ("helo-fqdn", "benchhost", None, None, "helo", "501"),
    ("badsender @bad.test", HELO, "spammer@bad.test", None, "mail", "550"),
    ("flushot (trapped origin)", HELO, "trapped@good.test", None, "mail", "454"),
    ("numeric user", HELO, "12345@good.test", None, "mail", "454"),
    ("forged-local sender", HELO, "someone@localhost", None, "mail", "550"),
    ("nscheck (shunned NS)", HELO, "someone@shunned.test", None, "mail", "550"),
    ("relay denied", HELO, GOOD, "someone@elsewhere.test", "rcpt", "550"),
    ("nouser", HELO, GOOD, "nosuchuser@localhost", "rcpt", "550"),
    ("badrcpt", HELO, GOOD, "retired@localhost", "rcpt", "550"),
    ("trap address", HELO, "probe-trap@good.test", "spamtrap@localhost", "rcpt", "454"),
]


class Session:
    def __init__(self, host, port):
        self.s = socket.create_connection((host, port), 10)
        self.s.settimeout(30)
        self.buf = b""

    def reply(self):
        """The last line of one (multi-line) reply, as text."""
        end = time.time() + 30
        while time.time() < end:
            while b"\r\n" in self.buf:
                line, self.buf = self.buf.split(b"\r\n", 1)
                if len(line) < 4 or line[3:4] != b"-":
                    return line.decode("ascii", "replace")
            data = self.s.recv(4096)
            if not data:
                return "(closed)"
            self.buf += data
        return "(timeout)"

    def cmd(self, text):
        self.s.sendall(text.encode("ascii") + b"\r\n")
        return self.reply()

    def close(self):
        try:
            self.s.sendall(b"QUIT\r\n")
        except OSError:
            pass
        self.s.close()


def run(host, port, helo, mail, rcpt, step):
    s = Session(host, port)
    try:
        r = s.reply()
        if not r.startswith("220"):
            return "greeting " + r
        r = s.cmd("HELO " + helo)
        if step == "helo" or not r.startswith("250"):
            return r
        r = s.cmd("MAIL FROM:<%s>" % mail)
        if step == "mail" or not r.startswith("250"):
            return r
        r = s.cmd("RCPT TO:<%s>" % rcpt)
        if step == "rcpt" or not r.startswith("250"):
            return r
        r = s.cmd("DATA")
        if not r.startswith("354"):
            return r
        return s.cmd("Subject: probe\r\n\r\nbench probe\r\n.")
    finally:
        s.close()


def main():
    label, host, port, dns = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
    bad = 0
    for name, helo, mail, rcpt, step, want in CASES:
        try:
            got = run(host, port, helo, mail, rcpt, step)
        except OSError as e:
            got = "(%s)" % e
        ok = got.startswith(want)
        optional = name.startswith("nscheck") and not dns
        mark = "ok" if ok else ("not applied (no DNS)" if optional else "FAIL")
        if not ok and not optional:
            bad += 1
        print("   %-8s %-26s want %s  got %-60.60s %s" % (label, name, want, got, mark))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
