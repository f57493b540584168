"""smtpserver as a daemon: options, configuration errors, the spool's
failure paths, privileges, signals, IPv6, -i and -T."""
import os
import pwd
import signal
import subprocess
import time

import pytest

from conftest import free_port, mksandbox
from smtphelp import PLAIN, Raw, Smtpd
import smtpd as smtpd_helper

BINARY = smtpd_helper.SMTPSERVER


def run(args, **kw):
    return subprocess.run([BINARY] + args, capture_output=True, text=True,
                          timeout=30, **kw)


def send_one(d, size=10, source="127.0.0.2"):
    r = Raw(d.port, source)
    assert r.reply()[0] == 220
    r.expect("EHLO client.example", 250)
    r.expect("MAIL FROM:<a@x.example>", 250)
    r.expect("RCPT TO:<b@y.example>", 250)
    c, lines = r.cmd("DATA")
    if c != 354:
        return c, lines
    r.send("Subject: x\r\n\r\n" + ("y" * 70 + "\r\n") * (size // 72 + 1) + ".\r\n")
    return r.reply()


def test_version_and_usage():
    r = run(["-V"])
    assert r.returncode == 0 and "smtpserver" in r.stdout
    r = run(["-Q"])
    assert r.returncode == 64 and "usage" in r.stderr
    r = run(["-m", "zero"])
    assert r.returncode == 64
    r = run(["-s", "fxq"])
    assert r.returncode == 64
    r = run(["extra-argument"])
    assert r.returncode == 64


def test_config_errors_exit_78(workdir):
    r = run(["-Z", os.path.join(workdir, "missing.conf"), "-i"])
    assert r.returncode == 78 and "missing.conf" in r.stderr
    zc = mksandbox(os.path.join(workdir, "sb"))
    lines = [l for l in open(zc) if not l.startswith("MAILSHARE=")]
    bad = os.path.join(workdir, "nomailshare.conf")
    open(bad, "w").writelines(lines)
    r = run(["-Z", bad, "-i"])
    assert r.returncode == 78 and bad in r.stderr and "MAILSHARE" in r.stderr
    conf = os.path.join(workdir, "bad-smtpserver.conf")
    open(conf, "w").write("# ok\nPARAM maxsize 1\n")
    r = run(["-Z", zc, "-C", conf, "-i"])
    assert r.returncode == 78 and conf + ":2:" in r.stderr
    # an SMTPUSER that does not exist (the daemon is started as root)
    zc2 = os.path.join(workdir, "baduser.conf")
    open(zc2, "w").write(open(zc).read() + "SMTPUSER=no-such-user-zm\n")
    open(os.path.join(workdir, "sb", "share", "smtpserver.conf"), "w").write(PLAIN)
    r = run(["-d", "-Z", zc2, "-a", "127.0.0.1", "-p", str(free_port())])
    assert r.returncode == 78 and "SMTPUSER" in r.stderr and zc2 in r.stderr
    # ZCONFIG in the environment is used when there is no -Z
    env = dict(os.environ, ZCONFIG=bad)
    r = run(["-i"], env=env)
    assert r.returncode == 78 and "MAILSHARE" in r.stderr


def test_read_only_spool_451_nothing_left(workdir):
    with Smtpd(workdir, conf=PLAIN) as d:
        os.chmod(d.public_dir, 0o500)
        try:
            c, lines = send_one(d)
        finally:
            os.chmod(d.public_dir, 0o700)
        assert c == 451 and "4.3.0" in lines[0]
        assert d.spooled() == [] and d.public_files() == []
        # and the next message goes through
        assert send_one(d)[0] == 250


def test_full_spool_452_nothing_left(workdir):
    with Smtpd(workdir, conf=PLAIN) as d:
        po = d.postoffice
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0755",
                        "tmpfs", po], check=True)
        try:
            uid = pwd.getpwnam("daemon").pw_uid
            for sub in ("public", "router"):
                os.mkdir(os.path.join(po, sub), 0o700)
                os.chown(os.path.join(po, sub), uid, -1)
            c, lines = send_one(d, size=300 * 1024)
            assert c == 452 and "4.3.1" in lines[0], lines
            assert d.spooled() == [] and d.public_files() == []
            assert send_one(d, size=1000)[0] == 250
            assert len(d.spooled()) == 1
        finally:
            d.stop()
            subprocess.run(["umount", po], check=True)


def test_privileges_dropped(workdir):
    with Smtpd(workdir, conf=PLAIN) as d:
        assert send_one(d)[0] == 250
        st = os.stat(os.path.join(d.router_dir, d.spooled()[0]))
        uid = pwd.getpwnam("daemon").pw_uid
        assert st.st_uid == uid and (st.st_mode & 0o777) == 0o600
        status = open("/proc/%d/status" % d.pid).read()
        uids = [l for l in status.splitlines() if l.startswith("Uid:")][0].split()[1:]
        assert uids == [str(uid)] * 4


def test_pidfile_prevents_second_daemon(workdir):
    with Smtpd(workdir, conf=PLAIN) as d:
        pidfile = os.path.join(d.postoffice, ".pid.smtpserver")
        assert open(pidfile).read().strip() == str(d.pid)
        r = run(["-d", "-Z", d.zconfig, "-a", "127.0.0.1", "-p",
                 str(free_port()), "-g"])
        assert r.returncode == 75 and "pidfile" in r.stderr


