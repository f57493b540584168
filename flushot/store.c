/*
 * store.c - flushots text file + LMDB index under one lock; see store.h.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "store.h"

#define ERR(...) (snprintf(err, errsz, __VA_ARGS__), -1)

int
fstore_field_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > FLUSHOT_FIELD_MAX)
		return 0;
	return strpbrk(s, "\t\r\n") == NULL;
}

int
fstore_lock(struct fstore *fs, const char *path, char *err, size_t errsz)
{
	struct stat a, b;
	int i;

	if (snprintf(fs->path, sizeof fs->path, "%s", path) >= (int)sizeof fs->path ||
	    snprintf(fs->ipath, sizeof fs->ipath, "%s.lmdb", path) >=
	    (int)sizeof fs->ipath)
		return ERR("%s: path too long", path);
	for (i = 0; i < FLUSHOT_LOCK_TRIES; i++) {
		if ((fs->fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC)) < 0)
			return ERR("%s: %s", path, strerror(errno));
		if (flock(fs->fd, LOCK_EX) < 0) {
			close(fs->fd);
			return ERR("%s: lock: %s", path, strerror(errno));
		}
		/* Still the file at path?  A rewrite may have replaced it. */
		if (fstat(fs->fd, &a) == 0 && stat(path, &b) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			return 0;
		close(fs->fd);
	}
	return ERR("%s: replaced too often while locking", path);
}

void
fstore_unlock(struct fstore *fs)
{
	if (fs->fd >= 0)
		close(fs->fd);          /* releases the flock */
	fs->fd = -1;
}

static void
lower(char *dst, const char *src, size_t dstsz)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < dstsz; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
}

/* Open the index, creating it owned like the text file (the router's
 * user must be able to take LMDB's reader lock) and mode 0644 whatever
 * the umask: the router refuses a group-writable list (router(8)). */
static int
index_open(struct fstore *fs, MDB_env **envp, char *err, size_t errsz)
{
	MDB_env *env;
	struct stat st;
	char lockpath[1100];
	int rc;

	if ((rc = mdb_env_create(&env)) != 0)
		return ERR("%s: %s", fs->ipath, mdb_strerror(rc));
	mdb_env_set_mapsize(env, FLUSHOT_MAPSIZE);
	if ((rc = mdb_env_open(env, fs->ipath, MDB_NOSUBDIR, 0644)) != 0) {
		mdb_env_close(env);
		return ERR("%s: %s", fs->ipath, mdb_strerror(rc));
	}
	if (fstat(fs->fd, &st) == 0) {
		snprintf(lockpath, sizeof lockpath, "%s-lock", fs->ipath);
		if (chown(fs->ipath, st.st_uid, st.st_gid) < 0 ||
		    chown(lockpath, st.st_uid, st.st_gid) < 0) {
			/* not root: the files are ours already */
		}
	}
	*envp = env;
	return 0;
}

/* Put (or, with when == NULL, delete) key in the index. */
static int
index_update(struct fstore *fs, const char *origin, const char *when,
    char *err, size_t errsz)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k, v;
	char key[FLUSHOT_FIELD_MAX + 1];
	int rc;

	if (index_open(fs, &env, err, errsz) < 0)
		return -1;
	lower(key, origin, sizeof key);
	k.mv_data = key;
	k.mv_size = strlen(key);
	if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0 ||
	    (rc = mdb_dbi_open(txn, NULL, 0, &dbi)) != 0)
		goto fail;
	if (when) {
		v.mv_data = (void *)when;
		v.mv_size = strlen(when);
		rc = mdb_put(txn, dbi, &k, &v, 0);
	} else {
		rc = mdb_del(txn, dbi, &k, NULL);
		if (rc == MDB_NOTFOUND)
			rc = 0;
	}
	if (rc != 0) {
		mdb_txn_abort(txn);
		goto fail;
	}
	if ((rc = mdb_txn_commit(txn)) != 0)
		goto fail;
	mdb_env_close(env);
	return 0;
