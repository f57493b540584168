"""The shipped policy (cf/*.cf, db/relay) end to end, POLICY.md section 2.

The real smtpserver runs the real router with the shipped scripts; real
SMTP clients connect from addresses inside ournets (127.0.0.0/24) and
outside it (127.1.0.0/16); sender domains get real DNS data from nsd on a
loopback port (RESOLVER), and nscheck judges nameservers with the same
private TCP Wrappers tables the gate uses.
"""
import os
import shutil
import smtplib
import subprocess
import tempfile
import threading

import pytest

from conftest import BIN
from dnsfix import DnsServer, NoServer
from smtpd import Smtpd

INSIDE = "127.0.0.5"
OUTSIDE = "127.1.0.7"
URL = "https://policy.example/why"

ZONES = {
    "test": """
        @        IN SOA ns hostmaster 1 3600 600 86400 300
        @        IN NS  ns
        ns       IN A   192.0.2.1
    """,
    "clean.test": """
        @        IN SOA ns1 hostmaster 1 3600 600 86400 300
        @        IN NS  ns1
        ns1      IN A   192.0.2.10
        mx       IN A   192.0.2.11
    """,
    "bulk.test": """
        @        IN SOA ns1 hostmaster 1 3600 600 86400 300
        @        IN NS  ns1
        ns1      IN A   198.51.100.66
    """,
    "spamhost.test": """
        @        IN SOA ns.spamdns.test. hostmaster 1 3600 600 86400 300
        @        IN NS  ns.spamdns.test.
    """,
    "spamdns.test": """
        @        IN SOA ns hostmaster 1 3600 600 86400 300
        @        IN NS  ns
        ns       IN A   203.0.113.5
    """,
}

LISTS = {
    "ournets": "# test\n127.0.0.0/24\nnot-a-network\n::1/128\n",
    "ourdomains": "ours.test\n.ours.test\n",
    "badsenders": "bad@spam.test\n@bulkmail.test\n.evil.test\n",
    "badrcpts": "retired@here.test\n",
    "trapaddrs": "trap@here.test\n",
    "numeric-bad": "aol.test\n",
    "numeric-ok": "clean.test\n",
    "helo-exempt": "shortname\n",
}

CONF = """PARAM tcpwrap-allow {d}/hosts.allow
PARAM tcpwrap-deny {d}/hosts.deny
PARAM MaxSameIpSource 0
*   ftveh
"""


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)


@pytest.fixture(scope="module")
def dns():
    with DnsServer(ZONES) as d:
        yield d


def start_server(d, dns_addr):
    os.chmod(d, 0o755)
    write(os.path.join(d, "hosts.allow"), "")
    write(os.path.join(d, "hosts.deny"), "smtpserver: 198.51.100.66, .spamdns.test\n")
    srv = Smtpd(d, conf=CONF.format(d=d), options=["-L", "128"],
                zconf=["RESOLVER=" + dns_addr, "POLICYURL=" + URL, "NSCHECK_TIMEOUT=4"])
    var = os.path.join(srv.sandbox, "var", "db")
    for name, text in LISTS.items():
        write(os.path.join(var, "relay", name), text)
    write(os.path.join(var, "localnames"), "localhost\nhere.test\n")
    write(os.path.join(var, "aliases"), "postmaster: root\nalice: root,\n  bob@clean.test\n")
    srv.relay = os.path.join(var, "relay")
    return srv


@pytest.fixture(scope="module")
def srv(dns):
    d = tempfile.mkdtemp(prefix="zmpolicy-", dir="/tmp")
    s = start_server(d, dns.addr)
    try:
        yield s
    finally:
        s.stop()
        shutil.rmtree(d, ignore_errors=True)


def client(srv, src, helo="mx.clean.test"):
    c = smtplib.SMTP("127.0.0.1", srv.port, source_address=(src, 0), timeout=20)
    code, msg = c.ehlo(helo)
    assert code == 250, msg
    return c


def mail(srv, sender, src=OUTSIDE):
    c = client(srv, src)
    try:
        return c.docmd("MAIL FROM:<%s>" % sender)
    finally:
        c.close()


def rcpt(srv, rcpt_to, src=OUTSIDE, sender="someone@clean.test"):
    c = client(srv, src)
    try:
        code, msg = c.docmd("MAIL FROM:<%s>" % sender)
        assert code == 250, msg
        return c.docmd("RCPT TO:<%s>" % rcpt_to)
    finally:
        c.close()


