/*
 * test_smtpaddr.c - table-driven tests of smtpserver/addr.c.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
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
	{
		struct sockaddr_in6 a, b;
		struct sockaddr_in v4;
		char ka[INET6_ADDRSTRLEN + 4], kb[INET6_ADDRSTRLEN + 4];

		memset(&a, 0, sizeof a);
		memset(&b, 0, sizeof b);
		a.sin6_family = b.sin6_family = AF_INET6;
		inet_pton(AF_INET6, "2001:db8:1:2:aaaa::1", &a.sin6_addr);
		inet_pton(AF_INET6, "2001:db8:1:2:bbbb::9", &b.sin6_addr);
		addr_client_key((struct sockaddr *)&a, ka, sizeof ka);
		addr_client_key((struct sockaddr *)&b, kb, sizeof kb);
		CHECK_STR(ka, "2001:db8:1:2::/64");
		CHECK_STR(kb, ka);
		inet_pton(AF_INET6, "2001:db8:1:3::1", &b.sin6_addr);
		addr_client_key((struct sockaddr *)&b, kb, sizeof kb);
		CHECK_STR(kb, "2001:db8:1:3::/64");
		inet_pton(AF_INET6, "::ffff:192.0.2.7", &b.sin6_addr);
		addr_client_key((struct sockaddr *)&b, kb, sizeof kb);
		CHECK_STR(kb, "192.0.2.7");
		memset(&v4, 0, sizeof v4);
		v4.sin_family = AF_INET;
		inet_pton(AF_INET, "192.0.2.8", &v4.sin_addr);
		addr_client_key((struct sockaddr *)&v4, kb, sizeof kb);
		CHECK_STR(kb, "192.0.2.8");
	}
	return check_done();
}
