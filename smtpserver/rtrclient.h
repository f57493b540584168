/*
 * rtrclient.h - the session's side of the router wire protocol
 * (docs/wire.md).
 *
 * The router is started on the first request that needs it and asked
 * `init rhost [ip]` first; a router that replaces a dead one is then told
 * `helo` and `from` again (replay_helo, replay_from, set by the session),
 * so that the policy's session state survives the restart.  rtr_ask() sends one TAB-framed request and
 * reads one reply under a time limit, validating every line.  Any
 * failure (cannot start, EOF, malformed reply, timeout, trailing bytes)
 * kills the router (SIGKILL, reaped) and returns -1: the caller answers
 * 451 4.3.0 (421 4.3.0 after RTR_FAILURES_MAX) -- never an accept.
 */
#ifndef SMTPD_RTRCLIENT_H
#define SMTPD_RTRCLIENT_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "limits.h"

#define RTR_FAILURES_MAX  SMTP_RTR_FAILURES_MAX
#define RTR_LINE_MAX      SMTP_RTR_LINE_MAX

struct rtr {
	pid_t       pid;          /* 0: not running */
	int         to, from;     /* pipe ends */
	int         failures;
	const char *path;         /* program */
	const char *zconfig;
	const char *rhost, *ip;   /* for init */
	const char *sid;          /* session id, for the log */
	char       *extra_env[8]; /* NAME=value strings for the child */
	size_t      nextra;
	long        timeout_s;
	struct buf  in;           /* bytes read from the router */
	/* Told again to a router that replaces a dead one, after init:
	 * the HELO name and sender a router accepted (NULL: none). */
	const char *replay_helo, *replay_from;
};

struct rtr_reply {
	int        code;          /* e.g. 250 */
	struct buf text;          /* the reply lines, CRLF-ended, ready to send */
	char       first[RTR_LINE_MAX + 1];   /* first line without code */
};

void rtr_init(struct rtr *r);
/* Stop the router (EOF on its stdin, then SIGKILL if needed), reap it. */
void rtr_stop(struct rtr *r);
/*
 * Ask `key arg...`.  0 with *rep filled (rep->text initialised here;
 * caller frees with buf_free); -1 on failure (reason logged).
 */
int  rtr_ask(struct rtr *r, const char *key, const char *const *args,
    size_t nargs, struct rtr_reply *rep);

/* Pure helpers, unit tested. */
/* Build "key\targ...\n"; -1 if an argument holds TAB/CR/LF/NUL or too long. */
int  rtr_format(struct buf *out, const char *key, const char *const *args,
    size_t nargs);
/*
 * Look for a complete reply at the start of in[0..n).  1: complete, its
 * length in *used and the reply in *rep; 0: need more bytes; -1: malformed.
 * rep->text is (re)initialised here; buf_free() it after any return.
 */
int  rtr_parse(const char *in, size_t n, size_t *used, struct rtr_reply *rep);

#endif
