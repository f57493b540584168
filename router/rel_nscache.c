/*
 * rel_nscache.c - relation type `nscache`: nscheck's shared verdict cache.
 *
 *   relation -t nscache[,DAEMON] -s 0 -f FILE NAME
 *
 * FILE is the LMDB database `nscheck -c FILE` writes (cks/nscheck/cache.c
 * has the record format).  A lookup of a domain is found, with the value
 * "EXIT OUT..." (nscheck's exit code, then the refused pairs), only when
 * the domain's record is there, has not expired, and was made with what
 * nscheck would use now: the daemon name (DAEMON, default smtpserver), the
 * TCP Wrappers tables $TCPWRAP_ALLOW and $TCPWRAP_DENY (or the system's)
 * with the same device, inode, size and modification time, and the same
 * $RESOLVER.  Anything else, a missing file included, is not found, and
 * the caller runs nscheck, which writes a fresh record.  A file that
 * exists but cannot be read, or fails the checks of fileperm.h, is logged
 * once and also not found: a cache never makes a check answer "could not
 * tell", and never answers from a file others could have written.  Read-only, with LMDB's lock
 * file, since nschecks write the file in place.
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
#include "log.h"
#include "rel_be.h"
#include "rel_lmdb.h"

#define NC_MAGIC          "zmns1"       /* cks/nscheck/nscheck.h */
#define NC_FIELDS         10
#define NC_DAEMON_DEFAULT "smtpserver"
#define NC_SYSTEM_ALLOW   "/etc/hosts.allow"
#define NC_SYSTEM_DENY    "/etc/hosts.deny"

struct nc {
	MDB_env *env;           /* NULL: no usable file (every lookup misses) */
	MDB_dbi  dbi;
	int      logged;        /* an unusable file was logged */
};

static struct nc *
nc_of(struct rel *r)
{
	return r->be;
}

static int
nc_init(struct rel *r, char *err, size_t errsz)
{
	if (strlen(r->subtype) >= 128 || strpbrk(r->subtype, "\t\r\n")) {
		snprintf(err, errsz, "relation: %s: bad daemon name", r->name);
		return -1;
	}
	if ((r->be = calloc(1, sizeof(struct nc))) == NULL) {
		snprintf(err, errsz, "relation: out of memory");
		return -1;
	}
	return 0;
}

static void
nc_unload(struct rel *r)
{
	struct nc *c = nc_of(r);

	if (c->env)
		mdb_env_close(c->env);
	c->env = NULL;
}

static void
nc_fini(struct rel *r)
{
	free(r->be);
	r->be = NULL;
}

static void
nc_log(struct rel *r, const char *what)
{
	struct nc *c = nc_of(r);
	char esc[LOG_ESC_SIZE];

	if (c->logged)
		return;
	c->logged = 1;
	log_msg(LOG_WARNING, "relation=%s cache not used: %s", r->name,
	    log_escape(esc, sizeof esc, what, strlen(what)));
}

static int
nc_load(struct rel *r)
{
	struct nc *c = nc_of(r);
	char msg[REL_DEFER_MAX];
	MDB_txn *txn;
	struct stat st;
	int fd, rc;

	c->env = NULL;
	/* The checks every configuration file gets (fileperm.h). */
	if ((fd = fileperm_open(r->file, O_RDONLY | O_NOCTTY | O_NONBLOCK, &st,
	    msg, sizeof msg)) < 0) {
		if (errno != ENOENT)
			nc_log(r, msg);
		return REL_FOUND;       /* nothing cached (yet): every lookup misses */
	}
	close(fd);
	if (!S_ISREG(st.st_mode) || st.st_size == 0)
		return REL_FOUND;       /* installed empty, no verdict written yet */
	if ((rc = mdb_env_create(&c->env)) == 0 &&
	    (rc = mdb_env_open(c->env, r->file, MDB_RDONLY | MDB_NOSUBDIR |
	    MDB_NOTLS | MDB_NORDAHEAD, 0)) == 0 &&
	    (rel_lmdb_cloexec(c->env), 1) &&
	    (rc = mdb_txn_begin(c->env, NULL, MDB_RDONLY, &txn)) == 0) {
		rc = mdb_dbi_open(txn, NULL, 0, &c->dbi);
		mdb_txn_abort(txn);
	}
	if (rc != 0) {
		snprintf(msg, sizeof msg, "%s: %s", r->file, rc > 0 && rc < 200 ?
		    strerror(rc) : mdb_strerror(rc));
		nc_log(r, msg);
		nc_unload(r);
	}
	return REL_FOUND;
}

