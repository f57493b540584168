"""The router's trust check of its configuration (docs/router.8 SECURITY,
docs/robustness.md "Privileges"): a cf script or a list file that someone
other than its owner and root could have written is refused.

End to end: the real smtpserver (started as root, so sessions and routers
run as SMTPUSER=daemon) with the shipped policy; a real smtplib client from
127.0.0.9 (inside the shipped ournets, so no DNS is needed).  A refused cf
file stops the router: the command gets 451 4.3.0 and the session goes on,
never accepting.  A refused list makes the lookup that needs it "could not
tell": 451 4.3.0 [lookup].  The file is named in the log.  Also through
`router -n` and `router -f`, as root and as the router's own user.
"""
import os
import pwd
import smtplib
import subprocess

import pytest

from conftest import BIN
from smtpd import Smtpd

ROUTER = os.path.join(BIN, "router")
DAEMON = pwd.getpwnam("daemon")
STRANGER = 4242            # a uid that is neither root nor daemon
SOURCE = "127.0.0.9"
CONF = "PARAM tcpwrap off\n*  ft\n"
LISTED = "bad@spam.test"


def session(d):
    c = smtplib.SMTP("127.0.0.1", d.port, source_address=(SOURCE, 0), timeout=60)
    code, msg = c.ehlo("mx.example.test")
    assert code == 250, msg
    return c


def mail_from(d, sender="someone@example.test"):
    """MAIL FROM twice in one session with NOOPs around: the replies."""
    c = session(d)
    try:
        first = c.docmd("MAIL FROM:<%s>" % sender)
        noop = c.docmd("NOOP")
        c.docmd("RSET")
        second = c.docmd("MAIL FROM:<%s>" % sender)
        quit_ = c.docmd("QUIT")
    finally:
        c.close()
    assert noop[0] == 250, noop               # the session goes on
    assert quit_[0] == 221, quit_
    return first, second


def start(workdir):
    return Smtpd(workdir, conf=CONF)


def path_in(d, rel):
    if rel.startswith("share/"):
        return os.path.join(d.share, rel[len("share/"):])
    return os.path.join(d.sandbox, "var", "db", rel)


def refused_text(path, what):
    return "%s: refusing: %s" % (path, what)


# ---- refused cf files: 451 4.3.0, the router's error in the log ----------

CF_CASES = [
    # (file or directory, chmod, chown uid, expected text after "refusing: ")
    ("share/router.cf", 0o664, None, "writable by group/others (mode 0664)"),
    ("share/cf/relay-policy.cf", 0o646, None, "writable by group/others (mode 0646)"),
    ("share/cf/server.cf", 0o644, STRANGER,
     "owned by uid %d (not root or uid %d)" % (STRANGER, DAEMON.pw_uid)),
    ("share/cf", 0o777, None, "its directory is writable by group/others (mode 0777)"),
    ("share/cf", 0o755, STRANGER,
     "its directory is owned by uid %d (not root or uid %d)" % (STRANGER, DAEMON.pw_uid)),
]


@pytest.mark.parametrize("rel,mode,uid,why", CF_CASES,
                         ids=["router.cf-0664", "cf-0646", "cf-stranger",
                              "dir-0777", "dir-stranger"])
def test_refused_cf_file_is_451(workdir, rel, mode, uid, why):
    d = start(workdir)
    try:
        target = path_in(d, rel)
        os.chmod(target, mode)
        if uid is not None:
            os.chown(target, uid, -1)
        first, second = mail_from(d)
        for code, text in (first, second):
            assert code == 451, (code, text)
            assert text.startswith(b"4.3.0"), text
        # A refused directory: router.cf sources relay-check.cf first.
        name = target if os.path.isfile(target) else os.path.join(target, "relay-check.cf")
        d.wait_log(refused_text(name, why))
        log = d.log()
        assert "result=queued" not in log
        assert "code=250" not in [w for l in log.splitlines() if "cmd=MAIL" in l
                                  for w in l.split()]
    finally:
        d.stop()


# ---- refused list files: the lookup defers, 451 4.3.0 [lookup] ----------

LIST_CASES = [
    ("relay/badsenders", 0o664, None, "writable by group/others (mode 0664)"),
    ("relay/badsenders", 0o646, None, "writable by group/others (mode 0646)"),
    ("relay/badsenders", 0o644, STRANGER,
     "owned by uid %d (not root or uid %d)" % (STRANGER, DAEMON.pw_uid)),
    ("relay", 0o775, None, "its directory is writable by group/others (mode 0775)"),
]


@pytest.mark.parametrize("rel,mode,uid,why", LIST_CASES,
                         ids=["list-0664", "list-0646", "list-stranger", "dir-0775"])
def test_refused_list_file_defers(workdir, rel, mode, uid, why):
    d = start(workdir)
    try:
        target = path_in(d, rel)
        os.chmod(target, mode)
        if uid is not None:
            os.chown(target, uid, -1)
        first, second = mail_from(d)
        for code, text in (first, second):
            assert code == 451, (code, text)
            assert text.startswith(b"4.3.0"), text
            assert b"[lookup]" in text, text
        log = d.wait_log("refusing: " + why)
        line = [l for l in log.splitlines() if "refusing: " + why in l][0]
        assert "relation=" in line and "defer=" in line, line
        assert os.path.join(d.sandbox, "var", "db", "relay") + "/" in line, line
        assert "result=queued" not in log
    finally:
        d.stop()


# ---- accepted layouts: the policy runs and reads the files ---------------

