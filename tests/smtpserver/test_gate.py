"""The connection gate (DESIGN 3, 5; issue 3): TCP Wrappers with private
tables, OPTREJECT/OPTMSG, twist/spawn/setenv, tcpdmatch agreement, -m/-M,
-L and MaxSameIpSource.  Clients use source addresses in 127.0.0.0/8 to
play different hosts."""
import glob
import json
import os
import re
import socket
import subprocess
import time

import pytest

from smtphelp import DOUBLE, Raw, Smtpd, double_conf
import smtpd as smtpd_helper

ALLOW = r"""# test hosts.allow
smtpserver: 127.0.0.10 : setenv OPTREJECT temp : setenv OPTMSG see https\://example.org/why : deny
smtpserver: 127.0.0.11 : setenv OPTREJECT none : deny
smtpserver: 127.0.0.12 : setenv OPTMSG blocked for spam, see https\://example.org/12 : deny
smtpserver: 127.0.0.13 : setenv OPTREJECT perm : setenv OPTMSG on the watch list : allow
smtpserver: 127.0.0.14 : twist /bin/echo 554 twisted for %a
smtpserver: 127.0.0.15 : setenv SITEVAR hello-15 : setenv OPTMSG m15 : allow
smtpserver: 127.0.0.16 : setenv OPTREJECT temp : allow
smtpserver: 127.0.0.18 : spawn (/bin/echo spawned %a %d > %s) : allow
smtpserver: 127.0.0.21 : banners %b : allow
"""
DENY = """# test hosts.deny
smtpserver: 127.0.0.17
"""


def tables(workdir):
    t = os.path.join(workdir, "tables")
    os.makedirs(t, exist_ok=True)
    os.chmod(t, 0o755)
    spawned = os.path.join(workdir, "spawned.txt")
    banners = os.path.join(workdir, "banners")
    os.makedirs(banners, exist_ok=True)
    os.chmod(banners, 0o755)
    with open(os.path.join(banners, "smtpserver"), "w") as f:
        f.write("220-banner for %a\n")
    os.chmod(os.path.join(banners, "smtpserver"), 0o644)
    for name, text in (("hosts.allow", ALLOW.replace("%s", spawned).replace("%b", banners)),
                       ("hosts.deny", DENY)):
        with open(os.path.join(t, name), "w") as f:
            f.write(text)
        os.chmod(os.path.join(t, name), 0o644)
    os.chmod(workdir, 0o777)
    return t


def gate_conf(t, flags="-", extra=""):
    return ("PARAM tcpwrap-allow %s/hosts.allow\nPARAM tcpwrap-deny %s/hosts.deny\n"
            "%s127.0.0.1 -\n*  %s\n" % (t, t, extra, flags))


@pytest.fixture
def gated(workdir):
    t = tables(workdir)
    with Smtpd(workdir, conf=gate_conf(t)) as d:
        d.tables = t
        yield d


def test_rejected_perm_554_until_quit(gated):
    r = Raw(gated.port, "127.0.0.12")
    c, lines = r.reply()
    assert c == 554 and lines[0].startswith("554 5.7.1")
    assert "blocked for spam, see https://example.org/12" in lines[0]
    for cmd in ("EHLO c.example", "MAIL FROM:<a@x.example>", "NOOP"):
        c, lines = r.cmd(cmd)
        assert c == 554 and "blocked for spam" in lines[0]
    assert r.cmd("QUIT")[0] == 221
    assert r.closed()
    assert "client=[127.0.0.12] gate=libwrap decision=deny optreject=unset" in gated.log()


def test_rejected_perm_short_timeout(workdir):
    t = tables(workdir)
    with Smtpd(workdir, conf=gate_conf(t, extra="PARAM reject-timeout 1\n")) as d:
        r = Raw(d.port, "127.0.0.12")
        assert r.reply()[0] == 554
        t0 = time.monotonic()
        assert r.closed(timeout=5)
        assert time.monotonic() - t0 < 4


def test_rejected_temp_421(gated):
    r = Raw(gated.port, "127.0.0.10")
    c, lines = r.reply()
    assert c == 421 and lines[0].startswith("421 4.7.1")
    assert lines[0].endswith("see https://example.org/why")
    assert r.closed()


def test_rejected_none_closed_without_a_word(gated):
    r = Raw(gated.port, "127.0.0.11")
    r.s.settimeout(5)
    assert r.s.recv(100) == b""
    assert "client=[127.0.0.11] gate=libwrap decision=deny optreject=none" in gated.log()


