/*
 * session.c - one SMTP session, from the gate to the last reply.
 *
 * Runs in the session child (or in the -i process): names the client,
 * passes it through the gate, handles refused connections as OPTREJECT
 * says (DESIGN 5), refuses input sent before the greeting, greets, then
 * reads command lines under the command timeout and the session deadline
 * and hands them to cmd_dispatch().  The error limit, line length and
 * bare CR/LF checks live here because they apply before any command.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "smtpd.h"

#define SESS_FLUSH_MS 10000

long
sess_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec;
}

void
sess_transcript(struct session *s, char dir, const char *p, size_t n)
{
	char esc[LOG_ESC_SIZE], line[LOG_ESC_SIZE + 64];
	int len;

	if (smtpd_opts.transcript_fd == -1)
		return;
	log_escape(esc, sizeof esc, p, n);
	if (smtpd_opts.transcript_fd == -2) {
		log_msg(LOG_DEBUG, "s=%s %c %s", s->id, dir, esc);
		return;
	}
	len = snprintf(line, sizeof line, "%s %c %s\n", s->id, dir, esc);
	if (len > 0 && (size_t)len < sizeof line &&
	    write(smtpd_opts.transcript_fd, line, (size_t)len) < 0) {
		/* the transcript is best effort */
	}
}

void
sess_reply(struct session *s, const char *line)
{
	sess_transcript(s, '>', line, strlen(line));
	sio_write(&s->io, line, strlen(line));
	sio_write(&s->io, "\r\n", 2);
}

void
sess_replyf(struct session *s, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	sess_reply(s, line);
}

/* Milliseconds to wait for the next input: the smaller of t and the
 * time left in the session. */
static long
sess_wait_ms(struct session *s, long t)
{
	long left = s->deadline - sess_now();

	if (left < 0)
		left = 0;
	return (t < left ? t : left) * 1000;
}

/* Peer address in text, IPv4-mapped IPv6 shown as plain IPv4. */
static void
sess_peer(struct session *s, const struct sockaddr *sa)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)sa;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)(const void *)sa;

	strcpy(s->ip, "0.0.0.0");
	strcpy(s->port, "0");
	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &sin->sin_addr, s->ip, sizeof s->ip);
		snprintf(s->port, sizeof s->port, "%u", ntohs(sin->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
			inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], s->ip,
			    sizeof s->ip);
		else
			inet_ntop(AF_INET6, &sin6->sin6_addr, s->ip, sizeof s->ip);
		snprintf(s->port, sizeof s->port, "%u", ntohs(sin6->sin6_port));
	}
}

/* OPTMSG, if any, appended to a reply caused by the gate. */
static const char *
sess_optmsg(struct session *s, char *out, size_t outsz)
{
	if (s->gate.optmsg[0])
		snprintf(out, outsz, " %s", s->gate.optmsg);
	else
		out[0] = '\0';
	return out;
}

/* A refused connection with OPTREJECT=perm: 554 to all but QUIT. */
static void
sess_refused_perm(struct session *s)
{
	char line[SMTP_CMD_MAX + 1], m[300];
	long end = sess_now() + smtpd_conf.reject_timeout;
	size_t len;
	int rc;

	sess_optmsg(s, m, sizeof m);
	sess_replyf(s, "554 5.7.1 %s: connection refused%s", smtpd_hostname, m);
	for (;;) {
		long left = end - sess_now();

		if (left <= 0)
			break;
		rc = sio_getline(&s->io, line, &len, left * 1000);
		if (rc == SIO_EOF || rc == SIO_TIMEOUT || rc == SIO_ERR)
			break;
		if (rc == SIO_LINE)
			sess_transcript(s, '<', line, len);
		if (rc == SIO_LINE && strcasecmp(line, "QUIT") == 0) {
			sess_replyf(s, "221 2.0.0 %s closing connection",
			    smtpd_hostname);
			break;
		}
		sess_replyf(s, "554 5.7.1 connection refused%s", m);
	}
	sio_flush(&s->io, SESS_FLUSH_MS);
}

/* Loopback (or local -i) and no pattern for 127.0.0.1, or "-": no HELO. */
static int
sess_helo_exempt(struct session *s)
{
	const struct conf_pattern *p;

	if (s->network && strcmp(s->ip, "127.0.0.1") != 0 &&
	    strcmp(s->ip, "::1") != 0)
		return 0;
	p = conf_match(&smtpd_conf, "127.0.0.1");
	return p == NULL || (p->refuse == NULL && strcmp(p->flags, "-") == 0);
}

