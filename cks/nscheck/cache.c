/*
 * cache.c - the shared verdict cache (-c FILE; docs/nscheck.8).
 *
 * A definite verdict (allowed, refused, no such domain) is stored under
 * the domain for the smallest TTL of the DNS records it was made from, at
 * most NSC_CACHE_TTL_MAX seconds, together with what else it depends on:
 * the daemon name, the identity of the two TCP Wrappers tables libwrap
 * read and the resolver.  The router's `nscache` relation answers from a
 * record only while all of these still hold, so a session whose sender
 * domain was judged a moment ago needs no nscheck process at all.
 *
 * The file is an LMDB database written in place under LMDB's own lock
 * (FILE-lock beside it), so any number of nschecks and routers use it at
 * once.  It never grows past NSC_CACHE_MAP bytes: when full it is emptied
 * and the record written again.  Nothing here changes the verdict: a
 * cache that cannot be written is reported (with -v) and skipped.
 */
#include <errno.h>
#include <lmdb.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "nscheck.h"

/*
 * "dev ino size mtime.nsec" of a table, "-" when there is none.  -1 also
 * when the table was changed at or after `since` (the clock tick in which
 * the run began): libwrap may have read the version before that change,
 * whose identity could be the same (same tick, same size).
 */
static int
table_id(const char *path, const struct timespec *since, char *out,
    size_t outsz)
{
	struct stat st;

	if (path == NULL)
		return -1;
	if (stat(path, &st) < 0) {
		if (errno != ENOENT)
			return -1;
		snprintf(out, outsz, "-");
		return 0;
	}
	if (st.st_mtim.tv_sec > since->tv_sec ||
	    (st.st_mtim.tv_sec == since->tv_sec &&
	    st.st_mtim.tv_nsec >= since->tv_nsec))
		return -1;
	snprintf(out, outsz, "%ju %ju %jd %jd.%09ld", (uintmax_t)st.st_dev,
	    (uintmax_t)st.st_ino, (intmax_t)st.st_size,
	    (intmax_t)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
	return 0;
}

/* A field may hold no TAB or line end (it would shift the others). */
static int
field_ok(const char *s)
{
	return s != NULL && *s != '\0' && strpbrk(s, "\t\r\n") == NULL;
}

static int
put(MDB_env *env, MDB_val *k, MDB_val *v, int empty_first)
{
	MDB_txn *txn;
	MDB_dbi dbi;
	int rc;

	if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0)
		return rc;
	if ((rc = mdb_dbi_open(txn, NULL, 0, &dbi)) == 0 &&
	    (!empty_first || (rc = mdb_drop(txn, dbi, 0)) == 0) &&
	    (rc = mdb_put(txn, dbi, k, v, 0)) == 0)
		return mdb_txn_commit(txn);
	mdb_txn_abort(txn);
	return rc;
}

int
nsc_cache_put(const char *file, const char *domain, int exitcode,
    unsigned long ttl, const char *daemon, const char *resolver,
    const char *out, const struct timespec *since, const char **why)
{
	char aid[128], did[128], rec[NSC_CACHE_REC_MAX];
	const char *allow = wrap_table(0), *deny = wrap_table(1);
	MDB_env *env;
	MDB_val k, v;
	int n, rc;

	if (exitcode != NSC_EXIT_ALLOWED && exitcode != NSC_EXIT_REFUSED &&
	    exitcode != NSC_EXIT_NODOMAIN) {
		*why = "not a definite verdict";
		return -1;
	}
	if (ttl == 0) {
		*why = "a record of the answer has TTL 0";
		return -1;
	}
	if (ttl > NSC_CACHE_TTL_MAX)
		ttl = NSC_CACHE_TTL_MAX;
	if (!field_ok(daemon) || !field_ok(allow) || !field_ok(deny) ||
	    (resolver != NULL && !field_ok(resolver)) ||
	    strpbrk(out, "\t\r\n") != NULL) {
		*why = "a table path, daemon or resolver holds a TAB or line end";
		return -1;
	}
	if (table_id(allow, since, aid, sizeof aid) < 0 ||
	    table_id(deny, since, did, sizeof did) < 0) {
		*why = "a TCP Wrappers table cannot be read or changed during the run";
		return -1;
	}
	n = snprintf(rec, sizeof rec, "%s\t%lld\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s",
	    NSC_CACHE_MAGIC, (long long)time(NULL) + (long long)ttl, exitcode,
	    daemon, allow, aid, deny, did, resolver ? resolver : "-", out);
	if (n < 0 || (size_t)n >= sizeof rec) {
		*why = "record too long";
		return -1;
	}
	if (mdb_env_create(&env) != 0) {
		*why = "out of memory";
		return -1;
	}
	if ((rc = mdb_env_set_mapsize(env, NSC_CACHE_MAP)) == 0)
		rc = mdb_env_open(env, file, MDB_NOSUBDIR | MDB_NOTLS, 0644);
	if (rc == 0) {
		k.mv_data = (void *)domain;
		k.mv_size = strlen(domain);
		v.mv_data = rec;
		v.mv_size = (size_t)n;
		rc = put(env, &k, &v, 0);
		if (rc == MDB_MAP_FULL)
			rc = put(env, &k, &v, 1);
	}
	mdb_env_close(env);
	if (rc != 0) {
		*why = mdb_strerror(rc);
		return -1;
	}
	return 0;
}
