/*
 * rel_unordered.c - relation type `unordered`: a text list in any order.
 *
 * The file (at most REL_LOAD_MAX bytes) is read once into memory and
 * indexed by a hash of the lower-cased key, so a lookup costs one hash
 * probe whatever the file's size; it is read again only when rel.c sees
 * it change (-m) or after `db flush`/`db add`/`db remove`.  The first line
 * with a key wins, as in Zmailer's linear search.
 *
 * The index sidecar: reading a big list costs every new router process
 * time and memory in proportion to the list.  When LIST.lmdb exists and
 * was made by relmkdb(8) from exactly the version of LIST that is there
 * now (same device, inode, size and mtime, recorded in the database), the
 * lookups go to it instead and the text is not read (the file is still
 * opened for its identity, which -m watches).  Otherwise the text is read
 * as above, so an edit or an `mv` of the list takes effect at once, only
 * slower, and the process logs once per list that its index is stale.  An
 * unusable index is never a reason to defer: the text is the authority.
 * `db print`, `count` and `remove` read the text (the index holds each key
 * once, lower-cased), as does a lookup of a key too long for LMDB.
 *
 * `db add` appends "key<TAB>value\n" with one write(2) in O_APPEND mode;
 * `db remove` rewrites the file without the key's lines into a temporary
 * file in the same directory and renames it over the old one (readers see
 * the old or the new file, never half of one).  Both leave the index
 * stale until relmkdb runs again.
 */
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "rel_be.h"
#include "rel_lmdb.h"

struct uo_ent {
	size_t   koff, voff;
	uint32_t klen, vlen;
};

struct uo {
	char    *data;
	size_t   len;
	struct uo_ent *ent;
	size_t   nent, aent;
	uint32_t *tab;          /* entry index + 1; 0 = empty */
	size_t   tabmask;
	MDB_env *ix;            /* the LIST.lmdb index in use, or NULL */
	MDB_dbi  ixdbi;
	size_t   ixmaxkey;
};

/* Lists whose stale index this process has logged (once each). */
#define UO_STALE_LOGGED 32
static unsigned long uo_stale_logged[UO_STALE_LOGGED];
static size_t uo_nstale;

static struct uo *
uo_of(struct rel *r)
{
	return r->be;
}

static int
uo_init(struct rel *r, char *err, size_t errsz)
{
	if (r->subtype[0]) {
		snprintf(err, errsz, "relation: %s: type %s takes no subtype",
		    r->name, r->ops->type);
		return -1;
	}
	if ((r->be = calloc(1, sizeof(struct uo))) == NULL) {
		snprintf(err, errsz, "relation: out of memory");
		return -1;
	}
	return 0;
}

static void
uo_unload(struct rel *r)
{
	struct uo *u = uo_of(r);

	free(u->data);
	free(u->ent);
	free(u->tab);
	if (u->ix)
		mdb_env_close(u->ix);
	memset(u, 0, sizeof *u);
}

static void
uo_fini(struct rel *r)
{
	free(r->be);
	r->be = NULL;
}

static long
uo_find(struct uo *u, const char *key, size_t klen)
{
	size_t i;

	if (u->tab == NULL)
		return -1;
	for (i = rel_hash(key, klen) & u->tabmask; u->tab[i]; i = (i + 1) & u->tabmask) {
		struct uo_ent *e = &u->ent[u->tab[i] - 1];

		if (e->klen == klen && rel_keyeq(u->data + e->koff, key, klen))
			return (long)(u->tab[i] - 1);
	}
	return -1;
}

static int
uo_line(void *arg, const char *key, size_t klen, const char *val, size_t vlen,
    unsigned long lineno, const char **why)
{
	struct uo *u = arg;
	struct uo_ent *e;

	(void)lineno;
	if (u->nent == u->aent) {
		size_t n = u->aent ? u->aent * 2 : 256;
		void *p;

		if (u->nent >= (size_t)REL_ENTRIES_MAX) {
			*why = "too many entries, line skipped";
			return 1;
		}
		if ((p = realloc(u->ent, n * sizeof *u->ent)) == NULL)
			return -1;
		u->ent = p;
		u->aent = n;
	}
	e = &u->ent[u->nent++];
	e->koff = (size_t)(key - u->data);
	e->klen = (uint32_t)klen;
	e->voff = (size_t)(val - u->data);
	e->vlen = (uint32_t)vlen;
	return 0;
}

