"""File relations seen from a separate, long-lived process (as a router
child sees them): edits in place and `mv` replacements with -m, unreadable
files, the relmkdb tool for lmdb/btree, bad lines reported with file:line."""
import os
import subprocess
import time

from relhelp import RELMKDB, Prober, probe


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def mv_replace(path, text):
    write(path + ".new", text)
    os.rename(path + ".new", path)


def settle():
    # Two changes inside one timestamp tick of the file system would be
    # indistinguishable; wait one tick out.
    time.sleep(0.02)


def test_unordered_m_sees_edits_and_mv(workdir):
    f = os.path.join(workdir, "badsenders")
    write(f, "spam@example.com x\n.bad.example y\n")
    p = Prober(["-lm", "-t", "unordered", "-f", f, "-d", "pathalias", "bad"])
    try:
        assert p.ask("SPAM@example.com") == (0, "x")
        assert p.ask("joe@host.bad.example") == (0, "y")
        assert p.ask("joe@good.example") == (1, "")
        settle()
        with open(f, "a") as fh:                 # in place: appended
            fh.write("joe@good.example z\n")
        assert p.ask("joe@good.example") == (0, "z")
        settle()
        mv_replace(f, "other@example.com w\n")   # replaced with mv
        assert p.ask("spam@example.com") == (1, "")
        assert p.ask("other@example.com") == (0, "w")
        os.unlink(f)                             # gone: could not tell
        st, why = p.ask("other@example.com")
        assert st == 75 and "No such file" in why
        write(f, "back@example.com v\n")
        assert p.ask("back@example.com") == (0, "v")
    finally:
        p.close()


def test_ordered_and_cidr_m(workdir):
    o = os.path.join(workdir, "ordered")
    c = os.path.join(workdir, "ournets")
    write(o, "".join("k%05d v%d\n" % (i, i) for i in range(0, 10000, 2)))
    write(c, "127.0.0.0/8 lo\n::1 lo6\n192.0.2.0/24 doc\n192.0.2.128/25 upper\n")
    po = Prober(["-m", "-t", "ordered", "-f", o, "ord"])
    pc = Prober(["-m", "-t", "cidr", "-f", c, "nets"])
    try:
        assert po.ask("k00042") == (0, "v42")
        assert po.ask("k00043") == (1, "")
        assert pc.ask("192.0.2.1") == (0, "doc")
        assert pc.ask("192.0.2.200") == (0, "upper")
        assert pc.ask("::1") == (0, "lo6")
        assert pc.ask("2001:db8::1") == (1, "")
        settle()
        mv_replace(o, "k00043 new\n")
        mv_replace(c, "2001:db8::/32 v6\n")
        assert po.ask("k00042") == (1, "")
        assert po.ask("k00043") == (0, "new")
        assert pc.ask("2001:db8::1") == (0, "v6")
        assert pc.ask("192.0.2.1") == (1, "")
        os.chmod(o, 0)
        os.rename(o, o + ".gone")
        os.mkdir(o)                              # unreadable even for root
        assert po.ask("k00043")[0] == 75
    finally:
        po.close()
        pc.close()


def test_bad_lines_reported_rest_works(workdir):
    c = os.path.join(workdir, "nets")
    write(c, "10.0.0.0/8 ten\n10.0.0.0/99 bad\nfoo bar\n" + "x" * 5000 + "\n192.0.2.0/24 doc\n")
    out, err = probe(["-t", "cidr", "-f", c, "nets"], ["10.1.1.1", "192.0.2.9", "foo"])
    assert out == {"10.1.1.1": (0, "ten"), "192.0.2.9": (0, "doc"), "foo": (1, "")}
    assert "%s:2: not an address or network" % c in err
    assert "%s:3: not an address or network" % c in err
    assert "%s:4: line too long" % c in err


def test_lmdb_relmkdb_and_replacement(workdir):
    t = os.path.join(workdir, "bigsenders")
    db = t + ".lmdb"
    write(t, "# header\nSpam@Example.COM one\n" + "".join(
        "user%d@example.net v%d\n" % (i, i) for i in range(20000)) + "k" * 600 + " long\n")
    r = subprocess.run([RELMKDB, t], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "20001 keys, 1 lines skipped"
    assert "%s:20003: key too long for lmdb" % t in r.stderr
    p = Prober(["-m", "-t", "btree", "-f", db, "big"])
    p2 = Prober(["-t", "lmdb", "-f", db, "big"])    # a second reader at once
    try:
        assert p.ask("spam@example.com") == (0, "one")
        assert p.ask("USER19999@example.net") == (0, "v19999")
        assert p2.ask("user7@example.net") == (0, "v7")
        assert p.ask("nobody@example.net") == (1, "")
        assert p.db("count big") == (0, "20001\n")
        settle()
        write(t, "fresh@example.org new\n")
        r = subprocess.run([RELMKDB, t, db], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        assert p.ask("fresh@example.org") == (0, "new")
        assert p.ask("spam@example.com") == (1, "")
        # Without -m the second reader keeps the file it opened.
        assert p2.ask("user7@example.net") == (0, "v7")
    finally:
        p.close()
        p2.close()
    r = subprocess.run([RELMKDB, os.path.join(workdir, "missing")], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 1 and "No such file" in r.stderr
    assert subprocess.run([RELMKDB], capture_output=True, timeout=60).returncode == 64
    out, _ = probe(["-t", "lmdb", "-f", os.path.join(workdir, "missing.lmdb"), "x"], ["a"])
    assert out["a"][0] == 75


def test_db_commands_cross_process(workdir):
    f = os.path.join(workdir, "list")
    write(f, "a 1\n")
    p = Prober(["-m", "-t", "unordered", "-f", f, "lst"])
    q = Prober(["-m", "-t", "unordered", "-f", f, "lst"])
    try:
        assert p.db("add lst b 2") == (0, "")
        assert q.ask("b") == (0, "2")                # the other process sees it
        assert p.db("print lst") == (0, "a\t1\nb\t2\n")
        assert p.db("count lst") == (0, "2\n")
        assert p.db("remove lst a") == (0, "")
        assert q.ask("a") == (1, "")
        st, text = p.db("toc")
        assert st == 0 and text.startswith("lst\tunordered\t")
        assert p.db("count nosuch")[0] == 2
    finally:
        p.close()
        q.close()