/* "dev ino size mtime.nsec" of path, "-" when it does not exist. */
static int
nc_table_id(const char *path, char *out, size_t outsz)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		if (errno != ENOENT)
			return -1;
		snprintf(out, outsz, "-");
		return 0;
	}
	snprintf(out, outsz, "%ju %ju %jd %jd.%09ld", (uintmax_t)st.st_dev,
	    (uintmax_t)st.st_ino, (intmax_t)st.st_size,
	    (intmax_t)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
	return 0;
}

static const char *
nc_env(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : dflt;
}

/*
 * Is the record (NUL-terminated, split in place) still good?  1 with the
 * exit code and output in *exitp / *outp; 0 otherwise.
 */
static int
nc_valid(struct rel *r, char *rec, const char **exitp, const char **outp)
{
	char *f[NC_FIELDS], *p = rec, id[128];
	const char *allow = nc_env("TCPWRAP_ALLOW", NC_SYSTEM_ALLOW);
	const char *deny = nc_env("TCPWRAP_DENY", NC_SYSTEM_DENY);
	const char *daemon = r->subtype[0] ? r->subtype : NC_DAEMON_DEFAULT;
	long long expires;
	char *end;
	int i;

	for (i = 0; i < NC_FIELDS; i++) {
		f[i] = p;
		if (i < NC_FIELDS - 1) {
			if ((p = strchr(p, '\t')) == NULL)
				return 0;
			*p++ = '\0';
		}
	}
	if (strcmp(f[0], NC_MAGIC) != 0)
		return 0;
	errno = 0;
	expires = strtoll(f[1], &end, 10);
	if (errno || *end != '\0' || expires <= (long long)time(NULL))
		return 0;
	if (strcmp(f[2], "0") != 0 && strcmp(f[2], "1") != 0 &&
	    strcmp(f[2], "3") != 0)
		return 0;
	if (strcmp(f[3], daemon) != 0 || strcmp(f[4], allow) != 0 ||
	    strcmp(f[6], deny) != 0 ||
	    strcmp(f[8], nc_env("RESOLVER", "-")) != 0)
		return 0;
	if (nc_table_id(allow, id, sizeof id) < 0 || strcmp(f[5], id) != 0)
		return 0;
	if (nc_table_id(deny, id, sizeof id) < 0 || strcmp(f[7], id) != 0)
		return 0;
	*exitp = f[2];
	*outp = f[9];
	return 1;
}

static int
nc_get(struct rel *r, const char *key, size_t klen, struct buf *val)
{
	struct nc *c = nc_of(r);
	char rec[NSC_CACHE_REC_MAX + 1];
	const char *ex, *out;
	MDB_txn *txn;
	MDB_val mk, mv;
	int rc;

	if (c->env == NULL)
		return REL_NOTFOUND;
	mk.mv_data = (void *)key;
	mk.mv_size = klen;
	rc = mdb_txn_begin(c->env, NULL, MDB_RDONLY, &txn);
	if (rc == MDB_MAP_RESIZED &&
	    (rc = mdb_env_set_mapsize(c->env, 0)) == 0)
		rc = mdb_txn_begin(c->env, NULL, MDB_RDONLY, &txn);
	if (rc != 0) {
		nc_log(r, mdb_strerror(rc));
		return REL_NOTFOUND;
	}
	rc = mdb_get(txn, c->dbi, &mk, &mv);
	if (rc == 0 && mv.mv_size < sizeof rec) {
		memcpy(rec, mv.mv_data, mv.mv_size);
		rec[mv.mv_size] = '\0';
	} else if (rc == 0)
		rc = MDB_NOTFOUND;      /* not one of nscheck's records */
	mdb_txn_abort(txn);
	if (rc != 0) {
		if (rc != MDB_NOTFOUND)
			nc_log(r, mdb_strerror(rc));
		return REL_NOTFOUND;
	}
	if (memchr(rec, '\0', mv.mv_size) || !nc_valid(r, rec, &ex, &out))
		return REL_NOTFOUND;
	if (buf_puts(val, ex) < 0 || (*out && (buf_putc(val, ' ') < 0 ||
	    buf_puts(val, out) < 0)))
		return rel_defer(r, "value too long for the caller", 0);
	return REL_FOUND;
}

const struct rel_ops rel_nscache_ops = {
	.type = "nscache",
	.has_file = 1,
	.init = nc_init,
	.load = nc_load,
	.get = nc_get,
	.unload = nc_unload,
	.fini = nc_fini,
};
