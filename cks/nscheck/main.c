/*
 * nscheck - is a domain served by nameservers that our TCP Wrappers rules
 * shun?  (POLICY.md section 5; docs/nscheck.8.)
 *
 *   nscheck [-v] [-d daemon] [-a hosts.allow] [-D hosts.deny]
 *           [-s server[:port]] [-t seconds] [-c cachefile] DOMAIN
 *
 * Exit 0: every nameserver allowed; 1: at least one (name, address) pair
 * refused, each printed on stdout as "nsname addr"; 2: could not tell;
 * 3: no such domain or no nameservers; 64: usage.
 *
 * Order of work, so that a refusal is found as early as possible: the NS
 * set and its glue, every glue pair judged, then address questions per
 * nameserver, each new pair judged at once.  A refusal is printed and
 * flushed when found; the interval timer that enforces -t exits 1 if one
 * was found by then, else 2.  -v traces every step on stderr, so stdout
 * only ever holds refused pairs.  With -c a definite verdict is also
 * stored in the shared cache (cache.c) once the work is done and the
 * timer stopped.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "dnsres.h"
#include "log.h"
#include "nscheck.h"
#include "util.h"

#define NSC_DAEMON_DEFAULT "smtpserver"
#define NSC_NOADDR         "unknown"    /* libwrap's STRING_UNKNOWN */

struct run {
	const char *daemon;
	int  verbose;
	int  refused;           /* pairs refused */
	int  unknown;           /* pairs or lookups that could not tell */
	char out[NSC_CACHE_REC_MAX / 2];   /* refused pairs, for the cache */
	size_t outlen;
	int  outfull;           /* some pair did not fit: do not cache */
};

static volatile sig_atomic_t refused_seen;
static struct timespec run_start;       /* CLOCK_REALTIME_COARSE, for -c */

static void
on_deadline(int sig)
{
	static const char msg[] = "nscheck: time limit reached\n";
	ssize_t w;

	(void)sig;
	w = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)w;
	_exit(refused_seen ? NSC_EXIT_REFUSED : NSC_EXIT_UNKNOWN);
}

static void
usage(void)
{
	fputs("usage: nscheck [-v] [-d daemon] [-a hosts.allow] "
	    "[-D hosts.deny] [-s server[:port]] [-t seconds] [-c cachefile] "
	    "DOMAIN\n", stderr);
	exit(NSC_EXIT_USAGE);
}

/* Names and addresses here are in dnsmsg's safe text form. */
static void
judge(struct run *r, const char *name, const char *addr, const char *src)
{
	const char *how;
	int v = wrap_check(r->daemon, name, addr, &how);

	if (v == 0) {
		printf("%s %s\n", name, addr);
		fflush(stdout);
		refused_seen = 1;
		if (!r->outfull) {
			int n = snprintf(r->out + r->outlen, sizeof r->out - r->outlen,
			    "%s%s %s", r->outlen ? " " : "", name, addr);

			if (n < 0 || (size_t)n >= sizeof r->out - r->outlen)
				r->outfull = 1;
			else
				r->outlen += (size_t)n;
		}
		r->refused++;
	} else if (v < 0)
		r->unknown++;
	if (r->verbose)
		fprintf(stderr, "nscheck: %s %s %s: %s\n", name, addr, src, how);
}

static void
judge_new(struct run *r, struct nsc_ns *ns)
{
	int i;

	for (i = 0; i < ns->naddr; i++) {
		if (ns->addr[i].judged)
			continue;
		ns->addr[i].judged = 1;
		judge(r, ns->name, ns->addr[i].text,
		    ns->addr[i].glue ? "glue" : strchr(ns->addr[i].text, ':') ?
		    "AAAA" : "A");
	}
}

static void
start_deadline(int seconds)
{
	struct sigaction sa;
	struct itimerval it;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_deadline;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	memset(&it, 0, sizeof it);
	it.it_value.tv_sec = seconds;
	setitimer(ITIMER_REAL, &it, NULL);
}

static void
stop_deadline(void)
{
	struct itimerval it;

	memset(&it, 0, sizeof it);
	setitimer(ITIMER_REAL, &it, NULL);
}

/* -c: keep a definite verdict for the next sessions (never changes it). */
static void
cache_verdict(const struct run *r, const char *file, const char *domain,
    int code, unsigned long ttl, const char *spec)
{
	const char *why;

	if (file == NULL)
		return;
	stop_deadline();
	if (r->outfull)
		why = "too many refused pairs";
	else if (nsc_cache_put(file, domain, code, ttl, r->daemon, spec, r->out,
	    &run_start, &why) == 0) {
		if (r->verbose)
			fprintf(stderr, "nscheck: %s: verdict cached for %lu s\n",
			    domain, ttl > NSC_CACHE_TTL_MAX ? NSC_CACHE_TTL_MAX : ttl);
		return;
	}
	if (r->verbose)
		fprintf(stderr, "nscheck: %s: verdict not cached: %s\n", domain, why);
}

