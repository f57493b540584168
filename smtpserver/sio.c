/*
 * sio.c - bounded line input and batched output; see sio.h.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sio.h"

#define SIO_FLUSH_TIMEOUT_MS 60000

void
sio_init(struct sio *io, int in, int out)
{
	io->in = in;
	io->out = out;
	io->rpos = io->rlen = 0;
	io->werr = 0;
	io->wtimeout_ms = SIO_FLUSH_TIMEOUT_MS;
	buf_init(&io->wbuf, SIO_WBUF_MAX);
}

void
sio_free(struct sio *io)
{
	buf_free(&io->wbuf);
}

size_t
sio_pending(const struct sio *io)
{
	return io->rlen - io->rpos;
}

/* Refill the read buffer: >0 bytes, or SIO_EOF/SIO_TIMEOUT/SIO_ERR. */
static long
sio_fill(struct sio *io, long timeout_ms)
{
	struct pollfd pfd;
	ssize_t n;
	int rc;

	/* Everything we owe the client goes out before we wait for it. */
	if (io->wbuf.len > 0 && sio_flush(io, io->wtimeout_ms) < 0)
		return SIO_ERR;
	io->rpos = io->rlen = 0;
	pfd.fd = io->in;
	pfd.events = POLLIN;
	for (;;) {
		rc = poll(&pfd, 1, timeout_ms < 0 ? -1 : (int)timeout_ms);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			return SIO_ERR;
		if (rc == 0)
			return SIO_TIMEOUT;
		n = read(io->in, io->rbuf, sizeof io->rbuf);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return SIO_ERR;
		if (n == 0)
			return SIO_EOF;
		io->rlen = (size_t)n;
		return n;
	}
}

static long
sio_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
sio_getline(struct sio *io, char *line, size_t *len, long timeout_ms)
{
	size_t n = 0;
	int toolong = 0, bare = 0, cr = 0;
	long rc, end = sio_now_ms() + timeout_ms, left = timeout_ms;

	for (;;) {
		/* The timeout is for the whole line, not for each read: a
		 * client trickling a byte at a time gets no more time. */
		if (io->rpos >= io->rlen && timeout_ms >= 0 &&
		    (left = end - sio_now_ms()) < 0)
			left = 0;
		if (io->rpos >= io->rlen && (rc = sio_fill(io, left)) < 0)
			return (int)rc;
		while (io->rpos < io->rlen) {
			char c = io->rbuf[io->rpos++];

			if (cr) {
				cr = 0;
				if (c == '\n') {
					line[n] = '\0';
					*len = n;
					if (toolong)
						return SIO_TOOLONG;
					return bare ? SIO_BARE : SIO_LINE;
				}
				bare = 1;   /* the CR before c was bare */
			}
			if (c == '\r') {
				cr = 1;
				continue;
			}
			if (c == '\n')
				bare = 1;
			if (n < SMTP_CMD_MAX)
				line[n++] = c;
			else
				toolong = 1;
		}
	}
}

long
sio_read(struct sio *io, char *dst, size_t max, long timeout_ms)
{
	size_t n;
	long rc;

	if (io->rpos >= io->rlen && (rc = sio_fill(io, timeout_ms)) < 0)
		return rc;
	n = io->rlen - io->rpos;
	if (n > max)
		n = max;
	memcpy(dst, io->rbuf + io->rpos, n);
	io->rpos += n;
	return (long)n;
}

int
sio_input_waiting(struct sio *io, long wait_ms)
{
	struct pollfd pfd;

	if (io->rpos < io->rlen)
		return 1;
	pfd.fd = io->in;
	pfd.events = POLLIN;
	pfd.revents = 0;
	while (poll(&pfd, 1, (int)wait_ms) < 0)
		if (errno != EINTR)
			return 0;
	return (pfd.revents & POLLIN) != 0;
}

void
sio_write(struct sio *io, const char *p, size_t n)
{
	if (io->werr)
		return;
	if (buf_append(&io->wbuf, p, n) < 0) {
		if (sio_flush(io, io->wtimeout_ms) < 0 ||
		    buf_append(&io->wbuf, p, n) < 0)
			io->werr = 1;
	}
}

int
sio_flush(struct sio *io, long timeout_ms)
{
	struct pollfd pfd;
	size_t off = 0;
	ssize_t n;
	long end = sio_now_ms() + timeout_ms, left;
	int rc;

	if (io->werr) {
		buf_reset(&io->wbuf);
		return -1;
	}
	pfd.fd = io->out;
	pfd.events = POLLOUT;
	while (off < io->wbuf.len) {
		n = write(io->out, io->wbuf.data + off, io->wbuf.len - off);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		/* The timeout is for the whole flush: a client taking a few
		 * bytes now and then gets no more time. */
		if (n < 0 && errno == EAGAIN && (left = end - sio_now_ms()) > 0) {
			rc = poll(&pfd, 1, (int)left);
			if (rc > 0 || (rc < 0 && errno == EINTR))
				continue;
		}
		io->werr = 1;
		buf_reset(&io->wbuf);
		return -1;
	}
	buf_reset(&io->wbuf);
	return 0;
}

long
sio_peek(struct sio *io, const char **p, long timeout_ms)
{
	long rc;

	if (io->rpos >= io->rlen && (rc = sio_fill(io, timeout_ms)) < 0)
		return rc;
	*p = io->rbuf + io->rpos;
	return (long)(io->rlen - io->rpos);
}

void
sio_consume(struct sio *io, size_t n)
{
	if (n > io->rlen - io->rpos)
		n = io->rlen - io->rpos;
	io->rpos += n;
}
