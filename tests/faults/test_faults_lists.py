"""An unreadable list file (mode 000; the router runs as SMTPUSER), for
each list of the shipped policy and the command whose check needs it
(docs/robustness.md "Faults", POLICY.md 3: a lookup that cannot tell
gives 4xx).  The reply is 451, the log names the file, the other commands
of the session are unaffected, and once the file is readable again mail
flows.  tests/policy/test_policy.py::test_unreadable_list_defers covers
badrcpts at RCPT; this covers the others."""
import os
import shutil
import tempfile

import pytest

from faultkit import (RCPT, SENDER, assert_clean, deliver, greet, start_policy)

CONF = "PARAM tcpwrap off\nPARAM router-timeout 10\n127.0.0.1 -\n*  fth\n"

# (file under MAILVAR/db, the command that must get 451)
CASES = [
    ("relay/helo-exempt", "EHLO"),
    ("relay/ournets", "MAIL"),
    ("relay/badsenders", "MAIL"),
    ("relay/trapaddrs", "RCPT"),
    ("relay/ourdomains", "RCPT"),
    ("localnames", "RCPT"),
    ("aliases", "RCPT"),
    ("relay/flushots.lmdb", "MAIL"),
]


@pytest.fixture(scope="module")
def policy():
    d = tempfile.mkdtemp(prefix="zmfaults-", dir="/tmp")
    os.chmod(d, 0o755)
    srv = start_policy(d, conf=CONF, hooks=False)
    try:
        yield srv
    finally:
        srv.stop()
        shutil.rmtree(d, ignore_errors=True)


def session_until(d, step, rcpt):
    """Run EHLO, MAIL, RCPT in order; return the reply of `step` and the
    connection (earlier steps must succeed)."""
    r = greet(d, helo=None)
    for cmd, text in (("EHLO", "EHLO client.example"),
                      ("MAIL", "MAIL FROM:<%s>" % SENDER),
                      ("RCPT", "RCPT TO:<%s>" % rcpt)):
        c, lines = r.cmd(text, timeout=20)
        if cmd == step:
            return (c, lines), r
        assert c == 250, (cmd, lines)
    raise AssertionError(step)


@pytest.mark.parametrize("name,step", CASES, ids=[c[0].split("/")[-1] for c in CASES])
def test_unreadable_list_451_names_the_file(policy, name, step):
    d = policy
    path = os.path.join(d.sandbox, "var", "db", name)
    assert os.path.exists(path), path
    # a recipient whose check needs the file: a user only the aliases
    # file knows; a domain localnames does not list (ourdomains is asked)
    rcpt = {"aliases": "alice@localhost",
            "relay/ourdomains": "x@elsewhere.example"}.get(name, RCPT)
    if name == "aliases":
        with open(path, "a") as f:
            f.write("alice: root\n")
    start = len(d.log())
    os.chmod(path, 0)
    try:
        (c, lines), r = session_until(d, step, rcpt)
        assert c == 451, (name, step, lines)
        assert lines[-1].startswith("451 4.3.0 ") and "[lookup]" in lines[-1], lines
        log = d.log()[start:]
        assert 'defer="%s: Permission denied"' % path in log, log
        assert "rule=router-failure" not in log, log
        # the session goes on
        r.expect("NOOP", 250)
        r.expect("QUIT", 221)
        r.close()
    finally:
        os.chmod(path, 0o644)
    assert_clean(d, d.spooled())
    deliver(d, rcpt=rcpt)


def test_flushots_unwritable_at_a_trap_hit(policy):
    """The trap record cannot be written (flushots mode 0444, the router
    runs as its owner): the trap recipient still gets 454, the log names
    the file and the origin that was not recorded."""
    d = policy
    relay = os.path.join(d.sandbox, "var", "db", "relay")
    flushots = os.path.join(relay, "flushots")
    with open(os.path.join(relay, "trapaddrs"), "a") as f:
        f.write("trap@localhost\n")
    os.chmod(flushots, 0o444)
    try:
        r = greet(d)
        r.expect("MAIL FROM:<sp@spam.example>", 250)
        lines = r.expect("RCPT TO:<trap@localhost>", 454)
        assert "[flushot-trap]" in lines[-1], lines
        r.expect("QUIT", 221)
        r.close()
        log = d.wait_log("could not record origin=<sp@spam.example> trap=<trap@localhost>")
        assert "%s: Permission denied" % flushots in log
    finally:
        os.chmod(flushots, 0o644)
    assert_clean(d, d.spooled())
    deliver(d)


@pytest.mark.parametrize("name", ["zmailer.conf", "share/router.cf", "share/cf/server.cf"])
def test_router_configuration_unreadable_451_names_the_file(policy, name):
    """A file the router loads at start readable by root only (a common
    installation mistake): the router cannot start, every command that
    needs it gets 451 4.3.0 (421 after 3), the log names the file."""
    d = policy
    path = os.path.join(d.sandbox, name)
    start = len(d.log())
    os.chmod(path, 0o600)
    try:
        r = greet(d, helo=None)
        for want in (451, 451, 421):
            c, lines = r.cmd("EHLO client.example", timeout=20)
            assert c == want and lines[0].startswith("%d 4.3.0" % want), lines
        assert r.closed()
        log = d.log()[start:]
        assert "%s: Permission denied" % path in log, log
    finally:
        os.chmod(path, 0o644)
    assert_clean(d, d.spooled())
    deliver(d)