def test_sighup_rereads_and_keeps_old_on_error(workdir):
    with Smtpd(workdir, conf=PLAIN) as d:
        d.write_conf("PARAM tcpwrap off\nPARAM maxsize 4096\n*  -\n")
        d.hup()
        d.wait_log("event=reload result=ok")
        r = Raw(d.port)
        r.reply()
        assert "SIZE 4096" in "\n".join(r.expect("EHLO c.example", 250))
        d.write_conf("PARAM maxsize nonsense\n")
        d.hup()
        d.wait_log("event=reload result=fail")
        r = Raw(d.port)
        r.reply()
        assert "SIZE 4096" in "\n".join(r.expect("EHLO c.example", 250))


def test_sigterm_drains_sessions(workdir):
    d = Smtpd(workdir, conf=PLAIN + "PARAM drain-timeout 20\n")
    try:
        r = Raw(d.port)
        assert r.reply()[0] == 220
        r.expect("EHLO c.example", 250)
        os.kill(d.pid, signal.SIGTERM)
        d.wait_log("event=shutdown")
        # the listener is gone, the session goes on
        with pytest.raises(ConnectionRefusedError):
            Raw(d.port)
        r.expect("MAIL FROM:<a@x.example>", 250)
        r.expect("RCPT TO:<b@y.example>", 250)
        r.expect("DATA", 354)
        r.send("Subject: x\r\n\r\nx\r\n.\r\n")
        assert r.reply()[0] == 250
        assert d.proc.poll() is None
        r.expect("QUIT", 221)
        assert d.proc.wait(timeout=10) == 0
        assert "event=stop" in d.log()
    finally:
        d.stop()


def test_sigterm_drain_is_bounded(workdir):
    d = Smtpd(workdir, conf=PLAIN + "PARAM drain-timeout 1\n")
    try:
        r = Raw(d.port)
        assert r.reply()[0] == 220
        t0 = time.monotonic()
        os.kill(d.pid, signal.SIGTERM)
        assert d.proc.wait(timeout=10) == 0
        assert time.monotonic() - t0 < 5
        assert r.closed()
    finally:
        d.stop()


def test_ipv6_and_ipv4_sockets(workdir):
    with Smtpd(workdir, conf=PLAIN, listen="::1", options=["-a", "127.0.0.1"]) as d:
        r = Raw(d.port, source=None, host="::1")
        assert r.reply()[0] == 220
        r.expect("EHLO c.example", 250)
        r4 = Raw(d.port, source="127.0.0.9")
        assert r4.reply()[0] == 220
        log = d.wait_log("client=[127.0.0.9]")
        assert "client=[::1]" in log
        assert "sockets=2" in log


def test_smtpoptions_and_command_line_wins(workdir):
    with Smtpd(workdir, conf=PLAIN, zconf=['SMTPOPTIONS="-L 7"']) as d:
        out = subprocess.run(["ss", "-ltnH", "sport = :%d" % d.port],
                             capture_output=True, text=True, timeout=10).stdout
        assert out.split()[2] == "7", out
    with Smtpd(workdir, conf=PLAIN, zconf=['SMTPOPTIONS="-L 7"'],
               options=["-L", "9"]) as d:
        out = subprocess.run(["ss", "-ltnH", "sport = :%d" % d.port],
                             capture_output=True, text=True, timeout=10).stdout
        assert out.split()[2] == "9", out


def test_interactive_session_spools(workdir):
    zc = mksandbox(os.path.join(workdir, "sb"))
    open(os.path.join(workdir, "sb", "share", "smtpserver.conf"), "w").write(PLAIN)
    script = ("MAIL FROM:<local@x.example>\r\nRCPT TO:<b@y.example>\r\nDATA\r\n"
              "Subject: bsmtp\r\n\r\nbody\r\n.\r\nQUIT\r\n")
    r = subprocess.run([BINARY, "-i", "-d", "-Z", zc], input=script.encode(),
                       capture_output=True, timeout=30)
    out = r.stdout.decode()
    assert r.returncode == 0
    assert out.startswith("220 ") and "250 2.6.0" in out and out.endswith("221 2.0.0 %s" % out.split()[1] + " closing connection\r\n")
    names = os.listdir(os.path.join(workdir, "sb", "postoffice", "router"))
    assert len(names) == 1
    data = open(os.path.join(workdir, "sb", "postoffice", "router", names[0])).read()
    assert not data.startswith("external")
    assert "from <local@x.example>\nto <b@y.example>\nenv-end\n" in data


def test_test_mode_spools_nothing(workdir):
    zc = mksandbox(os.path.join(workdir, "sb"))
    open(os.path.join(workdir, "sb", "share", "smtpserver.conf"), "w").write(PLAIN)
    script = ("EHLO c.example\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\n"
              "DATA\r\nSubject: t\r\n\r\nbody\r\n.\r\nQUIT\r\n")
    r = subprocess.run([BINARY, "-i", "-d", "-g", "-Z", zc, "-T", "[192.0.2.7]"],
                       input=script.encode(), capture_output=True, timeout=30)
    out = r.stdout.decode()
    assert "Hello unknown [192.0.2.7]" in out
    assert "250 2.6.0 test mode" in out
    assert os.listdir(os.path.join(workdir, "sb", "postoffice", "router")) == []
    assert "client=[192.0.2.7]" in r.stderr.decode()
    r = run(["-T", "[192.0.2.7]", "-Z", zc])
    assert r.returncode == 64
    r = run(["-i", "-T", "[nonsense]", "-Z", zc])
    assert r.returncode == 64
