/*
 * rel-bench - lookups per second of the relation types on big lists.
 *
 *   rel-bench [-n LINES] [-q LOOKUPS] [DIR]
 *
 * Writes a sorted list of LINES keys (default 1,000,000) into DIR
 * (default a fresh directory under /tmp, removed afterwards), builds its
 * LMDB database, and times LOOKUPS random lookups (default 1,000,000,
 * half present, half absent) through rel_lookup() with the cache off
 * (-s 0) for ordered, lmdb and unordered (whose one-time load is timed
 * separately), and for cidr on a 100,000-network list.  Not a test: it
 * only prints figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "limits.h"
#include "log.h"
#include "util.h"
#include "../router/rel.h"
#include "../router/rel_lmdb.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct rel *
define(const char *type, const char *file, const char *name)
{
	char *argv[] = { "relation", "-s", "0", "-t", (char *)type, "-f",
	    (char *)file, (char *)name, NULL };
	char err[256];
	struct rel *r;

	if (rel_define(8, argv, &r, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	return r;
}

static unsigned long rnd = 88172645463325252UL;

static unsigned long
next(void)
{
	rnd ^= rnd << 13;
	rnd ^= rnd >> 7;
	rnd ^= rnd << 17;
	return rnd;
}

static void
run(const char *label, struct rel *r, long lines, long q, int cidr)
{
	struct buf v;
	char key[64];
	double t0, t1;
	long i, hits = 0, defers = 0;

	buf_init(&v, REL_VALUE_MAX);
	t0 = now();
	if (rel_lookup(r, "warm-up", &v) < 0)
		defers++;
	t1 = now();
	printf("%-10s first lookup (open/load): %.3f ms\n", label, (t1 - t0) * 1e3);
	t0 = now();
	for (i = 0; i < q; i++) {
		unsigned long k = next() % (unsigned long)(lines * 2);
		int rc;

		if (cidr)
			snprintf(key, sizeof key, "10.%lu.%lu.%lu", (k >> 16) & 255,
			    (k >> 8) & 255, k & 255);
		else
			snprintf(key, sizeof key, "user%08lu@example.com", k);
		rc = rel_lookup(r, key, &v);
		hits += rc == 1;
		defers += rc < 0;
	}
	t1 = now();
	printf("%-10s %ld lookups in %.3f s: %.0f lookups/s, %.2f us each "
	    "(%ld found, %ld deferred)\n", label, q, t1 - t0, (double)q / (t1 - t0),
	    (t1 - t0) * 1e6 / (double)q, hits, defers);
	buf_free(&v);
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/zm-relbench-XXXXXX", path[512], dbp[512], cpath[512];
	char err[256];
	const char *d = NULL;
	long lines = 1000000, q = 1000000, i, n;
	int c;
	FILE *f;
	double t0;
	struct rel *r;

	while ((c = getopt(argc, argv, "n:q:")) != -1) {
		if (c == 'n' && util_parse_long(optarg, 1, 100000000, &lines) == 0)
			continue;
		if (c == 'q' && util_parse_long(optarg, 1, 1000000000, &q) == 0)
			continue;
		fputs("usage: rel-bench [-n LINES] [-q LOOKUPS] [DIR]\n", stderr);
		return 64;
	}
	log_init("rel-bench", LOG_MAIL, LOG_TO_STDERR);
	if (optind < argc)
		d = argv[optind];
	else if ((d = mkdtemp(dir)) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof path, "%s/list", d);
	snprintf(dbp, sizeof dbp, "%s/list.lmdb", d);
	snprintf(cpath, sizeof cpath, "%s/nets", d);
	/* Even numbers only: half of the random keys are absent. */
	t0 = now();
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		return 1;
	}
	for (i = 0; i < lines; i++)
		fprintf(f, "user%08ld@example.com\tvalue%ld\n", i * 2, i);
	fclose(f);
	if ((f = fopen(cpath, "w")) == NULL) {
		perror(cpath);
		return 1;
	}
	for (i = 0; i < 100000; i++)
		fprintf(f, "10.%ld.%ld.0/%d net%ld\n", (i >> 8) & 255, i & 255,
		    i % 2 ? 24 : 25, i);
	fclose(f);
	printf("wrote %ld lines in %.2f s\n", lines, now() - t0);
	t0 = now();
	n = rel_lmdb_build(path, dbp, NULL, err, sizeof err);
	if (n < 0) {
		fprintf(stderr, "relmkdb: %s\n", err);
		return 1;
	}
	printf("relmkdb: %ld keys in %.2f s\n", n, now() - t0);

	r = define("ordered", path, "ord");
	run("ordered", r, lines, q, 0);
	rel_free(r);
	r = define("lmdb", dbp, "lmdb");
	run("lmdb", r, lines, q, 0);
	rel_free(r);
	r = define("unordered", path, "unord");
	run("unordered", r, lines, q, 0);
	rel_free(r);
	r = define("cidr", cpath, "cidr");
	run("cidr", r, 65536, q, 1);
	rel_free(r);

	if (optind >= argc) {
		unlink(path);
		unlink(dbp);
		unlink(cpath);
		rmdir(d);
	}
	return 0;
}
