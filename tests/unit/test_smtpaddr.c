/*
 * test_smtpaddr.c - table-driven tests of smtpserver/addr.c.
 */
#include <string.h>

#include "check.h"
#include "../../smtpserver/addr.h"

struct pcase {
	const char *arg;
	int         flags;
	int         ok;
	const char *addr;     /* expected address when ok */
	size_t      nparams;
};

static const struct pcase pcases[] = {
	{ "<a@b.example>", 0, 1, "a@b.example", 0 },
	{ " <a@b.example>", 0, 1, "a@b.example", 0 },
	{ "<>", ADDR_NULL_OK, 1, "", 0 },
	{ "<>", 0, 0, NULL, 0 },
	{ "<a@b.example> SIZE=100 BODY=8BITMIME", 0, 1, "a@b.example", 2 },
	{ "<@r1.example,@r2.example:u@d.example>", 0, 1, "u@d.example", 0 },
	{ "<@bad:u@d.example>", 0, 1, "u@d.example", 0 },
	{ "<@:u@d.example>", 0, 0, NULL, 0 },
	{ "<a$b@x.example>", 0, 1, "a$b@x.example", 0 },
	{ "<a`id`@x.example>", 0, 1, "a`id`@x.example", 0 },
	{ "<\"a;b c\"@x.example>", 0, 1, "\"a;b c\"@x.example", 0 },
	{ "<\"a>b\"@x.example>", 0, 1, "\"a>b\"@x.example", 0 },
	{ "<a%b@x.example>", 0, 1, "a%b@x.example", 0 },
	{ "<a;b@x.example>", 0, 1, "a;b@x.example", 0 },
	{ "<a;b@x.example>", ADDR_STRICT, 0, NULL, 0 },
	{ "<\"a;b\"@x.example>", ADDR_STRICT, 1, "\"a;b\"@x.example", 0 },
	{ "<user>", 0, 1, "user", 0 },
	{ "<user>", ADDR_STRICT, 0, NULL, 0 },
	{ "<Postmaster>", ADDR_STRICT, 1, "Postmaster", 0 },
	{ "<a b@x.example>", 0, 0, NULL, 0 },
	{ "<a\tb@x.example>", 0, 0, NULL, 0 },
	{ "<a\x80@x.example>", 0, 0, NULL, 0 },
	{ "a@b.example", 0, 0, NULL, 0 },
	{ "a@b.example", ADDR_SLOPPY, 1, "a@b.example", 0 },
	{ "< a@b.example >", ADDR_SLOPPY, 1, "a@b.example", 0 },
	{ "< a@b.example >", 0, 0, NULL, 0 },
	{ "<a@b.example", 0, 0, NULL, 0 },
	{ "<a@b.example>x", 0, 0, NULL, 0 },
	{ "<a@>", 0, 0, NULL, 0 },
	{ "<@b.example>", 0, 0, NULL, 0 },
	{ "<a@b..example>", 0, 0, NULL, 0 },
	{ "<a@[192.0.2.1]>", 0, 1, "a@[192.0.2.1]", 0 },
	{ "<a@[IPv6:2001:db8::1]>", 0, 1, "a@[IPv6:2001:db8::1]", 0 },
	{ "<a@[300.0.2.1]>", 0, 0, NULL, 0 },
	{ "<\"unbalanced@x.example>", 0, 0, NULL, 0 },
	{ "<a@b.example> =x", 0, 0, NULL, 0 },
	{ "<a@b.example> SIZE=", 0, 0, NULL, 0 },
};

struct hcase {
	const char *name;
	int         ok;
};

static const struct hcase hcases[] = {
	{ "mail.example.org", 1 },
	{ "localhost", 1 },
	{ "a-b_c.example", 1 },
	{ "[192.0.2.7]", 1 },
	{ "[IPv6:2001:db8::7]", 1 },
	{ "[192.0.2.300]", 0 },
	{ "192.0.2.7", 0 },
	{ "127.0.0.1", 0 },
	{ "host 1.example", 0 },
	{ "host\t1.example", 0 },
	{ "host\x01.example", 0 },
	{ "", 0 },
	{ "a..b", 0 },
	{ ".a", 0 },
	{ "x!y.example", 0 },
	{ "h\xc3\xa9.example", 0 },
};

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof pcases / sizeof pcases[0]; i++) {
		const struct pcase *c = &pcases[i];
		struct addr_path ap;
		const char *why = NULL;
		int rc = addr_parse_path(c->arg, c->flags, &ap, &why);

		CHECK((rc == 0) == c->ok, "case %zu \"%s\": got rc %d (%s), want %s",
		    i, c->arg, rc, why ? why : "", c->ok ? "ok" : "error");
		if (rc == 0 && c->ok) {
			CHECK_STR(ap.addr, c->addr);
			CHECK(ap.nparams == c->nparams, "case %zu: %zu params, want %zu",
			    i, ap.nparams, c->nparams);
		}
	}
	{
		struct addr_path ap;
		const char *why;

		CHECK(addr_parse_path("<a@b.example> size=12 body=7BIT", 0, &ap,
		    &why) == 0, "params parse");
		CHECK_STR(ap.params[0].name, "SIZE");
		CHECK_STR(ap.params[0].value, "12");
		CHECK_STR(ap.params[1].name, "BODY");
	}
	{
		/* SMTP_ADDR_MAX is the ceiling. */
		char big[SMTP_ADDR_MAX + 40];
		struct addr_path ap;
		const char *why;

		memset(big, 'a', sizeof big);
		big[0] = '<';
		memcpy(big + SMTP_ADDR_MAX - 10, "@x.example>", 12);
		CHECK(addr_parse_path(big, 0, &ap, &why) == 0,
		    "address just under the limit refused: %s", why);
		memset(big, 'a', sizeof big);
		big[0] = '<';
		memcpy(big + SMTP_ADDR_MAX + 10, "@x.example>", 12);
		CHECK(addr_parse_path(big, 0, &ap, &why) < 0,
		    "address over the limit accepted");
	}
	for (i = 0; i < sizeof hcases / sizeof hcases[0]; i++)
		CHECK(addr_helo_ok(hcases[i].name) == hcases[i].ok,
		    "helo \"%s\": got %d, want %d", hcases[i].name,
		    addr_helo_ok(hcases[i].name), hcases[i].ok);
	return check_done();
}
