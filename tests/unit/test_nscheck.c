/*
 * test_nscheck.c - unit tests of nscheck's DNS answer reading
 * (cks/nscheck/dnsmsg.c, answer.c) on crafted messages: good answers,
 * truncated ones, compression loops and forward pointers, oversized
 * labels and names, bad rdlengths, lying counts, and huge answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dnsmsg.h"
#include "nscheck.h"

/* ---- a message builder ------------------------------------------------ */

struct mb {
	unsigned char b[70000];
	size_t n;
};

static void
put8(struct mb *m, unsigned v)
{
	if (m->n < sizeof m->b)
		m->b[m->n++] = (unsigned char)v;
}

static void
put16(struct mb *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v & 0xFF);
}

static void
put32(struct mb *m, unsigned long v)
{
	put16(m, (unsigned)(v >> 16));
	put16(m, (unsigned)(v & 0xFFFF));
}

/* "a.b.c" as labels and a zero octet; "." is the root. */
static void
putname(struct mb *m, const char *name)
{
	const char *p = name, *dot;

	if (strcmp(name, ".") != 0) {
		while (*p) {
			dot = strchr(p, '.');
			size_t l = dot ? (size_t)(dot - p) : strlen(p);

			put8(m, (unsigned)l);
			while (l--)
				put8(m, (unsigned char)*p++);
			if (*p == '.')
				p++;
		}
	}
	put8(m, 0);
}

static void
putptr(struct mb *m, size_t off)
{
	put16(m, 0xC000u | (unsigned)off);
}

static void
header(struct mb *m, unsigned flags, unsigned qd, unsigned an, unsigned ns,
    unsigned ar)
{
	m->n = 0;
	put16(m, 0x1234);
	put16(m, flags);
	put16(m, qd);
	put16(m, an);
	put16(m, ns);
	put16(m, ar);
}

/* Header and question; returns the offset of the question name. */
static size_t
start(struct mb *m, unsigned rcode, unsigned an, unsigned ns, unsigned ar,
    const char *qname, unsigned qtype)
{
	header(m, 0x8180u | rcode, 1, an, ns, ar);
	putname(m, qname);
	put16(m, qtype);
	put16(m, DNSMSG_C_IN);
	return DNSMSG_HDR_LEN;
}

/* A record owned by a pointer, with rdata of a name. */
static void
rr_name(struct mb *m, size_t owner, unsigned type, const char *target)
{
	size_t rdl;

	putptr(m, owner);
	put16(m, type);
	put16(m, DNSMSG_C_IN);
	put32(m, 300);
	rdl = m->n;
	put16(m, 0);
	putname(m, target);
	m->b[rdl] = (unsigned char)((m->n - rdl - 2) >> 8);
	m->b[rdl + 1] = (unsigned char)((m->n - rdl - 2) & 0xFF);
}

/* An A (4 octets) or AAAA (16) record whose owner is written in full. */
static void
rr_addr(struct mb *m, const char *owner, unsigned type, const unsigned char *a)
{
	unsigned i, l = type == DNSMSG_T_A ? 4 : 16;

	putname(m, owner);
	put16(m, type);
	put16(m, DNSMSG_C_IN);
	put32(m, 300);
	put16(m, l);
	for (i = 0; i < l; i++)
		put8(m, a[i]);
}

static void
rr_soa(struct mb *m, size_t owner_ptr)
{
	size_t rdl;

	putptr(m, owner_ptr);
	put16(m, DNSMSG_T_SOA);
	put16(m, DNSMSG_C_IN);
	put32(m, 300);
	rdl = m->n;
	put16(m, 0);
	putname(m, "ns1.example.test");
	putname(m, "hostmaster.example.test");
	put32(m, 1); put32(m, 2); put32(m, 3); put32(m, 4); put32(m, 5);
	m->b[rdl] = (unsigned char)((m->n - rdl - 2) >> 8);
	m->b[rdl + 1] = (unsigned char)((m->n - rdl - 2) & 0xFF);
}

static struct mb M;
static struct nsc_zone Z;
static char out[DNSMSG_NAME_TEXT_MAX];

/* ---- names ------------------------------------------------------------ */

static int
name_at(const unsigned char *b, size_t len, size_t off, size_t *end)
{
	return dnsmsg_name(b, len, off, out, sizeof out, end);
}

