"""smtpd.py - start the real smtpserver for a test, and stop it.

Import from any test directory (tests/ is on sys.path through
tests/conftest.py):

    from smtpd import Smtpd, DOUBLE

    def test_x(workdir):
        with Smtpd(workdir, conf="PARAM tcpwrap off\\n*  -\\n") as d:
            s = smtplib.SMTP("127.0.0.1", d.port)
            ...
            assert "result=queued" in d.log()

Smtpd(workdir, options=(), zconf=(), conf=None, router=None, env=None,
      gullible=True, listen="127.0.0.1", start=True)
  workdir   a 0755 directory (the `workdir` fixture); the sandbox is laid
            out in workdir/sb by tools/mksandbox.
  options   extra smtpserver arguments (e.g. ["-m", "3", "-M"]).
  zconf     extra zmailer.conf lines "NAME=value" (later wins).
  conf      smtpserver.conf text; None keeps the shipped sample (written
            by mksandbox from smtpserver/smtpserver.conf.sample).
  router    router program for -R (e.g. DOUBLE); None: $MAILBIN/router.
  env       extra environment for the daemon (inherited by sessions and
            routers), e.g. {"ROUTER_DOUBLE": "/path/conf.json"}.
  gullible  pass -g (no reverse DNS of clients); default True because a
            test must not wait for the system resolver.
  listen    -a address ("127.0.0.1"; "::1" for IPv6; None for all).

The daemon runs with -d (foreground, log on stderr) and its stdout and
stderr go to `log_path`.

Valgrind (opt-in, `make check-valgrind`; docs/robustness.md "Valgrind"):
with ZM_VALGRIND=1 in the environment the daemon runs under memcheck with
--trace-children=yes, so session children (forked), routers, nscheck and
flushot (exec'd from our build) are checked too; programs outside the
build (/bin/sh ..., the test doubles) are not traced.  Each process logs to
sandbox/vg/vg.PID; stop() reads every log and raises AssertionError with
the excerpt if one reports an error (memory errors, uninitialised values,
definite leaks); ZM_VALGRIND_KEEP=dir keeps copies of the logs,
ZM_VALGRIND_OPTS adds options (e.g. --track-fds=yes).  Tests
that find processes by name use proc_name(pid), which sees through
valgrind (/proc/PID/comm is "memcheck-amd64-" there).  Time limits of this helper (start, stop, wait_log) are
multiplied by ZM_TIMEOUT_SCALE (default 1; check-valgrind sets it); tests
may use scaled(seconds) for their own.  Attributes after start():
  pid, port, sandbox, zconfig, conffile, log_path, postoffice,
  public_dir, router_dir, share.
Methods:
  start()            lay out the sandbox, start, wait (<= 10 s) for
                     "event=start" in the log; raises if the daemon exits.
  stop()             SIGTERM by pid, wait <= 10 s, then SIGKILL; then
                     SIGKILL to the daemon's process group (it is started
                     as a session leader), so no session or router outlives
                     the test.  Returns the exit status; raises AssertionError
                     if the log holds an ASan/UBSan report.  Called by
                     __exit__.
  log()              the log text so far.
  wait_log(text, timeout=5)  wait until text appears in the log; returns
                     the log (raises AssertionError on timeout).
  spooled()          sorted names in router/;  public_files(): in public/.
  read_spool(name)   bytes of router/<name>.
  write_conf(text)   replace smtpserver.conf (then hup() to re-read).
  hup()              SIGHUP the daemon.
"""
import glob
import os
import pwd
import re
import shutil
import signal
import subprocess
import time

from conftest import BIN, SRC, free_port, mksandbox

DOUBLE = os.path.join(SRC, "tests", "doubles", "router-double")
SMTPSERVER = os.path.join(BIN, "smtpserver")
VALGRIND = os.environ.get("ZM_VALGRIND") == "1"
TIMEOUT_SCALE = float(os.environ.get("ZM_TIMEOUT_SCALE") or 1)
VG_EXIT = 97


def scaled(seconds):
    """seconds times ZM_TIMEOUT_SCALE (slow runs: valgrind)."""
    return seconds * TIMEOUT_SCALE


