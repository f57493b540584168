/*
 * conf.h - smtpserver.conf: PARAM lines and HELO pattern lines.
 *
 * Every PARAM is declared once, in the table in conf.c, with its type and,
 * for numbers, its minimum and maximum; docs/smtpserver.conf.5 lists the
 * same table.  A bad line is an error "file:line: what" and the file is
 * not used (exit 78 at start-up; the old configuration stays on SIGHUP).
 */
#ifndef SMTPD_CONF_H
#define SMTPD_CONF_H

#include <stddef.h>

#include "limits.h"

#define CONF_FLAGS_MAX SMTP_FLAGS_MAX

struct conf_pattern {
	char  *pattern;          /* lower-cased shell glob */
	double maxload;          /* < 0: no load limit */
	char   flags[CONF_FLAGS_MAX + 1];
	char  *refuse;           /* non-NULL: "!message" line */
};

struct smtpconf {
	long   maxsize;          /* message size, octets */
	long   max_rcpt;         /* recipients per message */
	long   max_errors;       /* bad commands before 421 */
	long   cmd_timeout;      /* seconds */
	long   data_timeout;     /* seconds */
	long   session_timeout;  /* seconds */
	long   router_timeout;   /* seconds */
	long   reject_timeout;   /* seconds a refused (perm) session may last */
	long   greet_pause;      /* milliseconds before the greeting */
	long   maxsameip;        /* sessions per client address; 0: no limit */
	long   drain_timeout;    /* seconds SIGTERM waits for sessions */
	int    tcpwrap;          /* gate on */
	int    long_lines;       /* accept text lines over 998 octets */
	char  *tcpwrap_allow;
	char  *tcpwrap_deny;
	char  *hostname;         /* NULL: gethostname() */
	struct conf_pattern *pat;
	size_t npat;
};

void conf_defaults(struct smtpconf *c);
/* 0 and *c loaded (defaults first); -1 and err "file:line: why". */
int  conf_load(struct smtpconf *c, const char *path, char *err, size_t errsz);
void conf_free(struct smtpconf *c);
/* First pattern line matching the lower-cased name, or NULL. */
const struct conf_pattern *conf_match(const struct smtpconf *c,
    const char *name);
/* Write the parameter table (name, default, min, max) for -V -v / docs. */
void conf_dump_params(int fd);

#endif