static void
test_names(void)
{
	static const unsigned char simple[] = "\3www\7Example\3COM";
	static const unsigned char odd[] = "\5a.b c\2\\x\3foo";
	unsigned char b[700];
	size_t end, i, n;
	int rc;

	CHECK(name_at(simple, sizeof simple, 0, &end) == 0, "simple name");
	CHECK_STR(out, "www.example.com");
	CHECK(end == sizeof simple, "end %zu want %zu", end, sizeof simple);
	CHECK(name_at((const unsigned char *)"", 1, 0, &end) == 0 && end == 1,
	    "root");
	CHECK_STR(out, ".");
	/* A '.', a blank and a backslash inside labels are escaped. */
	CHECK(name_at(odd, sizeof odd, 0, &end) == 0, "odd octets");
	CHECK_STR(out, "a\\046b\\032c.\\092x.foo");
	CHECK(dnsmsg_under("a\\046b\\032c.\\092x.foo", "foo") == 1, "under");
	CHECK(dnsmsg_under("b\\046foo", "foo") == 0, "escaped dot is no boundary");

	/* Truncations: inside a label, before the terminator, half a pointer. */
	CHECK(name_at(simple, 6, 0, &end) == -1, "cut inside a label");
	CHECK(name_at(simple, sizeof simple - 1, 0, &end) == -1, "no terminator");
	b[0] = 0xC0;
	CHECK(name_at(b, 1, 0, &end) == -1, "half a pointer");
	CHECK(name_at(b, 0, 0, &end) == -1, "empty input");
	CHECK(name_at(simple, sizeof simple, sizeof simple + 5, &end) == -1,
	    "offset past the end");

	/* Pointers: to itself, forward, into a loop; backwards is fine. */
	b[0] = 0xC0; b[1] = 0;
	CHECK(name_at(b, 2, 0, &end) == -1, "pointer to itself");
	b[0] = 0xC0; b[1] = 2; b[2] = 0;
	CHECK(name_at(b, 3, 0, &end) == -1, "forward pointer");
	b[0] = 0xC0; b[1] = 2; b[2] = 0xC0; b[3] = 0;
	CHECK(name_at(b, 4, 2, &end) == -1, "two pointers in a loop");
	memcpy(b, "\3foo\0\3bar\xC0\0", 11);
	CHECK(name_at(b, 11, 5, &end) == 0 && end == 11, "backward pointer");
	CHECK_STR(out, "bar.foo");
	/* A chain of pointers, each to the one before: bounded. */
	b[0] = 0;
	for (i = 1; i <= 299; i++) {
		size_t prev = i == 1 ? 0 : 2 * i - 3;

		b[2 * i - 1] = (unsigned char)(0xC0 | (prev >> 8));
		b[2 * i] = (unsigned char)(prev & 0xFF);
	}
	CHECK(name_at(b, 601, 2 * DNSMSG_PTR_MAX - 1, &end) == 0,
	    "%d chained pointers", DNSMSG_PTR_MAX);
	CHECK(name_at(b, 601, 2 * (DNSMSG_PTR_MAX + 1) - 1, &end) == -1,
	    "%d chained pointers", DNSMSG_PTR_MAX + 1);

	/* Label types 01 and 10 (64..191) are refused. */
	b[0] = 64;
	memset(b + 1, 'a', 64);
	b[65] = 0;
	CHECK(name_at(b, 66, 0, &end) == -1, "label of 64");
	b[0] = 0x80;
	CHECK(name_at(b, 66, 0, &end) == -1, "label type 10");
	b[0] = 63;
	b[64] = 0;
	CHECK(name_at(b, 65, 0, &end) == 0 && strlen(out) == 63, "label of 63");

	/* 255 octets in wire form pass, 257 do not. */
	n = 0;
	for (i = 0; i < 4; i++) {
		unsigned l = i < 3 ? 63 : 61;

		b[n++] = (unsigned char)l;
		memset(b + n, 'x', l);
		n += l;
	}
	b[n++] = 0;
	CHECK(n == 255, "built %zu", n);
	CHECK(name_at(b, n, 0, &end) == 0 && strlen(out) == 253, "255 octets");
	b[3 * 64] = 63;
	memset(b + 3 * 64 + 1, 'x', 63);
	b[4 * 64] = 0;
	CHECK(name_at(b, 4 * 64 + 1, 0, &end) == -1, "257 octets");
	/* 255 octets of nothing but escapes: fits DNSMSG_NAME_TEXT_MAX. */
	n = 0;
	for (i = 0; i < 4; i++) {
		unsigned l = i < 3 ? 63 : 61;

		b[n++] = (unsigned char)l;
		memset(b + n, 0xFF, l);
		n += l;
	}
	b[n++] = 0;
	rc = name_at(b, n, 0, &end);
	CHECK(rc == 0 && strlen(out) == 250 * 4 + 3, "all escaped: %zu",
	    strlen(out));
	CHECK(dnsmsg_name(b, n, 0, out, 100, &end) == -1, "output too small");
}

