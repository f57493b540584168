/*
 * rel_lmdb.c - relation type `lmdb` (also called `btree`): an indexed
 * on-disk list for very large tables shared by many processes.
 *
 * -f names the database: one LMDB file (no directory, no lock file).  It
 * is made from a text list (the common format of every list) by
 * rel_lmdb_build(), which the `relmkdb` tool runs: keys are stored
 * lower-cased (lookups are case-insensitive like the text types), the
 * first line with a key wins, bad lines are logged with file:line and
 * skipped.  The build writes a new file next to the target and renames it
 * into place, so a database file is never changed once visible; with -m
 * readers notice the rename and open the new one.  Readers open the
 * database read-only with LMDB's lock file (DB-lock beside it) when they
 * can create or open it, so a database that another program updates in
 * place with LMDB transactions (flushot's index) is read safely too;
 * where the lock file cannot be used (a read-only directory) they read
 * without locks, which is safe for relmkdb's never-changing files only.
 * Pages are shared through the page cache.  A missing or damaged database
 * is could not tell (status 75).
 *
 * Limits: keys of at most the LMDB key size (511 bytes by default) and
 * REL_KEY_MAX; files of at most REL_FILE_MAX bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileperm.h"
#include "rel_be.h"
#include "rel_lmdb.h"

struct lm {
	MDB_env *env;
	MDB_dbi  dbi;
};

static struct lm *
lm_of(struct rel *r)
{
	return r->be;
}

static int
lm_init(struct rel *r, char *err, size_t errsz)
{
	if (r->subtype[0]) {
		snprintf(err, errsz, "relation: %s: type lmdb takes no subtype", r->name);
		return -1;
	}
	if ((r->be = calloc(1, sizeof(struct lm))) == NULL) {
		snprintf(err, errsz, "relation: out of memory");
		return -1;
	}
	return 0;
}

static void
lm_unload(struct rel *r)
{
	struct lm *l = lm_of(r);

	if (l->env)
		mdb_env_close(l->env);
	l->env = NULL;
}

static void
lm_fini(struct rel *r)
{
	free(r->be);
	r->be = NULL;
}

static int
lm_fail(struct rel *r, const char *what, int rc)
{
	char msg[REL_DEFER_MAX];

	snprintf(msg, sizeof msg, "%s: %s", what, mdb_strerror(rc));
	return rel_defer(r, msg, 0);
}

/*
 * LMDB opens the data file without O_CLOEXEC, so every program a script
 * ran (nscheck ...) inherited it (found with valgrind --track-fds).
 */