static const char *
env_or_null(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

int
main(int argc, char **argv)
{
	struct run r;
	struct nsq q;
	struct nsc_zone *z;
	struct sockaddr_storage ss;
	const char *allow = NULL, *deny = NULL, *spec = NULL, *why, *cache = NULL;
	char domain[DNSMSG_NAME_TEXT_MAX], esc[LOG_ESC_SIZE];
	long timeout = NSC_TIMEOUT_DEFAULT;
	int c, i, found, failed = 0;

	clock_gettime(CLOCK_REALTIME_COARSE, &run_start);
	memset(&r, 0, sizeof r);
	r.daemon = NSC_DAEMON_DEFAULT;
	while ((c = getopt(argc, argv, "vd:a:D:s:t:c:")) != -1) {
		switch (c) {
		case 'c':
			if (optarg[0] == '\0' || strlen(optarg) > PATH_TEXT_MAX)
				usage();
			cache = optarg;
			break;
		case 'v':
			r.verbose = 1;
			break;
		case 'd':
			if (optarg[0] == '\0' || strlen(optarg) >= 128)
				usage();
			r.daemon = optarg;
			break;
		case 'a':
			allow = optarg;
			break;
		case 'D':
			deny = optarg;
			break;
		case 's':
			if (dnsres_parse(optarg, &ss) < 0)
				usage();
			spec = optarg;
			break;
		case 't':
			if (util_parse_long(optarg, 1, NSC_TIMEOUT_MAX,
			    &timeout) < 0)
				usage();
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	if (dnsmsg_domain_text(argv[optind], domain, sizeof domain) < 0) {
		log_escape(esc, sizeof esc, argv[optind], strlen(argv[optind]));
		fprintf(stderr, "nscheck: %s: not a domain name\n", esc);
		return NSC_EXIT_NODOMAIN;
	}
	if (allow == NULL)
		allow = env_or_null("TCPWRAP_ALLOW");
	if (deny == NULL)
		deny = env_or_null("TCPWRAP_DENY");
	if (wrap_tables(allow, deny, &why) < 0) {
		fprintf(stderr, "nscheck: %s\n", why);
		return NSC_EXIT_UNKNOWN;
	}
	if (spec == NULL)
		spec = env_or_null("RESOLVER");

	start_deadline((int)timeout);
	if (nsq_open(&q, spec, (int)timeout) < 0) {
		log_escape(esc, sizeof esc, spec ? spec : "", spec ? strlen(spec) : 0);
		fprintf(stderr, "nscheck: cannot set up the resolver (%s)\n", esc);
		return NSC_EXIT_UNKNOWN;
	}
	if ((z = calloc(1, sizeof *z)) == NULL) {
		fputs("nscheck: out of memory\n", stderr);
		nsq_close(&q);
		return NSC_EXIT_UNKNOWN;
	}

	found = nsc_find_ns(&q, domain, z);
	if (found <= 0) {
		fprintf(stderr, "nscheck: %s\n", z->why);
		free(z);
		nsq_close(&q);
		c = found == 0 ? NSC_EXIT_NODOMAIN : NSC_EXIT_UNKNOWN;
		cache_verdict(&r, cache, domain, c, q.minttl, spec);
		return c;
	}
	if (r.verbose)
		fprintf(stderr, "nscheck: %s: zone %s, %d nameserver%s\n",
		    domain, z->zone, z->nns, z->nns == 1 ? "" : "s");

	/* Glue first: a refusal found here survives a later timeout. */
	for (i = 0; i < z->nns; i++)
		judge_new(&r, &z->ns[i]);
	for (i = 0; i < z->nns; i++) {
		struct nsc_ns *ns = &z->ns[i];

		nsc_find_addrs(&q, ns);
		judge_new(&r, ns);
		if (ns->failed) {
			failed++;
			fprintf(stderr, "nscheck: %s: %s\n", ns->name, ns->why);
		}
		if (ns->naddr == 0)     /* no address known: judged by name */
			judge(&r, ns->name, NSC_NOADDR, ns->failed ?
			    "no address found" : "no address");
	}
	nsq_close(&q);

	if (r.refused > 0)
		c = NSC_EXIT_REFUSED;
	else if (r.unknown > 0 || failed > 0)
		c = NSC_EXIT_UNKNOWN;
	else
		c = NSC_EXIT_ALLOWED;
	if (r.verbose)
		fprintf(stderr, "nscheck: %s: %s (%d refused, %u queries)\n",
		    domain, c == NSC_EXIT_REFUSED ? "refused" :
		    c == NSC_EXIT_UNKNOWN ? "could not tell" : "allowed",
		    r.refused, q.queries);
	free(z);
	cache_verdict(&r, cache, domain, c, q.minttl, spec);
	return c;
}
