"""End-to-end tests of cks/nscheck against a real nsd on a loopback port
(tests/dnsfix.py) and real TCP Wrappers tables in a private directory.

The zones (all under .test; the addresses are documentation ranges and
need not be reachable, only judged):

  clean.test      ns1.clean.test 192.0.2.10 + 2001:db8::10 (glue), www host
  badaddr.test    ns1.badaddr.test 198.51.100.7   -> shunned by address
  bulk.test       ns1/ns2.spamdns.test (no glue)  -> shunned by name
  spamdns.test    the spammer's DNS zone; ghost.spamdns.test has no address
  v6only.test     ns1 AAAA 2001:db8:bad::53 only  -> shunned by IPv6 address
  v6clean.test    ns1 AAAA 2001:db8:1::53 only    -> allowed
  noaddr.test     ns1.noaddr.test without any address -> judged by name, allowed
  ghost.test      NS ghost.spamdns.test (no address) -> refused by name
  mixed.test      ns1.clean.test + ns.elsewhere.example (nsd refuses: lookup fails)
  mixedbad.test   ns1.badaddr.test + ns.elsewhere.example
  huge.test       40 nameservers with long names and glue (answer > 512 octets:
                  TCP), the last one shunned
  toomany.test    70 nameservers (over NSC_NS_MAX)
  optrej.test / twist.test / spawn.test: rules with options
  lh.test         NS localhost (name rule that tcpdmatch can resolve too)
"""
import os
import re
import subprocess
import time

import pytest

from conftest import BIN
from dnsfix import DnsServer, NoServer, closed_port

NSCHECK = os.path.join(BIN, "cks", "nscheck")
SOA = "@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n"


def _huge(n, bad_last):
    lines = [SOA]
    for i in range(n):
        name = "ns%02d-a-rather-long-nameserver-label-to-fill-the-answer" % i
        lines.append("@ IN NS %s\n" % name)
        addr = "198.51.100.%d" % (200 + i % 50) if (bad_last and i == n - 1) else "192.0.2.%d" % (100 + i % 100)
        lines.append("%s IN A %s\n" % (name, addr))
    return "".join(lines)


def _flat(text):
    """Zone text with each line's indentation removed (every line here
    names its owner)."""
    return "".join(line.strip() + "\n" for line in text.splitlines() if line.strip())


ZONES = {
    "clean.test": SOA + """
        @    IN NS ns1
        ns1  IN A 192.0.2.10
        ns1  IN AAAA 2001:db8::10
        www  IN A 192.0.2.80
        a.b  IN A 192.0.2.81
    """,
    "badaddr.test": SOA + """
        @    IN NS ns1
        ns1  IN A 198.51.100.7
    """,
    "spamdns.test": SOA + """
        @    IN NS ns1
        ns1  IN A 192.0.2.53
        ns2  IN A 192.0.2.54
        ns2  IN AAAA 2001:db8::54
    """,
    "bulk.test": SOA.replace("ns1", "ns1.spamdns.test.") + """
        @    IN NS ns1.spamdns.test.
        @    IN NS ns2.spamdns.test.
    """,
    "v6only.test": SOA + """
        @    IN NS ns1
        ns1  IN AAAA 2001:db8:bad::53
    """,
    "v6clean.test": SOA + """
        @    IN NS ns1
        ns1  IN AAAA 2001:db8:1::53
    """,
    "noaddr.test": SOA + """
        @    IN NS ns1
    """,
    "ghost.test": SOA.replace("ns1", "ghost.spamdns.test.") + """
        @    IN NS ghost.spamdns.test.
    """,
    "mixed.test": SOA.replace("ns1", "ns1.clean.test.") + """
        @    IN NS ns1.clean.test.
        @    IN NS ns.elsewhere.example.
    """,
    "mixedbad.test": SOA.replace("ns1", "ns1.badaddr.test.") + """
        @    IN NS ns1.badaddr.test.
        @    IN NS ns.elsewhere.example.
    """,
    "huge.test": _huge(40, bad_last=True),
    "toomany.test": _huge(70, bad_last=False),
    "optrej.test": SOA + "@ IN NS ns1\nns1 IN A 192.0.2.99\n",
    "twist.test": SOA + "@ IN NS ns1\nns1 IN A 192.0.2.98\n",
    "spawn.test": SOA + "@ IN NS ns1\nns1 IN A 192.0.2.97\n",
    "lh.test": SOA.replace("ns1", "localhost.") + "@ IN NS localhost.\n",
    # A nameserver name of 130 characters: too long for libwrap to judge.
    "longname.test": SOA + "@ IN NS %s\n%s IN A 192.0.2.77\n" % (("x" * 60 + "." + "y" * 54,) * 2),
    "localhost": SOA.replace("ns1", "@") + "@ IN NS @\n@ IN A 127.0.0.1\n",
}
ZONES = {zone: _flat(text) for zone, text in ZONES.items()}

