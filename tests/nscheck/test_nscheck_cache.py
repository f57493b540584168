"""nscheck's shared verdict cache (-c FILE) and the router's `nscache`
relation that reads it, against a real nsd (tests/dnsfix.py) and real TCP
Wrappers tables: definite verdicts are cached for the answers' TTL, the
relation answers only while the tables, resolver and daemon are the ones
nscheck used, "could not tell" is never cached, and the shipped policy
answers from the cache without asking DNS again."""
import os
import shutil
import smtplib
import subprocess
import tempfile
import time

from conftest import BIN, BUILD
from dnsfix import DnsServer, NoServer, closed_port
from smtpd import Smtpd

NSCHECK = os.path.join(BIN, "cks", "nscheck")
RELPROBE = os.path.join(BUILD, "tests", "relations", "relprobe")
SOA = "@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n"

ZONES = {
    "clean.test": SOA + "@ IN NS ns1\nns1 IN A 192.0.2.10\n",
    "badaddr.test": SOA + "@ IN NS ns1\nns1 IN A 198.51.100.7\n",
    # every record lives 1 s: the verdict too
    "short.test": "$TTL 1\n" + SOA + "@ IN NS ns1\nns1 IN A 192.0.2.11\n",
}


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def settle():
    # nscheck does not cache a verdict made with a table changed in the
    # clock tick its run began in (it cannot tell which version libwrap
    # read); wait one tick out after changing a table.
    time.sleep(0.05)


class Env:
    def __init__(self, d, dns_addr):
        self.d = d
        self.cache = os.path.join(d, "nscheck.lmdb")
        self.allow = os.path.join(d, "hosts.allow")
        self.deny = os.path.join(d, "hosts.deny")
        self.dns = dns_addr
        write(self.allow, "")
        write(self.deny, "smtpserver: 198.51.100.7\n")
        settle()

    def nscheck(self, domain, *extra, resolver=None):
        r = subprocess.run([NSCHECK, "-v", "-c", self.cache, "-a", self.allow,
                            "-D", self.deny, "-s", resolver or self.dns, "-t", "5",
                            *extra, domain],
                           capture_output=True, text=True, timeout=60)
        return r.returncode, r.stdout, r.stderr

    def lookup(self, *domains, resolver=None, daemon=None):
        env = dict(os.environ, TCPWRAP_ALLOW=self.allow, TCPWRAP_DENY=self.deny,
                   RESOLVER=resolver or self.dns)
        t = "nscache" + ("," + daemon if daemon else "")
        r = subprocess.run([RELPROBE, "-l", "-s", "0", "-t", t, "-f", self.cache,
                            "nsc", "--", *domains],
                           capture_output=True, text=True, timeout=60, env=env)
        assert r.returncode == 0, r.stderr
        out = {}
        for line in r.stdout.splitlines():
            k, st, text = line.split("\t", 2)
            out[k] = (int(st), text)
        return out, r.stderr


def test_definite_verdicts_cached_and_read(workdir):
    with DnsServer(ZONES) as dns:
        e = Env(workdir, dns.addr)
        out, _ = e.lookup("clean.test")                   # no file yet: a miss
        assert out == {"clean.test": (1, "")}
        assert e.nscheck("clean.test")[0] == 0
        rc, so, se = e.nscheck("badaddr.test")
        assert rc == 1 and so == "ns1.badaddr.test 198.51.100.7\n"
        assert "verdict cached for 300 s" in se
        assert e.nscheck("nx.clean.test")[0] == 3
        out, err = e.lookup("clean.test", "BADADDR.test", "nx.clean.test", "other.test")
        assert out == {"clean.test": (0, "0"),
                       "BADADDR.test": (0, "1 ns1.badaddr.test 198.51.100.7"),
                       "nx.clean.test": (0, "3"),
                       "other.test": (1, "")}, err
        # made with another resolver or for another daemon: not for us
        out, _ = e.lookup("clean.test", resolver="127.0.0.1:1")
        assert out == {"clean.test": (1, "")}
        out, _ = e.lookup("clean.test", daemon="sshd")
        assert out == {"clean.test": (1, "")}


def test_expiry_follows_the_ttl(workdir):
    with DnsServer(ZONES) as dns:
        e = Env(workdir, dns.addr)
        rc, _, se = e.nscheck("short.test")
        assert rc == 0 and "verdict cached for 1 s" in se, se
        # the record expires at most 1 s after it was written
        for _ in range(40):
            out, _ = e.lookup("short.test")
            if out["short.test"] == (1, ""):
                break
            assert out["short.test"] == (0, "0")
            time.sleep(0.1)
        assert out["short.test"] == (1, "")


def test_table_change_invalidates(workdir):
    with DnsServer(ZONES) as dns:
        e = Env(workdir, dns.addr)
        assert e.nscheck("clean.test")[0] == 0
        assert e.nscheck("badaddr.test")[0] == 1
        with open(e.deny, "a") as f:                      # edited in place
            f.write("smtpserver: 192.0.2.10\n")
        settle()
        out, _ = e.lookup("clean.test", "badaddr.test")
        assert out == {"clean.test": (1, ""), "badaddr.test": (1, "")}
        rc, so, _ = e.nscheck("clean.test")               # judged again
        assert rc == 1 and "192.0.2.10" in so
        assert e.lookup("clean.test")[0] == {"clean.test": (0, "1 ns1.clean.test 192.0.2.10")}
        write(e.deny + ".new", "smtpserver: 198.51.100.7\n")
        os.rename(e.deny + ".new", e.deny)                 # replaced with mv
        settle()
        assert e.lookup("clean.test")[0] == {"clean.test": (1, "")}
        assert e.nscheck("clean.test")[0] == 0
        write(e.allow, "smtpserver: 198.51.100.7\n")       # hosts.allow too
        settle()
        assert e.lookup("clean.test")[0] == {"clean.test": (1, "")}
        os.unlink(e.allow)                                 # and its removal
        assert e.nscheck("clean.test")[0] == 0
        assert e.lookup("clean.test")[0] == {"clean.test": (0, "0")}
        write(e.allow, "")
        assert e.lookup("clean.test")[0] == {"clean.test": (1, "")}