/* NAME=value strings the router gets on top of our environment. */
static void
sess_router_env(struct session *s)
{
	struct rtr *r = &s->router;
	char *e;

	r->nextra = 0;
	if (asprintf(&e, "ZCONFIG=%s", smtpd_opts.zconfig) >= 0)
		r->extra_env[r->nextra++] = e;
	r->extra_env[r->nextra++] = (char *)"SMTPSERVER=y";
	if (asprintf(&e, "TCPWRAP_ALLOW=%s", smtpd_conf.tcpwrap_allow) >= 0)
		r->extra_env[r->nextra++] = e;
	if (asprintf(&e, "TCPWRAP_DENY=%s", smtpd_conf.tcpwrap_deny) >= 0)
		r->extra_env[r->nextra++] = e;
	if (smtpd_opts.resolver && *smtpd_opts.resolver &&
	    asprintf(&e, "RESOLVER=%s", smtpd_opts.resolver) >= 0)
		r->extra_env[r->nextra++] = e;
}

static long
sess_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Closing a socket with input still unread (commands pipelined after our
 * 421) makes the kernel answer with a RST, which throws away our last
 * replies if they are still on their way.  So, when there is such input:
 * send FIN after the replies, then read and drop what the client still
 * sends until it closes, at most SMTP_LINGER_MS and SMTP_LINGER_MAX.
 */
static void
sess_linger(struct session *s)
{
	char junk[4096];
	struct pollfd pfd;
	long end, left;
	size_t total = 0;
	ssize_t n;

	if (!s->network || s->testmode || s->io.werr ||
	    (sio_pending(&s->io) == 0 && !sio_input_waiting(&s->io, 0)))
		return;
	if (shutdown(s->io.out, SHUT_WR) < 0)
		return;        /* not a socket */
	end = sess_now_ms() + SMTP_LINGER_MS;
	pfd.fd = s->io.in;
	pfd.events = POLLIN;
	while (total < SMTP_LINGER_MAX && (left = end - sess_now_ms()) > 0) {
		if (poll(&pfd, 1, (int)left) <= 0)
			break;
		n = read(s->io.in, junk, sizeof junk);
		if (n <= 0)
			break;
		total += (size_t)n;
	}
}

static void
sess_end(struct session *s, const char *reason)
{
	sio_flush(&s->io, SESS_FLUSH_MS);
	rtr_stop(&s->router);
	log_msg(LOG_INFO, "s=%s client=[%s] event=disconnect reason=%s",
	    s->id, s->ip, reason);
	sess_linger(s);
	buf_free(&s->rcpts);
	sio_free(&s->io);
}