def expect(reply, code, rule=None):
    got, text = reply[0], reply[1].decode(errors="replace")
    assert got == code, (got, text)
    if rule:
        assert "[%s]" % rule in text, text
        assert URL in text, text


# ---- HELO -----------------------------------------------------------------

def helo(srv, src, name):
    c = smtplib.SMTP("127.0.0.1", srv.port, source_address=(src, 0), timeout=20)
    try:
        r = c.docmd("HELO " + name)
        r2 = c.docmd("HELO mx.clean.test") if r[0] != 250 else None
        return r, r2
    finally:
        c.close()


def test_helo_must_be_fully_qualified(srv):
    r, again = helo(srv, OUTSIDE, "nodots")
    expect(r, 501, "helo-fqdn")
    expect(again, 250)          # the session waits for a good HELO
    # a numeric top label: smtpserver's own syntax check refuses it first
    assert helo(srv, OUTSIDE, "host.123")[0][0] == 501
    expect(helo(srv, OUTSIDE, "-bad.clean.test")[0], 501, "helo-fqdn")
    expect(helo(srv, OUTSIDE, "mx.clean.test")[0], 250)


def test_helo_literal_must_be_the_client(srv):
    expect(helo(srv, OUTSIDE, "[%s]" % OUTSIDE)[0], 250)
    expect(helo(srv, OUTSIDE, "[192.0.2.99]")[0], 501, "helo-fqdn")


def test_helo_forged_only_from_outside(srv):
    expect(helo(srv, OUTSIDE, "here.test")[0], 501, "helo-forged")
    expect(helo(srv, OUTSIDE, "a.ours.test")[0], 501, "helo-forged")
    expect(helo(srv, INSIDE, "here.test")[0], 250)


def test_helo_exempt(srv):
    expect(helo(srv, OUTSIDE, "shortname")[0], 250)


# ---- MAIL FROM ------------------------------------------------------------

def test_null_sender_always_accepted(srv):
    expect(mail(srv, ""), 250)


def test_sender_syntax(srv):
    expect(mail(srv, "user@-bad.test"), 553, "syntax")


def test_badsenders(srv):
    expect(mail(srv, "bad@spam.test"), 550, "badsender")
    expect(mail(srv, "BAD@Spam.Test"), 550, "badsender")
    expect(mail(srv, "anyone@bulkmail.test"), 550, "badsender")
    expect(mail(srv, "x@deep.evil.test"), 550, "badsender")
    # inside ournets too: the list is for everyone
    expect(mail(srv, "bad@spam.test", src=INSIDE), 550, "badsender")


def test_numeric_user_names(srv):
    expect(mail(srv, "12345@aol.test"), 550, "numeric")
    expect(mail(srv, "12345@bulk.test"), 454, "numeric")
    expect(mail(srv, "12345@clean.test"), 250)
    expect(mail(srv, "12345@aol.test", src=INSIDE), 250)


def test_forged_local_sender(srv):
    expect(mail(srv, "me@here.test"), 550, "forged-local")
    expect(mail(srv, "me@ours.test"), 550, "forged-local")
    expect(mail(srv, "me@here.test", src=INSIDE), 250)


def test_nscheck_shunned_nameservers(srv):
    expect(mail(srv, "u@bulk.test"), 550, "nscheck")         # by address
    expect(mail(srv, "u@spamhost.test"), 550, "nscheck")     # by name
    expect(mail(srv, "u@clean.test"), 250)
    expect(mail(srv, "u@mx.clean.test"), 250)                # host under a zone
    expect(mail(srv, "u@bulk.test", src=INSIDE), 250)        # ournets exempt


def test_nodomain(srv):
    expect(mail(srv, "u@nx.test"), 450, "nodomain")


def test_dns_failure_is_temporary(dns):
    d = tempfile.mkdtemp(prefix="zmpolicy-", dir="/tmp")
    with NoServer() as dead:
        s = start_server(d, dead.addr)
        try:
            expect(mail(s, "u@clean.test"), 451, "dns")
            assert "rule=dns" in s.log()
        finally:
            s.stop()
            shutil.rmtree(d, ignore_errors=True)


# ---- RCPT TO --------------------------------------------------------------

def test_recipient_syntax(srv):
    expect(rcpt(srv, "user@bad-.here.test"), 553, "syntax")