void
rel_lmdb_cloexec(MDB_env *env)
{
	mdb_filehandle_t fd;

	if (mdb_env_get_fd(env, &fd) == 0 && fd >= 0)
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static int
lm_load(struct rel *r)
{
	struct lm *l = lm_of(r);
	MDB_txn *txn;
	int fd, rc;

	/* Identity (for -m) and the checks every file gets. */
	if ((fd = rel_open_file(r, REL_FILE_MAX)) < 0)
		return REL_DEFER;
	close(fd);
	/*
	 * With LMDB's lock file when we may use it: then a database that a
	 * writer (flushot(8)) changes in place is read safely.  Without it
	 * (a read-only directory) only immutable files are safe, which is
	 * what relmkdb makes.
	 */
	if ((rc = mdb_env_create(&l->env)) != 0)
		return lm_fail(r, r->file, rc);
	rc = mdb_env_open(l->env, r->file, MDB_RDONLY | MDB_NOSUBDIR |
	    MDB_NOTLS | MDB_NORDAHEAD, 0);
	if (rc == EACCES || rc == EROFS || rc == EPERM) {
		mdb_env_close(l->env);
		if ((rc = mdb_env_create(&l->env)) != 0) {
			l->env = NULL;
			return lm_fail(r, r->file, rc);
		}
		rc = mdb_env_open(l->env, r->file, MDB_RDONLY | MDB_NOSUBDIR |
		    MDB_NOLOCK | MDB_NOTLS | MDB_NORDAHEAD, 0);
	}
	if (rc == 0) {
		rel_lmdb_cloexec(l->env);
		rc = mdb_txn_begin(l->env, NULL, MDB_RDONLY, &txn);
	}
	if (rc == 0) {
		rc = mdb_dbi_open(txn, NULL, 0, &l->dbi);
		mdb_txn_abort(txn);
	}
	if (rc != 0) {
		lm_unload(r);
		return lm_fail(r, r->file, rc);
	}
	return REL_FOUND;
}

static int
lm_get(struct rel *r, const char *key, size_t klen, struct buf *val)
{
	struct lm *l = lm_of(r);
	char k[REL_KEY_MAX];
	MDB_txn *txn;
	MDB_val mk, mv;
	size_t i;
	int rc;

	/* too long to be stored, or relmkdb's source record (" source") */
	if (klen > (size_t)mdb_env_get_maxkeysize(l->env) || key[0] == ' ')
		return REL_NOTFOUND;
	for (i = 0; i < klen; i++)
		k[i] = (char)rel_lc((unsigned char)key[i]);
	mk.mv_data = k;
	mk.mv_size = klen;
	rc = mdb_txn_begin(l->env, NULL, MDB_RDONLY, &txn);
	if (rc == MDB_MAP_RESIZED) {
		/* a writer grew the database: adopt its new size */
		if ((rc = mdb_env_set_mapsize(l->env, 0)) == 0)
			rc = mdb_txn_begin(l->env, NULL, MDB_RDONLY, &txn);
	}
	if (rc != 0)
		return lm_fail(r, r->file, rc);
	rc = mdb_get(txn, l->dbi, &mk, &mv);
	if (rc == 0 && buf_append(val, mv.mv_data, mv.mv_size) < 0)
		rc = -1;
	mdb_txn_abort(txn);
	if (rc == MDB_NOTFOUND)
		return REL_NOTFOUND;
	if (rc == -1)
		return rel_defer(r, "value too long for the caller", 0);
	if (rc != 0)
		return lm_fail(r, r->file, rc);
	return REL_FOUND;
}

/* relmkdb's record of the list it was made from (not an entry). */
static int
lm_is_source(const MDB_val *k)
{
	return k->mv_size == sizeof REL_LMDB_SOURCE_KEY - 1 &&
	    memcmp(k->mv_data, REL_LMDB_SOURCE_KEY, k->mv_size) == 0;
}

static int
lm_print(struct rel *r, struct buf *out)
{
	struct lm *l = lm_of(r);
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_txn_begin(l->env, NULL, MDB_RDONLY, &txn)) != 0)
		return lm_fail(r, r->file, rc);
	if ((rc = mdb_cursor_open(txn, l->dbi, &cur)) != 0) {
		mdb_txn_abort(txn);
		return lm_fail(r, r->file, rc);
	}
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		if (lm_is_source(&k))
			continue;
		if (buf_append(out, k.mv_data, k.mv_size) < 0 ||
		    buf_putc(out, '\t') < 0 ||
		    buf_append(out, v.mv_data, v.mv_size) < 0 ||
		    buf_putc(out, '\n') < 0) {
			rc = -1;
			break;
		}
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	if (rc == -1)
		return rel_defer(r, "output too long", 0);
	if (rc != MDB_NOTFOUND)
		return lm_fail(r, r->file, rc);
	return 0;
}

static long
lm_count(struct rel *r)
{
	struct lm *l = lm_of(r);
	MDB_txn *txn;
	MDB_stat st;
	int rc;

	MDB_val k, v;

	if ((rc = mdb_txn_begin(l->env, NULL, MDB_RDONLY, &txn)) != 0)
		return lm_fail(r, r->file, rc);
	rc = mdb_stat(txn, l->dbi, &st);
	k.mv_data = (void *)REL_LMDB_SOURCE_KEY;
	k.mv_size = sizeof REL_LMDB_SOURCE_KEY - 1;
	if (rc == 0 && mdb_get(txn, l->dbi, &k, &v) == 0 && st.ms_entries > 0)
		st.ms_entries--;
	mdb_txn_abort(txn);
	if (rc != 0)
		return lm_fail(r, r->file, rc);
	return (long)st.ms_entries;
}

const struct rel_ops rel_lmdb_ops = {
	.type = "lmdb",
	.has_file = 1,
	.init = lm_init,
	.load = lm_load,
	.get = lm_get,
	.print = lm_print,
	.count = lm_count,
	.unload = lm_unload,
	.fini = lm_fini,
};

/* ---- building a database from a text list ----------------------------- */

struct lm_build {
	MDB_txn *txn;
	MDB_dbi  dbi;
	size_t   maxkey;
	long     n;
	int      rc;
};

