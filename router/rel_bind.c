/*
 * rel_bind.c - relation type `bind,SUBTYPE`: DNS lookups through
 * libresolv, SUBTYPE one of a aaaa mx ns ptr txt cname.
 *
 * The resolver is set up on the first lookup with lib/dnsres.h: the
 * server named by $RESOLVER (ip, ip:port or [ip6]:port) if set, else
 * resolv.conf's; each query is bounded by REL_DNS_TIMEOUT seconds per try
 * and REL_DNS_TRIES tries.  The key is a domain name, used as is (no
 * search list); for ptr it may also be an IPv4 or IPv6 address, which is
 * turned into its in-addr.arpa / ip6.arpa name.
 *
 * Answers: found with the records of the asked type, in answer order and
 * separated by one blank (mx: exchanger names by preference; txt: the
 * first record, its strings joined); NXDOMAIN and "no such record" are not
 * found; a timeout, SERVFAIL, REFUSED or a malformed answer is could not
 * tell (status 75), never not found.  Answers are untrusted: names are
 * expanded with dn_expand (which checks every pointer and length), names
 * with blanks or control characters are dropped, TXT text keeps printable
 * ASCII only, and an answer is at most REL_DNS_ANSWER_MAX bytes.
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <netdb.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dnsres.h"
#include "rel_be.h"

struct bd {
	struct __res_state rs;
	int     ready;
	int     qtype;
};

static const struct {
	const char *name;
	int type;
} bd_types[] = {
	{ "a", ns_t_a }, { "aaaa", ns_t_aaaa }, { "mx", ns_t_mx },
	{ "ns", ns_t_ns }, { "ptr", ns_t_ptr }, { "txt", ns_t_txt },
	{ "cname", ns_t_cname },
};

static struct bd *
bd_of(struct rel *r)
{
	return r->be;
}

static int
bd_init(struct rel *r, char *err, size_t errsz)
{
	struct bd *b;
	size_t i;
	int t = -1;

	for (i = 0; i < sizeof bd_types / sizeof bd_types[0]; i++)
		if (strcasecmp(r->subtype, bd_types[i].name) == 0)
			t = bd_types[i].type;
	if (t < 0) {
		snprintf(err, errsz, "relation: %s: type bind needs a subtype: "
		    "bind,a aaaa mx ns ptr txt cname", r->name);
		return -1;
	}
	if ((b = calloc(1, sizeof *b)) == NULL) {
		snprintf(err, errsz, "relation: out of memory");
		return -1;
	}
	b->qtype = t;
	r->be = b;
	return 0;
}

static int
bd_load(struct rel *r)
{
	struct bd *b = bd_of(r);
	const char *spec = getenv("RESOLVER");

	if (b->ready)
		return REL_FOUND;
	if (dnsres_init(&b->rs, spec, REL_DNS_TIMEOUT, REL_DNS_TRIES) < 0)
		return rel_defer(r, spec && *spec ? "bad RESOLVER or resolver "
		    "initialisation failed" : "resolver initialisation failed", 0);
	/* Exactly the name given: no search list, no default domain. */
	b->rs.options &= ~(unsigned long)(RES_DEFNAMES | RES_DNSRCH);
	b->ready = 1;
	return REL_FOUND;
}

static void
bd_fini(struct rel *r)
{
	struct bd *b = bd_of(r);

	if (b && b->ready)
		res_nclose(&b->rs);
	free(b);
	r->be = NULL;
}

/* A name we are willing to ask for: 1..253 bytes, labels 1..63, no blanks. */
static int
bd_name_ok(const char *s, size_t n)
{
	size_t i, lab = 0;

	if (n == 0 || n > 254 || (n == 254 && s[253] != '.'))
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c >= 0x7f)
			return 0;
		if (c == '.') {
			if (lab == 0 && !(n == 1))
				return 0;
			lab = 0;
		} else if (++lab > 63)
			return 0;
	}
	return 1;
}

/* Build the reverse name of an address for ptr; 0, or -1 if not one. */
static int
bd_reverse(const char *key, char *out, size_t outsz)
{
	unsigned char a[16];
	size_t off = 0;
	int i;

	if (inet_pton(AF_INET, key, a) == 1)
		return snprintf(out, outsz, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2],
		    a[1], a[0]) < (int)outsz ? 0 : -1;
	if (inet_pton(AF_INET6, key, a) != 1)
		return -1;
	for (i = 15; i >= 0; i--) {
		static const char hex[] = "0123456789abcdef";

		if (off + 4 >= outsz)
			return -1;
		out[off++] = hex[a[i] & 0xf];
		out[off++] = '.';
		out[off++] = hex[a[i] >> 4];
		out[off++] = '.';
	}
	return snprintf(out + off, outsz - off, "ip6.arpa") < (int)(outsz - off)
	    ? 0 : -1;
}

/* An expanded name from an answer is usable: printable, no blanks. */
static int
bd_answer_name_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

struct bd_mx {
	unsigned pref;
	char name[NS_MAXDNAME];
};

