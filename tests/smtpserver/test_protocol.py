"""smtpserver end to end: the SMTP dialogue (DESIGN 6) with smtplib,
swaks and raw sockets against the real daemon on 127.0.0.1."""
import smtplib
import subprocess
import time

import pytest

from smtphelp import PLAIN, Raw, Smtpd


@pytest.fixture
def plain(workdir):
    with Smtpd(workdir, conf=PLAIN) as d:
        yield d


def greet(d, source="127.0.0.2", helo=True):
    r = Raw(d.port, source)
    code, _ = r.reply()
    assert code == 220
    if helo:
        r.expect("EHLO client.example", 250)
    return r


def test_ehlo_keywords_and_each_works(plain):
    r = greet(plain, helo=False)
    lines = r.expect("EHLO client.example", 250)
    kws = [l[4:] for l in lines[1:]]
    assert "PIPELINING" in kws
    assert "SIZE 10485760" in kws
    assert "8BITMIME" in kws
    assert "ENHANCEDSTATUSCODES" in kws
    # SIZE: announced size over the limit -> 552 5.3.4
    lines = r.expect("MAIL FROM:<a@x.example> SIZE=20000000", 552)
    assert lines[0].startswith("552 5.3.4")
    # 8BITMIME: BODY=8BITMIME accepted, with an enhanced status code
    lines = r.expect("MAIL FROM:<a@x.example> BODY=8BITMIME SIZE=100", 250)
    assert lines[0].startswith("250 2.1.0")
    # PIPELINING: a whole group in one write, replies in order
    r.send("RCPT TO:<b@y.example>\r\nRCPT TO:<bad address>\r\n"
           "RCPT TO:<c@y.example>\r\nNOOP\r\nDATA\r\n")
    codes = [r.reply()[0] for _ in range(5)]
    assert codes == [250, 501, 250, 250, 354]
    r.send("Subject: pipelined\r\n\r\nbody\r\n.\r\nQUIT\r\n")
    c, lines = r.reply()
    assert c == 250 and lines[0].startswith("250 2.6.0 <")
    assert r.reply()[0] == 221
    assert len(plain.spooled()) == 1


def test_helo_smtp_has_no_extensions(plain):
    r = greet(plain, helo=False)
    lines = r.expect("HELO client.example", 250)
    assert len(lines) == 1
    lines = r.expect("MAIL FROM:<a@x.example> SIZE=10", 555)


def test_message_lands_in_router_with_envelope(plain):
    s = smtplib.SMTP("127.0.0.1", plain.port, source_address=("127.0.0.3", 0), timeout=10)
    s.ehlo("sender.example")
    body = (b"Subject: test\r\n\r\nline one\r\n.starts with dot\r\n"
            b"..two dots\r\n.\r\n" + b"x" * 50 + b"\r\n")
    s.sendmail("alice@sender.example", ["bob@dest.example", "carol@dest.example"], body)
    s.quit()
    names = plain.spooled()
    assert len(names) == 1 and names[0].isdigit()
    data = plain.read_spool(names[0]).decode()
    env, rest = data.split("env-end\n", 1)
    lines = env.splitlines()
    assert lines[0] == "external"
    assert lines[1].startswith('rcvdfrom [127.0.0.3] ([127.0.0.3]:')
    assert lines[1].endswith(' "EHLO sender.example")')
    assert lines[2:] == ["with ESMTP", "from <alice@sender.example>",
                         "to <bob@dest.example>", "to <carol@dest.example>"]
    hdr = rest.split("\n")
    assert hdr[0] == "Received: from sender.example (unknown [127.0.0.3])"
    assert hdr[1].startswith("\tby ") and (" with ESMTP id %s;" % names[0]) in hdr[1]
    # dot-unstuffed, CRLF -> LF, the lone "." line kept as "." (sent "..")
    assert rest.split("\n", 3)[3] == ("Subject: test\n\nline one\n.starts with dot\n"
                                      "..two dots\n.\n" + "x" * 50 + "\n")
    assert plain.public_files() == []
    log = plain.log()
    assert "id=%s from=<alice@sender.example> nrcpt=2" % names[0] in log


def test_null_sender_is_channel_error(plain):
    s = smtplib.SMTP("127.0.0.1", plain.port, timeout=10)
    s.ehlo("sender.example")
    s.sendmail("<>", ["bob@dest.example"], b"Subject: bounce\r\n\r\nx\r\n")
    s.quit()
    data = plain.read_spool(plain.spooled()[0]).decode()
    assert "\nchannel error\nto <bob@dest.example>\nenv-end\n" in data
    assert "from <" not in data.split("env-end")[0]


