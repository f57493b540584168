/*
 * cmds.c - the SMTP command handlers (DESIGN 6).
 *
 * Each command is a check step (state, syntax, limits: validates only,
 * answers the error) and a proceed step (asks the router, changes the
 * state, answers).  Router failures become 451 4.3.0, or 421 4.3.0 and
 * the end of the session after RTR_FAILURES_MAX: never an accept.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "cmdparse.h"
#include "data.h"
#include "log.h"
#include "smtpd.h"
#include "spool.h"
#include "util.h"

#define CMD_OK     0
#define CMD_CLOSE  (-1)

struct cmd {
	const char *name;
	int (*fn)(struct session *, const char *arg);
};

void
cmd_reset(struct session *s)
{
	s->have_from = 0;
	s->from[0] = '\0';
	s->router.replay_from = NULL;
	s->nrcpt = 0;
	s->body8bit = 0;
	buf_reset(&s->rcpts);
	if (s->state == ST_RCPT)
		s->state = ST_MAIL;
}

static int
cmd_has(const struct session *s, int flag)
{
	return strchr(s->style, flag) != NULL;
}

static int
cmd_error(struct session *s, const char *reply)
{
	s->errors++;
	sess_reply(s, reply);
	return CMD_OK;
}

/*
 * Ask the router.  1: a reply (in *rep, caller frees); 0: failure
 * answered with 451; -1: failure answered with 421, close the session.
 */
static int
cmd_router(struct session *s, const char *key, const char *arg,
    struct rtr_reply *rep)
{
	const char *args[1];

	args[0] = arg;
	if (rtr_ask(&s->router, key, args, 1, rep) == 0)
		return 1;
	buf_free(&rep->text);
	if (s->router.failures >= RTR_FAILURES_MAX) {
		sess_replyf(s, "421 4.3.0 %s policy service unavailable, closing connection",
		    smtpd_hostname);
		log_msg(LOG_WARNING, "s=%s client=[%s] cmd=%s result=tempfail code=421 rule=router-failure",
		    s->id, s->ip, key);
		s->state = ST_QUIT;
		return -1;
	}
	sess_reply(s, "451 4.3.0 Temporary policy failure, try again later");
	log_msg(LOG_WARNING, "s=%s client=[%s] cmd=%s result=tempfail code=451 rule=router-failure",
	    s->id, s->ip, key);
	return 0;
}

/* Send a router reply as is (lines are CRLF-ended already). */
static void
cmd_send_reply(struct session *s, const struct rtr_reply *rep)
{
	sess_transcript(s, '>', buf_cstr(&rep->text), rep->text.len);
	sio_write(&s->io, buf_cstr(&rep->text), rep->text.len);
}

/* ---- HELO / EHLO -------------------------------------------------------- */

