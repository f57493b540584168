"""rstart.py - router start-up time: exec to the reply to `init`.

    python3 rstart.py ROUTER ZMAILER.CONF RUNS

Starts `ROUTER -I smtpserver -Z ZMAILER.CONF` RUNS times the way the
session child does (pipes on stdin/stdout, ZCONFIG and SMTPSERVER in the
environment, docs/wire.md), writes `init` at once and times until the
reply's final line (`DDD text`) has been read; then closes stdin and reaps
the router (bounded).  Prints "median X ms (min Y, p90 Z, n=RUNS)".
The time includes fork+exec of the router itself, which the session child
pays too.  Exits 1 if a run gives no 2xx reply.
"""
import os
import select
import statistics
import subprocess
import sys
import time


def one(router, zconf, env):
    t0 = time.perf_counter()
    p = subprocess.Popen([router, "-I", "smtpserver", "-Z", zconf], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    try:
        p.stdin.write(b"init\tclient.bench.test\t[127.0.0.1]\n")
        p.stdin.flush()
        fd = p.stdout.fileno()
        buf = b""
        end = time.time() + 10
        while time.time() < end:
            r, _, _ = select.select([fd], [], [], 0.5)
            if not r:
                continue
            data = os.read(fd, 4096)
            if not data:
                break
            buf += data
            lines = buf.split(b"\n")
            done = [l for l in lines[:-1] if len(l) >= 3 and l[:3].isdigit() and l[3:4] != b"-"]
            if done:
                t1 = time.perf_counter()
                if not done[-1].startswith(b"2"):
                    raise RuntimeError("router replied %r" % done[-1])
                return (t1 - t0) * 1000.0
        raise RuntimeError("no reply to init from the router within 10 s (got %r)" % buf[:200])
    finally:
        try:
            p.stdin.close()
        except OSError:
            pass
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)


def main():
    router, zconf, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    env = dict(os.environ, ZCONFIG=zconf, SMTPSERVER="y")
    one(router, zconf, env)              # warm the page cache once, not counted
    t = sorted(one(router, zconf, env) for _ in range(runs))
    print("median %.2f ms (min %.2f, p90 %.2f, n=%d)"
          % (statistics.median(t), t[0], t[int(len(t) * 0.9) - 1 if len(t) >= 10 else -1], runs))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # one line for compare.sh's table
        print("rstart: %s" % e, file=sys.stderr)
        sys.exit(1)
