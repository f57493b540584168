/*
 * io.c - the interpreter's descriptors 0..9.
 *
 * Builtins and functions run inside the router, so their output cannot
 * simply be a Unix descriptor: each of the ten descriptors is a real fd,
 * a capture buffer with a ceiling ($(...), pipelines, the reply of a
 * request), the log (stderr in `router -I`), or closed.  Redirections
 * replace entries and push a cleanup that puts them back, so an error
 * unwinds them too.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "interp.h"
#include "log.h"

void
io_flush_log(struct interp *in)
{
	char esc[LOG_ESC_SIZE];

	if (in->errout.len == 0)
		return;
	log_msg(LOG_NOTICE, "script: %s",
	    log_escape(esc, sizeof(esc), in->errout.data, in->errout.len));
	buf_reset(&in->errout);
}

static void
log_bytes(struct interp *in, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n') {
			if (in->errout.len == 0)
				buf_putc(&in->errout, ' ');
			io_flush_log(in);
			continue;
		}
		if (buf_putc(&in->errout, s[i]) < 0) {
			io_flush_log(in);
			buf_putc(&in->errout, s[i]);
		}
	}
}

int
io_write(struct interp *in, int fd, const char *s, size_t n)
{
	struct vfd *v;

	if (fd < 0 || fd >= ZMSH_FDS_MAX)
		return -1;
	v = &in->fd[fd];
	switch (v->kind) {
	case VF_REAL:
		while (n > 0) {
			ssize_t w = write(v->fd, s, n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return -1;
			s += w;
			n -= (size_t)w;
		}
		return 0;
	case VF_BUF:
		if (buf_append(v->b, s, n) < 0)
			interp_fatal(in, "output larger than %zu bytes", v->b->max);
		return 0;
	case VF_LOG:
		log_bytes(in, s, n);
		return 0;
	default:
		return -1;
	}
}

int
io_puts(struct interp *in, int fd, const char *s)
{
	return io_write(in, fd, s, strlen(s));
}

void
io_errorf(struct interp *in, const char *fmt, ...)
{
	char msg[768], line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (in->cur.file != NULL)
		snprintf(line, sizeof(line), "%s:%u:%u: %s\n", in->cur.file,
		    in->cur.line, in->cur.col, msg);
	else
		snprintf(line, sizeof(line), "router: %s\n", msg);
	io_puts(in, 2, line);
}

/* 1 line read (without its newline), 0 at EOF, -1 error or too long */
int
io_readline(struct interp *in, int fd, struct buf *line)
{
	struct vfd *v;
	int got = 0;

	buf_reset(line);
	if (fd < 0 || fd >= ZMSH_FDS_MAX)
		return -1;
	v = &in->fd[fd];
	if (v->kind == VF_BUF) {
		const char *s = v->b->data;
		if (s == NULL || v->roff >= v->b->len)
			return 0;
		while (v->roff < v->b->len) {
			char c = s[v->roff++];
			if (c == '\n')
				return 1;
			if (buf_putc(line, c) < 0)
				return -1;
		}
		return 1;
	}
	if (v->kind != VF_REAL)
		return -1;
	for (;;) {
		char c;
		ssize_t r = read(v->fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return got ? 1 : 0;
		got = 1;
		if (c == '\n')
			return 1;
		if (buf_putc(line, c) < 0)
			return -1;
	}
}

struct capture {
	struct buf b;
	struct vfd saved;
};

static void
capture_cleanup(struct interp *in, void *p)
{
	struct capture *c = p;

	in->fd[1] = c->saved;
	buf_free(&c->b);
}

void *
io_capture_begin(struct interp *in, size_t max)
{
	struct capture *c = arena_calloc(&in->tmp, 1, sizeof(*c));

	buf_init(&c->b, max);
	c->saved = in->fd[1];
	cleanup_push(in, capture_cleanup, c);
	in->fd[1].kind = VF_BUF;
	in->fd[1].b = &c->b;
	in->fd[1].roff = 0;
	return c;
}

char *
io_capture_end(struct interp *in, void *cap, size_t *len)
{
	struct capture *c = cap;
	char *s;

	s = arena_strndup(&in->tmp, c->b.data != NULL ? c->b.data : "", c->b.len);
	*len = c->b.len;
	cleanup_pop(in, 1);
	return s;
}

struct fdsave {
	int      fd;
	struct vfd old;
	int      opened;        /* real fd to close, or -1 */
};

static void
fd_cleanup(struct interp *in, void *p)
{
	struct fdsave *s = p;

	in->fd[s->fd] = s->old;
	if (s->opened >= 0)
		close(s->opened);
}

static void
setfd(struct interp *in, int fd, const struct vfd *v, int opened)
{
	struct fdsave *s = arena_calloc(&in->tmp, 1, sizeof(*s));

	s->fd = fd;
	s->old = in->fd[fd];
	s->opened = opened;
	cleanup_push(in, fd_cleanup, s);
	in->fd[fd] = *v;
}

void
io_setfd(struct interp *in, int fd, const struct vfd *v)
{
	setfd(in, fd, v, -1);
}

void
io_restore(struct interp *in, size_t mark)
{
	while (in->ncl > mark)
		cleanup_pop(in, 1);
}

/*
 * Apply redirections; returns the mark for io_restore(), or (size_t)-1
 * when one failed (message on fd 2, the earlier ones undone).
 */
size_t
io_redirect(struct interp *in, struct redir *r, size_t n)
{
	size_t mark = in->ncl, i;

	for (i = 0; i < n; i++) {
		struct vfd v;
		int fd = -1, flags = O_CLOEXEC;
		const char *path;

		memset(&v, 0, sizeof(v));
		in->cur = r[i].pos;
		if (r[i].fd >= ZMSH_FDS_MAX)
			interp_fatal(in, "bad file descriptor %d", r[i].fd);
		switch (r[i].type) {
		case R_IN:
		case R_OUT:
		case R_APPEND:
			path = exp_string(in, r[i].target, NULL);
			if (r[i].type == R_IN)
				flags |= O_RDONLY;
			else if (r[i].type == R_OUT)
				flags |= O_WRONLY | O_CREAT | O_TRUNC;
			else
				flags |= O_WRONLY | O_CREAT | O_APPEND;
			if ((fd = open(path, flags, 0666)) < 0) {
				io_errorf(in, "%s: %s", path, strerror(errno));
				io_restore(in, mark);
				return (size_t)-1;
			}
			v.kind = VF_REAL;
			v.fd = fd;
			setfd(in, r[i].fd, &v, fd);
			break;
		case R_DUPIN:
		case R_DUPOUT:
			if (r[i].dupfd >= ZMSH_FDS_MAX ||
			    in->fd[r[i].dupfd].kind == VF_CLOSED) {
				io_errorf(in, "%d: bad file descriptor", r[i].dupfd);
				io_restore(in, mark);
				return (size_t)-1;
			}
			v = in->fd[r[i].dupfd];
			setfd(in, r[i].fd, &v, -1);
			break;
		case R_CLOSE:
			v.kind = VF_CLOSED;
			setfd(in, r[i].fd, &v, -1);
			break;
		}
	}
	return mark;
}
