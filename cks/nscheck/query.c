/*
 * query.c - one DNS question at a time, under a deadline for the whole run.
 *
 * A private libresolv state (lib/dnsres.h) aimed at -s, $RESOLVER or
 * resolv.conf's servers.  Each question is built with res_nmkquery() and
 * sent with res_nsend() into an NSC_ANSWER_MAX buffer, so an answer of
 * any size fits: a truncated UDP answer is asked again over TCP by
 * res_nsend itself, and an answer still marked truncated is refused here.
 * Before each question the per-try timeout is cut to the time left, so
 * the run cannot outlive its deadline by more than the rounding of one
 * try; main.c's interval timer is the hard stop.  Every answer's records
 * lower q->minttl, the lifetime of a cached verdict (-c).
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "dnsres.h"
#include "limits.h"
#include "nscheck.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The smallest TTL of the answer's records, for the verdict cache. */
static void
note_ttl(struct nsq *q, const unsigned char *ans, size_t len)
{
	struct dnsmsg m;
	struct dnsmsg_rr rr;
	int r;

	if (dnsmsg_init(&m, ans, len) < 0)
		return;
	while ((r = dnsmsg_next(&m, &rr)) == 1)
		if (rr.ttl < q->minttl)
			q->minttl = rr.ttl;
	if (r < 0)
		q->minttl = 0;          /* malformed: nothing worth keeping */
}

int
nsq_open(struct nsq *q, const char *spec, int timeout_s)
{
	memset(q, 0, sizeof *q);
	if (dnsres_init(&q->rs, spec, DNS_TIMEOUT_DEFAULT, 2) < 0)
		return -1;
	/* Absolute names only, recursion wanted, nothing filtered. */
	q->rs.options &= ~(unsigned long)(RES_DEFNAMES | RES_DNSRCH |
	    RES_IGNTC | RES_NOAAAA | RES_USEVC);
	q->rs.options |= RES_RECURSE;
	q->deadline = now() + timeout_s;
	q->open = 1;
	q->minttl = NSC_CACHE_TTL_MAX;
	return 0;
}

void
nsq_close(struct nsq *q)
{
	if (q->open)
		res_nclose(&q->rs);
	q->open = 0;
}

double
nsq_left(const struct nsq *q)
{
	return q->deadline - now();
}

int
nsq_ask(struct nsq *q, const char *name, unsigned type, unsigned char *ans,
    size_t anssz, size_t *anslen, const char **why)
{
	unsigned char qbuf[DNSMSG_NAME_WIRE_MAX + 64];
	double left = nsq_left(q), t0;
	int qlen, n, try;

	*why = "timed out";
	if (left <= 0)
		return -1;
	/* Per try: the usual timeout, or what is left if that is less. */
	try = left < DNS_TIMEOUT_DEFAULT ? (int)left + 1 : DNS_TIMEOUT_DEFAULT;
	q->rs.retrans = try;
	q->rs.retry = left > 2.0 * try ? 2 : 1;
	qlen = res_nmkquery(&q->rs, QUERY, name, C_IN, (int)type, NULL, 0,
	    NULL, qbuf, (int)sizeof qbuf);
	if (qlen <= 0) {
		*why = "cannot build the query";
		return -1;
	}
	errno = 0;
	t0 = now();
	n = res_nsend(&q->rs, qbuf, qlen, ans, (int)anssz);
	q->queries++;
	if (n < 0) {
		/* res_nsend says ETIMEDOUT also when the server answered
		 * REFUSED or SERVFAIL; the clock tells the two apart. */
		if (errno == ECONNREFUSED)
			*why = "server unreachable (connection refused)";
		else if (now() - t0 >= try || nsq_left(q) <= 0)
			*why = "timed out";
		else
			*why = "server refused or failed";
		return -1;
	}
	if ((size_t)n > anssz) {
		*why = "answer larger than the buffer";
		return -1;
	}
	*anslen = (size_t)n;
	note_ttl(q, ans, *anslen);
	return 1;
}