def valgrind_argv(logdir):
    """The memcheck command line that precedes the daemon's (ZM_VALGRIND=1).

    Leaks: a forked session child exits with its parent's heap still
    referenced from globals, so only "definite" leaks (no pointer left
    anywhere) are errors; "possible" and "reachable" ones are not.
    """
    return ["valgrind", "--tool=memcheck", "--trace-children=yes",
            "--trace-children-skip=/bin/*,/usr/*,/sbin/*,/lib/*,*/tests/doubles/*",
            "--log-file=" + os.path.join(logdir, "vg.%p"),
            "--error-exitcode=%d" % VG_EXIT,
            "--leak-check=full", "--show-leak-kinds=definite",
            "--errors-for-leak-kinds=definite",
            "--track-origins=yes", "--num-callers=30",
            # no gdbserver: its /tmp/vgdb-pipe-* files, left by killed
            # processes, make a later process with the same pid abort
            "--vgdb=no",
            "--suppressions=" + os.path.join(SRC, "tests", "valgrind.supp")] + \
        os.environ.get("ZM_VALGRIND_OPTS", "").split()


def proc_name(pid, _depth=0):
    """The program name of pid as /proc/PID/comm gives it (at most 15
    characters), also under valgrind, where comm is "memcheck-amd64-" and
    the program is the first argument of the command line after
    valgrind's options.  A zombie has no command line left: it gets its
    parent's name, which is right for a forked child (a session of the
    daemon).  "" if pid is gone."""
    try:
        with open("/proc/%d/comm" % pid) as f:
            name = f.read().strip()
        if not name.startswith("memcheck-"):
            return name
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            argv = f.read().decode("latin-1").split("\0")
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return ""
    for arg in argv[1:]:
        if arg and not arg.startswith("-"):
            return os.path.basename(arg)[:15]
    ppid = int(stat[stat.rindex(")") + 2:].split()[1])
    if _depth < 3 and ppid > 1:
        return proc_name(ppid, _depth + 1)
    return name


def group_alive(pgid):
    """True while a live (not zombie) process is in process group pgid."""
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            return True
    return False


def valgrind_reports(logdir):
    """Excerpts of every vg.* log in logdir that reports an error."""
    bad = []
    for path in sorted(glob.glob(os.path.join(logdir, "vg.*"))):
        with open(path, "rb") as f:
            text = f.read().decode("latin-1")
        m = re.search(r"ERROR SUMMARY: ([0-9,]+) errors", text)
        # A process killed by SIGKILL (stop()'s last resort) writes no
        # summary; errors it met are in the log as they happened.
        errors = int(m.group(1).replace(",", "")) if m else \
            len(re.findall(r"^==\d+== (Invalid |Conditional jump|Use of uninit|"
                           r"Syscall param|Mismatched|Source and destination|"
                           r"Argument .* of function)", text, re.M))
        if errors:
            bad.append("%s (%d errors):\n%s" % (path, errors, text[-20000:]))
    return bad