/* Read and hash the text (again, if the index was in use). */
static int
uo_load_text(struct rel *r)
{
	struct uo *u = uo_of(r);
	size_t i, n, sz = 16;

	uo_unload(r);
	if (rel_read_file(r, REL_LOAD_MAX, &u->data, &u->len) != REL_FOUND)
		return REL_DEFER;
	if (rel_text_walk(r, u->data, u->len, uo_line, u) < 0) {
		uo_unload(r);
		return rel_defer(r, r->file, ENOMEM);
	}
	n = u->nent;
	while (sz < n * 2)
		sz *= 2;
	if ((u->tab = calloc(sz, sizeof *u->tab)) == NULL) {
		uo_unload(r);
		return rel_defer(r, r->file, ENOMEM);
	}
	u->tabmask = sz - 1;
	for (i = 0; i < n; i++) {
		struct uo_ent *e = &u->ent[i];
		const char *k = u->data + e->koff;
		size_t h;

		if (uo_find(u, k, e->klen) >= 0)
			continue;       /* an earlier line has this key */
		for (h = rel_hash(k, e->klen) & u->tabmask; u->tab[h];
		    h = (h + 1) & u->tabmask)
			;
		u->tab[h] = (uint32_t)(i + 1);
	}
	return REL_FOUND;
}

static void
uo_log_stale(struct rel *r, const char *why)
{
	char esc[LOG_ESC_SIZE];
	unsigned long h = rel_hash(r->file, strlen(r->file));
	size_t i;

	for (i = 0; i < uo_nstale; i++)
		if (uo_stale_logged[i] == h)
			return;
	if (uo_nstale < UO_STALE_LOGGED)
		uo_stale_logged[uo_nstale++] = h;
	log_msg(LOG_WARNING, "relation=%s index not used: %s; reading the text "
	    "list (run relmkdb on it)", r->name,
	    log_escape(esc, sizeof esc, why, strlen(why)));
}

static int
uo_load(struct rel *r)
{
	struct uo *u = uo_of(r);
	char ixpath[PATH_TEXT_MAX + 8], why[PATH_TEXT_MAX + 128];
	int fd, rc;

	uo_unload(r);
	/* The identity of the list (for -m and for the index check). */
	if ((fd = rel_open_file(r, REL_FILE_MAX)) < 0)
		return REL_DEFER;
	close(fd);
	if (snprintf(ixpath, sizeof ixpath, "%s.lmdb", r->file) < (int)sizeof ixpath) {
		rc = rel_lmdb_index_open(ixpath, &r->st, &u->ix, &u->ixdbi, why,
		    sizeof why);
		if (rc > 0) {
			u->ixmaxkey = (size_t)mdb_env_get_maxkeysize(u->ix);
			return REL_FOUND;
		}
		if (rc < 0)
			uo_log_stale(r, why);
	}
	return uo_load_text(r);
}

/* `db print`, `count`, `remove` and over-long keys need the text itself. */
static int
uo_need_text(struct rel *r)
{
	struct uo *u = uo_of(r);

	if (u->ix == NULL)
		return REL_FOUND;
	return uo_load_text(r);
}

static int
uo_ix_get(struct rel *r, const char *key, size_t klen, struct buf *val)
{
	struct uo *u = uo_of(r);
	char k[REL_KEY_MAX];
	MDB_txn *txn;
	MDB_val mk, mv;
	size_t i;
	int rc;

	if (key[0] == ' ')
		return REL_NOTFOUND;    /* no list key has a blank */
	for (i = 0; i < klen; i++)
		k[i] = (char)rel_lc((unsigned char)key[i]);
	mk.mv_data = k;
	mk.mv_size = klen;
	if ((rc = mdb_txn_begin(u->ix, NULL, MDB_RDONLY, &txn)) != 0)
		goto fail;
	rc = mdb_get(txn, u->ixdbi, &mk, &mv);
	if (rc == 0 && buf_append(val, mv.mv_data, mv.mv_size) < 0) {
		mdb_txn_abort(txn);
		return rel_defer(r, "value too long for the caller", 0);
	}
	mdb_txn_abort(txn);
	if (rc == MDB_NOTFOUND)
		return REL_NOTFOUND;
	if (rc == 0)
		return REL_FOUND;
fail:
	{
		char msg[REL_DEFER_MAX];

		snprintf(msg, sizeof msg, "%s.lmdb: %s", r->file, mdb_strerror(rc));
		return rel_defer(r, msg, 0);
	}
}