static int
cmd_helo_common(struct session *s, const char *arg, int esmtp)
{
	const struct conf_pattern *p;
	char lower[SMTP_HELO_MAX + 1], esc[LOG_ESC_SIZE];
	const char *style;
	size_t i;
	double load[1];

	/* check */
	if (*arg == '\0')
		return cmd_error(s, esmtp ? "501 5.5.4 Syntax: EHLO hostname"
		    : "501 5.5.4 Syntax: HELO hostname");
	if (!addr_helo_ok(arg)) {
		log_escape(esc, sizeof esc, arg, strlen(arg));
		log_msg(LOG_NOTICE, "s=%s client=[%s] cmd=%s helo=\"%s\" result=reject code=501 rule=helo-syntax",
		    s->id, s->ip, esmtp ? "EHLO" : "HELO", esc);
		return cmd_error(s, "501 5.5.4 Invalid HELO/EHLO name (a domain name or an address literal)");
	}
	for (i = 0; arg[i]; i++)
		lower[i] = (char)tolower((unsigned char)arg[i]);
	lower[i] = '\0';
	p = conf_match(&smtpd_conf, lower);
	if (p != NULL && p->maxload >= 0 && getloadavg(load, 1) == 1 &&
	    load[0] > p->maxload) {
		sess_replyf(s, "421 4.3.2 %s system too loaded, try again later",
		    smtpd_hostname);
		s->state = ST_QUIT;
		return CMD_CLOSE;
	}
	if (p != NULL && p->refuse != NULL) {
		log_escape(esc, sizeof esc, arg, strlen(arg));
		log_msg(LOG_NOTICE, "s=%s client=[%s] cmd=HELO helo=\"%s\" result=reject code=501 rule=smtpserver.conf",
		    s->id, s->ip, esc);
		sess_replyf(s, "501 5.7.1 %s", p->refuse);
		return CMD_OK;
	}
	style = p != NULL ? p->flags : smtpd_opts.style;

	/* proceed */
	if (strchr(style, 'h') != NULL) {
		struct rtr_reply rep;
		int rc = cmd_router(s, "helo", arg, &rep);

		if (rc <= 0)
			return rc < 0 ? CMD_CLOSE : CMD_OK;
		if (rep.code / 100 != 2) {
			char rule[48];

			cmd_rule(buf_cstr(&rep.text), rule, sizeof rule);
			log_escape(esc, sizeof esc, arg, strlen(arg));
			log_msg(LOG_NOTICE, "s=%s client=[%s] cmd=HELO helo=\"%s\" result=reject code=%d rule=%s",
			    s->id, s->ip, esc, rep.code, rule);
			cmd_send_reply(s, &rep);
			buf_free(&rep.text);
			return CMD_OK;
		}
		buf_free(&rep.text);
	}
	snprintf(s->style, sizeof s->style, "%s", style);
	strcpy(s->helo, arg);
	strcpy(s->helo_verb, esmtp ? "EHLO" : "HELO");
	s->helo_seen = 1;
	s->esmtp = esmtp;
	cmd_reset(s);
	s->router.replay_helo = strchr(style, 'h') != NULL ? s->helo : NULL;
	s->state = ST_MAIL;
	log_escape(esc, sizeof esc, arg, strlen(arg));
	log_msg(LOG_INFO, "s=%s client=[%s] cmd=%s helo=\"%s\" flags=%s result=ok",
	    s->id, s->ip, s->helo_verb, esc, s->style);
	sess_replyf(s, "250%c%s Hello %s [%s]", esmtp ? '-' : ' ',
	    smtpd_hostname, s->rhost[0] == '[' ? "unknown" : s->rhost, s->ip);
	if (!esmtp)
		return CMD_OK;
	sess_reply(s, "250-PIPELINING");
	sess_replyf(s, "250-SIZE %ld", smtpd_conf.maxsize);
	sess_reply(s, "250-8BITMIME");
	sess_reply(s, "250 ENHANCEDSTATUSCODES");
	return CMD_OK;
}

static int
cmd_helo(struct session *s, const char *arg)
{
	return cmd_helo_common(s, arg, 0);
}

static int
cmd_ehlo(struct session *s, const char *arg)
{
	return cmd_helo_common(s, arg, 1);
}

/* ---- MAIL / RCPT -------------------------------------------------------- */

static int
cmd_path_flags(const struct session *s)
{
	return (cmd_has(s, 'R') ? ADDR_STRICT : 0) |
	    (cmd_has(s, 'S') ? ADDR_SLOPPY : 0);
}

static int
cmd_mail_check(struct session *s, const char *arg, struct addr_path *ap)
{
	const char *why, *path;

	if (s->state == ST_HELO)
		return cmd_error(s, "503 5.5.1 Waiting for HELO/EHLO"), -1;
	if (s->have_from)
		return cmd_error(s, "503 5.5.1 Sender already specified"), -1;
	if ((path = cmd_path_arg(arg, 1)) == NULL)
		return cmd_error(s, "501 5.5.4 Syntax: MAIL FROM:<address>"), -1;
	if (addr_parse_path(path, cmd_path_flags(s) | ADDR_NULL_OK, ap,
	    &why) < 0) {
		sess_replyf(s, "501 5.1.7 Bad sender address syntax: %s", why);
		s->errors++;
		return -1;
	}
	switch (cmd_mail_params(ap, s->esmtp, smtpd_conf.maxsize, &s->body8bit,
	    &why)) {
	case 0:
		return 0;
	case CMD_PARAM_ERROR:
		return cmd_error(s, why), -1;
	default:
		sess_reply(s, why);
		return -1;
	}
}

