"""Privileges of the running daemon (DESIGN 3, docs/robustness.md
"Privileges"): started as root, smtpserver drops to SMTPUSER (daemon)
before accepting, so no session child, router or nscheck ever runs as
root; spool files are 0600 and owned by SMTPUSER.

The real daemon with the shipped policy is started as root.  While three
sessions are open -- one from inside ournets held in the middle of DATA
(its router alive), one from outside whose MAIL FROM is stuck in nscheck
(the DNS server is a socket that never answers), and the parent itself --
every process of the daemon's tree is read from /proc/PID/status: real,
effective, saved and filesystem uid and gid are daemon's, and root's
group is not among the supplementary groups.
"""
import os
import pwd
import smtplib
import socket
import time

import pytest

from dnsfix import NoServer
from smtpd import Smtpd

DAEMON = pwd.getpwnam("daemon")
INSIDE = "127.0.0.5"          # in ournets below: no nscheck, may relay
OUTSIDE = "127.1.0.7"         # outside: MAIL FROM runs nscheck
CONF = "PARAM tcpwrap off\nPARAM router-timeout 120\n*  ftvh\n"


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)


def proc_table():
    """{pid: (ppid, status text, cmdline)} of every process readable now."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/status" % name) as f:
                status = f.read()
            with open("/proc/%s/cmdline" % name, "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode("latin-1")
        except (FileNotFoundError, ProcessLookupError):
            continue
        ppid = int(field(status, "PPid")[0])
        table[int(name)] = (ppid, status, cmdline)
    return table


def field(status, name):
    for line in status.splitlines():
        if line.startswith(name + ":"):
            return line.split(":", 1)[1].split()
    raise AssertionError("no %s: line in\n%s" % (name, status))


def descendants(table, root):
    """The pids below root in table (children, their children ...)."""
    kids = {}
    for pid, (ppid, _, _) in table.items():
        kids.setdefault(ppid, []).append(pid)
    out, todo = [], list(kids.get(root, []))
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(kids.get(pid, []))
    return out


def assert_unprivileged(pid, status, cmdline):
    uid = str(DAEMON.pw_uid)
    gid = str(DAEMON.pw_gid)
    what = "pid %d (%s)" % (pid, cmdline)
    assert field(status, "Uid") == [uid] * 4, (what, field(status, "Uid"))
    assert field(status, "Gid") == [gid] * 4, (what, field(status, "Gid"))
    groups = field(status, "Groups")
    assert "0" not in groups, (what, groups)
    assert set(groups) <= {gid}, (what, groups)


def wait_for(what, pred, timeout=60):
    end = time.monotonic() + timeout
    while True:
        got = pred()
        if got:
            return got
        if time.monotonic() > end:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.05)


@pytest.fixture
def server(workdir):
    with NoServer() as dead:
        d = Smtpd(workdir, conf=CONF,
                  zconf=["RESOLVER=" + dead.addr, "NSCHECK_TIMEOUT=100"])
        write(os.path.join(d.sandbox, "var", "db", "relay", "ournets"),
              "127.0.0.0/24\n")
        try:
            yield d
        finally:
            d.stop()


def test_no_process_runs_as_root(server):
    d = server
    inside = smtplib.SMTP("127.0.0.1", d.port, source_address=(INSIDE, 0), timeout=120)
    outside = socket.create_connection(("127.0.0.1", d.port), timeout=120,
                                       source_address=(OUTSIDE, 0))
    try:
        assert inside.ehlo("mx.inside.test")[0] == 250
        code, msg = inside.docmd("MAIL FROM:<alice@inside.test>")
        assert code == 250, msg
        code, msg = inside.docmd("RCPT TO:<bob@elsewhere.test>")
        assert code == 250, msg
        code, msg = inside.docmd("DATA")
        assert code == 354, msg
        inside.send(b"Subject: held\r\n\r\nthe first line of the body\r\n")

        f = outside.makefile("rb")
        assert f.readline().startswith(b"220")
        outside.sendall(b"EHLO mx.clean.test\r\n")
        line = f.readline()
        while line[3:4] == b"-":
            line = f.readline()
        assert line.startswith(b"250"), line
        # No answer is read: nscheck waits for a DNS server that never replies.
        outside.sendall(b"MAIL FROM:<u@clean.test>\r\n")

        def nscheck_running():
            t = proc_table()
            below = descendants(t, d.pid)
            return [p for p in below if "nscheck" in t[p][2]] and t

        table = wait_for("nscheck to run", nscheck_running)
        below = descendants(table, d.pid)
        names = [os.path.basename(table[p][2].split()[0]) for p in below]
        # Two sessions, their routers, nscheck (and the router's subshell).
        assert names.count("smtpserver") >= 2, names
        assert names.count("router") >= 2, names
        assert any("nscheck" in table[p][2] for p in below), names
        for pid in [d.pid] + below:
            _, status, cmdline = table[pid]
            assert_unprivileged(pid, status, cmdline)

        # Spool file of the held DATA: public/, 0600, SMTPUSER.
        public = wait_for("a spool file in public/", d.public_files)
        for name in public:
            st = os.stat(os.path.join(d.public_dir, name))
            assert st.st_mode & 0o7777 == 0o600, (name, oct(st.st_mode))
            assert (st.st_uid, st.st_gid) == (DAEMON.pw_uid, DAEMON.pw_gid), name
        assert d.spooled() == []

        inside.send(b".\r\n")
        code, msg = inside.getreply()
        assert code == 250, msg
        queued = d.spooled()
        assert len(queued) == 1, queued
        st = os.stat(os.path.join(d.router_dir, queued[0]))
        assert st.st_mode & 0o7777 == 0o600, oct(st.st_mode)
        assert (st.st_uid, st.st_gid) == (DAEMON.pw_uid, DAEMON.pw_gid)
        assert d.public_files() == []
        assert inside.docmd("QUIT")[0] == 221
    finally:
        inside.close()
        outside.close()