/* ---- messages ------------------------------------------------------------ */

static void
test_header(void)
{
	struct dnsmsg m;
	struct dnsmsg_rr rr;
	unsigned char a[4] = { 192, 0, 2, 1 };

	header(&M, 0x8180, 1, 0, 0, 0);
	CHECK(dnsmsg_init(&m, M.b, 11) == -1, "short header");
	CHECK(dnsmsg_init(&m, M.b, 12) == -1, "header without its question");
	start(&M, 0, 0, 0, 0, "example.test", DNSMSG_T_NS);
	CHECK(dnsmsg_init(&m, M.b, M.n) == 0, "question only");
	CHECK_STR(m.qname, "example.test");
	CHECK(dnsmsg_next(&m, &rr) == 0, "no records");
	CHECK(dnsmsg_init(&m, M.b, M.n - 1) == -1, "question cut");
	M.b[2] &= 0x7F;
	CHECK(dnsmsg_init(&m, M.b, M.n) == -1, "not a response");
	header(&M, 0x8180, 2, 0, 0, 0);
	putname(&M, "a.test"); put16(&M, 1); put16(&M, 1);
	putname(&M, "b.test"); put16(&M, 1); put16(&M, 1);
	CHECK(dnsmsg_init(&m, M.b, M.n) == -1, "two questions");
	header(&M, 0x8180, 0, 0, 0, 0);
	CHECK(dnsmsg_init(&m, M.b, M.n) == -1, "no question");

	/* Counts that promise more records than the message holds. */
	start(&M, 0, 2, 0, 0, "a.test", DNSMSG_T_A);
	rr_addr(&M, "a.test", DNSMSG_T_A, a);
	CHECK(dnsmsg_init(&m, M.b, M.n) == 0, "init");
	CHECK(dnsmsg_next(&m, &rr) == 1 && rr.section == DNSMSG_AN, "first rr");
	CHECK(dnsmsg_next(&m, &rr) == -1, "second rr missing");
	CHECK(dnsmsg_next(&m, &rr) == -1, "still malformed");

	/* rdlength past the end. */
	start(&M, 0, 1, 0, 0, "a.test", DNSMSG_T_A);
	rr_addr(&M, "a.test", DNSMSG_T_A, a);
	M.b[M.n - 6] = 0;
	M.b[M.n - 5] = 5;
	CHECK(dnsmsg_init(&m, M.b, M.n) == 0 && dnsmsg_next(&m, &rr) == -1,
	    "rdlength past the end");
	M.b[M.n - 6] = 0xFF;
	M.b[M.n - 5] = 0xFF;
	CHECK(dnsmsg_init(&m, M.b, M.n) == 0 && dnsmsg_next(&m, &rr) == -1,
	    "rdlength 65535");
	/* Record cut inside its fixed part. */
	start(&M, 0, 1, 0, 0, "a.test", DNSMSG_T_A);
	rr_addr(&M, "a.test", DNSMSG_T_A, a);
	CHECK(dnsmsg_init(&m, M.b, M.n - 9) == 0 && dnsmsg_next(&m, &rr) == -1,
	    "record cut");
}

