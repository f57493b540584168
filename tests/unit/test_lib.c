/*
 * test_lib.c - unit tests of lib/: buffers, zmailer.conf, numbers,
 * log escaping, resolver specs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"
#include "dnsres.h"
#include "log.h"
#include "util.h"
#include "zconf.h"

static void
test_buf(void)
{
	struct buf b;
	int i, rc = 0;

	buf_init(&b, 10);
	CHECK(buf_puts(&b, "hello") == 0, "append within ceiling");
	CHECK(buf_puts(&b, "world") == 0, "append up to ceiling");
	CHECK(buf_putc(&b, '!') == -1, "append past ceiling refused");
	CHECK_STR(buf_cstr(&b), "helloworld");
	buf_reset(&b);
	CHECK(b.len == 0 && strcmp(buf_cstr(&b), "") == 0, "reset");
	CHECK(buf_printf(&b, "%d-%s", 42, "x") == 0, "printf");
	CHECK_STR(buf_cstr(&b), "42-x");
	CHECK(buf_printf(&b, "%s", "0123456789") == -1, "printf past ceiling");
	CHECK_STR(buf_cstr(&b), "42-x");
	buf_free(&b);
	buf_init(&b, 100000);
	for (i = 0; i < 100000; i++)
		rc |= buf_putc(&b, 'a');
	CHECK(rc == 0 && b.len == 100000, "grow to 100000, len %zu", b.len);
	CHECK(buf_putc(&b, 'a') == -1, "one past large ceiling");
	buf_free(&b);
}

static void
test_parse_long(void)
{
	static const struct { const char *s; long min, max; int rc; long v; } t[] = {
		{ "0", 0, 10, 0, 0 }, { "10", 0, 10, 0, 10 }, { "11", 0, 10, -1, 0 },
		{ "-1", 0, 10, -1, 0 }, { "-1", -5, 10, 0, -1 }, { "", 0, 10, -1, 0 },
		{ " 1", 0, 10, -1, 0 }, { "1 ", 0, 10, -1, 0 }, { "1x", 0, 10, -1, 0 },
		{ "+1", 0, 10, -1, 0 }, { "99999999999999999999", 0, 10, -1, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		long v = -99;
		int rc = util_parse_long(t[i].s, t[i].min, t[i].max, &v);

		CHECK(rc == t[i].rc && (rc < 0 || v == t[i].v),
		    "parse_long(\"%s\") got rc %d v %ld, want rc %d v %ld",
		    t[i].s, rc, v, t[i].rc, t[i].v);
	}
}

static void
test_zconf(void)
{
	char path[] = "/tmp/zconf-test-XXXXXX";
	char err[512];
	struct zconf *zc = NULL;
	int fd = mkstemp(path);
	FILE *fp = fdopen(fd, "w");

	fputs("# comment\n\nMAILBIN=/usr/lib/zmailer\n  SMTPOPTIONS=\"-m 10 -L 20\"\n"
	    "Q='single'\nMAILBIN=/opt/zm\nEMPTY=\n", fp);
	fclose(fp);
	CHECK(zconf_load(&zc, path, err, sizeof err) == 0, "load: %s", err);
	CHECK_STR(zconf_get(zc, "MAILBIN"), "/opt/zm");
	CHECK_STR(zconf_get(zc, "SMTPOPTIONS"), "-m 10 -L 20");
	CHECK_STR(zconf_get(zc, "Q"), "single");
	CHECK_STR(zconf_get(zc, "EMPTY"), "");
	CHECK(zconf_get(zc, "NOPE") == NULL, "missing name");
	zconf_free(zc);

	fp = fopen(path, "w");
	fputs("A=1\nthis is not an assignment\n", fp);
	fclose(fp);
	CHECK(zconf_load(&zc, path, err, sizeof err) == -1, "bad line refused");
	CHECK(strstr(err, ":2: ") != NULL, "error names line 2: %s", err);
	unlink(path);
	CHECK(zconf_load(&zc, path, err, sizeof err) == -1, "missing file");
	CHECK(strstr(err, path) != NULL, "error names the file: %s", err);
}

static void
test_log_escape(void)
{
	char out[LOG_ESC_SIZE];
	char big[LOG_TEXT_MAX + 50];

	CHECK_STR(log_escape(out, sizeof out, "a%sb\r\n", 6), "a%sb\\x0d\\x0a");
	CHECK_STR(log_escape(out, sizeof out, "\\", 1), "\\x5c");
	memset(big, 'x', sizeof big);
	log_escape(out, sizeof out, big, sizeof big);
	CHECK(strlen(out) == LOG_TEXT_MAX + 3, "cut to limit, got %zu", strlen(out));
	CHECK(strcmp(out + LOG_TEXT_MAX, "...") == 0, "cut marked");
}

static void
test_dnsres(void)
{
	struct sockaddr_storage ss;

	CHECK(dnsres_parse("127.0.0.1:5353", &ss) == 0 && ss.ss_family == AF_INET,
	    "v4 with port");
	CHECK(dnsres_parse("127.0.0.1", &ss) == 0, "v4 without port");
	CHECK(dnsres_parse("[::1]:5353", &ss) == 0 && ss.ss_family == AF_INET6,
	    "v6 with port");
	CHECK(dnsres_parse("::1", &ss) == 0 && ss.ss_family == AF_INET6, "bare v6");
	CHECK(dnsres_parse("127.0.0.1:0", &ss) == -1, "port 0");
	CHECK(dnsres_parse("127.0.0.1:99999", &ss) == -1, "port too big");
	CHECK(dnsres_parse("example.com:53", &ss) == -1, "names refused");
	CHECK(dnsres_parse("[::1", &ss) == -1, "unclosed bracket");
}

int
main(void)
{
	test_buf();
	test_parse_long();
	test_zconf();
	test_log_escape();
	test_dnsres();
	return check_done();
}