static int
lm_build_line(void *arg, const char *key, size_t klen, const char *val,
    size_t vlen, unsigned long lineno, const char **why)
{
	struct lm_build *b = arg;
	char k[REL_KEY_MAX];
	MDB_val mk, mv;
	size_t i;
	int rc;

	(void)lineno;
	if (klen > b->maxkey) {
		*why = "key too long for lmdb, line skipped";
		return 1;
	}
	for (i = 0; i < klen; i++)
		k[i] = (char)rel_lc((unsigned char)key[i]);
	mk.mv_data = k;
	mk.mv_size = klen;
	mv.mv_data = (void *)val;
	mv.mv_size = vlen;
	rc = mdb_put(b->txn, b->dbi, &mk, &mv, MDB_NOOVERWRITE);
	if (rc == MDB_KEYEXIST)
		return 0;               /* first line wins */
	if (rc != 0) {
		b->rc = rc;
		return -1;
	}
	b->n++;
	return 0;
}

void
rel_lmdb_source_id(const struct stat *st, char *out, size_t outsz)
{
	snprintf(out, outsz, "%ju %ju %jd %jd.%09ld", (uintmax_t)st->st_dev,
	    (uintmax_t)st->st_ino, (intmax_t)st->st_size,
	    (intmax_t)st->st_mtim.tv_sec, (long)st->st_mtim.tv_nsec);
}