def test_badrcpts(srv):
    expect(rcpt(srv, "retired@here.test"), 550, "badrcpt")


def test_relaying(srv):
    expect(rcpt(srv, "x@elsewhere.test"), 550, "relay")
    expect(rcpt(srv, "x@elsewhere.test", src=INSIDE), 250)
    expect(rcpt(srv, "x@ours.test"), 250)
    expect(rcpt(srv, "x@sub.ours.test"), 250)
    expect(rcpt(srv, "a%b@here.test"), 550, "relay-trick")
    expect(rcpt(srv, "a!b@here.test"), 550, "relay-trick")


def test_local_users(srv):
    expect(rcpt(srv, "nosuchuser@here.test"), 550, "nouser")
    expect(rcpt(srv, "alice@here.test"), 250)
    expect(rcpt(srv, "Alice+lists@HERE.test"), 250)
    expect(rcpt(srv, "root@here.test"), 250)          # an account
    expect(rcpt(srv, "abuse@here.test"), 250)
    expect(rcpt(srv, "postmaster@here.test"), 250)


def test_unreadable_list_defers(srv):
    path = os.path.join(srv.relay, "badrcpts")
    os.chmod(path, 0)
    try:
        expect(rcpt(srv, "anyone@here.test"), 451, "lookup")
    finally:
        os.chmod(path, 0o644)
    expect(rcpt(srv, "alice@here.test"), 250)


def test_list_edit_takes_effect_without_restart(srv):
    expect(mail(srv, "new@clean.test"), 250)
    path = os.path.join(srv.relay, "badsenders")
    tmp = path + ".new"
    write(tmp, LISTS["badsenders"] + "new@clean.test\n")
    os.rename(tmp, path)                               # mv replacement
    try:
        expect(mail(srv, "new@clean.test"), 550, "badsender")
        with open(path, "a") as f:                     # in-place edit
            f.write("other@clean.test\n")
        expect(mail(srv, "other@clean.test"), 550, "badsender")
    finally:
        write(path, LISTS["badsenders"])


