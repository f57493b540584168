/*
 * answer.c - what nscheck takes from one DNS answer: NS targets with their
 * glue, or the addresses of a nameserver.  Pure (no I/O), on top of
 * dnsmsg.c, so the unit tests and a fuzzer link it without libresolv.
 *
 * Promises: only records of class IN owned by the name asked (or by a
 * member of its CNAME chain, at most NSC_CNAME_MAX links, in the answer
 * section) count; glue counts only from the additional section and only
 * for a nameserver in the answer; a malformed message, a truncated one
 * or more than NSC_NS_MAX nameservers / NSC_ADDRS_MAX addresses is -1
 * (could not tell), never a silent cut.
 */
#include <string.h>

#include "dnsmsg.h"
#include "nscheck.h"
#include "util.h"

/* The chain of names an answer may speak for: qname and its CNAMEs. */
struct chain {
	char name[NSC_CNAME_MAX + 1][DNSMSG_NAME_TEXT_MAX];
	int  n;
};

static int
chain_has(const struct chain *c, const char *name)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->name[i], name) == 0)
			return 1;
	return 0;
}

/*
 * Follow CNAMEs in the answer section from qname.  0, or -1 if the
 * message is malformed or the chain is longer than NSC_CNAME_MAX.
 */
static int
chain_build(const unsigned char *ans, size_t len, const char *qname,
    struct chain *c)
{
	struct dnsmsg m;
	struct dnsmsg_rr rr;
	char target[DNSMSG_NAME_TEXT_MAX];
	int grew = 1, r;

	c->n = 0;
	if (util_strlcpy(c->name[0], qname, sizeof c->name[0]) < 0)
		return -1;
	c->n = 1;
	/* Each pass adds at least one link or stops; links are bounded. */
	while (grew) {
		grew = 0;
		if (dnsmsg_init(&m, ans, len) < 0)
			return -1;
		while ((r = dnsmsg_next(&m, &rr)) == 1) {
			if (rr.section != DNSMSG_AN || rr.type != DNSMSG_T_CNAME ||
			    rr.class != DNSMSG_C_IN ||
			    strcmp(rr.owner, c->name[c->n - 1]) != 0)
				continue;
			if (dnsmsg_rdata_name(&m, &rr, target, sizeof target) < 0)
				return -1;
			if (chain_has(c, target))
				continue;       /* a CNAME loop: stop following */
			if (c->n > NSC_CNAME_MAX)
				return -1;
			memcpy(c->name[c->n], target, sizeof target);
			c->n++;
			grew = 1;
		}
		if (r < 0)
			return -1;
	}
	return 0;
}

/* Start reading: header sane, a response to qname/qtype, not truncated. */
static int
answer_open(struct dnsmsg *m, const unsigned char *ans, size_t len,
    const char *qname, unsigned qtype)
{
	if (dnsmsg_init(m, ans, len) < 0)
		return -1;
	if (m->flags & DNSMSG_F_TC)
		return -1;
	if (strcmp(m->qname, qname) != 0 || m->qtype != qtype ||
	    m->qclass != DNSMSG_C_IN)
		return -1;
	return 0;
}

static int
ns_index(const struct nsc_zone *z, const char *name)
{
	int i;

	for (i = 0; i < z->nns; i++)
		if (strcmp(z->ns[i].name, name) == 0)
			return i;
	return -1;
}

/* Add addr to ns unless there; 1 added, 0 already there, -1 full. */
static int
add_addr(struct nsc_ns *ns, const char *text, int glue)
{
	int i;

	for (i = 0; i < ns->naddr; i++)
		if (strcmp(ns->addr[i].text, text) == 0)
			return 0;
	if (ns->naddr >= NSC_ADDRS_MAX)
		return -1;
	memset(&ns->addr[ns->naddr], 0, sizeof ns->addr[0]);
	if (util_strlcpy(ns->addr[ns->naddr].text, text,
	    sizeof ns->addr[0].text) < 0)
		return -1;
	ns->addr[ns->naddr].glue = glue;
	ns->naddr++;
	return 1;
}