static void
test_rdata(void)
{
	struct dnsmsg m;
	struct dnsmsg_rr rr;
	unsigned char a6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	unsigned char a4[4] = { 198, 51, 100, 7 };
	char text[NSC_ADDR_TEXT];

	a6[15] = 1;
	start(&M, 0, 3, 0, 0, "a.test", DNSMSG_T_AAAA);
	rr_addr(&M, "a.test", DNSMSG_T_AAAA, a6);
	rr_addr(&M, "a.test", DNSMSG_T_A, a4);
	rr_addr(&M, "a.test", DNSMSG_T_A, a4);
	M.b[M.n - 6] = 0;             /* last A: rdlength 3 */
	M.b[M.n - 5] = 3;
	M.n--;
	CHECK(dnsmsg_init(&m, M.b, M.n) == 0, "init");
	CHECK(dnsmsg_next(&m, &rr) == 1 &&
	    dnsmsg_rdata_addr(&m, &rr, text, sizeof text) == 0, "AAAA");
	CHECK_STR(text, "2001:db8::1");
	CHECK(dnsmsg_next(&m, &rr) == 1 &&
	    dnsmsg_rdata_addr(&m, &rr, text, sizeof text) == 0, "A");
	CHECK_STR(text, "198.51.100.7");
	CHECK(dnsmsg_next(&m, &rr) == 1 &&
	    dnsmsg_rdata_addr(&m, &rr, text, sizeof text) == -1, "A of 3 octets");
	rr.class = 3;
	rr.rdlen = 4;
	CHECK(dnsmsg_rdata_addr(&m, &rr, text, sizeof text) == -1, "class CH");

	/* NS rdata must be exactly one name. */
	start(&M, 0, 1, 0, 0, "a.test", DNSMSG_T_NS);
	rr_name(&M, 12, DNSMSG_T_NS, "ns1.a.test");
	CHECK(dnsmsg_init(&m, M.b, M.n) == 0 && dnsmsg_next(&m, &rr) == 1 &&
	    dnsmsg_rdata_name(&m, &rr, out, sizeof out) == 0, "NS rdata");
	CHECK_STR(out, "ns1.a.test");
	rr.rdlen++;
	CHECK(dnsmsg_rdata_name(&m, &rr, out, sizeof out) == -1,
	    "rdlength longer than the name");
	rr.rdlen -= 2;
	CHECK(dnsmsg_rdata_name(&m, &rr, out, sizeof out) == -1,
	    "name runs past rdlength");
	rr.rdlen = 0;
	CHECK(dnsmsg_rdata_name(&m, &rr, out, sizeof out) == -1, "rdlength 0");
}

static void
test_domain_text(void)
{
	static const struct { const char *in, *want; } t[] = {
		{ "Example.COM", "example.com" }, { "example.com.", "example.com" },
		{ "a_b.example", "a_b.example" }, { "x", "x" },
		{ "", NULL }, { ".", NULL }, { "a..b", NULL }, { ".a", NULL },
		{ "a b", NULL }, { "a@b", NULL }, { "[192.0.2.1]", NULL },
		{ "-a.b", NULL }, { "a-.b", NULL }, { "a.b-", NULL }, { "-", NULL },
		{ "a\\046b", NULL }, { "a.b..", NULL },
	};
	char buf[300], big[400];
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		int rc = dnsmsg_domain_text(t[i].in, buf, sizeof buf);

		if (t[i].want) {
			CHECK(rc == 0, "\"%s\" refused", t[i].in);
			if (rc == 0)
				CHECK_STR(buf, t[i].want);
		} else
			CHECK(rc == -1, "\"%s\" accepted", t[i].in);
	}
	memset(big, 'a', 63);
	big[63] = '\0';
	CHECK(dnsmsg_domain_text(big, buf, sizeof buf) == 0, "label of 63");
	memset(big, 'a', 64);
	big[64] = '\0';
	CHECK(dnsmsg_domain_text(big, buf, sizeof buf) == -1, "label of 64");
	for (i = 0; i < 254; i++)
		big[i] = i % 2 ? '.' : 'a';
	big[253] = '\0';
	CHECK(dnsmsg_domain_text(big, buf, sizeof buf) == 0, "253 characters");
	big[253] = 'a';
	big[254] = '\0';
	CHECK(dnsmsg_domain_text(big, buf, sizeof buf) == -1, "254 characters");
}

/* ---- what nscheck takes from answers -------------------------------- */

