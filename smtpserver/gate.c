/*
 * gate.c - the connection gate: TCP Wrappers (libwrap) in the session
 * child.  The only file that includes tcpd.h.
 *
 * wrap_check() asks hosts_access() for daemon "smtpserver" with the
 * connected socket, so every libwrap option works as under tcpd(8):
 * setenv (OPTREJECT, OPTMSG, anything else -- inherited by the router),
 * twist (this process becomes the command, stdio on the socket: it does
 * not return), spawn, banners, severity, allow/deny.  libwrap's own
 * syslog messages go to the daemon facility.  The tables are
 * PARAM tcpwrap-allow / tcpwrap-deny; PARAM tcpwrap off skips the gate.
 *
 * Built with -DZM_NO_LIBWRAP (make NOWRAP=1) the gate allows everything
 * and says so in the log of every session.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "log.h"
#include "smtpd.h"

#ifndef ZM_NO_LIBWRAP
#if defined(__has_include)
#if !__has_include(<tcpd.h>)
#error "libwrap's tcpd.h not found: install libwrap0-dev (tools/deps.sh), or build with `make NOWRAP=1` to compile the connection gate out"
#endif
#endif
#include <tcpd.h>

/* libwrap reads these: its log lines go to the daemon facility. */
int allow_severity = LOG_DAEMON | LOG_INFO;
int deny_severity = LOG_DAEMON | LOG_WARNING;
#endif

#ifndef ZM_NO_LIBWRAP
/* Copy OPTREJECT/OPTMSG from the environment libwrap may have changed. */
static void
wrap_options(struct gate_result *g)
{
	const char *rej = getenv("OPTREJECT"), *msg = getenv("OPTMSG");
	size_t i, o = 0;

	g->optreject = REJ_UNSET;
	if (rej != NULL) {
		if (strcasecmp(rej, "temp") == 0)
			g->optreject = REJ_TEMP;
		else if (strcasecmp(rej, "none") == 0)
			g->optreject = REJ_NONE;
		else
			g->optreject = REJ_PERM;   /* "perm" and anything unknown */
	}
	g->optmsg[0] = '\0';
	for (i = 0; msg != NULL && msg[i] && o + 1 < sizeof g->optmsg; i++) {
		unsigned char c = (unsigned char)msg[i];

		g->optmsg[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	g->optmsg[o] = '\0';
}
#endif

static const char *
wrap_rejname(int r)
{
	switch (r) {
	case REJ_PERM: return "perm";
	case REJ_TEMP: return "temp";
	case REJ_NONE: return "none";
	default:       return "unset";
	}
}

static void
wrap_log(struct session *s, const char *how)
{
	char esc[LOG_ESC_SIZE];

	log_escape(esc, sizeof esc, s->gate.optmsg, strlen(s->gate.optmsg));
	log_msg(s->gate.allowed ? LOG_INFO : LOG_NOTICE,
	    "s=%s client=[%s] gate=%s decision=%s optreject=%s optmsg=\"%s\"",
	    s->id, s->ip, how, s->gate.allowed ? "allow" : "deny",
	    wrap_rejname(s->gate.optreject), esc);
}

void
wrap_check(struct session *s, int fd)
{
#ifndef ZM_NO_LIBWRAP
	struct request_info req;
#endif

	s->gate.allowed = 1;
	s->gate.optreject = REJ_UNSET;
	s->gate.optmsg[0] = '\0';
	if (!smtpd_conf.tcpwrap) {
		wrap_log(s, "off");
		return;
	}
#ifdef ZM_NO_LIBWRAP
	(void)fd;
	wrap_log(s, "compiled-out");
#else
	hosts_allow_table = smtpd_conf.tcpwrap_allow;
	hosts_deny_table = smtpd_conf.tcpwrap_deny;
	request_init(&req, RQ_DAEMON, "smtpserver", RQ_FILE, fd, 0);
	fromhost(&req);
	s->gate.allowed = hosts_access(&req) ? 1 : 0;
	wrap_options(&s->gate);
	wrap_log(s, "libwrap");
#endif
}

void
wrap_test(struct session *s)
{
#ifndef ZM_NO_LIBWRAP
	struct request_info req;
#endif

	s->gate.allowed = 1;
	s->gate.optreject = REJ_UNSET;
	s->gate.optmsg[0] = '\0';
	if (!smtpd_conf.tcpwrap) {
		dprintf(2, "smtpserver: gate: client=[%s] decision=allow (PARAM tcpwrap off)\n",
		    s->ip);
		wrap_log(s, "off");
		return;
	}
#ifdef ZM_NO_LIBWRAP
	dprintf(2, "smtpserver: gate: client=[%s] decision=allow (gate compiled out)\n",
	    s->ip);
	wrap_log(s, "compiled-out");
#else
	hosts_allow_table = smtpd_conf.tcpwrap_allow;
	hosts_deny_table = smtpd_conf.tcpwrap_deny;
	request_init(&req, RQ_DAEMON, "smtpserver", RQ_CLIENT_ADDR, s->ip,
	    RQ_FILE, 1, 0);
	if (s->rhost[0] != '[')
		request_set(&req, RQ_CLIENT_NAME, s->rhost, 0);
	s->gate.allowed = hosts_access(&req) ? 1 : 0;
	wrap_options(&s->gate);
	dprintf(2, "smtpserver: gate: client=[%s] tables=%s,%s decision=%s "
	    "OPTREJECT=%s OPTMSG=\"%s\"\n", s->ip, smtpd_conf.tcpwrap_allow,
	    smtpd_conf.tcpwrap_deny, s->gate.allowed ? "allow" : "deny",
	    wrap_rejname(s->gate.optreject), s->gate.optmsg);
	wrap_log(s, "libwrap-test");
#endif
}