static int
lm_same_source(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/*
 * Read the text list so that its recorded identity is trustworthy: the
 * file's mtime must be older than the clock tick in which the read began
 * (then any later change gets a later mtime; a change within the tick we
 * read in would otherwise be invisible), and the identity must be the
 * same after the read.  Bounded: LM_SETTLE_TRIES tries LM_SETTLE_NS apart.
 */
#define LM_SETTLE_TRIES 200
#define LM_SETTLE_NS    10000000L       /* 10 ms: 2 s in all */

static int
lm_read_settled(struct rel *r, char **data, size_t *len, char *err, size_t errsz)
{
	struct timespec t0, nap = { 0, LM_SETTLE_NS };
	struct stat after;
	int i;

	for (i = 0; i < LM_SETTLE_TRIES; i++) {
		clock_gettime(CLOCK_REALTIME_COARSE, &t0);
		if (rel_read_file(r, REL_FILE_MAX, data, len) != REL_FOUND) {
			snprintf(err, errsz, "%s", r->defer);
			return -1;
		}
		if (stat(r->file, &after) == 0 && lm_same_source(&after, &r->st) &&
		    (r->st.st_mtim.tv_sec < t0.tv_sec ||
		    (r->st.st_mtim.tv_sec == t0.tv_sec &&
		    r->st.st_mtim.tv_nsec < t0.tv_nsec)))
			return 0;
		free(*data);
		*data = NULL;
		nanosleep(&nap, NULL);
	}
	snprintf(err, errsz, "%s: changes all the time; not indexed", r->file);
	return -1;
}

long
rel_lmdb_build(const char *text, const char *db, unsigned long *skipped,
    char *err, size_t errsz)
{
	struct rel r;
	struct lm_build b;
	char tmp[PATH_TEXT_MAX + 16], *data = NULL, id[128];
	size_t len = 0;
	MDB_env *env = NULL;
	MDB_val mk, mv;
	int fd, rc;

	memset(&r, 0, sizeof r);
	memset(&b, 0, sizeof b);
	snprintf(r.name, sizeof r.name, "relmkdb");
	r.file = (char *)text;
	if (strlen(text) > PATH_TEXT_MAX || strlen(db) > PATH_TEXT_MAX) {
		snprintf(err, errsz, "file name too long");
		return -1;
	}
	if (lm_read_settled(&r, &data, &len, err, errsz) < 0)
		return -1;
	snprintf(tmp, sizeof tmp, "%s.XXXXXX", db);
	if ((fd = mkstemp(tmp)) < 0) {
		snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		free(data);
		return -1;
	}
	(void)fchmod(fd, 0644);
	close(fd);
	if ((rc = mdb_env_create(&env)) != 0 ||
	    (rc = mdb_env_set_mapsize(env, len * 4 + 64 * 1024 * 1024)) != 0 ||
	    (rc = mdb_env_open(env, tmp, MDB_NOSUBDIR | MDB_NOLOCK | MDB_NOSYNC,
	    0644)) != 0 ||
	    (rc = mdb_txn_begin(env, NULL, 0, &b.txn)) != 0)
		goto fail;
	if ((rc = mdb_dbi_open(b.txn, NULL, 0, &b.dbi)) != 0) {
		mdb_txn_abort(b.txn);
		goto fail;
	}
	b.maxkey = (size_t)mdb_env_get_maxkeysize(env);
	if (b.maxkey > REL_KEY_MAX)
		b.maxkey = REL_KEY_MAX;
	if (rel_text_walk(&r, data, len, lm_build_line, &b) < 0) {
		rc = b.rc ? b.rc : ENOMEM;
		mdb_txn_abort(b.txn);
		goto fail;
	}
	rel_lmdb_source_id(&r.st, id, sizeof id);
	mk.mv_data = (void *)REL_LMDB_SOURCE_KEY;
	mk.mv_size = sizeof REL_LMDB_SOURCE_KEY - 1;
	mv.mv_data = id;
	mv.mv_size = strlen(id);
	if ((rc = mdb_put(b.txn, b.dbi, &mk, &mv, 0)) != 0) {
		mdb_txn_abort(b.txn);
		goto fail;
	}
	if ((rc = mdb_txn_commit(b.txn)) != 0 || (rc = mdb_env_sync(env, 1)) != 0)
		goto fail;
	mdb_env_close(env);
	env = NULL;
	free(data);
	if (rename(tmp, db) < 0) {
		snprintf(err, errsz, "%s: %s", db, strerror(errno));
		unlink(tmp);
		return -1;
	}
	err[0] = '\0';
	if (skipped)
		*skipped = r.skipped;
	return b.n;
fail:
	snprintf(err, errsz, "%s: %s", db, rc > 0 && rc < 200 ? strerror(rc) :
	    mdb_strerror(rc));
	if (env)
		mdb_env_close(env);
	unlink(tmp);
	free(data);
	return -1;
}

/* ---- the index of an unordered list ----------------------------------- */

int
rel_lmdb_index_open(const char *db, const struct stat *src, MDB_env **envp,
    MDB_dbi *dbi, char *why, size_t whysz)
{
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_val k, v;
	char want[128];
	struct stat st;
	int fd, rc;

	*envp = NULL;
	/* The checks every list file gets (fileperm.h): owner, mode, directory. */
	if ((fd = fileperm_open(db, O_RDONLY | O_NOCTTY | O_NONBLOCK, &st, why,
	    whysz)) < 0)
		return errno == ENOENT ? 0 : -1;
	close(fd);
	if (!S_ISREG(st.st_mode) || st.st_size > REL_FILE_MAX) {
		snprintf(why, whysz, "%s: not a regular file of at most %ld bytes",
		    db, (long)REL_FILE_MAX);
		return -1;
	}
	if ((rc = mdb_env_create(&env)) != 0)
		goto fail;
	if ((rc = mdb_env_open(env, db, MDB_RDONLY | MDB_NOSUBDIR | MDB_NOLOCK |
	    MDB_NOTLS | MDB_NORDAHEAD, 0)) != 0 ||
	    (rel_lmdb_cloexec(env), 0) ||
	    (rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) != 0 ||
	    (rc = mdb_dbi_open(txn, NULL, 0, dbi)) != 0)
		goto fail;
	k.mv_data = (void *)REL_LMDB_SOURCE_KEY;
	k.mv_size = sizeof REL_LMDB_SOURCE_KEY - 1;
	rc = mdb_get(txn, *dbi, &k, &v);
	if (rc == MDB_NOTFOUND) {
		snprintf(why, whysz, "%s: made without a record of its list "
		    "(an older relmkdb)", db);
		goto stale;
	}
	if (rc != 0)
		goto fail;
	rel_lmdb_source_id(src, want, sizeof want);
	if (v.mv_size != strlen(want) || memcmp(v.mv_data, want, v.mv_size) != 0) {
		snprintf(why, whysz, "%s: stale (the list changed since relmkdb "
		    "made it)", db);
		goto stale;
	}
	mdb_txn_abort(txn);
	*envp = env;
	return 1;
fail:
	snprintf(why, whysz, "%s: %s", db, rc > 0 && rc < 200 ? strerror(rc) :
	    mdb_strerror(rc));
stale:
	if (txn)
		mdb_txn_abort(txn);
	if (env)
		mdb_env_close(env);
	return -1;
}
