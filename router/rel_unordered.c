/*
 * rel_unordered.c - relation type `unordered`: a text list in any order.
 *
 * The file (at most REL_LOAD_MAX bytes) is read once into memory and
 * indexed by a hash of the lower-cased key, so a lookup costs one hash
 * probe whatever the file's size; it is read again only when rel.c sees
 * it change (-m) or after `db flush`/`db add`/`db remove`.  The first line
 * with a key wins, as in Zmailer's linear search.
 *
 * `db add` appends "key<TAB>value\n" with one write(2) in O_APPEND mode;
 * `db remove` rewrites the file without the key's lines into a temporary
 * file in the same directory and renames it over the old one (readers see
 * the old or the new file, never half of one).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rel_be.h"

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
};

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

static int
uo_load(struct rel *r)
{
	struct uo *u = uo_of(r);
	size_t i, n, sz = 16;

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

static int
uo_get(struct rel *r, const char *key, size_t klen, struct buf *val)
{
	struct uo *u = uo_of(r);
	long i = uo_find(u, key, klen);

	if (i < 0)
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