def test_hosts_deny_table(gated):
    r = Raw(gated.port, "127.0.0.17")
    assert r.reply()[0] == 554
    r = Raw(gated.port, "127.0.0.19")
    assert r.reply()[0] == 220


def test_accepted_with_optreject_delays_refusal(gated):
    r = Raw(gated.port, "127.0.0.13")
    assert r.reply()[0] == 220
    r.expect("EHLO watched.example", 250)
    lines = r.expect("MAIL FROM:<spammer@x.example>", 550)
    assert lines[0] == "550 5.7.1 mail from your host refused on the watch list"
    r.expect("RCPT TO:<b@y.example>", 503)
    log = gated.log()
    assert ('client=[127.0.0.13] helo="watched.example" cmd=MAIL '
            'from=<spammer@x.example> result=reject code=550 rule=optreject') in log
    r = Raw(gated.port, "127.0.0.16")
    assert r.reply()[0] == 220
    r.expect("HELO w.example", 250)
    assert r.expect("MAIL FROM:<a@x.example>", 450)[0].startswith("450 4.7.1")


def test_twist_client_reads_command_output(gated):
    r = Raw(gated.port, "127.0.0.14")
    data = b""
    r.s.settimeout(5)
    for _ in range(10):
        chunk = r.s.recv(4096)
        if not chunk:
            break
        data += chunk
    assert data == b"554 twisted for 127.0.0.14\n"
    # the session child became the command: no session was logged
    assert "client=[127.0.0.14] gate=" not in gated.log()


def test_spawn_runs_and_session_goes_on(gated):
    r = Raw(gated.port, "127.0.0.18")
    assert r.reply()[0] == 220
    path = os.path.join(os.path.dirname(gated.tables), "spawned.txt")
    for _ in range(50):
        if os.path.exists(path) and os.path.getsize(path):
            break
        time.sleep(0.1)
    assert open(path).read().strip() == "spawned 127.0.0.18 smtpserver"


def test_banners_before_the_greeting(gated):
    r = Raw(gated.port, "127.0.0.21")
    c, lines = r.reply()
    assert c == 220 and lines[0] == "220-banner for 127.0.0.21", lines
    assert lines[1].startswith("220 ")
    r.expect("EHLO c.example", 250)


def test_setenv_values_reach_the_router(workdir):
    t = tables(workdir)
    path, log = double_conf(workdir)
    with Smtpd(workdir, conf=gate_conf(t, flags="f"), router=DOUBLE,
               env={"ROUTER_DOUBLE": path}) as d:
        r = Raw(d.port, "127.0.0.15")
        assert r.reply()[0] == 220
        r.expect("EHLO c.example", 250)
        r.expect("MAIL FROM:<a@x.example>", 250)
        r.expect("QUIT", 221)
        d.wait_log("reason=quit")
    files = glob.glob(os.path.join(workdir, "routerenv.*.json"))
    assert len(files) == 1
    env = json.load(open(files[0]))["env"]
    assert env["SITEVAR"] == "hello-15"
    assert env["OPTMSG"] == "m15"
    assert env["TCPWRAP_ALLOW"] == t + "/hosts.allow"
    assert env["TCPWRAP_DENY"] == t + "/hosts.deny"


def test_tcpdmatch_predicts_every_decision(gated):
    for last in (10, 11, 12, 13, 15, 16, 17, 19):
        ip = "127.0.0.%d" % last
        out = subprocess.run(["tcpdmatch", "-d", "smtpserver", ip], cwd=gated.tables,
                             capture_output=True, text=True, timeout=60).stdout
        m = re.search(r"access:\s+(granted|denied)", out)
        assert m, out
        r = Raw(gated.port, ip)
        r.s.settimeout(5)
        try:
            first = r.s.recv(4096)
        except ConnectionResetError:
            first = b""
        r.close()
        ours = "allow" if first.startswith(b"220") else "deny"
        want = "allow" if m.group(1) == "granted" else "deny"
        assert ours == want, (ip, out, first)
        gated.wait_log("client=[%s] gate=libwrap decision=%s" % (ip, want))


def test_tcpwrap_off(workdir):
    t = tables(workdir)
    with Smtpd(workdir, conf=gate_conf(t, extra="PARAM tcpwrap off\n")) as d:
        r = Raw(d.port, "127.0.0.12")
        assert r.reply()[0] == 220
        assert "gate=off" in d.log()


