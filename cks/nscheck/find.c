/*
 * find.c - the nameservers of a domain and their addresses, over DNS.
 *
 * The zone: ask NS of the domain; with NS records, that is the zone.
 * With none (NODATA: a host name under a zone, an empty non-terminal) go
 * to the zone named by the SOA in the authority section when it is an
 * ancestor, else one label up, and ask again; never the root, at most
 * NSC_WALK_MAX questions.  NXDOMAIN for the domain itself is "no such
 * domain"; any other failure on the way is "could not tell".
 *
 * Addresses: the glue of the NS answer first; then A and AAAA questions,
 * each only for a family the glue did not cover.
 */
#include <stdio.h>
#include <string.h>

#include "nscheck.h"
#include "util.h"

/* One answer at a time; the program is single-threaded. */
static unsigned char ansbuf[NSC_ANSWER_MAX];

/* The parent of a text-form name ('.' in a label is escaped), or ".". */
static const char *
parent(const char *name)
{
	const char *dot = strchr(name, '.');

	return dot && dot[1] ? dot + 1 : ".";
}

int
nsc_find_ns(struct nsq *q, const char *domain, struct nsc_zone *z)
{
	char name[DNSMSG_NAME_TEXT_MAX], soa[DNSMSG_NAME_TEXT_MAX];
	const char *why, *next;
	size_t len;
	unsigned rcode = 0;
	int step, r;

	z->nns = 0;
	z->why[0] = '\0';
	if (util_strlcpy(z->domain, domain, sizeof z->domain) < 0 ||
	    util_strlcpy(name, domain, sizeof name) < 0) {
		snprintf(z->why, sizeof z->why, "name too long");
		return -1;
	}
	for (step = 0; step < NSC_WALK_MAX; step++) {
		if (nsq_ask(q, name, DNSMSG_T_NS, ansbuf, sizeof ansbuf, &len,
		    &why) < 0) {
			snprintf(z->why, sizeof z->why, "NS lookup of %s: %s",
			    name, why);
			return -1;
		}
		r = nsc_read_ns(ansbuf, len, name, z, soa, sizeof soa, &rcode);
		if (r < 0) {
			snprintf(z->why, sizeof z->why, "NS answer for %s: "
			    "malformed, truncated or over %d nameservers",
			    name, NSC_NS_MAX);
			z->nns = 0;
			return -1;
		}
		if (rcode == DNSMSG_R_NXDOMAIN) {
			z->nns = 0;
			if (step == 0) {
				snprintf(z->why, sizeof z->why,
				    "%s: no such domain", name);
				return 0;
			}
			snprintf(z->why, sizeof z->why, "%s: NXDOMAIN for an "
			    "ancestor of %s", name, domain);
			return -1;
		}
		if (rcode != DNSMSG_R_NOERROR) {
			z->nns = 0;
			snprintf(z->why, sizeof z->why, "NS lookup of %s: "
			    "rcode %u", name, rcode);
			return -1;
		}
		if (r == 1) {
			memcpy(z->zone, name, sizeof name);
			return 1;
		}
		/* NODATA: the zone the SOA names, if above us, else the parent. */
		next = soa[0] && dnsmsg_under(name, soa) == 1 ? soa : parent(name);
		if (strcmp(next, ".") == 0) {
			snprintf(z->why, sizeof z->why, "%s: no nameservers",
			    domain);
			return 0;
		}
		memmove(name, next, strlen(next) + 1);
	}
	snprintf(z->why, sizeof z->why, "%s: no zone within %d steps", domain,
	    NSC_WALK_MAX);
	return -1;
}

/* Note a lookup that could not tell; the first reason is kept. */
static void
failed(struct nsc_ns *ns, const char *type, const char *why)
{
	if (!ns->failed)
		snprintf(ns->why, sizeof ns->why, "%s lookup: %s", type, why);
	ns->failed++;
}

int
nsc_find_addrs(struct nsq *q, struct nsc_ns *ns)
{
	static const unsigned types[2] = { DNSMSG_T_A, DNSMSG_T_AAAA };
	const char *why;
	size_t len;
	int i, before = ns->naddr;

	for (i = 0; i < 2; i++) {
		if ((types[i] == DNSMSG_T_A && ns->glue4) ||
		    (types[i] == DNSMSG_T_AAAA && ns->glue6))
			continue;
		if (nsq_ask(q, ns->name, types[i], ansbuf, sizeof ansbuf, &len,
		    &why) < 0)
			failed(ns, i == 0 ? "A" : "AAAA", why);
		else if (nsc_read_addrs(ansbuf, len, types[i], ns) < 0)
			failed(ns, i == 0 ? "A" : "AAAA", "failure rcode, "
			    "malformed, truncated or too many addresses");
	}
	return ns->naddr - before;
}