def test_table_changed_during_the_run_is_not_trusted(workdir):
    with DnsServer(ZONES) as dns:
        e = Env(workdir, dns.addr)
        # a modification time at or after the run's start (here: ahead)
        st = os.stat(e.deny)
        os.utime(e.deny, ns=(st.st_atime_ns, time.time_ns() + 10 ** 10))
        rc, _, se = e.nscheck("clean.test")
        assert rc == 0 and "not cached: a TCP Wrappers table cannot be read or changed" in se, se
        assert e.lookup("clean.test")[0] == {"clean.test": (1, "")}
        os.utime(e.deny, ns=(st.st_atime_ns, st.st_mtime_ns))
        rc, _, se = e.nscheck("clean.test")
        assert rc == 0 and "verdict cached" in se, se
        assert e.lookup("clean.test")[0] == {"clean.test": (0, "0")}


def test_could_not_tell_is_never_cached(workdir):
    with DnsServer(ZONES) as dns, NoServer() as dead:
        e = Env(workdir, dns.addr)
        assert e.nscheck("clean.test")[0] == 0              # the file exists now
        refused = "127.0.0.1:%d" % closed_port()
        rc, _, se = e.nscheck("badaddr.test", resolver=refused)
        assert rc == 2 and "not cached: not a definite verdict" in se, se
        out, _ = e.lookup("badaddr.test", resolver=refused)
        assert out == {"badaddr.test": (1, "")}
        # a run cut short by -t is not cached either
        rc, _, se = e.nscheck("badaddr.test", resolver=dead.addr)
        assert rc == 2 and "time limit reached" in se
        out, _ = e.lookup("badaddr.test", resolver=dead.addr)
        assert out == {"badaddr.test": (1, "")}


def test_unusable_cache_file_is_a_miss_not_a_failure(workdir):
    with DnsServer(ZONES) as dns:
        e = Env(workdir, dns.addr)
        write(e.cache, "not an LMDB file\n" * 500)
        out, err = e.lookup("clean.test")
        assert out == {"clean.test": (1, "")}
        assert "cache not used" in err
        os.chmod(e.cache, 0o666)                             # others could write it
        out, err = e.lookup("clean.test")
        assert out == {"clean.test": (1, "")}
        assert "writable by group/others" in err
        # nscheck still answers, whatever the cache
        os.chmod(e.cache, 0o644)
        assert e.nscheck("clean.test")[0] == 0


def test_policy_answers_from_the_cache(workdir):
    """The shipped policy: the first MAIL FROM runs nscheck and caches its
    refusal; with DNS gone, the next session still gets the 550 (from the
    cache), while an uncached domain gets 451; a hosts.deny edit makes it
    ask DNS again."""
    d = tempfile.mkdtemp(prefix="zmnscache-", dir="/tmp")
    srv = None
    try:
        os.chmod(d, 0o755)
        write(os.path.join(d, "hosts.allow"), "")
        write(os.path.join(d, "hosts.deny"), "smtpserver: 198.51.100.7\n")
        for f in ("hosts.allow", "hosts.deny"):
            os.chmod(os.path.join(d, f), 0o644)
        conf = ("PARAM tcpwrap-allow {d}/hosts.allow\nPARAM tcpwrap-deny {d}/hosts.deny\n"
                "PARAM MaxSameIpSource 0\n*   ftveh\n").format(d=d)
        with DnsServer(ZONES) as dns:
            srv = Smtpd(d, conf=conf, zconf=["RESOLVER=" + dns.addr, "NSCHECK_TIMEOUT=4"])
            # the client (127.1.0.9) is outside ournets: nscheck applies
            write(os.path.join(srv.sandbox, "var", "db", "relay", "ournets"), "127.0.0.0/24\n")

            def mail(sender):
                c = smtplib.SMTP("127.0.0.1", srv.port, source_address=("127.1.0.9", 0),
                                 timeout=30)
                try:
                    c.ehlo("mx.clean.test")
                    return c.docmd("MAIL FROM:<%s>" % sender)
                finally:
                    c.close()

            code, text = mail("u@badaddr.test")
            assert code == 550 and b"[nscheck]" in text, text
            assert mail("u@clean.test")[0] == 250
        # DNS is gone now: only cached verdicts can be given
        code, text = mail("u@badaddr.test")
        assert code == 550 and b"ns1.badaddr.test 198.51.100.7" in text, text
        assert mail("u@clean.test")[0] == 250
        assert mail("u@other.test")[0] == 451
        with open(os.path.join(d, "hosts.deny"), "a") as f:
            f.write("# edited\n")
        assert mail("u@badaddr.test")[0] == 451             # asked DNS again
    finally:
        if srv:
            srv.stop()
        shutil.rmtree(d, ignore_errors=True)
