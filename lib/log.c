/*
 * log.c - key=value logging to syslog or stderr; see log.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *log_ident = "zmailer";
static int log_stderr;

void
log_init(const char *ident, int facility, int flags)
{
	const char *e = getenv("ZM_LOG_STDERR");

	log_ident = ident;
	log_stderr = (flags & LOG_TO_STDERR) || (e && strcmp(e, "1") == 0);
	if (!log_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, facility);
}

int
log_to_stderr(void)
{
	return log_stderr;
}

void
log_msg(int prio, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	char stamp[32];
	size_t off;
	int n;
	va_list ap;
	struct tm tm;
	time_t now;

	if (!log_stderr) {
		va_start(ap, fmt);
		vsyslog(prio, fmt, ap);
		va_end(ap);
		return;
	}
	now = time(NULL);
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		stamp[0] = '\0';
	n = snprintf(line, sizeof line, "%s %s[%ld]: ", stamp, log_ident,
	    (long)getpid());
	off = (n < 0) ? 0 : ((size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
	va_start(ap, fmt);
	n = vsnprintf(line + off, sizeof line - off, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	off += (size_t)n;
	if (off > sizeof line - 2)
		off = sizeof line - 2;
	line[off++] = '\n';
	/* One write: lines from concurrent processes stay whole. */
	if (write(STDERR_FILENO, line, off) < 0) {
		/* nowhere left to report it */
	}
}

char *
log_escape(char *dst, size_t dstsz, const char *src, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;
	int cut = 0;

	if (dstsz == 0)
		return dst;
	if (n > LOG_TEXT_MAX) {
		n = LOG_TEXT_MAX;
		cut = 1;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (o + 1 >= dstsz)
				break;
			dst[o++] = (char)c;
		} else {
			if (o + 4 >= dstsz)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		}
	}
	if (cut && o + 3 < dstsz) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
	return dst;
}
