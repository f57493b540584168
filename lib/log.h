/*
 * log.h - one-line key=value logging to syslog or to stderr.
 *
 * log_init() chooses the destination once per process: syslog with the
 * given facility, or stderr (each line written with one write(2), so
 * lines from many processes sharing one file never interleave).
 * The environment variable ZM_LOG_STDERR=1 forces stderr; smtpserver -d
 * sets it so that its router children log to the same place.
 *
 * Untrusted text (from a client, a router, a file) never becomes a
 * format: it enters a log line only as a %s argument after log_escape(),
 * which replaces non-printables with \xNN and cuts to LOG_TEXT_MAX.
 */
#ifndef ZM_LOG_H
#define ZM_LOG_H

#include <stddef.h>
#include <syslog.h>

#include "limits.h"

#define LOG_TO_STDERR 1

/* Room for any log_escape() result, including "..." and the NUL. */
#define LOG_ESC_SIZE (LOG_TEXT_MAX * 4 + 8)

void log_init(const char *ident, int facility, int flags);
int  log_to_stderr(void);
void log_msg(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Escape n bytes of src into dst (size dstsz, at least LOG_ESC_SIZE for
 * a full result): printable ASCII other than backslash is kept, anything
 * else becomes \xNN; text beyond LOG_TEXT_MAX source bytes ends in "...".
 * Returns dst.
 */
char *log_escape(char *dst, size_t dstsz, const char *src, size_t n);

#endif
