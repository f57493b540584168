/*
 * test_smtpdata.c - the DATA state machine (smtpserver/data.c): what
 * ends a message, what is flagged, what the spool receives.  Each case
 * is fed whole and then byte by byte (the result must not depend on how
 * the input is split).
 */
#include <string.h>

#include "buf.h"
#include "check.h"
#include "../../smtpserver/data.h"

struct dcase {
	const char *in;
	int         done;       /* end of message seen */
	int         flags;      /* DATA_* expected */
	const char *out;        /* emitted text (when done) */
	size_t      rest;       /* bytes left unconsumed */
};

static const struct dcase cases[] = {
	{ "a\r\n.\r\n", 1, 0, "a\n", 0 },
	{ ".\r\n", 1, 0, "", 0 },
	{ "..x\r\n.\r\nQUIT\r\n", 1, 0, ".x\n", 6 },
	{ "a\r\n..\r\n.\r\n", 1, 0, "a\n.\n", 0 },
	/* the smuggling variants: never an end */
	{ "a\n.\nMAIL FROM:<x@y>\r\n", 0, DATA_BARE, NULL, 0 },
	{ "a\r.\rMAIL\r\n", 0, DATA_BARE, NULL, 0 },
	{ "a\n.\r\nMAIL\r\n", 0, DATA_BARE, NULL, 0 },
	{ "a\r\n.\nMAIL\r\n", 0, DATA_BARE, NULL, 0 },
	{ "a\r\n.\r\r\nMAIL\r\n", 0, DATA_BARE, NULL, 0 },
	/* ... and a real end after them is still flagged */
	{ "a\n.\nb\r\n.\r\n", 1, DATA_BARE, NULL, 0 },
	{ "a\rb\r\n.\r\n", 1, DATA_BARE, NULL, 0 },
	{ "a\r\r\n.\r\n", 1, DATA_BARE, NULL, 0 },
	{ "x\r\n.\r\r\n.\r\n", 1, DATA_BARE, NULL, 0 },
};

static int
emit(void *arg, const char *p, size_t n)
{
	return buf_append(arg, p, n);
}

static void
run(const struct dcase *c, size_t idx, int bytewise)
{
	struct data_state ds;
	struct buf out;
	size_t n = strlen(c->in), off = 0;
	long used;

	buf_init(&out, 1 << 20);
	data_init(&ds, 1 << 20);
	while (off < n && !ds.done) {
		size_t chunk = bytewise ? 1 : n - off;

		used = data_feed(&ds, c->in + off, chunk, emit, &out);
		CHECK(used >= 0, "case %zu: feed failed", idx);
		if (used < 0)
			break;
		off += (size_t)used;
	}
	CHECK(ds.done == c->done, "case %zu (%s): done %d, want %d", idx,
	    bytewise ? "bytewise" : "whole", ds.done, c->done);
	CHECK(ds.flags == c->flags, "case %zu: flags %d, want %d", idx,
	    ds.flags, c->flags);
	if (c->done)
		CHECK(n - off == c->rest, "case %zu: %zu left, want %zu", idx,
		    n - off, c->rest);
	if (c->out)
		CHECK_STR(buf_cstr(&out), c->out);
	buf_free(&out);
}

int
main(void)
{
	size_t i;
	struct data_state ds;
	struct buf out;
	char line[2000];

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		run(&cases[i], i, 0);
		run(&cases[i], i, 1);
	}
	/* 998 octets is fine, 999 is a long line */
	buf_init(&out, 1 << 20);
	data_init(&ds, 1 << 20);
	memset(line, 'x', 998);
	memcpy(line + 998, "\r\n.\r\n", 6);
	data_feed(&ds, line, strlen(line), emit, &out);
	CHECK(ds.done && ds.flags == 0, "998: flags %d", ds.flags);
	data_init(&ds, 1 << 20);
	memset(line, 'x', 999);
	memcpy(line + 999, "\r\n.\r\n", 6);
	data_feed(&ds, line, strlen(line), emit, &out);
	CHECK(ds.done && ds.flags == DATA_LONGLINE, "999: flags %d", ds.flags);
	/* size ceiling */
	buf_reset(&out);
	data_init(&ds, 10);
	data_feed(&ds, "0123456789abc\r\n.\r\n", 18, emit, &out);
	CHECK(ds.done && (ds.flags & DATA_TOOBIG), "toobig: flags %d", ds.flags);
	CHECK(out.len <= 10, "toobig: %zu bytes emitted", out.len);
	buf_free(&out);
	return check_done();
}
