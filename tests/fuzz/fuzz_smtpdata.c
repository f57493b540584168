/*
 * fuzz_smtpdata.c - libFuzzer harness for the DATA state machine
 * (smtpserver/data.c), fed the way cmd_data() feeds it: in pieces, as
 * reads return them.
 *
 * Input: byte 0..1 the size limit (little endian; 0xffff: no limit),
 * byte 2 an emit failure point (0: never, else fail after that many
 * octets), then records "length octet, that many stream octets" (the
 * last record may be short): the chunks handed to data_feed().
 *
 * Every result is checked against a reference written the obvious way
 * over the whole stream at once (lines split at CR LF, "." alone ends,
 * a leading dot dropped, CR LF to LF), so chunking can change nothing:
 * the octets emitted (a prefix of the reference output within the size
 * limit), where the end was found (only at CR LF "." CR LF, the first
 * CR LF possibly being the DATA command's), how much was consumed, and
 * each flag.  A difference traps.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "../../smtpserver/data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

struct sink {
	char  *p;
	size_t n, cap;
	size_t fail_at;        /* 0: never */
	int    failed;
};

static int
sink_emit(void *arg, const char *p, size_t n)
{
	struct sink *s = arg;

	CHECK(n > 0 && s->n + n <= s->cap);
	if (s->fail_at != 0 && s->n + n >= s->fail_at) {
		s->failed = 1;
		return -1;
	}
	memcpy(s->p + s->n, p, n);
	s->n += n;
	return 0;
}

struct ref {
	char  *out;            /* unbounded output */
	size_t n;
	int    done;
	size_t end;            /* octets up to and including the end mark */
	int    bare, longline;
};

/* The reference: whole-stream, line by line. */
static void
reference(const char *s, size_t len, struct ref *r)
{
	size_t i = 0;

	memset(r, 0, sizeof(*r));
	r->out = malloc(len + 1);
	CHECK(r->out != NULL);
	while (i < len) {
		size_t j = i, e, k;
		int complete = 0;

		/* The line runs to the first CR LF (or the end of the stream). */
		while (j + 1 < len && !(s[j] == '\r' && s[j + 1] == '\n'))
			j++;
		if (j + 1 < len) {
			complete = 1;
			e = j;              /* content is s[i..e) */
		} else {
			e = len;
			/* A trailing CR may still become CR LF: not emitted yet. */
			if (e > i && s[e - 1] == '\r')
				e--;
		}
		if (complete && e - i == 1 && s[i] == '.') {
			r->done = 1;
			r->end = e + 2;
			return;
		}
		if (e - i > SMTP_TEXT_LINE_MAX - 2)
			r->longline = 1;
		k = i;
		if (k < e && s[k] == '.')
			k++;            /* dot-stuffing */
		for (; k < e; k++) {
			if (s[k] == '\r' || s[k] == '\n')
				r->bare = 1;
			r->out[r->n++] = s[k];
		}
		if (!complete)
			return;
		r->out[r->n++] = '\n';
		i = e + 2;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct data_state ds;
	struct sink sk;
	struct ref rf;
	char *stream;
	size_t maxsize, slen = 0, i, fed = 0, consumed = 0, expect;
	int failed = 0;

	if (size < 3)
		return 0;
	maxsize = (size_t)data[0] | (size_t)data[1] << 8;
	if (maxsize == 0xffff)
		maxsize = (size_t)-1;
	memset(&sk, 0, sizeof(sk));
	sk.fail_at = data[2];
	sk.cap = size;
	stream = malloc(size);
	sk.p = malloc(size);
	CHECK(stream != NULL && sk.p != NULL);

	data_init(&ds, maxsize);
	for (i = 3; i < size && !ds.done && !failed;) {
		size_t n = data[i++];
		long r;

		if (n > size - i)
			n = size - i;
		memcpy(stream + slen, data + i, n);
		slen += n;
		i += n;
		r = data_feed(&ds, stream + fed, n, sink_emit, &sk);
		fed += n;
		if (r < 0) {
			CHECK(sk.failed);
			failed = 1;
			break;
		}
		CHECK((size_t)r <= n);
		CHECK((size_t)r == n || ds.done);
		consumed += (size_t)r;
	}
	/* The rest of the input is more stream the machine never saw. */
	if (i < size) {
		memcpy(stream + slen, data + i, size - i);
		slen += size - i;
	}
	CHECK(!sk.failed || failed);
	if (failed)
		goto out;

	reference(stream, slen, &rf);
	CHECK(ds.done == (rf.done && rf.end <= fed));
	if (ds.done) {
		CHECK(consumed == rf.end);
		CHECK(consumed >= 3 && memcmp(stream + consumed - 3, ".\r\n", 3) == 0);
		CHECK(consumed == 3 ||
		    memcmp(stream + consumed - 5, "\r\n.\r\n", 5) == 0);
	} else {
		/* Judge only what the machine was fed. */
		free(rf.out);
		reference(stream, fed, &rf);
		CHECK(!rf.done && consumed == fed);
	}
	expect = rf.n < maxsize ? rf.n : maxsize;
	CHECK(sk.n == expect && ds.size == expect);
	CHECK(memcmp(sk.p, rf.out, expect) == 0);
	CHECK(!!(ds.flags & DATA_TOOBIG) == (rf.n > maxsize));
	CHECK(!!(ds.flags & DATA_BARE) == rf.bare);
	CHECK(!!(ds.flags & DATA_LONGLINE) == rf.longline);
	/* Without DATA_BARE the text has no CR and every LF was a CR LF. */
	if (!(ds.flags & DATA_BARE))
		CHECK(memchr(sk.p, '\r', sk.n) == NULL);
	free(rf.out);
out:
	free(stream);
	free(sk.p);
	return 0;
}