def test_list_index_used_and_edit_without_rebuild(srv):
    """badsenders.lmdb (relmkdb) is used while it matches the list; an mv
    of a new list without relmkdb takes effect at the next session."""
    path = os.path.join(srv.relay, "badsenders")
    write(path, LISTS["badsenders"] + "idx@clean.test\n")
    r = subprocess.run([os.path.join(BIN, "relmkdb"), path], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    try:
        # same size, inode and mtime: only the index still has idx@
        st = os.stat(path)
        write(path, LISTS["badsenders"] + "xdi@clean.test\n")
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        expect(mail(srv, "idx@clean.test"), 550, "badsender")
        expect(mail(srv, "xdi@clean.test"), 250)
        expect(mail(srv, "x@deep.evil.test"), 550, "badsender")   # -d via the index
        assert "index not used" not in srv.log()
        tmp = path + ".new"
        write(tmp, LISTS["badsenders"] + "mvd@clean.test\n")
        os.rename(tmp, path)                           # no relmkdb
        expect(mail(srv, "mvd@clean.test"), 550, "badsender")
        expect(mail(srv, "idx@clean.test"), 250)
        assert "badsenders.lmdb: stale" in srv.wait_log("index not used")
    finally:
        os.unlink(path + ".lmdb")
        write(path, LISTS["badsenders"])


def test_malformed_list_line_logged_rest_works(srv):
    expect(rcpt(srv, "x@elsewhere.test", src=INSIDE), 250)   # 127.0.0.0/24 works
    assert "ournets:3" in srv.log()


def test_verify_and_expand(srv):
    c = client(srv, INSIDE)
    try:
        code, text = c.docmd("VRFY alice")
        assert code == 250 and b"alice@" in text
        assert c.docmd("VRFY nosuchuser@here.test")[0] == 550
        assert c.docmd("VRFY someone@elsewhere.test")[0] == 252
        code, text = c.docmd("EXPN alice")
        assert code == 250 and b"<root>" in text and b"<bob@clean.test>" in text
    finally:
        c.close()


# ---- flushots -------------------------------------------------------------

def flushot(srv, *args):
    return subprocess.run([os.path.join(BIN, "flushot"), "-f",
                           os.path.join(srv.relay, "flushots"), *args],
                          capture_output=True, text=True, timeout=30)


def trap_records(srv):
    with open(os.path.join(srv.relay, "flushots")) as f:
        return [l for l in f.read().splitlines() if l and not l.startswith("#")]


def test_trap_hit_holds_the_origin(srv):
    c = client(srv, OUTSIDE)
    try:
        expect(c.docmd("MAIL FROM:<spammer1@clean.test>"), 250)
        expect(c.docmd("RCPT TO:<trap@here.test>"), 454, "flushot-trap")
        # the next command of the same session already sees it
        expect(c.docmd("RCPT TO:<alice@here.test>"), 454, "flushot")
    finally:
        c.close()
    rec = [r for r in trap_records(srv) if r.startswith("spammer1@clean.test\t")]
    assert len(rec) == 1
    f = rec[0].split("\t")
    assert f[2] == "[%s]" % OUTSIDE and f[3] == "mx.clean.test" and f[4] == "trap@here.test"
    expect(mail(srv, "spammer1@clean.test"), 454, "flushot")
    expect(mail(srv, "Spammer1@CLEAN.test", src=INSIDE), 454, "flushot")
    assert flushot(srv, "clear", "spammer1@clean.test").returncode == 0
    expect(mail(srv, "spammer1@clean.test"), 250)


def test_null_sender_trap_hit_logged_only(srv):
    before = len(trap_records(srv))
    c = client(srv, OUTSIDE)
    try:
        expect(c.docmd("MAIL FROM:<>"), 250)
        expect(c.docmd("RCPT TO:<trap@here.test>"), 454, "flushot-trap")
    finally:
        c.close()
    assert len(trap_records(srv)) == before


def test_concurrent_trap_hits_are_intact(srv):
    n = 50
    errors = []

    def hit(i):
        try:
            c = smtplib.SMTP("127.0.0.1", srv.port, source_address=("127.1.1.%d" % (i + 1), 0),
                             timeout=60)
            c.ehlo("mx.clean.test")
            r = c.docmd("MAIL FROM:<c%d@clean.test>" % i)
            if r[0] != 250:
                errors.append(r)
            r = c.docmd("RCPT TO:<trap@here.test>")
            if r[0] != 454:
                errors.append(r)
            c.close()
        except Exception as e:   # noqa: BLE001 - reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=hit, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[:3]
    recs = [r for r in trap_records(srv) if r.startswith("c")]
    assert sorted(r.split("\t")[0] for r in recs) == sorted("c%d@clean.test" % i for i in range(n))
    assert all(len(r.split("\t")) == 5 for r in recs)


def test_rejections_are_logged_with_rule(srv):
    expect(mail(srv, "bad@spam.test"), 550, "badsender")
    log = srv.wait_log("rule=badsender")
    lines = [l for l in log.splitlines() if "rule=badsender" in l]
    assert any("code=550" in l and "client=" in l for l in lines), lines[-3:]


def test_flushot_clear_while_sessions_hit_traps(srv):
    """`flushot clear` rewrites the file while sessions append: none lost."""
    n = 30
    errors = []

    def hit(i):
        try:
            c = smtplib.SMTP("127.0.0.1", srv.port, source_address=("127.1.2.%d" % (i + 1), 0),
                             timeout=60)
            c.ehlo("mx.clean.test")
            c.docmd("MAIL FROM:<k%d@clean.test>" % i)
            r = c.docmd("RCPT TO:<trap@here.test>")
            if r[0] != 454:
                errors.append(r)
            c.close()
        except Exception as e:   # noqa: BLE001 - reported below
            errors.append(repr(e))

    assert flushot(srv, "add", "victim@clean.test", "[127.1.2.200]", "-", "trap@here.test").returncode == 0
    threads = [threading.Thread(target=hit, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for _ in range(5):
        flushot(srv, "clear", "victim@clean.test")
        flushot(srv, "add", "victim@clean.test", "[127.1.2.200]", "-", "trap@here.test")
    assert flushot(srv, "clear", "victim@clean.test").returncode == 0
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[:3]
    origins = [r.split("\t")[0] for r in trap_records(srv)]
    assert sorted(o for o in origins if o.startswith("k")) == sorted("k%d@clean.test" % i for i in range(n))
    assert "victim@clean.test" not in origins
    # every trapped origin is held through the index too
    expect(mail(srv, "k7@clean.test"), 454, "flushot")