static int
cmd_mail(struct session *s, const char *arg)
{
	struct addr_path ap;
	struct rtr_reply rep;
	char esc[LOG_ESC_SIZE], hesc[LOG_ESC_SIZE], m[300], rule[48];
	int rc;

	if (cmd_mail_check(s, arg, &ap) < 0)
		return CMD_OK;
	log_escape(esc, sizeof esc, ap.addr, strlen(ap.addr));

	/* Delayed refusal: the gate allowed the host with OPTREJECT set. */
	if (s->gate.optreject == REJ_PERM || s->gate.optreject == REJ_TEMP) {
		int perm = s->gate.optreject == REJ_PERM;

		log_escape(hesc, sizeof hesc, s->helo, strlen(s->helo));
		log_msg(LOG_NOTICE, "s=%s client=[%s] helo=\"%s\" cmd=MAIL from=<%s> result=reject code=%d rule=optreject",
		    s->id, s->ip, hesc, esc, perm ? 550 : 450);
		if (s->gate.optmsg[0])
			snprintf(m, sizeof m, " %s", s->gate.optmsg);
		else
			m[0] = '\0';
		sess_replyf(s, "%s mail from your host refused%s",
		    perm ? "550 5.7.1" : "450 4.7.1", m);
		return CMD_OK;
	}
	if (cmd_has(s, 'f')) {
		if ((rc = cmd_router(s, "from", ap.addr, &rep)) <= 0)
			return rc < 0 ? CMD_CLOSE : CMD_OK;
		if (rep.code / 100 != 2) {
			cmd_rule(buf_cstr(&rep.text), rule, sizeof rule);
			log_msg(LOG_NOTICE, "s=%s client=[%s] cmd=MAIL from=<%s> result=reject code=%d rule=%s",
			    s->id, s->ip, esc, rep.code, rule);
			cmd_send_reply(s, &rep);
			buf_free(&rep.text);
			return CMD_OK;
		}
		cmd_send_reply(s, &rep);
		buf_free(&rep.text);
	} else
		sess_reply(s, "250 2.1.0 Sender ok");
	strcpy(s->from, ap.addr);
	s->have_from = 1;
	s->state = ST_RCPT;
	if (cmd_has(s, 'f'))
		s->router.replay_from = s->from;
	log_msg(LOG_INFO, "s=%s client=[%s] cmd=MAIL from=<%s> result=accept",
	    s->id, s->ip, esc);
	return CMD_OK;
}

static int
cmd_rcpt_check(struct session *s, const char *arg, struct addr_path *ap)
{
	const char *why, *path;

	if (!s->have_from)
		return cmd_error(s, "503 5.5.1 Need MAIL before RCPT"), -1;
	if ((path = cmd_path_arg(arg, 0)) == NULL)
		return cmd_error(s, "501 5.5.4 Syntax: RCPT TO:<address>"), -1;
	if (addr_parse_path(path, cmd_path_flags(s), ap, &why) < 0) {
		sess_replyf(s, "501 5.1.3 Bad recipient address syntax: %s", why);
		s->errors++;
		return -1;
	}
	if (ap->nparams > 0)
		return cmd_error(s, "555 5.5.4 Unsupported RCPT parameter"), -1;
	if (s->nrcpt >= smtpd_conf.max_rcpt) {
		sess_reply(s, "452 4.5.3 Too many recipients");
		return -1;
	}
	return 0;
}

static int
cmd_rcpt(struct session *s, const char *arg)
{
	struct addr_path ap;
	struct rtr_reply rep;
	char esc[LOG_ESC_SIZE], rule[48];
	int rc;

	if (cmd_rcpt_check(s, arg, &ap) < 0)
		return CMD_OK;
	log_escape(esc, sizeof esc, ap.addr, strlen(ap.addr));
	if (cmd_has(s, 't')) {
		if ((rc = cmd_router(s, "to", ap.addr, &rep)) <= 0)
			return rc < 0 ? CMD_CLOSE : CMD_OK;
		if (rep.code / 100 != 2) {
			cmd_rule(buf_cstr(&rep.text), rule, sizeof rule);
			log_msg(LOG_NOTICE, "s=%s client=[%s] cmd=RCPT rcpt=<%s> result=reject code=%d rule=%s",
			    s->id, s->ip, esc, rep.code, rule);
			cmd_send_reply(s, &rep);
			buf_free(&rep.text);
			return CMD_OK;
		}
		cmd_send_reply(s, &rep);
		buf_free(&rep.text);
	} else
		sess_reply(s, "250 2.1.5 Recipient ok");
	if (buf_printf(&s->rcpts, "to <%s>\n", ap.addr) < 0) {
		/* cannot happen: the buffer is sized for max_rcpt */
		return CMD_CLOSE;
	}
	s->nrcpt++;
	log_msg(LOG_INFO, "s=%s client=[%s] cmd=RCPT rcpt=<%s> result=accept",
	    s->id, s->ip, esc);
	return CMD_OK;
}

