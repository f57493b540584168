"""smtpserver with the real router ($(BUILD)/bin/router -I smtpserver) and
a private router.cf: the wire protocol end to end, both real programs."""
import os

from smtphelp import Raw, Smtpd

ECHO_CF = """server (key) {
	case "$key" in
	to)	case "$1" in
		junk*)	echo "a diagnostic line, not a reply"
			echo "550 5.7.1 refused <$1> [testrule]" ;;
		silent*) echo "no reply line at all" ;;
		*)	echo "250 2.1.5 got:$key:$1" ;;
		esac ;;
	*)	echo "250 2.0.0 got:$key:$1" ;;
	esac
}
"""


def start(workdir):
    d = Smtpd(workdir, conf="PARAM tcpwrap off\n*  fth\n", start=False)
    d.start()
    with open(os.path.join(d.share, "router.cf"), "w") as f:
        f.write(ECHO_CF)
    return d


def test_hostile_arguments_with_the_real_router(workdir):
    d = start(workdir)
    try:
        r = Raw(d.port, "127.0.0.2")
        assert r.reply()[0] == 220
        r.expect("EHLO client.example", 250)
        for a in ["a$b`id`@x.example", "\"a;b c\"@x.example", "$(reboot)%x@y.example",
                  "'q'@x.example", "\"$HOME\\\"\"@x.example"]:
            assert r.expect("MAIL FROM:<%s>" % a, 250) == \
                ["250 2.0.0 got:from:%s" % a]
            assert r.expect("RCPT TO:<%s>" % a, 250) == ["250 2.1.5 got:to:%s" % a]
            r.expect("RSET", 250)
        assert r.expect("MAIL FROM:<>", 250) == ["250 2.0.0 got:from:"]
    finally:
        d.stop()


def test_diagnostics_stay_out_and_failures_are_451(workdir):
    d = start(workdir)
    try:
        r = Raw(d.port, "127.0.0.2")
        assert r.reply()[0] == 220
        r.expect("HELO client.example", 250)
        r.expect("MAIL FROM:<a@x.example>", 250)
        assert r.expect("RCPT TO:<junk@x.example>", 550) == \
            ["550 5.7.1 refused <junk@x.example> [testrule]"]
        lines = r.expect("RCPT TO:<silent@x.example>", 451)
        assert lines[0].startswith("451 4.3.0")
        r.expect("RCPT TO:<fine@x.example>", 250)
        r.expect("QUIT", 221)
        log = d.wait_log("reason=quit")
        assert "rule=testrule" in log
    finally:
        d.stop()