ALLOW = """\
# nscheck test tables
smtpserver: 192.0.2.99 : setenv OPTREJECT perm
smtpserver: 192.0.2.98 : twist /bin/echo 554 go away
"""
DENY = """\
smtpserver: 198.51.100.0/24, [2001:db8:bad::]/48, .spamdns.test, localhost
smtpserver: 192.0.2.97 : spawn /usr/bin/touch {marker}
otherd: 192.0.2.10
"""


@pytest.fixture(scope="module")
def dns():
    with DnsServer(ZONES) as d:
        yield d


@pytest.fixture
def tables(workdir):
    marker = os.path.join(workdir, "spawned")
    allow = os.path.join(workdir, "hosts.allow")
    deny = os.path.join(workdir, "hosts.deny")
    with open(allow, "w") as f:
        f.write(ALLOW)
    with open(deny, "w") as f:
        f.write(DENY.format(marker=marker))
    return {"dir": workdir, "allow": allow, "deny": deny, "marker": marker}


def run(args, env=None, timeout=30):
    e = {"PATH": "/usr/bin:/bin"}
    if env:
        e.update(env)
    t0 = time.monotonic()
    r = subprocess.run([NSCHECK] + args, capture_output=True, text=True,
                       timeout=timeout, env=e)
    r.elapsed = time.monotonic() - t0
    return r


def check(dns, tables, domain, *extra, t=10):
    return run(["-v", "-s", dns.addr, "-a", tables["allow"], "-D", tables["deny"],
                "-t", str(t)] + list(extra) + [domain])


def verdicts(stderr):
    """{(name, addr): verdict} from the -v trace."""
    out = {}
    for m in re.finditer(r"^nscheck: (\S+) (\S+) [^:]+: (allowed|refused.*|cannot tell.*)$",
                         stderr, re.M):
        out[(m.group(1), m.group(2))] = m.group(3)
    return out


def test_fixture_serves_the_zones(dns):
    assert dns.query("ns1.badaddr.test") == ("NOERROR", ["198.51.100.7"])
    assert dns.query("ns1.v6only.test", "AAAA") == ("NOERROR", ["2001:db8:bad::53"])


def test_clean_domain(dns, tables):
    r = check(dns, tables, "clean.test")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    v = verdicts(r.stderr)
    assert v == {("ns1.clean.test", "192.0.2.10"): "allowed",
                 ("ns1.clean.test", "2001:db8::10"): "allowed"}, r.stderr
    assert "ns1.clean.test 192.0.2.10 glue" in r.stderr


def test_nameserver_address_shunned(dns, tables):
    r = check(dns, tables, "badaddr.test")
    assert r.returncode == 1, r.stderr
    assert r.stdout == "ns1.badaddr.test 198.51.100.7\n"


def test_nameserver_name_shunned(dns, tables):
    r = check(dns, tables, "bulk.test")
    assert r.returncode == 1, r.stderr
    assert sorted(r.stdout.splitlines()) == [
        "ns1.spamdns.test 192.0.2.53", "ns2.spamdns.test 192.0.2.54",
        "ns2.spamdns.test 2001:db8::54"]
    # No glue for out-of-zone names: the addresses came from questions.
    assert "ns1.spamdns.test 192.0.2.53 A:" in r.stderr


