/*
 * test_smtpconf.c - smtpserver.conf parsing (smtpserver/conf.c): PARAM
 * bounds, pattern lines, first match, errors with file:line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "../../smtpserver/conf.h"

static char path[64];

static int
load(struct smtpconf *c, const char *text, char *err, size_t errsz)
{
	FILE *fp = fopen(path, "w");

	fputs(text, fp);
	fclose(fp);
	return conf_load(c, path, err, errsz);
}

struct ecase {
	const char *text;
	int         line;    /* expected line in the error, 0 = no error */
};

static const struct ecase ecases[] = {
	{ "PARAM maxsize 2048\n*  ft\n", 0 },
	{ "# c\n\nPARAM maxsize 12\n", 3 },                  /* under min */
	{ "PARAM maxsize 99999999999999\n", 1 },             /* over max */
	{ "PARAM maxsize 12k\n", 1 },
	{ "PARAM nosuch 1\n", 1 },
	{ "PARAM tcpwrap maybe\n", 1 },
	{ "PARAM router-timeout\n", 1 },
	{ "*.example  ftx\n", 1 },                          /* bad flag */
	{ "*.example\n", 1 },                               /* no flags */
	{ "*.example ft extra\n", 1 },
	{ "a 1x ft\n", 1 },                                 /* bad load */
	{ "a 10 ft\nb * ftv\nc !go away\n", 0 },
};

int
main(void)
{
	struct smtpconf c;
	const struct conf_pattern *p;
	char err[512], want[128];
	size_t i;
	int fd;

	strcpy(path, "/tmp/test_smtpconf.XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		return 2;
	close(fd);
	for (i = 0; i < sizeof ecases / sizeof ecases[0]; i++) {
		int rc = load(&c, ecases[i].text, err, sizeof err);

		if (ecases[i].line == 0) {
			CHECK(rc == 0, "case %zu: unexpected error %s", i, err);
			if (rc == 0)
				conf_free(&c);
		} else {
			snprintf(want, sizeof want, "%s:%d: ", path, ecases[i].line);
			CHECK(rc < 0 && strncmp(err, want, strlen(want)) == 0,
			    "case %zu: rc %d err \"%s\", want prefix \"%s\"", i,
			    rc, rc < 0 ? err : "", want);
		}
	}
	CHECK(load(&c, "PARAM maxsize 2048\nPARAM TCPWRAP off\n"
	    "PARAM tcpwrap-allow /x/allow\n"
	    "127.0.0.1 -\n*.Bad.Example 5 !Go away now\n"
	    "*.example 2.5 ftveh\n\\[*\\] vt\n* ve\n", err, sizeof err) == 0,
	    "load: %s", err);
	CHECK(c.maxsize == 2048, "maxsize %ld", c.maxsize);
	CHECK(c.tcpwrap == 0, "tcpwrap %d", c.tcpwrap);
	CHECK_STR(c.tcpwrap_allow, "/x/allow");
	CHECK_STR(c.tcpwrap_deny, "/etc/hosts.deny");
	CHECK(c.router_timeout == 30, "router-timeout default %ld", c.router_timeout);
	p = conf_match(&c, "127.0.0.1");
	CHECK(p && strcmp(p->flags, "-") == 0, "127.0.0.1");
	p = conf_match(&c, "x.bad.example");
	CHECK(p && p->refuse && strcmp(p->refuse, "Go away now") == 0 &&
	    p->maxload == 5, "refuse line");
	p = conf_match(&c, "mx.example");
	CHECK(p && strcmp(p->flags, "ftveh") == 0 && p->maxload == 2.5,
	    "first match");
	p = conf_match(&c, "[192.0.2.1]");
	CHECK(p && strcmp(p->flags, "vt") == 0, "literal pattern");
	p = conf_match(&c, "other.org");
	CHECK(p && strcmp(p->flags, "ve") == 0, "catch-all");
	conf_free(&c);
	unlink(path);
	return check_done();
}
