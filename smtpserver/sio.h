/*
 * sio.h - the session's byte stream to and from the client.
 *
 * Input is read into a fixed buffer; sio_getline() returns one command
 * line ended by CR LF (and only CR LF), never more than SMTP_CMD_MAX
 * octets, and tells apart: a line, an overlong line (its rest discarded
 * up to CR LF), a line holding a bare CR or LF, EOF, timeout and error.
 * Output is collected and sent when the client has no more pipelined
 * input waiting (or the buffer fills), so replies keep their order and a
 * pipelined group gets its replies in one write.
 */
#ifndef SMTPD_SIO_H
#define SMTPD_SIO_H

#include <stddef.h>

#include "buf.h"
#include "limits.h"

#define SIO_RBUF_SIZE  16384
#define SIO_WBUF_MAX   SMTP_REPLY_BUF_MAX

enum {
	SIO_LINE = 0,      /* a line; its length in *len */
	SIO_TOOLONG = -1,  /* longer than SMTP_CMD_MAX; discarded */
	SIO_BARE = -2,     /* held a bare CR or LF; discarded */
	SIO_EOF = -3,
	SIO_TIMEOUT = -4,
	SIO_ERR = -5
};

struct sio {
	int        in, out;
	char       rbuf[SIO_RBUF_SIZE];
	size_t     rpos, rlen;
	struct buf wbuf;
	int        werr;        /* a write failed: the client is gone */
	long       wtimeout_ms; /* a flush may wait this long for the client */
};

void sio_init(struct sio *io, int in, int out);
void sio_free(struct sio *io);
/* line must hold SMTP_CMD_MAX + 1 bytes; timeout in milliseconds for the
 * whole line (however it trickles in); -1: none. */
int  sio_getline(struct sio *io, char *line, size_t *len, long timeout_ms);
/* Up to max raw bytes: > 0 count, or SIO_EOF/SIO_TIMEOUT/SIO_ERR. */
long sio_read(struct sio *io, char *dst, size_t max, long timeout_ms);
/*
 * Make sure some input is buffered and expose it: >0 bytes at *p (not
 * consumed), or SIO_EOF/SIO_TIMEOUT/SIO_ERR.  sio_consume() drops n.
 */
long sio_peek(struct sio *io, const char **p, long timeout_ms);
void sio_consume(struct sio *io, size_t n);
/* Bytes already buffered from the client. */
size_t sio_pending(const struct sio *io);
/* 1 if the client has sent something not yet read (poll with wait_ms). */
int  sio_input_waiting(struct sio *io, long wait_ms);
void sio_write(struct sio *io, const char *p, size_t n);
/* 0, or -1 if the client is gone or takes more than timeout_ms for the
 * whole flush (the descriptor should be non-blocking for that). */
int  sio_flush(struct sio *io, long timeout_ms);

#endif