fail:
	mdb_env_close(env);
	return ERR("%s: %s", fs->ipath, mdb_strerror(rc));
}

int
fstore_add(struct fstore *fs, const char *origin, const char *ip,
    const char *helo, const char *trap, char *err, size_t errsz)
{
	struct buf line;
	char when[32];
	ssize_t n;

	if (!fstore_field_ok(origin) || !fstore_field_ok(ip) ||
	    !fstore_field_ok(helo) || !fstore_field_ok(trap))
		return ERR("bad record field (empty, too long, or TAB/CR/LF)");
	snprintf(when, sizeof when, "%lld", (long long)time(NULL));
	buf_init(&line, FLUSHOT_LINE_MAX);
	if (buf_printf(&line, "%s\t%s\t%s\t%s\t%s\n", origin, when, ip, helo,
	    trap) < 0) {
		buf_free(&line);
		return ERR("record too long");
	}
	/* One write of the whole line on an O_APPEND descriptor. */
	n = write(fs->fd, line.data, line.len);
	if (n < 0 || (size_t)n != line.len) {
		int e = errno;

		if (n > 0 && ftruncate(fs->fd, lseek(fs->fd, 0, SEEK_END) - n) < 0) {
			/* the lock is held: nobody else wrote after us */
		}
		buf_free(&line);
		return ERR("%s: write: %s", fs->path, n < 0 ? strerror(e) : "short write");
	}
	buf_free(&line);
	if (fsync(fs->fd) < 0)
		return ERR("%s: fsync: %s", fs->path, strerror(errno));
	return index_update(fs, origin, when, err, errsz);
}

/* Split a record line in place; the origin, or NULL for comments. */
static char *
record_origin(char *line, char **when)
{
	char *tab;

	if (line[0] == '#' || line[0] == '\0' || line[0] == '\n')
		return NULL;
	if ((tab = strchr(line, '\t')) == NULL)
		return NULL;
	*tab = '\0';
	*when = tab + 1;
	return line;
}

