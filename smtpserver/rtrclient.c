/*
 * rtrclient.c - start, ask and stop the per-session router; the
 * smtpserver side of docs/wire.md.
 *
 * Strict reading: every reply line must be "DDD-text" or "DDD text"
 * (first digit 2, 4, 5), the same code throughout, printable ASCII,
 * at most WIRE_REPLY_LINES_MAX lines and WIRE_REPLY_MAX bytes; the line
 * with a space ends the reply, and nothing may follow it.  Anything else
 * is a router failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "rtrclient.h"

static long
rtr_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
rtr_init(struct rtr *r)
{
	memset(r, 0, sizeof *r);
	r->to = r->from = -1;
	r->timeout_s = WIRE_TIMEOUT_DEFAULT;
	buf_init(&r->in, WIRE_REPLY_MAX + RTR_LINE_MAX);
}

int
rtr_format(struct buf *out, const char *key, const char *const *args,
    size_t nargs)
{
	size_t i;

	buf_reset(out);
	if (nargs > WIRE_ARGS_MAX || buf_puts(out, key) < 0)
		return -1;
	for (i = 0; i < nargs; i++) {
		if (strpbrk(args[i], "\t\r\n") != NULL)
			return -1;
		if (buf_putc(out, '\t') < 0 || buf_puts(out, args[i]) < 0)
			return -1;
	}
	if (buf_putc(out, '\n') < 0 || out->len > WIRE_REQUEST_MAX)
		return -1;
	return 0;
}

int
rtr_parse(const char *in, size_t n, size_t *used, struct rtr_reply *rep)
{
	size_t off = 0, lines = 0;

	buf_init(&rep->text, WIRE_REPLY_MAX + 2 * WIRE_REPLY_LINES_MAX);
	rep->code = 0;
	rep->first[0] = '\0';
	while (off < n) {
		const char *l = in + off, *nl;
		size_t len, i;
		int code;

		nl = memchr(l, '\n', n - off);
		if (nl == NULL)
			return (n - off > RTR_LINE_MAX || n > WIRE_REPLY_MAX) ? -1 : 0;
		len = (size_t)(nl - l);
		if (len < 4 || len > RTR_LINE_MAX || off + len + 1 > WIRE_REPLY_MAX)
			return -1;
		if (l[0] < '2' || l[0] > '5' || l[0] == '3' ||
		    l[1] < '0' || l[1] > '9' || l[2] < '0' || l[2] > '9' ||
		    (l[3] != ' ' && l[3] != '-'))
			return -1;
		for (i = 0; i < len; i++)
			if ((unsigned char)l[i] < 0x20 || (unsigned char)l[i] > 0x7e)
				return -1;
		code = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
		if (lines == 0) {
			rep->code = code;
			memcpy(rep->first, l + 4, len - 4);
			rep->first[len - 4] = '\0';
		} else if (code != rep->code)
			return -1;
		if (++lines > WIRE_REPLY_LINES_MAX)
			return -1;
		if (buf_append(&rep->text, l, len) < 0 ||
		    buf_append(&rep->text, "\r\n", 2) < 0)
			return -1;
		off += len + 1;
		if (l[3] == ' ') {
			*used = off;
			return 1;
		}
	}
	return 0;
}

/* Kill and reap; the next request starts a new router. */
static void
rtr_kill(struct rtr *r)
{
	if (r->to >= 0)
		close(r->to);
	if (r->from >= 0)
		close(r->from);
	r->to = r->from = -1;
	if (r->pid > 0) {
		kill(r->pid, SIGKILL);
		while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	r->pid = 0;
	buf_reset(&r->in);
}

void
rtr_stop(struct rtr *r)
{
	int i;

	if (r->pid > 0) {
		/* EOF on its stdin: a healthy router exits by itself. */
		close(r->to);
		r->to = -1;
		for (i = 0; i < 50; i++) {
			pid_t w = waitpid(r->pid, NULL, WNOHANG);

			if (w == r->pid || (w < 0 && errno != EINTR)) {
				r->pid = 0;
				break;
			}
			usleep(10000);
		}
	}
	rtr_kill(r);
	buf_free(&r->in);
}

static int
rtr_fail(struct rtr *r, const char *why)
{
	log_msg(LOG_WARNING, "s=%s router=%ld result=fail reason=\"%s\" failures=%d",
	    r->sid ? r->sid : "-", (long)r->pid, why, r->failures + 1);
	r->failures++;
	rtr_kill(r);
	return -1;
}

static int
rtr_spawn(struct rtr *r)
{
	int to[2], from[2];
	size_t i;
	pid_t pid, parent;

	if (pipe2(to, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(from, O_CLOEXEC) < 0) {
		close(to[0]);
		close(to[1]);
		return -1;
	}
	parent = getpid();
	if ((pid = fork()) < 0) {
		close(to[0]); close(to[1]); close(from[0]); close(from[1]);
		return -1;
	}
	if (pid == 0) {
		char *argv[6];
		sigset_t none;

		/* The router dies with its session, even one killed by SIGKILL
		 * while the router runs a program and does not read its EOF. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);

		if (dup2(to[0], 0) < 0 || dup2(from[1], 1) < 0)
			_exit(127);
		for (i = 0; i < r->nextra; i++)
			putenv(r->extra_env[i]);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGALRM, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		alarm(0);
		argv[0] = (char *)"router";
		argv[1] = (char *)"-I";
		argv[2] = (char *)"smtpserver";
		argv[3] = r->zconfig ? (char *)"-Z" : NULL;
		argv[4] = (char *)r->zconfig;
		argv[5] = NULL;
		execv(r->path, argv);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	r->pid = pid;
	r->to = to[1];
	r->from = from[0];
	fcntl(r->to, F_SETFL, fcntl(r->to, F_GETFL) | O_NONBLOCK);
	buf_reset(&r->in);
	return 0;
}

/* One request/reply under the time limit; -1 with *why on failure. */
static int
rtr_exchange(struct rtr *r, const struct buf *req, struct rtr_reply *rep,
    const char **why)
{
	long deadline = rtr_now_ms() + r->timeout_s * 1000;
	size_t off = 0, used = 0;
	struct pollfd pfd;
	char tmp[4096];
	ssize_t n;
	int rc;

	buf_init(&rep->text, 16);
	while (off < req->len) {
		n = write(r->to, req->data + off, req->len - off);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN) {
			*why = "write to router failed";
			return -1;
		}
		pfd.fd = r->to;
		pfd.events = POLLOUT;
		rc = poll(&pfd, 1, (int)(deadline - rtr_now_ms()));
		if (rc == 0 || deadline <= rtr_now_ms()) {
			*why = "router timed out reading the request";
			return -1;
		}
	}
	buf_reset(&r->in);
	for (;;) {
		long left = deadline - rtr_now_ms();

		buf_free(&rep->text);
		rc = rtr_parse(buf_cstr(&r->in), r->in.len, &used, rep);
		if (rc < 0) {
			*why = "malformed reply";
			return -1;
		}
		if (rc == 1) {
			if (used != r->in.len) {
				*why = "bytes after the final reply line";
				return -1;
			}
			buf_reset(&r->in);
			return 0;
		}
		if (left <= 0) {
			*why = "router-timeout reached";
			return -1;
		}
		pfd.fd = r->from;
		pfd.events = POLLIN;
		rc = poll(&pfd, 1, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0) {
			*why = rc == 0 ? "router-timeout reached" : "poll failed";
			return -1;
		}
		n = read(r->from, tmp, sizeof tmp);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*why = "router closed its output (crashed?)";
			return -1;
		}
		if (buf_append(&r->in, tmp, (size_t)n) < 0) {
			*why = "reply too long";
			return -1;
		}
	}
}

/* Anything readable between requests means garbage or a dead router. */
static int
rtr_dirty(struct rtr *r)
{
	struct pollfd pfd;

	pfd.fd = r->from;
	pfd.events = POLLIN;
	pfd.revents = 0;
	return poll(&pfd, 1, 0) > 0;
}

/* Tell a new router what its predecessor accepted; the answer is logged. */
static int
rtr_replay(struct rtr *r, const char *key, const char *arg, const char **why)
{
	const char *args[1];
	struct rtr_reply rep;
	struct buf req;
	int rc;

	args[0] = arg;
	buf_init(&req, WIRE_REQUEST_MAX);
	rc = rtr_format(&req, key, args, 1);
	if (rc == 0)
		rc = rtr_exchange(r, &req, &rep, why);
	else {
		buf_init(&rep.text, 16);
		*why = "replay not representable";
	}
	buf_free(&req);
	buf_free(&rep.text);
	if (rc == 0)
		log_msg(rep.code / 100 == 2 ? LOG_DEBUG : LOG_NOTICE,
		    "s=%s router=%ld replay=%s code=%d", r->sid ? r->sid : "-",
		    (long)r->pid, key, rep.code);
	return rc;
}

static int
rtr_start(struct rtr *r)
{
	const char *args[2];
	struct rtr_reply rep;
	struct buf req;
	const char *why = "cannot start the router";
	char iplit[80];
	int rc;

	if (r->path == NULL || rtr_spawn(r) < 0)
		return rtr_fail(r, why);
	buf_init(&req, WIRE_REQUEST_MAX);
	iplit[0] = '\0';
	if (strlen(r->ip) + 3 <= sizeof iplit) {
		iplit[0] = '[';
		strcpy(iplit + 1, r->ip);
		strcat(iplit, "]");
	}
	args[0] = r->rhost;
	args[1] = iplit;
	rc = rtr_format(&req, "init", args, 2);
	if (rc == 0)
		rc = rtr_exchange(r, &req, &rep, &why);
	else
		buf_init(&rep.text, 16);
	buf_free(&req);
	buf_free(&rep.text);
	if (rc < 0)
		return rtr_fail(r, why);
	log_msg(LOG_DEBUG, "s=%s router=%ld result=started init=%d",
	    r->sid ? r->sid : "-", (long)r->pid, rep.code);
	if ((r->replay_helo != NULL &&
	    rtr_replay(r, "helo", r->replay_helo, &why) < 0) ||
	    (r->replay_from != NULL &&
	    rtr_replay(r, "from", r->replay_from, &why) < 0))
		return rtr_fail(r, why);
	return 0;
}

int
rtr_ask(struct rtr *r, const char *key, const char *const *args,
    size_t nargs, struct rtr_reply *rep)
{
	struct buf req;
	const char *why = NULL;
	int rc;

	buf_init(&rep->text, 16);
	buf_init(&req, WIRE_REQUEST_MAX);
	if (rtr_format(&req, key, args, nargs) < 0) {
		buf_free(&req);
		return rtr_fail(r, "request not representable");
	}
	if (r->pid > 0 && rtr_dirty(r)) {
		rtr_fail(r, "unexpected output or exit between requests");
		if (r->failures >= RTR_FAILURES_MAX) {
			buf_free(&req);
			return -1;
		}
	}
	if (r->pid == 0 && rtr_start(r) < 0) {
		buf_free(&req);
		return -1;
	}
	buf_free(&rep->text);
	rc = rtr_exchange(r, &req, rep, &why);
	buf_free(&req);
	if (rc < 0) {
		buf_free(&rep->text);
		return rtr_fail(r, why);
	}
	return 0;
}