static void
test_read_ns(void)
{
	unsigned char g4[4] = { 192, 0, 2, 1 }, g6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	char soa[DNSMSG_NAME_TEXT_MAX];
	unsigned rcode;
	int i, j, rc;

	/* Two NS, glue for one (A and AAAA), glue for a stranger, an A in
	 * the answer section (not glue), a repeated NS. */
	start(&M, 0, 4, 0, 3, "example.test", DNSMSG_T_NS);
	rr_name(&M, 12, DNSMSG_T_NS, "NS1.example.test");
	rr_name(&M, 12, DNSMSG_T_NS, "ns2.other.test");
	rr_name(&M, 12, DNSMSG_T_NS, "ns1.example.test");
	rr_addr(&M, "ns2.other.test", DNSMSG_T_A, g4);
	rr_addr(&M, "ns1.example.test", DNSMSG_T_A, g4);
	rr_addr(&M, "ns1.example.test", DNSMSG_T_AAAA, g6);
	rr_addr(&M, "stranger.test", DNSMSG_T_A, g4);
	rc = nsc_read_ns(M.b, M.n, "example.test", &Z, soa, sizeof soa, &rcode);
	CHECK(rc == 1 && rcode == 0 && Z.nns == 2, "rc %d nns %d", rc, Z.nns);
	CHECK_STR(Z.ns[0].name, "ns1.example.test");
	CHECK_STR(Z.ns[1].name, "ns2.other.test");
	CHECK(Z.ns[0].naddr == 2 && Z.ns[0].glue4 && Z.ns[0].glue6 &&
	    Z.ns[0].addr[0].glue, "glue of ns1: %d", Z.ns[0].naddr);
	CHECK_STR(Z.ns[0].addr[1].text, "2001:db8::");
	CHECK(Z.ns[1].naddr == 0 && !Z.ns[1].glue4, "no glue from the answer section");
	CHECK(soa[0] == '\0', "no SOA");

	/* The question must be ours. */
	CHECK(nsc_read_ns(M.b, M.n, "other.test", &Z, soa, sizeof soa,
	    &rcode) == -1, "other question");
	/* Truncated flag: could not tell. */
	M.b[2] |= 0x02;
	CHECK(nsc_read_ns(M.b, M.n, "example.test", &Z, soa, sizeof soa,
	    &rcode) == -1, "TC set");
	M.b[2] &= (unsigned char)~0x02;
	/* Cut anywhere: never a partial success. */
	for (i = (int)M.n - 1; i > 0; i--) {
		rc = nsc_read_ns(M.b, (size_t)i, "example.test", &Z, soa,
		    sizeof soa, &rcode);
		if (rc != -1) {
			CHECK(rc == -1, "cut at %d gave %d", i, rc);
			break;
		}
	}

	/* NODATA with the zone's SOA. */
	start(&M, 0, 0, 1, 0, "www.example.test", DNSMSG_T_NS);
	rr_soa(&M, 16);               /* "example.test" inside the question */
	rc = nsc_read_ns(M.b, M.n, "www.example.test", &Z, soa, sizeof soa,
	    &rcode);
	CHECK(rc == 0 && rcode == 0, "NODATA rc %d", rc);
	CHECK_STR(soa, "example.test");
	/* NXDOMAIN. */
	start(&M, 3, 0, 1, 0, "nx.example.test", DNSMSG_T_NS);
	rr_soa(&M, 15);
	rc = nsc_read_ns(M.b, M.n, "nx.example.test", &Z, soa, sizeof soa, &rcode);
	CHECK(rc == 0 && rcode == 3, "NXDOMAIN rc %d rcode %u", rc, rcode);

	/* "." as a target is no nameserver. */
	start(&M, 0, 1, 0, 0, "example.test", DNSMSG_T_NS);
	rr_name(&M, 12, DNSMSG_T_NS, ".");
	CHECK(nsc_read_ns(M.b, M.n, "example.test", &Z, soa, sizeof soa,
	    &rcode) == 0, "null NS");

	/* CNAME to a zone apex; CNAME loop. */
	start(&M, 0, 2, 0, 0, "alias.test", DNSMSG_T_NS);
	rr_name(&M, 12, DNSMSG_T_CNAME, "example.test");
	rr_name(&M, (size_t)(M.n - 14), DNSMSG_T_NS, "ns1.example.test");
	rc = nsc_read_ns(M.b, M.n, "alias.test", &Z, soa, sizeof soa, &rcode);
	CHECK(rc == 1 && Z.nns == 1, "NS via CNAME rc %d", rc);
	start(&M, 0, 2, 0, 0, "a.test", DNSMSG_T_NS);
	rr_name(&M, 12, DNSMSG_T_CNAME, "b.test");
	putname(&M, "b.test");
	put16(&M, DNSMSG_T_CNAME); put16(&M, 1); put32(&M, 1);
	put16(&M, 2); putptr(&M, 12);
	rc = nsc_read_ns(M.b, M.n, "a.test", &Z, soa, sizeof soa, &rcode);
	CHECK(rc == 0, "CNAME loop rc %d", rc);

	/* NSC_NS_MAX nameservers pass, one more does not. */
	for (j = 0; j < 2; j++) {
		int n = NSC_NS_MAX + j;
		char nm[64];

		start(&M, 0, (unsigned)n, 0, 0, "many.test", DNSMSG_T_NS);
		for (i = 0; i < n; i++) {
			snprintf(nm, sizeof nm, "ns%d.many.test", i);
			rr_name(&M, 12, DNSMSG_T_NS, nm);
		}
		rc = nsc_read_ns(M.b, M.n, "many.test", &Z, soa, sizeof soa, &rcode);
		CHECK(rc == (j == 0 ? 1 : -1), "%d nameservers: rc %d", n, rc);
	}

	/* A huge answer: NSC_NS_MAX nameservers with 60 glue addresses each,
	 * owners compressed, close to the 64 KiB TCP ceiling. */
	{
		size_t owner[NSC_NS_MAX];
		char nm[64];
		unsigned na = NSC_NS_MAX * 60;

		start(&M, 0, NSC_NS_MAX, 0, na, "huge.test", DNSMSG_T_NS);
		for (i = 0; i < NSC_NS_MAX; i++) {
			snprintf(nm, sizeof nm, "n%d", i);
			owner[i] = M.n + 12;
			putptr(&M, 12);
			put16(&M, DNSMSG_T_NS); put16(&M, 1); put32(&M, 1);
			put16(&M, (unsigned)strlen(nm) + 3);
			put8(&M, (unsigned)strlen(nm));
			for (j = 0; nm[j]; j++)
				put8(&M, (unsigned char)nm[j]);
			putptr(&M, 12);
		}
		for (i = 0; i < NSC_NS_MAX; i++)
			for (j = 0; j < 60; j++) {
				putptr(&M, owner[i]);
				put16(&M, DNSMSG_T_A); put16(&M, 1); put32(&M, 1);
				put16(&M, 4);
				put8(&M, 10); put8(&M, (unsigned)i);
				put8(&M, (unsigned)j); put8(&M, 1);
			}
		CHECK(M.n > 60000 && M.n <= 65535, "huge answer of %zu octets", M.n);
		rc = nsc_read_ns(M.b, M.n, "huge.test", &Z, soa, sizeof soa, &rcode);
		CHECK(rc == 1 && Z.nns == NSC_NS_MAX, "huge rc %d nns %d", rc, Z.nns);
		CHECK(Z.ns[NSC_NS_MAX - 1].naddr == 60, "addresses of the last: %d",
		    Z.ns[NSC_NS_MAX - 1].naddr);
		CHECK_STR(Z.ns[NSC_NS_MAX - 1].addr[59].text, "10.63.59.1");
		/* The same message with one byte less: malformed, never partial. */
		rc = nsc_read_ns(M.b, M.n - 1, "huge.test", &Z, soa, sizeof soa,
		    &rcode);
		CHECK(rc == -1, "huge cut rc %d", rc);
	}
}

