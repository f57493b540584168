/*
 * rel_ordered.c - relation type `ordered`: a text list sorted by key.
 *
 * The file is mapped (mmap, at most REL_FILE_MAX bytes), never loaded: a
 * lookup is a binary search over byte offsets, touching O(log n) pages,
 * so a million-line list costs about twenty line comparisons and nothing
 * at start-up.  Many processes share the page cache.
 *
 * Order: keys compare byte by byte after ASCII lower-casing, a key that
 * is a prefix of another sorts first.  `LC_ALL=C sort` of a file with
 * lower-case keys produces it.  Blank and `#` lines may be anywhere.  An
 * out-of-order line is not detected by a lookup (it may be missed); `db
 * print` and `db count` walk the whole file and log each one.  With
 * duplicate keys the first line wins.
 *
 * A mapped file that is truncated in place would fault on access; every
 * lookup therefore fstat()s the open file and maps it again when its size
 * or mtime moved.  Replace ordered files with mv, never rewrite them in
 * place (docs/relations.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rel_be.h"

struct od {
	const char *map;        /* NULL for an empty file */
	size_t  len;
	int     fd;
};

static struct od *
od_of(struct rel *r)
{
	return r->be;
}

static int
od_init(struct rel *r, char *err, size_t errsz)
{
	struct od *o;

	if (r->subtype[0]) {
		snprintf(err, errsz, "relation: %s: type %s takes no subtype",
		    r->name, r->ops->type);
		return -1;
	}
	if ((o = calloc(1, sizeof *o)) == NULL) {
		snprintf(err, errsz, "relation: out of memory");
		return -1;
	}
	o->fd = -1;
	r->be = o;
	return 0;
}

static void
od_unload(struct rel *r)
{
	struct od *o = od_of(r);

	if (o->map)
		munmap((void *)o->map, o->len);
	if (o->fd >= 0)
		close(o->fd);
	o->map = NULL;
	o->len = 0;
	o->fd = -1;
}

static void
od_fini(struct rel *r)
{
	free(r->be);
	r->be = NULL;
}

static int
od_map(struct rel *r, struct od *o)
{
	void *p;

	o->len = (size_t)r->st.st_size;
	if (o->len == 0)
		return REL_FOUND;
	p = mmap(NULL, o->len, PROT_READ, MAP_SHARED, o->fd, 0);
	if (p == MAP_FAILED) {
		int e = errno;

		o->len = 0;
		return rel_defer(r, r->file, e);
	}
	(void)madvise(p, o->len, MADV_RANDOM);
	o->map = p;
	return REL_FOUND;
}

static int
od_load(struct rel *r)
{
	struct od *o = od_of(r);

	if ((o->fd = rel_open_file(r, REL_FILE_MAX)) < 0)
		return REL_DEFER;
	if (od_map(r, o) != REL_FOUND) {
		od_unload(r);
		return REL_DEFER;
	}
	return REL_FOUND;
}

/* The open file grew, shrank or was rewritten: map it again. */
static int
od_recheck(struct rel *r, struct od *o)
{
	struct stat st;

	if (fstat(o->fd, &st) < 0)
		return rel_defer(r, r->file, errno);
	if (st.st_size == r->st.st_size &&
	    st.st_mtim.tv_sec == r->st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == r->st.st_mtim.tv_nsec)
		return REL_FOUND;
	if (st.st_size > REL_FILE_MAX)
		return rel_defer(r, r->file, EFBIG);
	if (o->map)
		munmap((void *)o->map, o->len);
	o->map = NULL;
	r->st = st;
	return od_map(r, o);
}

/*
 * The line starting at p: 1 with its key (k, kl) if it has one, 0 for a
 * blank or comment line; *next is where the following line starts.
 */
static int
od_line(const struct od *o, size_t p, const char **k, size_t *kl, size_t *next,
    size_t *ll)
{
	const char *s = o->map + p, *end;
	const char *nl = memchr(s, '\n', o->len - p);

	end = nl ? nl : o->map + o->len;
	*next = (size_t)(end - o->map) + (nl ? 1 : 0);
	*ll = (size_t)(end - s);
	while (s < end && rel_blank((unsigned char)*s))
		s++;
	if (s == end || *s == '#')
		return 0;
	*k = s;
	while (s < end && !rel_blank((unsigned char)*s))
		s++;
	*kl = (size_t)(s - *k);
	return 1;
}

/* Compare a file key with the (lower-cased) target: <0, 0, >0. */
static int
od_cmp(const char *k, size_t kl, const char *t, size_t tl)
{
	size_t i, n = kl < tl ? kl : tl;

	for (i = 0; i < n; i++) {
		int a = rel_lc((unsigned char)k[i]), b = (unsigned char)t[i];

		if (a != b)
			return a - b;
	}
	return kl < tl ? -1 : kl > tl;
}