def test_host_under_clean_zone_walks_up(dns, tables):
    for name in ("www.clean.test", "a.b.clean.test", "WWW.Clean.Test."):
        r = check(dns, tables, name)
        assert r.returncode == 0, r.stderr
        assert "zone clean.test" in r.stderr
        assert ("ns1.clean.test", "192.0.2.10") in verdicts(r.stderr)


def test_host_under_shunned_zone_walks_up(dns, tables):
    r = check(dns, tables, "ns1.badaddr.test")
    assert r.returncode == 1, r.stderr
    assert r.stdout == "ns1.badaddr.test 198.51.100.7\n"


def test_aaaa_only_nameserver(dns, tables):
    r = check(dns, tables, "v6only.test")
    assert r.returncode == 1, r.stderr
    assert r.stdout == "ns1.v6only.test 2001:db8:bad::53\n"
    r = check(dns, tables, "v6clean.test")
    assert r.returncode == 0, r.stderr
    assert verdicts(r.stderr) == {("ns1.v6clean.test", "2001:db8:1::53"): "allowed"}


def test_nameserver_without_address_judged_by_name(dns, tables):
    r = check(dns, tables, "noaddr.test")
    assert r.returncode == 0, r.stderr
    assert verdicts(r.stderr) == {("ns1.noaddr.test", "unknown"): "allowed"}
    r = check(dns, tables, "ghost.test")
    assert r.returncode == 1, r.stderr
    assert r.stdout == "ghost.spamdns.test unknown\n"


def test_nxdomain(dns, tables):
    r = check(dns, tables, "nonexistent.clean.test")
    assert r.returncode == 3, r.stderr
    assert r.stdout == ""
    assert "no such domain" in r.stderr


def test_failed_lookup_is_could_not_tell_unless_refused(dns, tables):
    r = check(dns, tables, "mixed.test")
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    assert "ns.elsewhere.example" in r.stderr
    r = check(dns, tables, "mixedbad.test")
    assert r.returncode == 1, r.stderr
    assert r.stdout == "ns1.badaddr.test 198.51.100.7\n"


def test_huge_answer_over_tcp(dns, tables):
    r = check(dns, tables, "huge.test")
    assert r.returncode == 1, r.stderr
    assert "40 nameservers" in r.stderr
    assert r.stdout == "ns39-a-rather-long-nameserver-label-to-fill-the-answer.huge.test 198.51.100.239\n"
    assert len(verdicts(r.stderr)) == 40


def test_too_many_nameservers_is_could_not_tell(dns, tables):
    r = check(dns, tables, "toomany.test")
    assert r.returncode == 2, r.stderr
    assert "over 64 nameservers" in r.stderr


def test_rule_options(dns, tables):
    r = check(dns, tables, "optrej.test")
    assert r.returncode == 1, r.stderr
    assert "OPTREJECT=perm" in r.stderr
    r = check(dns, tables, "twist.test")
    assert r.returncode == 1, r.stderr
    assert "twist" in r.stderr
    assert "554 go away" not in r.stdout
    r = check(dns, tables, "spawn.test")
    assert r.returncode == 1, r.stderr
    assert not os.path.exists(tables["marker"]), "spawn ran"


def test_daemon_name(dns, tables):
    assert check(dns, tables, "clean.test").returncode == 0
    r = check(dns, tables, "clean.test", "-d", "otherd")
    assert r.returncode == 1, r.stderr
    assert r.stdout == "ns1.clean.test 192.0.2.10\n"


def test_environment_tables_and_resolver(dns, tables):
    env = {"RESOLVER": dns.addr, "TCPWRAP_ALLOW": tables["allow"],
           "TCPWRAP_DENY": tables["deny"]}
    r = run(["badaddr.test"], env=env)
    assert r.returncode == 1, r.stderr
    assert r.stdout == "ns1.badaddr.test 198.51.100.7\n"
    r = run(["clean.test"], env=env)
    assert r.returncode == 0, r.stderr
    # -a/-D win over the environment: empty tables allow everything.
    empty = os.path.join(tables["dir"], "empty")
    open(empty, "w").close()
    r = run(["-a", empty, "-D", empty, "badaddr.test"], env=env)
    assert r.returncode == 0, r.stderr
    # -s wins over RESOLVER.
    with NoServer() as dead:
        r = run(["-s", dns.addr, "-t", "3", "badaddr.test"],
                env=dict(env, RESOLVER=dead.addr))
        assert r.returncode == 1, r.stderr