static void
test_read_addrs(void)
{
	struct nsc_ns *ns = calloc(1, sizeof *ns);
	unsigned char a[4] = { 192, 0, 2, 7 };
	int i, rc;

	if (ns == NULL)
		abort();
	strcpy(ns->name, "ns1.example.test");
	start(&M, 0, 3, 0, 0, "ns1.example.test", DNSMSG_T_A);
	rr_addr(&M, "ns1.example.test", DNSMSG_T_A, a);
	rr_addr(&M, "ns1.example.test", DNSMSG_T_A, a);         /* repeat */
	rr_addr(&M, "other.example.test", DNSMSG_T_A, a);       /* not ours */
	rc = nsc_read_addrs(M.b, M.n, DNSMSG_T_A, ns);
	CHECK(rc == 1 && ns->naddr == 1, "rc %d naddr %d", rc, ns->naddr);
	CHECK_STR(ns->addr[0].text, "192.0.2.7");
	CHECK(nsc_read_addrs(M.b, M.n, DNSMSG_T_AAAA, ns) == -1,
	    "answer to another type");

	/* Only a record of another owner: NODATA. */
	ns->naddr = 0;
	start(&M, 0, 1, 0, 0, "ns1.example.test", DNSMSG_T_A);
	rr_addr(&M, "ns9.example.test", DNSMSG_T_A, a);
	CHECK(nsc_read_addrs(M.b, M.n, DNSMSG_T_A, ns) == 0, "other owner");

	/* Through a CNAME. */
	start(&M, 0, 2, 0, 0, "ns1.example.test", DNSMSG_T_A);
	rr_name(&M, 12, DNSMSG_T_CNAME, "real.example.test");
	rr_addr(&M, "real.example.test", DNSMSG_T_A, a);
	CHECK(nsc_read_addrs(M.b, M.n, DNSMSG_T_A, ns) == 1 && ns->naddr == 1,
	    "via CNAME");

	ns->naddr = 0;
	start(&M, 3, 0, 0, 0, "ns1.example.test", DNSMSG_T_A);
	CHECK(nsc_read_addrs(M.b, M.n, DNSMSG_T_A, ns) == 0, "NXDOMAIN");
	start(&M, 2, 0, 0, 0, "ns1.example.test", DNSMSG_T_A);
	CHECK(nsc_read_addrs(M.b, M.n, DNSMSG_T_A, ns) == -1, "SERVFAIL");
	start(&M, 5, 0, 0, 0, "ns1.example.test", DNSMSG_T_A);
	CHECK(nsc_read_addrs(M.b, M.n, DNSMSG_T_A, ns) == -1, "REFUSED");

	/* Bad rdlength for an A record. */
	start(&M, 0, 1, 0, 0, "ns1.example.test", DNSMSG_T_A);
	rr_addr(&M, "ns1.example.test", DNSMSG_T_A, a);
	M.b[M.n - 5] = 5;
	put8(&M, 0);
	CHECK(nsc_read_addrs(M.b, M.n, DNSMSG_T_A, ns) == -1, "A of 5 octets");

	/* NSC_ADDRS_MAX addresses pass, one more does not. */
	ns->naddr = 0;
	start(&M, 0, NSC_ADDRS_MAX + 1, 0, 0, "ns1.example.test", DNSMSG_T_A);
	for (i = 0; i <= NSC_ADDRS_MAX; i++) {
		a[3] = (unsigned char)i;
		rr_addr(&M, "ns1.example.test", DNSMSG_T_A, a);
	}
	CHECK(nsc_read_addrs(M.b, M.n, DNSMSG_T_A, ns) == -1, "too many addresses");
	free(ns);
}