/* ---- DATA --------------------------------------------------------------- */

static int
cmd_discard(void *arg, const char *p, size_t n)
{
	(void)arg; (void)p; (void)n;
	return 0;
}

static int
cmd_data(struct session *s, const char *arg)
{
	struct data_state ds;
	struct spool sp;
	const char *p;
	char id[32], esc[LOG_ESC_SIZE];
	long n, used;
	int spooling = !s->testmode, e;

	/* check */
	if (*arg)
		return cmd_error(s, "501 5.5.4 Syntax: DATA");
	if (!s->have_from)
		return cmd_error(s, "503 5.5.1 Need MAIL command");
	if (s->nrcpt == 0)
		return cmd_error(s, "503 5.5.1 Need RCPT command (no valid recipients)");

	/* proceed */
	if (spooling && spool_open(&sp, smtpd_opts.postoffice, s) < 0) {
		e = errno;
		log_msg(LOG_ERR, "s=%s client=[%s] cmd=DATA result=tempfail code=%d rule=spool error=\"%s\"",
		    s->id, s->ip, e == ENOSPC || e == EDQUOT ? 452 : 451,
		    strerror(e));
		sess_reply(s, e == ENOSPC || e == EDQUOT
		    ? "452 4.3.1 Insufficient system storage"
		    : "451 4.3.0 Cannot create the spool file, try again later");
		return CMD_OK;
	}
	sess_reply(s, "354 End data with <CR><LF>.<CR><LF>");
	data_init(&ds, (size_t)smtpd_conf.maxsize);
	while (!ds.done) {
		long left = s->deadline - sess_now(), t = smtpd_conf.data_timeout;

		if (left < t)
			t = left > 0 ? left : 0;
		/* At the session deadline even a client that keeps sending
		 * (data always waiting) is cut off. */
		n = left <= 0 ? SIO_TIMEOUT : sio_peek(&s->io, &p, t * 1000);
		if (n < 0) {
			if (spooling)
				spool_abort(&sp);
			log_msg(LOG_NOTICE, "s=%s client=[%s] cmd=DATA result=abort reason=%s",
			    s->id, s->ip, n == SIO_TIMEOUT ? "timeout" : "eof");
			if (n == SIO_TIMEOUT)
				sess_replyf(s, "421 4.4.2 %s timeout in DATA, closing connection",
				    smtpd_hostname);
			s->state = ST_QUIT;
			cmd_reset(s);
			return CMD_CLOSE;
		}
		used = data_feed(&ds, p, (size_t)n,
		    spooling ? spool_body : cmd_discard, &sp);
		if (used < 0)
			used = n;
		sio_consume(&s->io, (size_t)used);
		/* Past maxsize nothing more is stored: drop the file now and
		 * read the rest for nothing (552 at the dot). */
		if (spooling && (ds.flags & DATA_TOOBIG))
			spool_abort(&sp);
	}
	log_escape(esc, sizeof esc, s->from, strlen(s->from));
	if (ds.flags & (DATA_BARE | DATA_TOOBIG) ||
	    ((ds.flags & DATA_LONGLINE) && !smtpd_conf.long_lines)) {
		const char *why = (ds.flags & DATA_BARE) ? "bare-crlf"
		    : (ds.flags & DATA_TOOBIG) ? "size" : "long-line";

		if (spooling)
			spool_abort(&sp);
		log_msg(LOG_NOTICE, "s=%s client=[%s] cmd=DATA from=<%s> result=reject code=%d rule=%s",
		    s->id, s->ip, esc, (ds.flags & DATA_TOOBIG) &&
		    !(ds.flags & DATA_BARE) ? 552 : 554, why);
		if (ds.flags & DATA_BARE)
			sess_reply(s, "554 5.6.0 Message contains a bare CR or LF; refused");
		else if (ds.flags & DATA_TOOBIG)
			sess_reply(s, "552 5.3.4 Message size exceeds fixed maximum message size");
		else
			sess_reply(s, "554 5.6.0 Message has a line over 998 octets; refused");
		cmd_reset(s);
		return CMD_OK;
	}
	if (!spooling) {
		sess_replyf(s, "250 2.6.0 test mode: message of %lu octets not spooled",
		    (unsigned long)ds.size);
		cmd_reset(s);
		return CMD_OK;
	}
	if (spool_commit(&sp, id, sizeof id) < 0) {
		e = errno;
		log_msg(LOG_ERR, "s=%s client=[%s] cmd=DATA from=<%s> result=tempfail code=%d rule=spool error=\"%s\"",
		    s->id, s->ip, esc, e == ENOSPC || e == EDQUOT ? 452 : 451,
		    strerror(e));
		sess_reply(s, e == ENOSPC || e == EDQUOT
		    ? "452 4.3.1 Insufficient system storage"
		    : "451 4.3.0 Local error in processing, try again later");
		cmd_reset(s);
		return CMD_OK;
	}
	log_msg(LOG_INFO, "s=%s client=[%s] cmd=DATA id=%s from=<%s> nrcpt=%ld size=%lu result=queued",
	    s->id, s->ip, id, esc, s->nrcpt, (unsigned long)ds.size);
	sess_replyf(s, "250 2.6.0 <%s> message accepted", id);
	cmd_reset(s);
	return CMD_OK;
}

