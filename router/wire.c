/*
 * wire.c - `router -I smtpserver`: the request loop of docs/wire.md.
 *
 * One request per line: KEY, then TAB-separated arguments.  The script
 * function `server` is called with KEY and the arguments as values
 * (never parsed as code).  What it printed is split into SMTP reply
 * lines (sent, all with the code of the last one, cleaned to printable
 * ASCII, at most WIRE_REPLY_LINES_MAX lines and WIRE_REPLY_MAX bytes) and
 * other lines (logged as diagnostics).  No reply line, or a script error,
 * gives the documented 451.  Each request runs with a fresh arena.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "interp.h"
#include "log.h"
#include "wire.h"

#define WIRE_FAIL "451 4.3.0 Temporary policy failure, try again later\n"
#define WIRE_BAD  "451 4.3.0 router: malformed request\n"
#define WIRE_LINE_MAX 510

struct reader {
	int      fd;
	char     buf[WIRE_REQUEST_MAX + 2];
	size_t   len;
	int      eof;
};

static int
write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Next request line into line (NUL-terminated, no LF): 1 ok, 0 EOF,
 * -1 too long (the rest of that line was discarded).
 */
static int
read_request(struct reader *r, char *line, size_t *lenp)
{
	int overlong = 0;

	for (;;) {
		char *nl = memchr(r->buf, '\n', r->len);
		ssize_t got;

		if (nl != NULL) {
			size_t l = (size_t)(nl - r->buf);
			if (!overlong) {
				memcpy(line, r->buf, l);
				line[l] = '\0';
				*lenp = l;
			}
			memmove(r->buf, nl + 1, r->len - l - 1);
			r->len -= l + 1;
			return overlong ? -1 : 1;
		}
		if (r->len > WIRE_REQUEST_MAX) {
			overlong = 1;
			r->len = 0;
		}
		if (r->eof)
			return 0;
		got = read(r->fd, r->buf + r->len, sizeof(r->buf) - r->len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			r->eof = 1;
			if (r->len == 0 || overlong)
				return 0;
			/* a last line without LF is not a request */
			return 0;
		}
		r->len += (size_t)got;
	}
}

static int
is_reply_line(const char *s, size_t n)
{
	if (n < 3 || (s[0] != '2' && s[0] != '4' && s[0] != '5') ||
	    s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9')
		return 0;
	return n == 3 || s[3] == ' ' || s[3] == '-';
}

struct rline {
	const char *s;
	size_t   n;
};

/*
 * Turn the captured output into the reply text in out; 0, or -1 if it
 * held no reply line.  Other lines are logged.
 */
int
wire_format(const char *text, size_t len, struct buf *out)
{
	struct rline lines[WIRE_REPLY_LINES_MAX];
	size_t nl = 0, first = 0, total, i;
	const char *p = text, *end = text + len;
	char code[4], esc[LOG_ESC_SIZE];

	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		size_t n = e != NULL ? (size_t)(e - p) : (size_t)(end - p);

		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (is_reply_line(p, n)) {
			if (nl == WIRE_REPLY_LINES_MAX) {
				memmove(lines, lines + 1, (nl - 1) * sizeof(lines[0]));
				nl--;
			}
			lines[nl].s = p;
			lines[nl].n = n;
			nl++;
		} else if (n > 0)
			log_msg(LOG_NOTICE, "script output: %s",
			    log_escape(esc, sizeof(esc), p, n));
		p = e != NULL ? e + 1 : end;
	}
	if (nl == 0)
		return -1;
	memcpy(code, lines[nl - 1].s, 3);
	code[3] = '\0';
	/* drop the oldest lines until the whole reply fits */
	for (;;) {
		total = 0;
		for (i = first; i < nl; i++) {
			size_t n = lines[i].n > 4 ? lines[i].n - 4 : 0;
			if (n > WIRE_LINE_MAX - 4)
				n = WIRE_LINE_MAX - 4;
			total += 5 + n;
		}
		if (total <= WIRE_REPLY_MAX || first + 1 == nl)
			break;
		first++;
	}
	buf_reset(out);
	for (i = first; i < nl; i++) {
		const char *t = lines[i].n > 4 ? lines[i].s + 4 : "";
		size_t n = lines[i].n > 4 ? lines[i].n - 4 : 0, k;

		if (n > WIRE_LINE_MAX - 4)
			n = WIRE_LINE_MAX - 4;
		buf_append(out, code, 3);
		buf_putc(out, i + 1 == nl ? ' ' : '-');
		for (k = 0; k < n; k++) {
			unsigned char c = (unsigned char)t[k];
			buf_putc(out, c >= 0x20 && c < 0x7f ? c : '?');
		}
		buf_putc(out, '\n');
	}
	return 0;
}