int
nsc_read_ns(const unsigned char *ans, size_t len, const char *qname,
    struct nsc_zone *z, char *soa, size_t soasz, unsigned *rcode)
{
	struct dnsmsg m;
	struct dnsmsg_rr rr;
	struct chain c;
	char target[DNSMSG_NAME_TEXT_MAX], addr[NSC_ADDR_TEXT];
	int r, i;

	soa[0] = '\0';
	z->nns = 0;
	if (answer_open(&m, ans, len, qname, DNSMSG_T_NS) < 0)
		return -1;
	*rcode = m.rcode;
	if (chain_build(ans, len, qname, &c) < 0)
		return -1;
	/* Pass 1: NS targets (answer) and the SOA owner (authority). */
	while ((r = dnsmsg_next(&m, &rr)) == 1) {
		if (rr.class != DNSMSG_C_IN)
			continue;
		if (rr.section == DNSMSG_AN && rr.type == DNSMSG_T_NS &&
		    chain_has(&c, rr.owner)) {
			if (dnsmsg_rdata_name(&m, &rr, target, sizeof target) < 0)
				return -1;
			if (strcmp(target, ".") == 0 || ns_index(z, target) >= 0)
				continue;       /* "no service" or a repeat */
			if (z->nns >= NSC_NS_MAX)
				return -1;
			memset(&z->ns[z->nns], 0, sizeof z->ns[0]);
			memcpy(z->ns[z->nns].name, target, sizeof target);
			z->nns++;
		} else if (rr.section == DNSMSG_NS && rr.type == DNSMSG_T_SOA &&
		    soa[0] == '\0') {
			/* The SOA's rdata must at least be well formed. */
			if (dnsmsg_rdata_name(&m, &rr, target, sizeof target) < 0)
				return -1;
			if (util_strlcpy(soa, rr.owner, soasz) < 0)
				return -1;
		}
	}
	if (r < 0)
		return -1;
	/* Pass 2: glue for those nameservers, additional section only. */
	if (dnsmsg_init(&m, ans, len) < 0)
		return -1;
	while ((r = dnsmsg_next(&m, &rr)) == 1) {
		if (rr.section != DNSMSG_AR || rr.class != DNSMSG_C_IN ||
		    (rr.type != DNSMSG_T_A && rr.type != DNSMSG_T_AAAA) ||
		    (i = ns_index(z, rr.owner)) < 0)
			continue;
		if (dnsmsg_rdata_addr(&m, &rr, addr, sizeof addr) < 0 ||
		    add_addr(&z->ns[i], addr, 1) < 0)
			return -1;
		if (rr.type == DNSMSG_T_A)
			z->ns[i].glue4 = 1;
		else
			z->ns[i].glue6 = 1;
	}
	if (r < 0)
		return -1;
	return z->nns > 0 ? 1 : 0;
}

int
nsc_read_addrs(const unsigned char *ans, size_t len, unsigned type,
    struct nsc_ns *ns)
{
	struct dnsmsg m;
	struct dnsmsg_rr rr;
	struct chain c;
	char addr[NSC_ADDR_TEXT];
	int r, found = 0;

	if (answer_open(&m, ans, len, ns->name, type) < 0)
		return -1;
	if (m.rcode == DNSMSG_R_NXDOMAIN)
		return 0;
	if (m.rcode != DNSMSG_R_NOERROR)
		return -1;
	if (chain_build(ans, len, ns->name, &c) < 0)
		return -1;
	while ((r = dnsmsg_next(&m, &rr)) == 1) {
		if (rr.section != DNSMSG_AN || rr.type != type ||
		    rr.class != DNSMSG_C_IN || !chain_has(&c, rr.owner))
			continue;
		if (dnsmsg_rdata_addr(&m, &rr, addr, sizeof addr) < 0 ||
		    add_addr(ns, addr, 0) < 0)
			return -1;
		found = 1;
	}
	if (r < 0)
		return -1;
	return found;
}
