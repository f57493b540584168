/*
 * nscheck.h - the modules of cks/nscheck and what they share.
 *
 *   main.c    arguments, the run's deadline, verdicts, output, exit codes
 *   find.c    the zone and its nameservers (NS, walking up), addresses
 *   query.c   one DNS question under the run's deadline (libresolv)
 *   dnsmsg.c  strict reading of DNS answers (pure; unit tested, fuzzable)
 *   wrap.c    the libwrap tables and hosts_ctl() (the only tcpd.h user)
 *   cache.c   the shared verdict cache (-c)
 *
 * Lookups answer 1 / 0 / -1: found / not found / could not tell.
 */
#ifndef NSC_NSCHECK_H
#define NSC_NSCHECK_H

#include <netinet/in.h>
#include <resolv.h>
#include <time.h>

#include "dnsmsg.h"
#include "limits.h"

#define NSC_ADDR_TEXT 46        /* INET6_ADDRSTRLEN */

/* Exit codes (POLICY.md section 5). */
#define NSC_EXIT_ALLOWED  0
#define NSC_EXIT_REFUSED  1
#define NSC_EXIT_UNKNOWN  2
#define NSC_EXIT_NODOMAIN 3
#define NSC_EXIT_USAGE    64

/* ---- query.c ---------------------------------------------------------- */
struct nsq {
	struct __res_state rs;
	double   deadline;      /* CLOCK_MONOTONIC seconds */
	unsigned queries;       /* questions sent */
	int      open;
	unsigned long minttl;   /* smallest TTL of any record in any answer */
};

/* spec: NULL/"" (resolv.conf) or "ip[:port]"; 0 or -1 (bad spec). */
int    nsq_open(struct nsq *q, const char *spec, int timeout_s);
void   nsq_close(struct nsq *q);
double nsq_left(const struct nsq *q);   /* seconds to the deadline */
/*
 * Ask name/type (class IN).  1: an answer of *anslen bytes is in ans
 * (any rcode; the caller reads it); -1: none (timeout, refused, network),
 * *why says which.
 */
int nsq_ask(struct nsq *q, const char *name, unsigned type,
    unsigned char *ans, size_t anssz, size_t *anslen, const char **why);

/* ---- find.c ----------------------------------------------------------- */
struct nsc_addr {
	char text[NSC_ADDR_TEXT];
	int  glue;              /* came from the additional section */
	int  judged;            /* main.c: already given to libwrap */
};

struct nsc_ns {
	char name[DNSMSG_NAME_TEXT_MAX];
	struct nsc_addr addr[NSC_ADDRS_MAX];
	int  naddr;
	int  glue4, glue6;      /* glue held an address of that family */
	int  failed;            /* some address lookup could not tell */
	char why[128];          /* what failed, for -v and stderr */
};

struct nsc_zone {
	char domain[DNSMSG_NAME_TEXT_MAX];   /* as asked */
	char zone[DNSMSG_NAME_TEXT_MAX];     /* whose NS records we use */
	struct nsc_ns ns[NSC_NS_MAX];
	int  nns;
	char why[2 * DNSMSG_NAME_TEXT_MAX + 128];  /* when not 1 */
};

/*
 * The nameservers of domain, or of its closest enclosing zone, with the
 * glue addresses that came with them.  1: z->ns filled (at least one);
 * 0: no such domain or no nameservers; -1: could not tell.  z->why says
 * why when not 1.
 */
int nsc_find_ns(struct nsq *q, const char *domain, struct nsc_zone *z);

/*
 * Ask A and AAAA for ns when the glue held no address of that family.
 * Adds what it finds to ns->addr; sets ns->failed and ns->why when a
 * lookup could not tell.  Returns the number of addresses added.
 */
int nsc_find_addrs(struct nsq *q, struct nsc_ns *ns);

/*
 * Read one NS answer for qname (already asked) into z: the NS targets
 * owned by qname or its CNAME chain, and their glue from the additional
 * section.  1: some NS; 0: none; -1: malformed or too many.  *soa gets
 * the owner of an SOA in the authority section ("" if none); *rcode the
 * answer's rcode.  Exposed for the unit tests.
 */
int nsc_read_ns(const unsigned char *ans, size_t len, const char *qname,
    struct nsc_zone *z, char *soa, size_t soasz, unsigned *rcode);

/*
 * Read one A or AAAA answer for ns->name into ns (CNAME chain followed
 * inside the answer).  1: addresses found (added unless already
 * there); 0: none (NODATA/NXDOMAIN);
 * -1: malformed, rcode other than NOERROR/NXDOMAIN, truncated, or over
 * NSC_ADDRS_MAX.  Exposed for the unit tests.
 */
int nsc_read_addrs(const unsigned char *ans, size_t len, unsigned type,
    struct nsc_ns *ns);

/* ---- wrap.c ----------------------------------------------------------- */
/*
 * Point libwrap at allow/deny (NULL: the system's tables).  0 on success;
 * -1 if a path is too long or a table exists but cannot be read (why set).
 */
int wrap_tables(const char *allow, const char *deny, const char **why);
/*
 * Would `daemon` refuse a client named name at addr (addr "unknown" when
 * the nameserver has none)?  1 allowed, 0 refused, -1 could not tell
 * (a name longer than libwrap can hold).  *how: "allowed", "refused",
 * "refused (twist)", "refused (OPTREJECT=perm)" ...
 */
int wrap_check(const char *daemon, const char *name, const char *addr,
    const char **how);
/* The table libwrap reads (after wrap_tables): deny 0 hosts.allow, 1 hosts.deny. */
const char *wrap_table(int deny);

/* ---- cache.c ---------------------------------------------------------- */
/*
 * The verdict cache (-c FILE, docs/nscheck.8): an LMDB file keyed by the
 * domain.  A record is one line of TAB-separated fields:
 *   zmns1 EXPIRES EXIT DAEMON ALLOWPATH ALLOWID DENYPATH DENYID RESOLVER OUT
 * EXPIRES in seconds since the epoch; EXIT 0, 1 or 3 (never 2: "could not
 * tell" is not cached); the IDs are "dev ino size mtime.nsec" of each table
 * ("-" when it does not exist); RESOLVER the -s/$RESOLVER text ("-" for
 * resolv.conf); OUT the refused pairs, blank-separated.  The router's
 * `nscache` relation (router/rel_nscache.c) reads the same format.
 */
#define NSC_CACHE_MAGIC "zmns1"
/*
 * Store a verdict for ttl seconds; since: CLOCK_REALTIME_COARSE when the
 * run began (a table changed since then is not trusted).  0 stored; -1
 * not stored, *why says why (the verdict itself is never affected).
 */
int nsc_cache_put(const char *file, const char *domain, int exitcode,
    unsigned long ttl, const char *daemon, const char *resolver,
    const char *out, const struct timespec *since, const char **why);

#endif
