"""tools/install.sh (DESIGN 11) and the smtpserver man pages."""
import os
import re
import subprocess

import pytest

from conftest import BUILD, SRC

DIRS = ["/usr/local/lib/zmailer", "/usr/local/share/zmailer", "/etc/zmailer",
        "/var/spool/postoffice", "/etc/zmailer.conf", "/usr/local/share/man"]


def install(dest):
    return subprocess.run(["sh", os.path.join(SRC, "tools", "install.sh"), dest, BUILD] + DIRS,
                          capture_output=True, text=True, timeout=60)


def test_install_layout_and_never_overwrites(workdir):
    dest = os.path.join(workdir, "dest")
    r = install(dest)
    assert r.returncode == 0, r.stderr
    p = lambda *a: os.path.join(dest, *[x.lstrip("/") for x in a])
    assert os.access(p("/usr/local/lib/zmailer/smtpserver"), os.X_OK)
    assert os.path.isfile(p("/usr/local/share/zmailer/smtpserver.conf"))
    assert os.path.isfile(p("/usr/local/share/man/man8/smtpserver.8"))
    assert os.path.isfile(p("/usr/local/share/man/man5/smtpserver.conf.5"))
    assert os.path.isdir(p("/var/spool/postoffice/public"))
    assert os.path.isdir(p("/var/spool/postoffice/router"))
    zc = open(p("/etc/zmailer.conf")).read()
    for line in ("MAILBIN=/usr/local/lib/zmailer", "MAILSHARE=/usr/local/share/zmailer",
                 "MAILVAR=/etc/zmailer", "POSTOFFICE=/var/spool/postoffice"):
        assert "\n" + line + "\n" in zc
    # a site's files survive a second install
    mine = {p("/etc/zmailer.conf"): "MAILBIN=/site\n",
            p("/usr/local/share/zmailer/smtpserver.conf"): "*  ft\n"}
    relay = os.path.join(SRC, "db", "relay")
    if os.path.isdir(relay) and os.listdir(relay):
        mine[p("/etc/zmailer/db/relay", sorted(os.listdir(relay))[0])] = "site entry\n"
    for f, text in mine.items():
        open(f, "w").write(text)
    r = install(dest)
    assert r.returncode == 0, r.stderr
    for f, text in mine.items():
        assert open(f).read() == text, f


def test_install_usage():
    r = subprocess.run(["sh", os.path.join(SRC, "tools", "install.sh")],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 64


@pytest.mark.parametrize("page", ["smtpserver.8", "smtpserver.conf.5", "zmailer.conf.5"])
def test_man_page_renders_cleanly(page):
    path = os.path.join(SRC, "docs", page)
    r = subprocess.run(["groff", "-t", "-man", "-ww", "-z", path],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    r = subprocess.run(["man", "-l", path], capture_output=True, text=True,
                       timeout=30, env=dict(os.environ, MANWIDTH="80", MANPAGER="cat"))
    assert r.returncode == 0 and "SYNOPSIS" in r.stdout or "DESCRIPTION" in r.stdout


def test_every_param_and_option_is_documented():
    conf_c = open(os.path.join(SRC, "smtpserver", "conf.c")).read()
    params = re.findall(r'(?:NUM|ONOFF|STR)\("([^"]+)"', conf_c)
    assert len(params) >= 10
    page = open(os.path.join(SRC, "docs", "smtpserver.conf.5")).read().replace("\\-", "-")
    for name in params:
        assert ".B %s\n" % name in page, name
    main_c = open(os.path.join(SRC, "smtpserver", "main.c")).read()
    optstring = re.search(r'optstring\[\] = "([^"]+)"', main_c).group(1)
    man8 = open(os.path.join(SRC, "docs", "smtpserver.8")).read().replace("\\-", "-")
    for letter in optstring.replace(":", ""):
        assert re.search(r"\.(?:B|BI|BR) [^\n]*-%s\b" % letter, man8), letter