def test_accepted_layouts(workdir):
    """0644 root (as installed), 0640 root:daemon, 0600 daemon-owned, and a
    sticky world-writable directory: MAIL FROM is decided by the policy,
    and the list is really read (a listed sender is refused)."""
    d = start(workdir)
    try:
        share_cf = os.path.join(d.share, "cf")
        relay = os.path.join(d.sandbox, "var", "db", "relay")
        server_cf = os.path.join(share_cf, "server.cf")
        os.chmod(server_cf, 0o640)
        os.chown(server_cf, 0, DAEMON.pw_gid)
        badusers = os.path.join(share_cf, "badusers.cf")
        os.chown(badusers, DAEMON.pw_uid, DAEMON.pw_gid)
        os.chmod(badusers, 0o600)
        write(os.path.join(relay, "badsenders"), LISTED + "\n", 0o600,
              DAEMON.pw_uid, DAEMON.pw_gid)
        ourdomains = os.path.join(relay, "ourdomains")
        os.chmod(ourdomains, 0o640)
        os.chown(ourdomains, 0, DAEMON.pw_gid)
        os.chmod(share_cf, 0o1777)
        first, second = mail_from(d)
        assert first[0] == 250 and second[0] == 250, (first, second)
        listed, _ = mail_from(d, LISTED)
        assert listed[0] == 550 and b"[badsender]" in listed[1], listed
        assert "refusing" not in d.log()
    finally:
        d.stop()


# ---- router -n and router -f ------------------------------------------

def as_user(uid, gid):
    def drop():
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
    return drop


def run(argv, user=None, cwd=None):
    pre = as_user(user.pw_uid, user.pw_gid) if user else None
    return subprocess.run(argv, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "HOME": "/"},
                          preexec_fn=pre, cwd=cwd)


def write(path, text, mode, uid=0, gid=0):
    with open(path, "w") as f:
        f.write(text)
    os.chown(path, uid, gid)
    os.chmod(path, mode)


def test_router_n_reports_refusal(workdir):
    good = os.path.join(workdir, "good.cf")
    bad = os.path.join(workdir, "bad.cf")
    stranger = os.path.join(workdir, "stranger.cf")
    write(good, "echo fine\n", 0o644)
    write(bad, "echo fine\n", 0o664)
    write(stranger, "echo fine\n", 0o644, uid=STRANGER)
    r = run([ROUTER, "-n", good])
    assert r.returncode == 0 and r.stderr == "", r
    r = run([ROUTER, "-n", good, bad, stranger])
    assert r.returncode == 1, r
    assert refused_text(bad, "writable by group/others (mode 0664)") in r.stderr
    assert refused_text(stranger, "owned by uid %d (not root or uid 0)" % STRANGER) in r.stderr
    assert good not in r.stderr
    # As the router's user: its own file is fine, root's too.
    os.chown(good, DAEMON.pw_uid, DAEMON.pw_gid)
    os.chmod(good, 0o600)
    r = run([ROUTER, "-n", good, stranger], user=DAEMON)
    assert r.returncode == 1, r
    assert good not in r.stderr
    assert refused_text(stranger, "owned by uid %d (not root or uid %d)"
                        % (STRANGER, DAEMON.pw_uid)) in r.stderr


def test_router_f_refuses_script_and_sourced_file(workdir):
    main = os.path.join(workdir, "main.cf")
    inc = os.path.join(workdir, "inc.cf")
    write(inc, "echo included\n", 0o644)
    write(main, "echo first\n. %s\necho after\n" % inc, 0o644)
    r = run([ROUTER, "-f", main])
    assert r.returncode == 0 and r.stdout == "first\nincluded\nafter\n", r
    os.chmod(inc, 0o666)
    r = run([ROUTER, "-f", main])
    assert r.returncode != 0, r
    assert "after" not in r.stdout and "included" not in r.stdout, r
    assert "%s:2:3: %s" % (main, refused_text(inc, "writable by group/others (mode 0666)")) \
        in r.stderr, r.stderr
    os.chmod(inc, 0o644)
    os.chmod(main, 0o620)
    r = run([ROUTER, "-f", main])
    assert r.returncode != 0 and r.stdout == "", r
    assert refused_text(main, "writable by group/others (mode 0620)") in r.stderr


def test_router_f_list_lookup_cannot_tell(workdir):
    lst = os.path.join(workdir, "list")
    script = os.path.join(workdir, "look.cf")
    write(lst, "key value\n", 0o644)
    write(script, "relation -t unordered -f %s l\nx=$(l key)\necho \"st=$? $x\"\n" % lst, 0o644)
    r = run([ROUTER, "-f", script])
    assert r.stdout == "st=0 value\n", r
    os.chmod(lst, 0o664)
    r = run([ROUTER, "-f", script])
    assert r.stdout == "st=75 \n", r
    assert refused_text(lst, "writable by group/others (mode 0664)") in r.stderr
    # As daemon, a list in a world-writable directory without the sticky bit;
    # then with it (as /tmp).
    sub = os.path.join(workdir, "lists")
    os.mkdir(sub)
    lst = os.path.join(sub, "list")
    write(lst, "key value\n", 0o644)
    write(script, "relation -t unordered -f %s l\nx=$(l key)\necho \"st=$? $x\"\n" % lst, 0o644)
    os.chmod(sub, 0o777)
    r = run([ROUTER, "-f", script], user=DAEMON, cwd="/")
    assert r.stdout == "st=75 \n", r
    assert refused_text(lst, "its directory is writable by group/others (mode 0777)") \
        in r.stderr, r
    os.chmod(sub, 0o1777)
    r = run([ROUTER, "-f", script], user=DAEMON, cwd="/")
    assert r.stdout == "st=0 value\n", r