/* The line number of the line starting at offset p (for reports). */
static unsigned long
od_lineno(const struct od *o, size_t p)
{
	unsigned long lineno = 1;
	const char *q;

	for (q = o->map; q < o->map + p &&
	    (q = memchr(q, '\n', (size_t)(o->map + p - q))) != NULL; q++)
		lineno++;
	return lineno;
}

static int
od_get(struct rel *r, const char *key, size_t klen, struct buf *val)
{
	struct od *o = od_of(r);
	char t[REL_KEY_MAX];
	size_t lo = 0, hi, i, next, ll, kl;
	const char *k;
	int c;

	if (od_recheck(r, o) != REL_FOUND)
		return REL_DEFER;
	for (i = 0; i < klen; i++)
		t[i] = (char)rel_lc((unsigned char)key[i]);
	hi = o->len;
	/*
	 * Invariant: key lines starting before lo sort below the target,
	 * key lines starting at or after hi sort at or above it; lo is the
	 * start of a line.
	 */
	while (hi - lo > 2) {
		size_t mid = lo + (hi - lo) / 2, s;
		const char *nl = memchr(o->map + mid, '\n', hi - mid);
		int has = 0;

		s = nl ? (size_t)(nl - o->map) + 1 : hi;
		while (s < hi && !(has = od_line(o, s, &k, &kl, &next, &ll)))
			s = next;
		if (!has || s >= hi) {
			hi = mid + 1;
			continue;
		}
		if (od_cmp(k, kl, t, klen) < 0)
			lo = s;
		else
			hi = mid + 1;
	}
	for (i = lo; i < o->len; i = next) {
		if (!od_line(o, i, &k, &kl, &next, &ll))
			continue;
		if ((c = od_cmp(k, kl, t, klen)) > 0)
			break;
		if (c < 0)
			continue;
		if (ll > REL_LINE_MAX) {
			rel_report(r, od_lineno(o, i), "line too long, line skipped");
			return REL_NOTFOUND;
		}
		k += kl;
		while (k < o->map + o->len && rel_blank((unsigned char)*k))
			k++;
		for (kl = 0; k + kl < o->map + o->len && k[kl] != '\n' &&
		    !rel_blank((unsigned char)k[kl]); kl++)
			;
		if (kl > REL_VALUE_MAX) {
			rel_report(r, od_lineno(o, i), "value too long, line skipped");
			return REL_NOTFOUND;
		}
		/* As rel_text_walk() does for the other lists (found by
		 * tests/fuzz/fuzz_rel.c: a NUL reached the caller). */
		if (memchr(k, '\0', kl) != NULL) {
			rel_report(r, od_lineno(o, i), "NUL byte, line skipped");
			return REL_NOTFOUND;
		}
		if (buf_append(val, k, kl) < 0)
			return rel_defer(r, "value too long for the caller", 0);
		return REL_FOUND;
	}
	return REL_NOTFOUND;
}

struct od_walk {
	struct rel *r;
	struct buf *out;        /* NULL: count only */
	long n;
	char prev[REL_KEY_MAX];
	size_t prevlen;
	int full;
};

static int
od_walk_line(void *arg, const char *key, size_t klen, const char *val,
    size_t vlen, unsigned long lineno, const char **why)
{
	struct od_walk *w = arg;

	if (w->n > 0 && od_cmp(key, klen, w->prev, w->prevlen) < 0)
		rel_report(w->r, lineno, "key out of order (lookups may miss it)");
	for (w->prevlen = 0; w->prevlen < klen; w->prevlen++)
		w->prev[w->prevlen] = (char)rel_lc((unsigned char)key[w->prevlen]);
	(void)why;
	w->n++;
	if (w->out && (buf_append(w->out, key, klen) < 0 ||
	    buf_putc(w->out, '\t') < 0 || buf_append(w->out, val, vlen) < 0 ||
	    buf_putc(w->out, '\n') < 0)) {
		w->full = 1;
		return -1;
	}
	return 0;
}

static long
od_scan(struct rel *r, struct buf *out)
{
	struct od *o = od_of(r);
	struct od_walk *w;
	long n;

	if (od_recheck(r, o) != REL_FOUND)
		return -1;
	if ((w = calloc(1, sizeof *w)) == NULL)
		return rel_defer(r, "out of memory", 0);
	w->r = r;
	w->out = out;
	r->skipped = 0;
	if (o->len && rel_text_walk(r, o->map, o->len, od_walk_line, w) < 0) {
		free(w);
		return rel_defer(r, "output too long", 0);
	}
	n = w->n;
	free(w);
	return n;
}

static int
od_print(struct rel *r, struct buf *out)
{
	return od_scan(r, out) < 0 ? -1 : 0;
}

static long
od_count(struct rel *r)
{
	return od_scan(r, NULL);
}

const struct rel_ops rel_ordered_ops = {
	.type = "ordered",
	.has_file = 1,
	.init = od_init,
	.load = od_load,
	.get = od_get,
	.print = od_print,
	.count = od_count,
	.unload = od_unload,
	.fini = od_fini,
};