class Smtpd:
    def __init__(self, workdir, options=(), zconf=(), conf=None, router=None,
                 env=None, gullible=True, listen="127.0.0.1", start=True):
        self.workdir = workdir
        self.options = list(options)
        self.zconf = list(zconf)
        self.conf = conf
        self.router = router
        self.env = dict(env or {})
        self.gullible = gullible
        self.listen = listen
        self.proc = None
        self.pid = None
        self.sandbox = os.path.join(workdir, "sb")
        self.log_path = os.path.join(workdir, "smtpserver.log")
        self.port = None
        if start:
            self.start()

    # -- paths ---------------------------------------------------------
    @property
    def postoffice(self):
        return os.path.join(self.sandbox, "postoffice")

    @property
    def public_dir(self):
        return os.path.join(self.postoffice, "public")

    @property
    def router_dir(self):
        return os.path.join(self.postoffice, "router")

    @property
    def share(self):
        return os.path.join(self.sandbox, "share")

    @property
    def conffile(self):
        return os.path.join(self.share, "smtpserver.conf")

    # -- control -------------------------------------------------------
    def write_conf(self, text):
        with open(self.conffile, "w") as f:
            f.write(text + self._slow_conf(text))
        os.chmod(self.conffile, 0o644)

    @staticmethod
    def _slow_conf(text):
        """Under valgrind a router starts 100 times slower: unless the test
        sets its own, the router time limit is scaled (at most 600 s)."""
        if not VALGRIND or "router-timeout" in text:
            return ""
        return "\nPARAM router-timeout %d\n" % min(600, scaled(30))

    def start(self):
        self.zconfig = mksandbox(self.sandbox, *self.zconf)
        if self.conf is not None:
            self.write_conf(self.conf)
        elif VALGRIND:              # the shipped sample sets 30 s
            with open(self.conffile, "a") as f:
                f.write(self._slow_conf(""))
        self.port = free_port(self.listen or "127.0.0.1")
        argv = [SMTPSERVER, "-d", "-Z", self.zconfig, "-p", str(self.port)]
        if self.listen:
            argv += ["-a", self.listen]
        if self.gullible:
            argv.append("-g")
        if self.router:
            argv += ["-R", self.router]
        argv += self.options
        if VALGRIND:
            self.vgdir = os.path.join(self.sandbox, "vg")
            os.makedirs(self.vgdir, exist_ok=True)
            if os.geteuid() == 0:   # sessions log here after the drop
                os.chown(self.vgdir, pwd.getpwnam("daemon").pw_uid, -1)
            for old in glob.glob(os.path.join(self.vgdir, "vg.*")):
                os.unlink(old)
            argv = valgrind_argv(self.vgdir) + argv
        env = dict(os.environ)
        env.pop("ZCONFIG", None)
        env.update(self.env)
        self.logf = open(self.log_path, "ab")
        start_at = self.logf.tell()
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=self.logf, stderr=self.logf,
                                     env=env, start_new_session=True)
        self.pid = self.proc.pid
        end = time.monotonic() + scaled(10)
        while time.monotonic() < end:
            if "event=start" in self.log()[start_at:]:
                return self
            if self.proc.poll() is not None:
                raise AssertionError("smtpserver exited %s:\n%s"
                                     % (self.proc.returncode, self.log()))
            time.sleep(0.02)
        self.stop()
        raise AssertionError("smtpserver did not start:\n" + self.log())

    def stop(self):
        if self.proc is None:
            return None
        rc = self.proc.poll()
        if rc is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout=scaled(10))
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                rc = self.proc.wait(timeout=scaled(10))
        # Under valgrind, sessions and routers that are ending anyway get
        # time to write their reports before the group is killed.
        if VALGRIND:
            end = time.monotonic() + scaled(5)
            while group_alive(self.pid) and time.monotonic() < end:
                time.sleep(0.1)
        # Sessions and routers left behind (the daemon leads its own
        # process group, whose id is its pid).
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc = None
        self.logf.close()
        log = self.log()
        for bad in ("AddressSanitizer", "runtime error:", "LeakSanitizer"):
            if bad in log:
                raise AssertionError("sanitizer report in the daemon's log:\n" + log)
        if VALGRIND:
            self._valgrind_check()
        return rc

    def _valgrind_check(self):
        """After stop(): every vg.* log of this daemon's tree.  With
        ZM_VALGRIND_KEEP=dir the logs and the daemon's log are copied to
        dir/<sandbox's parent name>/ first (they go with the workdir)."""
        keep = os.environ.get("ZM_VALGRIND_KEEP")
        if keep:
            dst = os.path.join(keep, os.path.basename(self.workdir))
            shutil.copytree(self.vgdir, dst, dirs_exist_ok=True)
            shutil.copy(self.log_path, dst)
        bad = valgrind_reports(self.vgdir)
        if bad:
            raise AssertionError("valgrind errors:\n" + "\n\n".join(bad))

    def hup(self):
        os.kill(self.pid, signal.SIGHUP)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # -- observation ---------------------------------------------------
    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("latin-1")
        except FileNotFoundError:
            return ""

    def wait_log(self, text, timeout=5):
        end = time.monotonic() + scaled(timeout)
        while True:
            log = self.log()
            if text in log:
                return log
            if time.monotonic() > end:
                raise AssertionError("%r not in log:\n%s" % (text, log))
            time.sleep(0.02)

    def spooled(self):
        return sorted(os.listdir(self.router_dir))

    def public_files(self):
        return sorted(os.listdir(self.public_dir))

    def read_spool(self, name):
        with open(os.path.join(self.router_dir, name), "rb") as f:
            return f.read()
