/*
 * test_smtpfuzz.c - deterministic random testing of smtpserver's pure
 * parsers (addr.c, data.c, rtrclient.c's rtr_parse), checking properties
 * rather than answers.  Runs in `make check` and, under ASan+UBSan, in
 * `make check-san`.  Fixed seed: a failure reproduces.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "../../smtpserver/addr.h"
#include "../../smtpserver/data.h"
#include "../../smtpserver/rtrclient.h"

#define ROUNDS 200000

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void
randstr(char *out, size_t maxlen, const char *alphabet)
{
	size_t n = rnd((unsigned)maxlen), i, k = strlen(alphabet);

	for (i = 0; i < n; i++)
		out[i] = alphabet[rnd((unsigned)k)];
	out[n] = '\0';
}

static void
fuzz_addr(void)
{
	static const char alpha[] = "<>@.:,\" \\a$`;%[]SIZE=1\tx\x01\x80";
	char in[80];
	struct addr_path ap;
	const char *why;
	int i, flags;

	for (i = 0; i < ROUNDS; i++) {
		randstr(in, sizeof in - 1, alpha);
		flags = (int)rnd(8);
		if (addr_parse_path(in, flags, &ap, &why) == 0) {
			CHECK(addr_printable(ap.addr, strlen(ap.addr)),
			    "unprintable address from \"%s\"", in);
			CHECK(strstr(in, ap.addr) != NULL,
			    "address \"%s\" not taken from \"%s\"", ap.addr, in);
			CHECK(strchr(ap.addr, '\t') == NULL, "TAB in address");
			CHECK(ap.addr[0] != '\0' || (flags & ADDR_NULL_OK),
			    "<> accepted without ADDR_NULL_OK: \"%s\"", in);
		}
		if (addr_helo_ok(in))
			CHECK(strchr(in, ' ') == NULL && addr_printable(in, strlen(in)),
			    "bad HELO accepted: \"%s\"", in);
	}
}

static int
emit(void *arg, const char *p, size_t n)
{
	return buf_append(arg, p, n);
}

static void
fuzz_data(void)
{
	char in[64];
	struct data_state a, b;
	struct buf oa, ob;
	long ua;
	size_t ub, i;
	int r;

	buf_init(&oa, 1 << 16);
	buf_init(&ob, 1 << 16);
	for (r = 0; r < ROUNDS; r++) {
		randstr(in, sizeof in - 1, "\r\n.a");
		buf_reset(&oa);
		buf_reset(&ob);
		data_init(&a, 1 << 16);
		data_init(&b, 1 << 16);
		ua = data_feed(&a, in, strlen(in), emit, &oa);
		for (ub = 0; ub < strlen(in) && !b.done; ub++)
			data_feed(&b, in + ub, 1, emit, &ob);
		CHECK(ua == (long)ub && a.done == b.done && a.flags == b.flags &&
		    oa.len == ob.len && memcmp(buf_cstr(&oa), buf_cstr(&ob), oa.len) == 0,
		    "split-dependent result for %zu bytes", strlen(in));
		if (a.done) {
			/* only CR LF . CR LF (or . CR LF at the start) ends DATA */
			CHECK((ua == 3 && memcmp(in, ".\r\n", 3) == 0) ||
			    (ua >= 5 && memcmp(in + ua - 5, "\r\n.\r\n", 5) == 0),
			    "ended after %ld bytes", ua);
		}
		if (!(a.flags & DATA_BARE))
			for (i = 0; i < oa.len; i++)
				CHECK(oa.data[i] != '\r', "CR emitted without DATA_BARE");
	}
	buf_free(&oa);
	buf_free(&ob);
}

static void
fuzz_reply(void)
{
	static const char *pieces[] = { "250", "550", "451", "354", "25", " ",
	    "-", "ok", "\n", "\t", "5.1.1", "\r", "\xff", "250 done\n",
	    "250-more\n" };
	char in[256];
	struct rtr_reply rep;
	size_t used, n, k, i;
	int r, rc;

	for (r = 0; r < ROUNDS; r++) {
		n = 0;
		k = rnd(12);
		in[0] = '\0';
		for (i = 0; i < k; i++) {
			const char *p = pieces[rnd(sizeof pieces / sizeof pieces[0])];

			if (n + strlen(p) >= sizeof in)
				break;
			memcpy(in + n, p, strlen(p));
			n += strlen(p);
		}
		rc = rtr_parse(in, n, &used, &rep);
		if (rc == 1) {
			const char *t = buf_cstr(&rep.text);

			CHECK(used <= n && in[used - 1] == '\n', "used %zu", used);
			CHECK(rep.code >= 200 && rep.code < 600 && rep.code / 100 != 3,
			    "code %d", rep.code);
			CHECK(addr_printable(t, strcspn(t, "\r")), "unprintable reply");
			CHECK(rep.text.len >= 6 &&
			    strcmp(t + rep.text.len - 2, "\r\n") == 0, "reply end");
		}
		buf_free(&rep.text);
	}
}

int
main(void)
{
	fuzz_addr();
	fuzz_data();
	fuzz_reply();
	return check_done();
}