struct req {
	int      argc;
	struct val **argv;
};

static void
call_server(struct interp *in, void *arg)
{
	struct req *r = arg;

	eval_call(in, r->argc, r->argv);
}

static int
split_request(struct interp *in, char *line, size_t len, struct req *r)
{
	size_t i, n = 1;
	char *p;

	if (len == 0 || memchr(line, '\r', len) != NULL ||
	    memchr(line, '\0', len) != NULL)
		return -1;
	for (i = 0; i < len; i++)
		if (line[i] == '\t')
			n++;
	if (n - 1 > WIRE_ARGS_MAX)
		return -1;
	r->argv = arena_calloc(&in->tmp, n + 2, sizeof(*r->argv));
	r->argv[0] = val_cstr(in, "server");
	r->argc = 1;
	p = line;
	for (i = 0; i < n; i++) {
		char *tab = strchr(p, '\t');
		size_t l = tab != NULL ? (size_t)(tab - p) : strlen(p);
		r->argv[r->argc++] = val_str(in, p, l);
		p = tab != NULL ? tab + 1 : p + l;
	}
	if (r->argv[1]->n == 0)
		return -1;
	return 0;
}

int
wire_serve(struct interp *in)
{
	struct reader *rd = xcalloc(1, sizeof(*rd));
	char *line = xmalloc(WIRE_REQUEST_MAX + 2);
	struct buf reply;
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int exit_status = -1;

	buf_init(&reply, WIRE_REPLY_MAX + 1024);
	rd->fd = 0;
	in->fd[0].kind = VF_REAL;
	in->fd[0].fd = devnull >= 0 ? devnull : 0;
	in->fd[0].nullprog = 1;
	in->fd[2].kind = VF_LOG;
	for (;;) {
		struct req r;
		size_t len = 0, tlen;
		int got = read_request(rd, line, &len), rc;
		void *cap;
		char *text;

		if (got == 0)
			break;
		interp_reset_request(in);
		if (got < 0 || split_request(in, line, len, &r) < 0) {
			log_msg(LOG_WARNING, "malformed request from smtpserver");
			if (write_all(1, WIRE_BAD, strlen(WIRE_BAD)) < 0)
				break;
			continue;
		}
		if (func_get(in, "server") == NULL) {
			log_msg(LOG_ERR, "no function 'server' is defined");
			if (write_all(1, WIRE_FAIL, strlen(WIRE_FAIL)) < 0)
				break;
			continue;
		}
		cap = io_capture_begin(in, ZMSH_SUBST_MAX);
		in->cur.file = NULL;
		rc = interp_protect(in, call_server, &r);
		if (rc < 0) {
			io_capture_end(in, cap, &tlen);
			io_flush_log(in);
			log_msg(LOG_ERR, "script error: %s", in->err);
			if (write_all(1, WIRE_FAIL, strlen(WIRE_FAIL)) < 0)
				break;
			continue;
		}
		if (in->ctl == CTL_EXIT)
			exit_status = in->exit_status;
		in->ctl = CTL_NONE;
		text = io_capture_end(in, cap, &tlen);
		io_flush_log(in);
		if (wire_format(text, tlen, &reply) < 0) {
			log_msg(LOG_ERR, "script printed no reply line for '%s'",
			    r.argv[1]->s);
			if (write_all(1, WIRE_FAIL, strlen(WIRE_FAIL)) < 0)
				break;
		} else if (write_all(1, reply.data, reply.len) < 0)
			break;
		if (exit_status >= 0)
			break;
	}
	buf_free(&reply);
	free(line);
	free(rd);
	if (devnull >= 0)
		close(devnull);
	return exit_status >= 0 ? exit_status : 0;
}
