/*
 * util.h - small pure helpers shared by every program.
 */
#ifndef ZM_UTIL_H
#define ZM_UTIL_H

#include <stddef.h>

/*
 * Parse a whole decimal number in [min, max] (no sign for min >= 0, no
 * blanks, no trailing text).  0 and *out set on success, -1 otherwise.
 */
int util_parse_long(const char *s, long min, long max, long *out);

/* Copy src into dst of size dstsz; -1 (dst untouched) if it does not fit. */
int util_strlcpy(char *dst, const char *src, size_t dstsz);

#endif