def test_swaks_delivers(plain):
    r = subprocess.run(["swaks", "--server", "127.0.0.1:%d" % plain.port,
                        "--from", "s@swaks.example", "--to", "r@dest.example",
                        "--helo", "swaks.example", "--body", "hello from swaks"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "250 2.6.0" in r.stdout
    data = plain.read_spool(plain.spooled()[0]).decode()
    assert "from <s@swaks.example>\nto <r@dest.example>\nenv-end\n" in data
    assert "hello from swaks" in data


def test_sequence_errors_503(plain):
    r = greet(plain, source="127.0.0.2", helo=False)
    assert r.expect("MAIL FROM:<a@x.example>", 503)[0].startswith("503 5.5.1")
    r.expect("RCPT TO:<b@y.example>", 503)
    r.expect("DATA", 503)
    r.expect("EHLO c.example", 250)
    r.expect("RCPT TO:<b@y.example>", 503)
    r.expect("DATA", 503)
    r.expect("MAIL FROM:<a@x.example>", 250)
    r.expect("MAIL FROM:<a@x.example>", 503)
    r.expect("DATA", 503)


def test_loopback_needs_no_helo(plain):
    r = Raw(plain.port, source="127.0.0.1")
    assert r.reply()[0] == 220
    r.expect("MAIL FROM:<a@x.example>", 250)
    # with a pattern for 127.0.0.1 that is not "-", HELO is required
    plain.write_conf("PARAM tcpwrap off\n127.0.0.1 ft\n* -\n")
    plain.hup()
    plain.wait_log("event=reload result=ok")
    r2 = Raw(plain.port, source="127.0.0.1")
    assert r2.reply()[0] == 220
    r2.expect("MAIL FROM:<a@x.example>", 503)


def test_syntax_errors_501_500(workdir):
    plain = Smtpd(workdir, conf=PLAIN + "PARAM max-errors 100\n")
    r = greet(plain, helo=False)
    for bad in ["HELO", "HELO two words.example", "HELO 192.0.2.1",
                "EHLO bad\x01name.example", "HELO [300.1.1.1]"]:
        c, lines = r.cmd(bad)
        assert c == 501 and ("5.5.4" in lines[0]), (bad, lines)
    r.expect("HELO [192.0.2.1]", 250)
    r.expect("MAIL FROM:a@x.example", 501)        # no brackets
    r.expect("MAIL FROM:<a b@x.example>", 501)
    r.expect("MAIL TO:<a@x.example>", 501)
    r.expect("MAIL FROM:<a@x.example> FOO=1", 555)
    r.expect("XYZZY", 500)
    r.expect("MAIL FROM:<a@x.example>", 250)
    r.expect("RCPT TO:<>", 501)
    r.expect("RCPT TO:<b@y.example> NOTIFY=NEVER", 555)
    r.expect("DATA now", 501)
    r.expect("VRFY", 501)
    r.expect("VRFY a\x01b", 501)
    plain.stop()


def test_overlong_command_500_and_session_goes_on(plain):
    r = greet(plain)
    lines = r.expect("NOOP " + "x" * 5000, 500)
    assert lines[0].startswith("500 5.5.2")
    r.expect("NOOP", 250)
    # 2048 octets is still a command
    r.expect("NOOP " + "y" * 2043, 250)
    r.expect("MAIL FROM:<a@x.example>", 250)


def test_bare_lf_or_cr_in_command(plain):
    r = greet(plain)
    r.send("MAIL FROM:<a@x.example>\nRCPT TO:<b@y.example>\r\n")
    c, lines = r.reply()
    assert c == 500 and "5.5.2" in lines[0]
    r.send("NOOP\rNOOP\r\n")
    assert r.reply()[0] == 500
    # neither command took effect
    r.expect("RCPT TO:<b@y.example>", 503)


def test_error_limit_421(workdir):
    with Smtpd(workdir, conf=PLAIN + "PARAM max-errors 3\n") as d:
        r = greet(d)
        r.expect("BOGUS1", 500)
        r.expect("BOGUS2", 500)
        c, lines = r.cmd("BOGUS3")
        assert c == 500
        c, lines = r.reply()
        assert c == 421 and "4.7.0" in lines[0]
        assert r.closed()


def test_recipient_limit_452(workdir):
    with Smtpd(workdir, conf=PLAIN + "PARAM max-recipients 3\n") as d:
        r = greet(d)
        r.expect("MAIL FROM:<a@x.example>", 250)
        for i in range(3):
            r.expect("RCPT TO:<r%d@y.example>" % i, 250)
        lines = r.expect("RCPT TO:<r9@y.example>", 452)
        assert lines[0].startswith("452 4.5.3")
        r.expect("DATA", 354)
        r.send("Subject: x\r\n\r\nx\r\n.\r\n")
        assert r.reply()[0] == 250
        data = d.read_spool(d.spooled()[0]).decode()
        assert data.count("\nto <") == 3 and "r9@" not in data


def test_oversize_message_552(workdir):
    with Smtpd(workdir, conf=PLAIN + "PARAM maxsize 2048\n") as d:
        r = greet(d)
        assert "SIZE 2048" in r.expect("EHLO c.example", 250)[2]
        r.expect("MAIL FROM:<a@x.example>", 250)
        r.expect("RCPT TO:<b@y.example>", 250)
        r.expect("DATA", 354)
        r.send(("x" * 70 + "\r\n") * 100 + ".\r\n")
        c, lines = r.reply()
        assert c == 552 and "5.3.4" in lines[0]
        r.expect("NOOP", 250)
        assert d.spooled() == [] and d.public_files() == []


def test_long_text_line_554(workdir):
    with Smtpd(workdir, conf=PLAIN) as d:
        r = greet(d)
        r.expect("MAIL FROM:<a@x.example>", 250)
        r.expect("RCPT TO:<b@y.example>", 250)
        r.expect("DATA", 354)
        r.send("ok\r\n" + "z" * 999 + "\r\n.\r\n")
        c, lines = r.reply()
        assert c == 554 and "5.6.0" in lines[0]
        assert d.spooled() == []
    with Smtpd(workdir, conf=PLAIN + "PARAM long-lines on\n") as d:
        r = greet(d)
        r.expect("MAIL FROM:<a@x.example>", 250)
        r.expect("RCPT TO:<b@y.example>", 250)
        r.expect("DATA", 354)
        r.send("ok\r\n" + "z" * 999 + "\r\n.\r\n")
        assert r.reply()[0] == 250


@pytest.mark.parametrize("ending", [b"\n.\n", b"\r.\r", b"\n.\r\n", b"\r\n.\n", b"\r\n.\r\r\n"])
def test_fake_end_of_data_never_ends_and_is_refused(plain, ending):
    r = greet(plain)
    r.expect("MAIL FROM:<a@x.example>", 250)
    r.expect("RCPT TO:<b@y.example>", 250)
    r.expect("DATA", 354)
    smuggled = (b"MAIL FROM:<evil@x.example>\r\nRCPT TO:<victim@y.example>\r\n"
                b"DATA\r\nSubject: smuggled\r\n\r\nevil\r\n")
    r.send(b"Subject: first\r\n\r\nhello" + ending + smuggled)
    # the fake end must not end DATA: no reply within a second
    with pytest.raises(TimeoutError):
        r.reply(timeout=1)
    r.send(b".\r\n")
    c, lines = r.reply()
    assert c == 554 and "5.6.0" in lines[0], lines
    # no reply for any smuggled command: the next reply is for our NOOP
    r.expect("NOOP", 250)
    assert plain.spooled() == [] and plain.public_files() == []
    assert "rule=bare-crlf" in plain.log()


def test_rset_and_disconnect_mid_data_leave_nothing(plain):
    r = greet(plain)
    r.expect("MAIL FROM:<a@x.example>", 250)
    r.expect("RCPT TO:<b@y.example>", 250)
    r.expect("RSET", 250)
    r.expect("RCPT TO:<b@y.example>", 503)
    r.expect("MAIL FROM:<a@x.example>", 250)
    r.expect("RCPT TO:<b@y.example>", 250)
    r.expect("DATA", 354)
    r.send("Subject: cut\r\n\r\npartial body\r\n")
    r.close()
    plain.wait_log("result=abort reason=eof")
    assert plain.spooled() == [] and plain.public_files() == []


def test_timeouts_421_and_nothing_spooled(workdir):
    conf = PLAIN + "PARAM command-timeout 1\nPARAM data-timeout 1\n"
    with Smtpd(workdir, conf=conf) as d:
        r = greet(d)
        c, lines = r.reply(timeout=5)
        assert c == 421 and "4.4.2" in lines[0]
        assert r.closed()
        r = greet(d)
        r.expect("MAIL FROM:<a@x.example>", 250)
        r.expect("RCPT TO:<b@y.example>", 250)
        r.expect("DATA", 354)
        r.send("Subject: slow\r\n\r\nbody\r\n")
        c, lines = r.reply(timeout=5)
        assert c == 421
        assert r.closed()
        d.wait_log("result=abort reason=timeout")
        assert d.spooled() == [] and d.public_files() == []


def test_session_timeout(workdir):
    conf = PLAIN + "PARAM session-timeout 2\n"
    with Smtpd(workdir, conf=conf) as d:
        r = greet(d)
        t0 = time.monotonic()
        for _ in range(20):
            try:
                c, _ = r.cmd("NOOP", timeout=5)
            except EOFError:
                break
            if c == 421:
                break
            time.sleep(0.3)
        assert c == 421 and time.monotonic() - t0 < 5


def test_vrfy_expn_help_without_router_flags(plain):
    r = greet(plain)
    lines = r.expect("VRFY postmaster", 252)
    assert lines[0].startswith("252 2.5.2")
    assert r.expect("EXPN staff", 502)[0].startswith("502 5.5.1")
    lines = r.expect("HELP", 214)
    assert len(lines) == 3
    r.expect("NOOP", 250)
    lines = r.expect("QUIT", 221)
    assert r.closed()


def test_helo_refused_by_pattern(workdir):
    conf = ("PARAM tcpwrap off\n*.spam.example  !No mail from your host\n"
            "bad.example 9999 !\n*  -\n")
    with Smtpd(workdir, conf=conf) as d:
        r = greet(d, helo=False)
        lines = r.expect("EHLO mx.spam.example", 501)
        assert lines[0] == "501 5.7.1 No mail from your host"
        r.expect("MAIL FROM:<a@x.example>", 503)   # still waiting for HELO
        assert r.expect("HELO BAD.example", 501)[0] == "501 5.7.1 Sorry, access denied."
        r.expect("HELO good.example", 250)
        r.expect("MAIL FROM:<a@x.example>", 250)


def test_maxloadavg_421(workdir):
    conf = "PARAM tcpwrap off\nbusy.example 0 -\n*  -\n"
    with Smtpd(workdir, conf=conf) as d:
        with open("/proc/loadavg") as f:
            load = float(f.read().split()[0])
        r = greet(d, helo=False)
        c, lines = r.cmd("HELO busy.example")
        if load > 0:
            assert c == 421 and "4.3.2" in lines[0]
            assert r.closed()
        else:
            assert c == 250
        r = greet(d, helo=False)
        r.expect("HELO calm.example", 250)


def test_input_before_greeting_refused(workdir):
    with Smtpd(workdir, conf=PLAIN + "PARAM greet-pause 500\n") as d:
        r = Raw(d.port)
        r.send("EHLO eager.example\r\n")
        c, lines = r.reply()
        assert c == 554
        assert r.closed()
        d.wait_log("rule=pregreet")
        r = Raw(d.port)
        assert r.reply()[0] == 220


def test_strict_and_sloppy_flags(workdir):
    conf = "PARAM tcpwrap off\nstrict.example R\nsloppy.example S\n*  -\n"
    with Smtpd(workdir, conf=conf) as d:
        r = greet(d, helo=False)
        r.expect("EHLO strict.example", 250)
        r.expect("MAIL FROM:<user>", 501)
        r.expect("MAIL FROM:<a;b@x.example>", 501)
        r.expect("MAIL FROM:<a@x.example>", 250)
        r.expect("RCPT TO:<postmaster>", 250)
        r = greet(d, helo=False)
        r.expect("EHLO sloppy.example", 250)
        r.expect("MAIL FROM: a@x.example", 250)
        r.expect("RCPT TO:< b@y.example >", 250)


def test_transcript_file(workdir):
    import os
    tr = os.path.join(workdir, "transcript.log")
    with Smtpd(workdir, conf=PLAIN, options=["-l", tr]) as d:
        r = greet(d)
        r.expect("NOOP hello\tthere", 250)
        r.expect("QUIT", 221)
        d.wait_log("reason=quit")
    text = open(tr).read()
    assert "< EHLO client.example" in text
    assert "> 250 2.0.0 OK" in text
    assert "< NOOP hello\\x09there" in text