void
sess_run(int infd, int outfd, const struct sockaddr *peer, socklen_t peerlen,
    int testmode)
{
	static struct session sess;
	struct session *s = &sess;
	char line[SMTP_CMD_MAX + 1], m[300];
	const char *reason = "quit";
	size_t len;
	int rc;

	(void)peerlen;
	memset(s, 0, sizeof *s);
	snprintf(s->id, sizeof s->id, "%lx%05lx", (unsigned long)time(NULL),
	    (unsigned long)getpid() & 0xfffff);
	sio_init(&s->io, infd, outfd);
	buf_init(&s->rcpts, (size_t)(SMTP_ADDR_MAX + 8) *
	    (size_t)smtpd_conf.max_rcpt);
	s->testmode = testmode;
	s->network = peer != NULL || testmode;
	if (peer != NULL)
		sess_peer(s, peer);
	else if (testmode) {
		snprintf(s->ip, sizeof s->ip, "%s", smtpd_opts.test_ip);
		strcpy(s->port, "0");
	} else {
		strcpy(s->ip, "127.0.0.1");
		strcpy(s->port, "0");
	}
	s->deadline = sess_now() + smtpd_conf.session_timeout;
	/* Hard stop a little after the deadline, whatever blocks. */
	alarm((unsigned)smtpd_conf.session_timeout + 30);

	if (!s->network)
		strcpy(s->rhost, "localhost");
	else if (smtpd_opts.gullible)
		snprintf(s->rhost, sizeof s->rhost, "[%.*s]",
		    (int)sizeof s->ip - 1, s->ip);
	else
		rdns_lookup(s->ip, s->rhost, sizeof s->rhost);

	log_msg(LOG_INFO, "s=%s client=[%s] port=%s rhost=%s event=connect%s",
	    s->id, s->ip, s->port, s->rhost, testmode ? " mode=test" : "");

	rtr_init(&s->router);
	s->router.path = smtpd_opts.router;
	s->router.zconfig = smtpd_opts.zconfig;
	s->router.rhost = s->rhost;
	s->router.ip = s->ip;
	s->router.sid = s->id;
	s->router.timeout_s = smtpd_conf.router_timeout;
	sess_router_env(s);

	/* The gate (twist does not return from here). */
	s->gate.allowed = 1;
	if (testmode)
		wrap_test(s);
	else if (s->network)
		wrap_check(s, infd);
	/* From here on (twist has run) the socket is non-blocking, so that
	 * a client that does not read our replies stalls a flush at most
	 * the command timeout (sio_flush), not until the alarm. */
	if (peer != NULL && fcntl(infd, F_SETFL, fcntl(infd, F_GETFL) | O_NONBLOCK) == 0)
		s->io.wtimeout_ms = smtpd_conf.cmd_timeout * 1000;
	if (!s->gate.allowed) {
		sess_optmsg(s, m, sizeof m);
		switch (s->gate.optreject) {
		case REJ_NONE:
			break;
		case REJ_TEMP:
			sess_replyf(s, "421 4.7.1 %s: try again later%s",
			    smtpd_hostname, m);
			break;
		default:
			sess_refused_perm(s);
			break;
		}
		sess_end(s, "gate");
		return;
	}

	/* Input before the greeting: a client that does not wait. */
	if (s->network && !testmode &&
	    sio_input_waiting(&s->io, smtpd_conf.greet_pause)) {
		log_msg(LOG_NOTICE, "s=%s client=[%s] event=pregreet result=reject code=554 rule=pregreet",
		    s->id, s->ip);
		sess_replyf(s, "554 5.5.0 %s: input before the greeting is not allowed",
		    smtpd_hostname);
		sess_end(s, "pregreet");
		return;
	}

	snprintf(s->style, sizeof s->style, "%s", smtpd_opts.style);
	s->state = sess_helo_exempt(s) ? ST_MAIL : ST_HELO;
	sess_replyf(s, "220 %s ESMTP %s ready", smtpd_hostname, SMTPD_VERSION);

	while (s->state != ST_QUIT) {
		/* The session deadline holds even while pipelined commands
		 * are waiting (sio_getline would not wait for them). */
		if (sess_now() >= s->deadline)
			rc = SIO_TIMEOUT;
		else
			rc = sio_getline(&s->io, line, &len,
			    sess_wait_ms(s, smtpd_conf.cmd_timeout));
		if (rc == SIO_LINE) {
			sess_transcript(s, '<', line, len);
			if (memchr(line, '\0', len) != NULL) {
				sess_reply(s, "500 5.5.2 NUL in command");
				s->errors++;
			} else if (cmd_dispatch(s, line) < 0) {
				reason = s->state == ST_QUIT ? "quit" : "closed";
				break;
			}
		} else if (rc == SIO_TOOLONG) {
			sess_transcript(s, '<', line, len);
			sess_reply(s, "500 5.5.2 Line too long");
			s->errors++;
		} else if (rc == SIO_BARE) {
			sess_transcript(s, '<', line, len);
			sess_reply(s, "500 5.5.2 Bare CR or LF in command; lines end with CR LF");
			s->errors++;
		} else if (rc == SIO_TIMEOUT) {
			sess_replyf(s, "421 4.4.2 %s timeout, closing connection",
			    smtpd_hostname);
			reason = "timeout";
			break;
		} else {
			reason = rc == SIO_EOF ? "eof" : "error";
			break;
		}
		if (s->errors >= smtpd_conf.max_errors) {
			sess_replyf(s, "421 4.7.0 %s too many errors, closing connection",
			    smtpd_hostname);
			log_msg(LOG_NOTICE, "s=%s client=[%s] result=reject code=421 rule=errors errors=%d",
			    s->id, s->ip, s->errors);
			reason = "errors";
			break;
		}
	}
	sess_end(s, reason);
}