/* ---- the rest ----------------------------------------------------------- */

static int
cmd_rset(struct session *s, const char *arg)
{
	(void)arg;
	cmd_reset(s);
	sess_reply(s, "250 2.0.0 Reset");
	return CMD_OK;
}

static int
cmd_noop(struct session *s, const char *arg)
{
	(void)arg;
	sess_reply(s, "250 2.0.0 OK");
	return CMD_OK;
}

static int
cmd_quit(struct session *s, const char *arg)
{
	(void)arg;
	sess_replyf(s, "221 2.0.0 %s closing connection", smtpd_hostname);
	s->state = ST_QUIT;
	return CMD_CLOSE;
}

static int
cmd_ask_verbatim(struct session *s, const char *key, const char *arg)
{
	struct rtr_reply rep;
	int rc;

	if ((rc = cmd_router(s, key, arg, &rep)) <= 0)
		return rc < 0 ? CMD_CLOSE : CMD_OK;
	cmd_send_reply(s, &rep);
	buf_free(&rep.text);
	return CMD_OK;
}

static int
cmd_vrfy(struct session *s, const char *arg)
{
	if (*arg == '\0' || !addr_printable(arg, strlen(arg)))
		return cmd_error(s, "501 5.5.4 Syntax: VRFY address");
	if (!cmd_has(s, 'v'))
		return sess_reply(s, "252 2.5.2 Cannot VRFY user; try RCPT to attempt delivery"), CMD_OK;
	return cmd_ask_verbatim(s, "verify", arg);
}

static int
cmd_expn(struct session *s, const char *arg)
{
	if (*arg == '\0' || !addr_printable(arg, strlen(arg)))
		return cmd_error(s, "501 5.5.4 Syntax: EXPN list");
	if (!cmd_has(s, 'e'))
		return sess_reply(s, "502 5.5.1 EXPN not available"), CMD_OK;
	return cmd_ask_verbatim(s, "expand", arg);
}

static int
cmd_help(struct session *s, const char *arg)
{
	(void)arg;
	sess_reply(s, "214-2.0.0 Commands: HELO EHLO MAIL RCPT DATA");
	sess_reply(s, "214-2.0.0 RSET NOOP QUIT VRFY EXPN HELP");
	sess_reply(s, "214 2.0.0 End of HELP info");
	return CMD_OK;
}

static const struct cmd cmds[] = {
	{ "DATA", cmd_data },
	{ "EHLO", cmd_ehlo },
	{ "EXPN", cmd_expn },
	{ "HELO", cmd_helo },
	{ "HELP", cmd_help },
	{ "MAIL", cmd_mail },
	{ "NOOP", cmd_noop },
	{ "QUIT", cmd_quit },
	{ "RCPT", cmd_rcpt },
	{ "RSET", cmd_rset },
	{ "VRFY", cmd_vrfy },
};

int
cmd_dispatch(struct session *s, const char *line)
{
	size_t vlen, i;
	/* Arguments are validated by each handler (HELO: 501 5.5.4). */
	const char *arg = cmd_split(line, &vlen);

	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strlen(cmds[i].name) == vlen &&
		    strncasecmp(cmds[i].name, line, vlen) == 0)
			return cmds[i].fn(s, arg);
	if (!addr_printable(line, strlen(line)))
		return cmd_error(s, "500 5.5.2 Control character in command");
	return cmd_error(s, "500 5.5.2 Command unrecognized");
}