def test_test_mode_runs_the_gate(workdir):
    t = tables(workdir)
    d = Smtpd(workdir, conf=gate_conf(t), start=False)
    zc = smtpd_helper.mksandbox(d.sandbox)
    d.write_conf(gate_conf(t))
    for ip, decision, code in (("127.0.0.10", "deny", "421"),
                               ("127.0.0.19", "allow", "220")):
        r = subprocess.run([smtpd_helper.SMTPSERVER, "-i", "-g", "-Z", zc,
                            "-T", "[%s]" % ip], input=b"QUIT\r\n",
                           capture_output=True, timeout=30)
        err = r.stderr.decode()
        assert "decision=%s" % decision in err, err
        assert r.stdout.decode().startswith(code)
    assert "OPTREJECT=temp" in subprocess.run(
        [smtpd_helper.SMTPSERVER, "-i", "-g", "-Z", zc, "-T", "[127.0.0.10]"],
        input=b"", capture_output=True, timeout=30).stderr.decode()


def open_many(port, n, sources):
    socks = []
    for i in range(n):
        s = socket.socket()
        s.settimeout(10)
        s.bind((sources[i % len(sources)], 0))
        s.connect(("127.0.0.1", port))
        socks.append(s)
    return socks


def first_bytes(socks, timeout=5):
    out = []
    end = time.monotonic() + timeout
    for s in socks:
        s.settimeout(max(0.1, end - time.monotonic()))
        try:
            out.append(s.recv(4096))
        except ConnectionResetError:
            out.append(b"")
        except socket.timeout:
            out.append(None)
    return out


def normal_session_works(d, tries=50):
    for _ in range(tries):
        r = Raw(d.port, "127.0.0.99")
        r.s.settimeout(5)
        data = r.s.recv(4096)
        if data.startswith(b"220"):
            r.expect("QUIT", 221)
            return True
        r.close()
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("excess421", [False, True])
def test_session_limit_m3_with_50_connections(workdir, excess421):
    opts = ["-m", "3", "-L", "64"] + (["-M"] if excess421 else [])
    conf = "PARAM tcpwrap off\nPARAM MaxSameIpSource 0\n*  -\n"
    with Smtpd(workdir, conf=conf, options=opts) as d:
        sources = ["127.0.1.%d" % i for i in range(1, 51)]
        socks = open_many(d.port, 50, sources)
        got = first_bytes(socks)
        greeted = [g for g in got if g and g.startswith(b"220")]
        refused = [g for g in got if g and g.startswith(b"421 4.3.2")]
        silent = [g for g in got if g == b""]
        assert len(greeted) <= 3 and len(greeted) >= 1, got
        if excess421:
            assert len(refused) == 50 - len(greeted), got
        else:
            assert len(silent) == 50 - len(greeted), got
        assert None not in got
        for s in socks:
            s.close()
        assert normal_session_works(d)
        log = d.log()
        assert log.count("rule=maxsessions") >= 47
        assert log.count("event=connect") <= 4


def test_listen_backlog_shown_by_ss(workdir):
    with Smtpd(workdir, conf="PARAM tcpwrap off\n*  -\n", options=["-L", "37"]) as d:
        out = subprocess.run(["ss", "-ltnH", "sport = :%d" % d.port],
                             capture_output=True, text=True, timeout=10).stdout
        assert out.split()[2] == "37", out
    with Smtpd(workdir, conf="PARAM tcpwrap off\n*  -\n") as d:
        out = subprocess.run(["ss", "-ltnH", "sport = :%d" % d.port],
                             capture_output=True, text=True, timeout=10).stdout
        assert out.split()[2] == "5", out


def test_per_client_address_limit(workdir):
    conf = "PARAM tcpwrap off\nPARAM MaxSameIpSource 2\n*  -\n"
    with Smtpd(workdir, conf=conf) as d:
        a1 = Raw(d.port, "127.0.0.30")
        a2 = Raw(d.port, "127.0.0.30")
        assert a1.reply()[0] == 220 and a2.reply()[0] == 220
        a3 = Raw(d.port, "127.0.0.30")
        c, lines = a3.reply()
        assert c == 421 and lines[0].startswith("421 4.7.0")
        assert a3.closed()
        b1 = Raw(d.port, "127.0.0.31")
        assert b1.reply()[0] == 220
        a1.expect("QUIT", 221)
        a1.close()
        for _ in range(50):
            a4 = Raw(d.port, "127.0.0.30")
            c, _ = a4.reply()
            if c == 220:
                break
            time.sleep(0.1)
        assert c == 220
        assert "rule=MaxSameIpSource" in d.log()
