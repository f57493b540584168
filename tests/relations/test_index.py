"""The index sidecar of `unordered` relations: LIST.lmdb made by relmkdb
from exactly the LIST that is there is used instead of reading the text;
any other version of LIST (edited in place, replaced with mv, changed by
`db add`/`db remove`) is read as text at once and the stale index is
logged once per process; a damaged index never makes a lookup fail."""
import os
import subprocess

from relhelp import RELMKDB, Prober, probe


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def relmkdb(path):
    r = subprocess.run([RELMKDB, path], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def same_size_edit(path, old, new):
    """Change the text in place keeping size, inode and mtime: a change
    the index cannot notice, so the answers show which one is read."""
    assert len(old) == len(new)
    st = os.stat(path)
    with open(path) as f:
        text = f.read()
    with open(path, "r+") as f:
        f.write(text.replace(old, new))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(path).st_size == st.st_size


LIST = ("# senders\nSpam@Example.COM one\n.bad.example two\n"
        "spam@example.com second-is-ignored\n"
        + "".join("user%d@example.net v%d\n" % (i, i) for i in range(5000)))

OPTS = ["-lm", "-t", "unordered", "-d", "longestmatch"]


def test_fresh_index_is_used(workdir):
    f = os.path.join(workdir, "badsenders")
    write(f, LIST)
    assert relmkdb(f) == "5002 keys, 0 lines skipped"
    same_size_edit(f, "user42@", "resu42@")
    out, err = probe(OPTS + ["-f", f, "bs"], [
        "spam@EXAMPLE.com", "joe@host.bad.example", "user42@example.net",
        "resu42@example.net", "user4999@example.net", "nobody@example.net",
        " source"])
    assert out["spam@EXAMPLE.com"] == (0, "one")          # first line wins
    assert out["joe@host.bad.example"] == (0, "two")
    assert out["user42@example.net"] == (0, "v42")         # only in the index
    assert out["resu42@example.net"] == (1, "")            # only in the text
    assert out["user4999@example.net"] == (0, "v4999")
    assert out["nobody@example.net"] == (1, "")
    assert out[" source"] == (1, "")                       # relmkdb's record
    assert "index not used" not in err


def test_stale_index_edit_and_mv_take_effect_at_once(workdir):
    f = os.path.join(workdir, "badsenders")
    write(f, LIST)
    relmkdb(f)
    p = Prober(OPTS + ["-f", f, "bs"])
    try:
        assert p.ask("user7@example.net") == (0, "v7")
        with open(f, "a") as fh:                          # in place, no relmkdb
            fh.write("late@example.org three\n")
        assert p.ask("late@example.org") == (0, "three")
        assert p.ask("user7@example.net") == (0, "v7")
        write(f + ".new", "other@example.org four\n")     # mv, no relmkdb
        os.rename(f + ".new", f)
        assert p.ask("other@example.org") == (0, "four")
        assert p.ask("user7@example.net") == (1, "")
        assert p.ask("late@example.org") == (1, "")
        relmkdb(f)                                        # fresh again
        write(f + ".new", "other@example.org four\nnew@example.org five\n")
        os.rename(f + ".new", f)
        assert p.ask("new@example.org") == (0, "five")
    finally:
        err = p.close()
    assert err.count("index not used") == 1, err          # logged once
    assert "%s.lmdb: stale" % f in err
    # a new process after the rebuild uses the index without a word
    relmkdb(f)
    same_size_edit(f, "new@", "wen@")
    out, err = probe(OPTS + ["-f", f, "bs"], ["new@example.org", "wen@example.org"])
    assert out == {"new@example.org": (0, "five"), "wen@example.org": (1, "")}
    assert "index not used" not in err


def test_db_commands_read_the_text(workdir):
    f = os.path.join(workdir, "list")
    write(f, "a 1\nb 2\nA dup\n")
    relmkdb(f)
    p = Prober(["-m", "-t", "unordered", "-f", f, "l"])
    try:
        assert p.ask("a") == (0, "1")
        assert p.db("count l") == (0, "3\n")              # text entries
        assert p.db("print l") == (0, "a\t1\nb\t2\nA\tdup\n")
        assert p.db("remove l b") == (0, "")
        assert p.ask("b") == (1, "")
        assert p.db("add l c 3") == (0, "")
        assert p.ask("c") == (0, "3")
        assert p.ask("a") == (0, "1")
    finally:
        p.close()
    with open(f) as fh:
        assert fh.read() == "a 1\nA dup\nc\t3\n"
    out, err = probe(["-t", "unordered", "-f", f, "l"], ["b", "c"])
    assert out == {"b": (1, ""), "c": (0, "3")}
    assert "%s.lmdb: stale" % f in err


def test_key_too_long_for_lmdb_comes_from_the_text(workdir):
    f = os.path.join(workdir, "list")
    long_key = "k" * 600
    write(f, "short s\n%s long\n" % long_key)
    assert relmkdb(f) == "1 keys, 1 lines skipped"
    out, err = probe(["-t", "unordered", "-f", f, "l"], ["short", long_key])
    assert out == {"short": (0, "s"), long_key: (0, "long")}
    assert "index not used" not in err


def test_damaged_or_foreign_index_falls_back_to_the_text(workdir):
    f = os.path.join(workdir, "list")
    write(f, "a 1\n")
    write(f + ".lmdb", "this is not an LMDB file at all\n" * 400)
    out, err = probe(["-t", "unordered", "-f", f, "l"], ["a", "b"])
    assert out == {"a": (0, "1"), "b": (1, "")}
    assert "index not used: %s.lmdb" % f in err
    # an index made from another list is stale for this one
    g = os.path.join(workdir, "other")
    write(g, "a other\n")
    relmkdb(g)
    os.rename(g + ".lmdb", f + ".lmdb")
    out, err = probe(["-t", "unordered", "-f", f, "l"], ["a"])
    assert out == {"a": (0, "1")}
    assert "%s.lmdb: stale" % f in err
    # the text is the authority: no text, no answer, index or not
    os.unlink(f)
    out, _ = probe(["-t", "unordered", "-f", f, "l"], ["a"])
    assert out["a"][0] == 75


def test_relmkdb_records_a_list_written_just_before(workdir):
    # Written and indexed within the same clock tick: relmkdb waits the
    # tick out, so a later same-size edit still changes the mtime.
    f = os.path.join(workdir, "list")
    for i in range(5):
        write(f, "key%d v\n" % i)
        relmkdb(f)
        write(f, "key%d w\n" % i)                     # same size, at once after
        out, err = probe(["-t", "unordered", "-f", f, "l"], ["key%d" % i])
        assert out == {"key%d" % i: (0, "w")}, (i, err)


def test_index_others_could_write_is_not_used(workdir):
    # The index decides lookups as the list would: the same ownership and
    # mode checks as the list itself (router/fileperm.c), else the text.
    f = os.path.join(workdir, "list")
    write(f, "a 1\n")
    relmkdb(f)
    same_size_edit(f, "a 1", "b 1")                  # only the index has a
    out, err = probe(["-t", "unordered", "-f", f, "l"], ["a", "b"])
    assert out == {"a": (0, "1"), "b": (1, "")}
    os.chmod(f + ".lmdb", 0o664)
    out, err = probe(["-t", "unordered", "-f", f, "l"], ["a", "b"])
    assert out == {"a": (1, ""), "b": (0, "1")}       # the text answers
    assert "index not used" in err and "writable by group/others" in err