def test_silent_server_times_out_within_t(tables):
    with NoServer() as dead:
        r = run(["-s", dead.addr, "-a", tables["allow"], "-D", tables["deny"],
                 "-t", "2", "clean.test"])
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    assert 1.5 <= r.elapsed < 3.5, r.elapsed


def test_closed_port_is_could_not_tell(tables):
    r = run(["-s", "127.0.0.1:%d" % closed_port(), "-a", tables["allow"],
             "-D", tables["deny"], "-t", "3", "clean.test"])
    assert r.returncode == 2, r.stderr
    assert r.elapsed < 4


def test_usage_and_bad_input(tables):
    assert run([]).returncode == 64
    assert run(["a.test", "b.test"]).returncode == 64
    assert run(["-t", "0", "a.test"]).returncode == 64
    assert run(["-t", "x", "a.test"]).returncode == 64
    assert run(["-s", "not-an-ip", "a.test"]).returncode == 64
    assert run(["-q", "a.test"]).returncode == 64
    for bad in ("foo..test", "-", "a b.test", "x" * 64 + ".test", "[192.0.2.1]", "a@b.test"):
        r = run(["-s", "127.0.0.1:9", "-t", "1", "--", bad])
        assert r.returncode == 3, (bad, r.returncode, r.stderr)
    r = run(["-D", "/etc/passwd/x", "clean.test"])
    assert r.returncode == 2 and "hosts.deny" in r.stderr


def _tcpdmatch(d, client):
    r = subprocess.run(["tcpdmatch", "-d", "smtpserver", client], cwd=d,
                       capture_output=True, text=True, timeout=30)
    m = re.search(r"^access:\s+(\w+)", r.stdout, re.M)
    assert m, r.stdout + r.stderr
    return m.group(1)


def test_tcpdmatch_agrees(dns, tables):
    """tcpdmatch, given the same tables, agrees with every verdict nscheck
    reached by address (name rules cannot match: tcpdmatch sees no name
    for these documentation addresses) and by name where tcpdmatch can
    resolve the name itself (localhost)."""
    seen = 0
    for domain in ("clean.test", "badaddr.test", "v6only.test", "v6clean.test"):
        r = check(dns, tables, domain)
        for (name, addr), verdict in verdicts(r.stderr).items():
            want = "denied" if verdict.startswith("refused") else "granted"
            assert _tcpdmatch(tables["dir"], addr) == want, (domain, name, addr, verdict)
            seen += 1
    assert seen == 5
    r = check(dns, tables, "lh.test")
    assert r.returncode == 1, r.stderr
    assert r.stdout == "localhost 127.0.0.1\n"
    assert _tcpdmatch(tables["dir"], "localhost") == "denied"


def test_nameserver_name_too_long_for_libwrap(dns, tables):
    r = check(dns, tables, "longname.test")
    name = "x" * 60 + "." + "y" * 54 + ".longname.test"
    assert len(name) == 129
    assert r.returncode == 2, r.stderr
    assert "%s 192.0.2.77 glue: cannot tell (name too long for libwrap)" % name in r.stderr


def test_resolver_over_ipv6_loopback(tables):
    with DnsServer({"badaddr.test": ZONES["badaddr.test"]}, host="::1") as d6:
        assert d6.addr.startswith("[::1]:")
        r = run(["-s", d6.addr, "-a", tables["allow"], "-D", tables["deny"], "badaddr.test"])
        assert r.returncode == 1, r.stderr
        assert r.stdout == "ns1.badaddr.test 198.51.100.7\n"
        r = run(["-a", tables["allow"], "-D", tables["deny"], "badaddr.test"],
                env={"RESOLVER": d6.addr})
        assert r.returncode == 1, r.stderr
