/*
 * test_smtprtr.c - the pure half of smtpserver/rtrclient.c: request
 * framing and strict reply validation (docs/wire.md).
 */
#include <string.h>

#include "buf.h"
#include "check.h"
#include "../../smtpserver/rtrclient.h"

struct rcase {
	const char *in;
	int         rc;       /* 1 complete, 0 need more, -1 malformed */
	int         code;
	const char *text;     /* as sent to the client */
};

static const struct rcase rcases[] = {
	{ "250 ok\n", 1, 250, "250 ok\r\n" },
	{ "250-2.1.0 a\n250 2.1.0 b\n", 1, 250, "250-2.1.0 a\r\n250 2.1.0 b\r\n" },
	{ "550 5.7.1 denied [relay]\n", 1, 550, "550 5.7.1 denied [relay]\r\n" },
	{ "250-partial\n", 0, 250, NULL },
	{ "250 no newline yet", 0, 0, NULL },
	{ "", 0, 0, NULL },
	{ "garbage\n", -1, 0, NULL },
	{ "250\n", -1, 0, NULL },
	{ "350 not allowed\n", -1, 0, NULL },
	{ "650 no\n", -1, 0, NULL },
	{ "25x bad\n", -1, 0, NULL },
	{ "250-a\n550 b\n", -1, 0, NULL },
	{ "250 tab\there\n", -1, 0, NULL },
	{ "250 cr\r\n", -1, 0, NULL },
	{ "250 8bit \xe9\n", -1, 0, NULL },
	{ "250_x\n", -1, 0, NULL },
};

int
main(void)
{
	struct buf b;
	struct rtr_reply rep;
	size_t i, used;
	const char *args[3];
	char big[WIRE_REPLY_MAX + 100];

	for (i = 0; i < sizeof rcases / sizeof rcases[0]; i++) {
		const struct rcase *c = &rcases[i];
		int rc = rtr_parse(c->in, strlen(c->in), &used, &rep);

		CHECK(rc == c->rc, "case %zu \"%s\": rc %d, want %d", i, c->in,
		    rc, c->rc);
		if (rc == 1 && c->rc == 1) {
			CHECK(rep.code == c->code, "case %zu: code %d", i, rep.code);
			CHECK_STR(buf_cstr(&rep.text), c->text);
			CHECK(used == strlen(c->in), "case %zu: used %zu", i, used);
		}
		buf_free(&rep.text);
	}
	/* trailing bytes are left for the caller to see */
	CHECK(rtr_parse("250 a\nextra\n", 12, &used, &rep) == 1 && used == 6,
	    "trailing: used %zu", used);
	buf_free(&rep.text);
	/* too many lines */
	{
		struct buf many;

		buf_init(&many, 1 << 16);
		for (i = 0; i < WIRE_REPLY_LINES_MAX + 1; i++)
			buf_puts(&many, "250-x\n");
		buf_puts(&many, "250 x\n");
		CHECK(rtr_parse(buf_cstr(&many), many.len, &used, &rep) == -1,
		    "too many lines accepted");
		buf_free(&rep.text);
		buf_free(&many);
	}
	/* a line over the limit, complete or not */
	memset(big, 'x', sizeof big);
	memcpy(big, "250 ", 4);
	CHECK(rtr_parse(big, RTR_LINE_MAX + 10, &used, &rep) == -1,
	    "overlong partial line accepted");
	buf_free(&rep.text);

	/* framing */
	buf_init(&b, WIRE_REQUEST_MAX + 10);
	args[0] = "host.example";
	args[1] = "[192.0.2.7]";
	CHECK(rtr_format(&b, "init", args, 2) == 0, "format init");
	CHECK_STR(buf_cstr(&b), "init\thost.example\t[192.0.2.7]\n");
	args[0] = "";
	CHECK(rtr_format(&b, "from", args, 1) == 0, "format from <>");
	CHECK_STR(buf_cstr(&b), "from\t\n");
	args[0] = "a$b`c'\"d;e%f@x";
	CHECK(rtr_format(&b, "to", args, 1) == 0, "format specials");
	CHECK_STR(buf_cstr(&b), "to\ta$b`c'\"d;e%f@x\n");
	args[0] = "a\tb";
	CHECK(rtr_format(&b, "to", args, 1) < 0, "TAB in argument accepted");
	args[0] = "a\nb";
	CHECK(rtr_format(&b, "to", args, 1) < 0, "LF in argument accepted");
	memset(big, 'a', WIRE_REQUEST_MAX);
	big[WIRE_REQUEST_MAX] = '\0';
	args[0] = big;
	CHECK(rtr_format(&b, "to", args, 1) < 0, "overlong request accepted");
	buf_free(&b);
	return check_done();
}
