/*
 * buf.h - the one growable byte buffer of the project, with a ceiling.
 *
 * Every variable-length thing is held in a struct buf.  A buffer never
 * grows beyond the `max` given to buf_init(); an append that would pass
 * it fails with -1 and leaves the contents as they were, so the caller
 * can answer "too long" instead of dying.  The data is always
 * NUL-terminated (the terminator is not counted in len), so buf_cstr()
 * is safe for text that holds no NUL of its own.
 */
#ifndef ZM_BUF_H
#define ZM_BUF_H

#include <stddef.h>

struct buf {
	char   *data;   /* NULL until the first append */
	size_t  len;    /* bytes held, without the terminator */
	size_t  cap;    /* bytes allocated */
	size_t  max;    /* ceiling on len */
};

void buf_init(struct buf *b, size_t max);
/* 0 on success; -1 if len + n would pass max, or on ENOMEM (b unchanged). */
int  buf_append(struct buf *b, const void *p, size_t n);
int  buf_putc(struct buf *b, int c);
int  buf_puts(struct buf *b, const char *s);
int  buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *buf_cstr(const struct buf *b);   /* "" when empty */
void buf_reset(struct buf *b);               /* len = 0, memory kept */
void buf_truncate(struct buf *b, size_t len);
void buf_free(struct buf *b);

#endif