static int
uo_get(struct rel *r, const char *key, size_t klen, struct buf *val)
{
	struct uo *u = uo_of(r);
	long i;

	if (u->ix) {
		if (klen <= u->ixmaxkey)
			return uo_ix_get(r, key, klen, val);
		if (uo_need_text(r) != REL_FOUND)
			return REL_DEFER;
	}
	if ((i = uo_find(u, key, klen)) < 0)
		return REL_NOTFOUND;
	if (buf_append(val, u->data + u->ent[i].voff, u->ent[i].vlen) < 0)
		return rel_defer(r, "value too long for the caller", 0);
	return REL_FOUND;
}

static int
uo_add(struct rel *r, const char *key, const char *val)
{
	char line[REL_KEY_MAX + REL_VALUE_MAX + 3];
	int fd, n, e;

	n = snprintf(line, sizeof line, "%s\t%s\n", key, val);
	if (n < 0 || (size_t)n >= sizeof line)
		return rel_defer(r, "entry too long", 0);
	fd = open(r->file, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return rel_defer(r, r->file, errno);
	if (write(fd, line, (size_t)n) != n) {
		e = errno ? errno : EIO;
		close(fd);
		return rel_defer(r, r->file, e);
	}
	if (close(fd) < 0)
		return rel_defer(r, r->file, errno);
	uo_unload(r);
	r->loaded = 0;
	return 0;
}

static int
uo_writeall(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The first word of the line at p (length ll) equals key, case ignored. */
static int
uo_line_has_key(const char *p, size_t ll, const char *key, size_t klen)
{
	const char *end = p + ll;

	while (p < end && rel_blank((unsigned char)*p))
		p++;
	if ((size_t)(end - p) < klen || !rel_keyeq(p, key, klen))
		return 0;
	return p + klen == end || rel_blank((unsigned char)p[klen]);
}

static int
uo_del(struct rel *r, const char *key)
{
	struct uo *u = uo_of(r);
	char tmp[PATH_TEXT_MAX + 16];
	size_t off = 0, klen = strlen(key);
	int fd, found = 0, e;

	if (uo_need_text(r) != REL_FOUND)
		return -1;
	if (uo_find(u, key, klen) < 0)
		return 0;
	if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", r->file) >= (int)sizeof tmp)
		return rel_defer(r, "file name too long", 0);
	if ((fd = mkstemp(tmp)) < 0)
		return rel_defer(r, tmp, errno);
	(void)fchmod(fd, r->st.st_mode & 07777);
	if (geteuid() == 0)
		(void)fchown(fd, r->st.st_uid, r->st.st_gid);
	while (off < u->len) {
		const char *line = u->data + off;
		const char *nl = memchr(line, '\n', u->len - off);
		size_t ll = nl ? (size_t)(nl - line) : u->len - off;
		size_t wl = ll + (nl ? 1 : 0);

		off += wl;
		if (ll <= REL_LINE_MAX && uo_line_has_key(line, ll, key, klen)) {
			found = 1;
			continue;
		}
		if (uo_writeall(fd, line, wl) < 0)
			goto fail;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, r->file) < 0) {
		fd = -1;
		goto fail;
	}
	uo_unload(r);
	r->loaded = 0;
	return found;
fail:
	e = errno ? errno : EIO;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return rel_defer(r, r->file, e);
}

static int
uo_print(struct rel *r, struct buf *out)
{
	struct uo *u = uo_of(r);
	size_t i;

	if (uo_need_text(r) != REL_FOUND)
		return -1;
	for (i = 0; i < u->nent; i++) {
		struct uo_ent *e = &u->ent[i];

		if (buf_append(out, u->data + e->koff, e->klen) < 0 ||
		    buf_putc(out, '\t') < 0 ||
		    buf_append(out, u->data + e->voff, e->vlen) < 0 ||
		    buf_putc(out, '\n') < 0)
			return rel_defer(r, "output too long", 0);
	}
	return 0;
}

static long
uo_count(struct rel *r)
{
	if (uo_need_text(r) != REL_FOUND)
		return -1;
	return (long)uo_of(r)->nent;
}

const struct rel_ops rel_unordered_ops = {
	.type = "unordered",
	.has_file = 1,
	.init = uo_init,
	.load = uo_load,
	.get = uo_get,
	.add = uo_add,
	.del = uo_del,
	.print = uo_print,
	.count = uo_count,
	.unload = uo_unload,
	.fini = uo_fini,
};
