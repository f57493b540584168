/*
 * check.h - the tiny table-driven test harness of the C unit tests.
 *
 * CHECK(cond, fmt, ...) records a failure with file:line and what was got
 * and wanted; check_done() prints "N passed, N failed" and returns the
 * exit status.  The pytest wrapper runs each binary and fails on non-zero.
 */
#ifndef ZM_CHECK_H
#define ZM_CHECK_H

#include <stdio.h>

static int check_pass, check_fail;

#define CHECK(cond, ...) do {                                         \
	if (cond) {                                                   \
		check_pass++;                                         \
	} else {                                                      \
		check_fail++;                                         \
		fprintf(stderr, "%s:%d: FAIL: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__);                         \
		fputc('\n', stderr);                                  \
	}                                                             \
} while (0)

#define CHECK_STR(got, want) do {                                     \
	const char *g_ = (got), *w_ = (want);                         \
	CHECK(g_ != NULL && strcmp(g_, w_) == 0,                      \
	    "got \"%s\", want \"%s\"", g_ ? g_ : "(null)", w_);       \
} while (0)

static inline int
check_done(void)
{
	printf("%d passed, %d failed\n", check_pass, check_fail);
	return check_fail ? 1 : 0;
}

#endif