static int
bd_mxcmp(const void *a, const void *b)
{
	const struct bd_mx *x = a, *y = b;

	return x->pref < y->pref ? -1 : x->pref > y->pref;
}

static int
bd_word(struct rel *r, struct buf *val, const char *w)
{
	if ((val->len && buf_putc(val, ' ') < 0) || buf_puts(val, w) < 0 ||
	    val->len > REL_VALUE_MAX)
		return rel_defer(r, "DNS answer too long for a value", 0);
	return 0;
}

static int
bd_get(struct rel *r, const char *key, size_t klen, struct buf *val)
{
	struct bd *b = bd_of(r);
	unsigned char ans[REL_DNS_ANSWER_MAX];
	char qname[NS_MAXDNAME], text[NS_MAXDNAME];
	struct bd_mx *mx = NULL;
	size_t nmx = 0;
	ns_msg msg;
	ns_rr rr;
	int n, i, count, rc = REL_NOTFOUND;

	if (b->qtype == ns_t_ptr && bd_reverse(key, qname, sizeof qname) == 0)
		;
	else if (!bd_name_ok(key, klen) || klen >= sizeof qname)
		return REL_NOTFOUND;
	else
		memcpy(qname, key, klen + 1);
	n = res_nquery(&b->rs, qname, ns_c_in, b->qtype, ans, sizeof ans);
	if (n < 0) {
		switch (b->rs.res_h_errno) {
		case HOST_NOT_FOUND:
		case NO_DATA:
			return REL_NOTFOUND;
		case TRY_AGAIN:
			return rel_defer(r, "DNS timeout or server failure", 0);
		default:
			return rel_defer(r, "DNS lookup failed", 0);
		}
	}
	if (n > (int)sizeof ans)
		n = sizeof ans;     /* truncated: parse what we have */
	if (ns_initparse(ans, n, &msg) < 0)
		return rel_defer(r, "malformed DNS answer", 0);
	if (ns_msg_getflag(msg, ns_f_rcode) == ns_r_nxdomain)
		return REL_NOTFOUND;
	if (ns_msg_getflag(msg, ns_f_rcode) != ns_r_noerror)
		return rel_defer(r, "DNS server failure", 0);
	count = ns_msg_count(msg, ns_s_an);
	if (b->qtype == ns_t_mx && count > 0 &&
	    (mx = calloc((size_t)count, sizeof *mx)) == NULL)
		return rel_defer(r, "out of memory", 0);
	for (i = 0; i < count; i++) {
		const unsigned char *rd;
		size_t rdlen;

		if (ns_parserr(&msg, ns_s_an, i, &rr) < 0) {
			rc = rel_defer(r, "malformed DNS answer", 0);
			goto out;
		}
		if ((int)ns_rr_type(rr) != b->qtype || ns_rr_class(rr) != ns_c_in)
			continue;
		rd = ns_rr_rdata(rr);
		rdlen = ns_rr_rdlen(rr);
		switch (b->qtype) {
		case ns_t_a:
		case ns_t_aaaa:
			if (rdlen != (b->qtype == ns_t_a ? 4u : 16u) ||
			    inet_ntop(b->qtype == ns_t_a ? AF_INET : AF_INET6, rd,
			    text, sizeof text) == NULL)
				continue;
			break;
		case ns_t_mx:
			if (rdlen < 3 || dn_expand(ns_msg_base(msg), ns_msg_end(msg),
			    rd + 2, mx[nmx].name, sizeof mx[nmx].name) < 0 ||
			    !bd_answer_name_ok(mx[nmx].name))
				continue;
			mx[nmx].pref = (unsigned)rd[0] << 8 | rd[1];
			nmx++;
			continue;
		case ns_t_ns:
		case ns_t_ptr:
		case ns_t_cname:
			if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), rd, text,
			    sizeof text) < 0 || !bd_answer_name_ok(text))
				continue;
			break;
		case ns_t_txt: {
			size_t o = 0;

			if (val->len)
				continue;       /* the first TXT record only */
			while (o < rdlen) {
				size_t sl = rd[o++], j;

				if (sl > rdlen - o)
					break;
				for (j = 0; j < sl; j++) {
					int c = rd[o + j];

					if (c < ' ' || c >= 0x7f)
						c = '?';
					if (val->len >= REL_VALUE_MAX || buf_putc(val, c) < 0)
						break;
				}
				o += sl;
			}
			rc = REL_FOUND;
			continue;
		}
		}
		if (bd_word(r, val, text) < 0) {
			rc = REL_DEFER;
			goto out;
		}
		rc = REL_FOUND;
	}
	if (nmx) {
		size_t j;

		qsort(mx, nmx, sizeof *mx, bd_mxcmp);
		for (j = 0; j < nmx; j++) {
			if (bd_word(r, val, mx[j].name) < 0) {
				rc = REL_DEFER;
				goto out;
			}
		}
		rc = REL_FOUND;
	}
out:
	free(mx);
	return rc;
}

const struct rel_ops rel_bind_ops = {
	.type = "bind",
	.has_file = 0,
	.init = bd_init,
	.load = bd_load,
	.get = bd_get,
	.fini = bd_fini,
};