int
fstore_clear(struct fstore *fs, const char *origin, long *removed,
    char *err, size_t errsz)
{
	char tmp[1100], line[FLUSHOT_LINE_MAX + 2], copy[FLUSHOT_LINE_MAX + 2];
	FILE *in, *out;
	struct stat st;
	int tfd, infd;
	long gone = 0;

	if (fstat(fs->fd, &st) < 0)
		return ERR("%s: %s", fs->path, strerror(errno));
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", fs->path, (long)getpid());
	if ((tfd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		return ERR("%s: %s", tmp, strerror(errno));
	if ((infd = open(fs->path, O_RDONLY | O_CLOEXEC)) < 0 ||
	    (in = fdopen(infd, "r")) == NULL) {
		close(tfd);
		unlink(tmp);
		return ERR("%s: %s", fs->path, strerror(errno));
	}
	if ((out = fdopen(tfd, "w")) == NULL) {
		fclose(in);
		close(tfd);
		unlink(tmp);
		return ERR("%s: %s", tmp, strerror(errno));
	}
	while (fgets(line, sizeof line, in) != NULL) {
		char *o, *w;

		memcpy(copy, line, sizeof line);
		o = record_origin(copy, &w);
		if (o && strcasecmp(o, origin) == 0) {
			gone++;
			continue;
		}
		fputs(line, out);
	}
	fclose(in);
	/* Keep the owner (the router's user appends to it); only root can. */
	if (geteuid() == 0 && fchown(tfd, st.st_uid, st.st_gid) < 0) {
		fclose(out);
		unlink(tmp);
		return ERR("%s: chown: %s", tmp, strerror(errno));
	}
	if (fflush(out) != 0 || fchmod(tfd, st.st_mode & 07777) < 0 ||
	    fsync(tfd) < 0) {
		int e = errno;

		fclose(out);
		unlink(tmp);
		return ERR("%s: %s", tmp, strerror(e));
	}
	fclose(out);
	if (rename(tmp, fs->path) < 0) {
		int e = errno;

		unlink(tmp);
		return ERR("rename %s: %s", tmp, strerror(e));
	}
	*removed = gone;
	/* Drop from the index while still holding the old file's lock:
	 * appenders waiting on it will find the new file and re-lock. */
	return index_update(fs, origin, NULL, err, errsz);
}

int
fstore_rebuild(struct fstore *fs, long *count, char *err, size_t errsz)
{
	char line[FLUSHOT_LINE_MAX + 2];
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	FILE *in;
	int infd, rc;
	long n = 0;

	if (index_open(fs, &env, err, errsz) < 0)
		return -1;
	if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0 ||
	    (rc = mdb_dbi_open(txn, NULL, 0, &dbi)) != 0 ||
	    (rc = mdb_drop(txn, dbi, 0)) != 0) {
		mdb_env_close(env);
		return ERR("%s: %s", fs->ipath, mdb_strerror(rc));
	}
	if ((infd = open(fs->path, O_RDONLY | O_CLOEXEC)) < 0 ||
	    (in = fdopen(infd, "r")) == NULL) {
		mdb_txn_abort(txn);
		mdb_env_close(env);
		return ERR("%s: %s", fs->path, strerror(errno));
	}
	while (fgets(line, sizeof line, in) != NULL) {
		char *o, *w, *end, key[FLUSHOT_FIELD_MAX + 1];
		MDB_val k, v;

		if ((o = record_origin(line, &w)) == NULL || !fstore_field_ok(o))
			continue;
		if ((end = strchr(w, '\t')) != NULL)
			*end = '\0';
		lower(key, o, sizeof key);
		k.mv_data = key;
		k.mv_size = strlen(key);
		v.mv_data = w;
		v.mv_size = strlen(w);
		if ((rc = mdb_put(txn, dbi, &k, &v, 0)) != 0) {
			fclose(in);
			mdb_txn_abort(txn);
			mdb_env_close(env);
			return ERR("%s: %s", fs->ipath, mdb_strerror(rc));
		}
		n++;
	}
	fclose(in);
	rc = mdb_txn_commit(txn);
	mdb_env_close(env);
	if (rc != 0)
		return ERR("%s: %s", fs->ipath, mdb_strerror(rc));
	*count = n;
	return 0;
}

int
fstore_check(const char *path, const char *origin, char *when, size_t whensz,
    char *err, size_t errsz)
{
	char ipath[1100], key[FLUSHOT_FIELD_MAX + 1];
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k, v;
	int rc, found;

	snprintf(ipath, sizeof ipath, "%s.lmdb", path);
	if (!fstore_field_ok(origin))
		return ERR("bad address");
	if ((rc = mdb_env_create(&env)) != 0)
		return ERR("%s: %s", ipath, mdb_strerror(rc));
	if ((rc = mdb_env_open(env, ipath, MDB_NOSUBDIR | MDB_RDONLY, 0664)) != 0 ||
	    (rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) != 0) {
		mdb_env_close(env);
		return ERR("%s: %s", ipath, mdb_strerror(rc));
	}
	lower(key, origin, sizeof key);
	k.mv_data = key;
	k.mv_size = strlen(key);
	if ((rc = mdb_dbi_open(txn, NULL, 0, &dbi)) != 0) {
		mdb_txn_abort(txn);
		mdb_env_close(env);
		return ERR("%s: %s", ipath, mdb_strerror(rc));
	}
	rc = mdb_get(txn, dbi, &k, &v);
	found = (rc == 0);
	if (found)
		snprintf(when, whensz, "%.*s", (int)v.mv_size, (const char *)v.mv_data);
	mdb_txn_abort(txn);
	mdb_env_close(env);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return ERR("%s: %s", ipath, mdb_strerror(rc));
	return found;
}
