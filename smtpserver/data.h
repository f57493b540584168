/*
 * data.h - the DATA phase as a pure byte-level state machine.
 *
 * data_feed() consumes raw bytes from the client and produces the
 * message as the spool wants it: CRLF turned into LF, dot-stuffing
 * removed.  Only CR LF "." CR LF ends the message (the first CR LF being
 * the one that ended the previous line, or the DATA command itself).
 * Bare LF and bare CR never end a line or the message; they are kept as
 * data and flagged (DATA_BARE), so the caller refuses the message
 * (RFC 5321 2.3.8, SMTP smuggling).  Lines over SMTP_TEXT_LINE_MAX-2
 * octets are flagged DATA_LONGLINE; a body over `maxsize` octets is
 * flagged DATA_TOOBIG and no longer emitted.
 */
#ifndef SMTPD_DATA_H
#define SMTPD_DATA_H

#include <stddef.h>

#define DATA_BARE      0x01
#define DATA_LONGLINE  0x02
#define DATA_TOOBIG    0x04

struct data_state {
	int    st;        /* internal state */
	int    flags;     /* DATA_* seen so far */
	int    done;      /* the terminating CRLF.CRLF was seen */
	size_t linelen;   /* octets in the current line */
	size_t size;      /* octets emitted (after conversion) */
	size_t maxsize;   /* ceiling on size */
};

/* Emit callback: n bytes of message text; return -1 to report failure. */
typedef int (*data_emit_fn)(void *arg, const char *p, size_t n);

void data_init(struct data_state *ds, size_t maxsize);

/*
 * Feed n bytes.  Returns the number of bytes consumed: all of them, or
 * fewer when the end of the message was reached (ds->done set; the rest
 * belongs to the next command).  -1 if emit failed.
 */
long data_feed(struct data_state *ds, const char *p, size_t n,
    data_emit_fn emit, void *arg);

#endif