/* Random damage to a good answer: never a crash, never out of bounds
 * (ASan watches), and a verdict of -1, 0 or 1 only. */
static void
test_damage(void)
{
	unsigned char g4[4] = { 192, 0, 2, 1 }, save[512];
	char soa[DNSMSG_NAME_TEXT_MAX];
	unsigned rcode, seed = 12345;
	int i, rc, bad = 0;
	size_t n;

	start(&M, 0, 2, 1, 1, "example.test", DNSMSG_T_NS);
	rr_name(&M, 12, DNSMSG_T_NS, "ns1.example.test");
	rr_name(&M, 12, DNSMSG_T_NS, "ns2.example.test");
	rr_soa(&M, 12);
	rr_addr(&M, "ns1.example.test", DNSMSG_T_A, g4);
	n = M.n;
	memcpy(save, M.b, n);
	for (i = 0; i < 20000; i++) {
		unsigned k;

		memcpy(M.b, save, n);
		for (k = 0; k < 3; k++) {
			seed = seed * 1103515245u + 12345u;
			M.b[(seed >> 8) % n] = (unsigned char)(seed >> 20);
		}
		rc = nsc_read_ns(M.b, n, "example.test", &Z, soa, sizeof soa,
		    &rcode);
		if (rc < -1 || rc > 1 || (rc == 1 && (Z.nns < 1 ||
		    Z.nns > NSC_NS_MAX)))
			bad++;
	}
	CHECK(bad == 0, "%d damaged answers gave impossible results", bad);
}

int
main(void)
{
	test_names();
	test_header();
	test_rdata();
	test_domain_text();
	test_read_ns();
	test_read_addrs();
	test_damage();
	return check_done();
}
