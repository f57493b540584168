/*
 * rel.c - the common part of relations: `relation` options, key folding,
 * the -d search drivers, -m change detection, the lookup cache, `db`.
 *
 * Promises: a lookup answers found (1), not found (0) or could not tell
 * (-1, with a reason for $defer); a file that cannot be read is never
 * "not found".  Keys longer than REL_KEY_MAX or empty are not found.
 * With -m each lookup stat()s the file and reloads it when its device,
 * inode, size, mtime or ctime (nanoseconds) changed, which covers both
 * in-place edits and replacement by rename(2).  The cache holds at most
 * -s entries (found and not-found answers, never deferrals), each for at
 * most -e seconds (0: until flushed or the file changes).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileperm.h"
#include "log.h"
#include "rel_be.h"
#include "util.h"

static const struct rel_ops *const rel_types[] = {
	&rel_unordered_ops, &rel_ordered_ops, &rel_incore_ops, &rel_cidr_ops,
	&rel_bind_ops, &rel_lmdb_ops, &rel_nscache_ops,
};

/* ---- helpers for the back ends ----------------------------------------- */

unsigned long
rel_hash(const char *s, size_t n)
{
	unsigned long h = 2166136261UL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)rel_lc((unsigned char)s[i]);
		h *= 16777619UL;
	}
	return h;
}

int
rel_defer(struct rel *r, const char *what, int err)
{
	char esc[LOG_ESC_SIZE];

	if (err)
		snprintf(r->defer, sizeof r->defer, "%s: %s", what, strerror(err));
	else
		snprintf(r->defer, sizeof r->defer, "%s", what);
	log_msg(LOG_WARNING, "relation=%s defer=\"%s\"", r->name,
	    log_escape(esc, sizeof esc, r->defer, strlen(r->defer)));
	return REL_DEFER;
}

int
rel_open_file(struct rel *r, off_t maxsize)
{
	struct stat st;
	char err[REL_DEFER_MAX];
	int fd;

	fd = fileperm_open(r->file, O_RDONLY | O_NOCTTY | O_NONBLOCK, &st,
	    err, sizeof err);
	if (fd < 0)
		return rel_defer(r, err, 0), -1;
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return rel_defer(r, r->file, S_ISDIR(st.st_mode) ? EISDIR : EINVAL), -1;
	}
	if (st.st_size > maxsize) {
		close(fd);
		return rel_defer(r, r->file, EFBIG), -1;
	}
	r->st = st;
	return fd;
}

int
rel_read_file(struct rel *r, off_t maxsize, char **data, size_t *len)
{
	size_t want, got = 0;
	char *d;
	int fd;

	if ((fd = rel_open_file(r, maxsize)) < 0)
		return REL_DEFER;
	want = (size_t)r->st.st_size;
	if ((d = malloc(want + 1)) == NULL) {
		close(fd);
		return rel_defer(r, r->file, ENOMEM);
	}
	while (got < want) {
		ssize_t n = read(fd, d + got, want - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			free(d);
			close(fd);
			return rel_defer(r, r->file, e);
		}
		if (n == 0)
			break;          /* shrank meanwhile: use what is there */
		got += (size_t)n;
	}
	close(fd);
	d[got] = '\0';
	*data = d;
	*len = got;
	return REL_FOUND;
}

void
rel_report(struct rel *r, unsigned long lineno, const char *why)
{
	char esc[LOG_ESC_SIZE];

	r->skipped++;
	if (r->skipped > REL_REPORT_MAX)
		return;
	log_msg(LOG_WARNING, "relation=%s %s:%lu: %s%s", r->name,
	    log_escape(esc, sizeof esc, r->file ? r->file : "-",
	    r->file ? strlen(r->file) : 1), lineno, why,
	    r->skipped == REL_REPORT_MAX ? " (further bad lines not logged)" : "");
}

int
rel_text_walk(struct rel *r, const char *data, size_t len, rel_line_fn fn,
    void *arg)
{
	size_t off = 0;
	unsigned long lineno = 0;

	while (off < len) {
		const char *line = data + off, *nl, *p, *end, *k, *v;
		size_t ll, klen, vlen;
		const char *why = NULL;
		int rc;

		lineno++;
		nl = memchr(line, '\n', len - off);
		ll = nl ? (size_t)(nl - line) : len - off;
		off += ll + (nl ? 1 : 0);
		if (ll > REL_LINE_MAX) {
			rel_report(r, lineno, "line too long, line skipped");
			continue;
		}
		end = line + ll;
		for (p = line; p < end && rel_blank((unsigned char)*p); p++)
			;
		if (p == end || *p == '#')
			continue;
		for (k = p; p < end && !rel_blank((unsigned char)*p); p++)
			;
		klen = (size_t)(p - k);
		for (; p < end && rel_blank((unsigned char)*p); p++)
			;
		for (v = p; p < end && !rel_blank((unsigned char)*p); p++)
			;
		vlen = (size_t)(p - v);
		if (klen > REL_KEY_MAX) {
			rel_report(r, lineno, "key too long, line skipped");
			continue;
		}
		if (vlen > REL_VALUE_MAX) {
			rel_report(r, lineno, "value too long, line skipped");
			continue;
		}
		if (memchr(k, '\0', klen) || memchr(v, '\0', vlen)) {
			rel_report(r, lineno, "NUL byte, line skipped");
			continue;
		}
		rc = fn(arg, k, klen, v, vlen, lineno, &why);
		if (rc < 0)
			return -1;
		if (rc > 0)
			rel_report(r, lineno, why ? why : "malformed line, skipped");
	}
	return 0;
}

/* ---- definition ---------------------------------------------------------- */

const char *
rel_name(const struct rel *r)
{
	return r->name;
}

const char *
rel_defer_reason(const struct rel *r)
{
	return r->defer[0] ? r->defer : "lookup failed";
}

unsigned long
rel_skipped(const struct rel *r)
{
	return r->skipped;
}

static int
rel_valid_name(const char *s)
{
	size_t n = 0;

	if (*s == '\0')
		return 0;
	for (; *s; s++, n++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	}
	return n <= REL_NAME_MAX;
}

/*
 * relation -t TYPE[,SUBTYPE] [-f FILE] [-l|-u] [-b] [-n] [-m] [-e TTL]
 *          [-s SIZE] [-d DRIVER] NAME
 * Flags may be clustered (-lmt unordered); an option's argument is the
 * rest of its cluster or the next word.  -p (Zmailer's no-op) is accepted.
 */
int
rel_define(int argc, char **argv, struct rel **out, char *err, size_t errsz)
{
	const char *type = NULL, *file = NULL, *drv = NULL;
	const char *ttl = NULL, *size = NULL;
	int fold = 0, opts = 0, i;
	struct rel *r;
	long n;
	size_t j;

	*out = NULL;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		const char *a = argv[i] + 1;

		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		for (; *a; a++) {
			const char **dst = NULL;

			switch (*a) {
			case 'l': case 'u':
				if (fold && fold != *a) {
					snprintf(err, errsz, "relation: -l and -u exclude each other");
					return -1;
				}
				fold = *a;
				continue;
			case 'b': opts |= REL_OPT_BOOL; continue;
			case 'n': opts |= REL_OPT_NONNULL; continue;
			case 'm': opts |= REL_OPT_MTIME; continue;
			case 'p': continue;
			case 't': dst = &type; break;
			case 'f': dst = &file; break;
			case 'e': dst = &ttl; break;
			case 's': dst = &size; break;
			case 'd': dst = &drv; break;
			default:
				snprintf(err, errsz, "relation: unknown option -%c", *a);
				return -1;
			}
			if (a[1] != '\0')
				*dst = a + 1;
			else if (i + 1 < argc)
				*dst = argv[++i];
			else {
				snprintf(err, errsz, "relation: -%c needs an argument", *a);
				return -1;
			}
			break;
		}
	}
	if (i != argc - 1) {
		snprintf(err, errsz, "usage: relation -t TYPE[,SUBTYPE] [-f FILE] "
		    "[-l|-u] [-b] [-n] [-m] [-e TTL] [-s SIZE] [-d DRIVER] NAME");
		return -1;
	}
	if (!rel_valid_name(argv[i])) {
		snprintf(err, errsz, "relation: bad name (letters, digits, _; at most %d)",
		    REL_NAME_MAX);
		return -1;
	}
	if (type == NULL) {
		snprintf(err, errsz, "relation: %s: -t TYPE missing", argv[i]);
		return -1;
	}
	if ((r = calloc(1, sizeof *r)) == NULL) {
		snprintf(err, errsz, "relation: out of memory");
		return -1;
	}
	memcpy(r->name, argv[i], strlen(argv[i]) + 1);
	r->fold = fold;
	r->opts = opts;
	r->cachesize = REL_CACHE_DEFAULT;
	{
		const char *comma = strchr(type, ',');
		size_t tl = comma ? (size_t)(comma - type) : strlen(type);

		if (comma && util_strlcpy(r->subtype, comma + 1, sizeof r->subtype) < 0) {
			snprintf(err, errsz, "relation: %s: subtype too long", r->name);
			goto fail;
		}
		for (j = 0; j < sizeof rel_types / sizeof rel_types[0]; j++) {
			if (strlen(rel_types[j]->type) == tl &&
			    strncmp(rel_types[j]->type, type, tl) == 0)
				r->ops = rel_types[j];
		}
		if (tl == 5 && strncmp(type, "btree", 5) == 0)
			r->ops = &rel_lmdb_ops;
		if (r->ops == NULL) {
			snprintf(err, errsz, "relation: %s: unknown type (unordered "
			    "ordered incore cidr bind lmdb btree nscache)", r->name);
			goto fail;
		}
	}
	if (file) {
		if (strlen(file) > PATH_TEXT_MAX || *file == '\0') {
			snprintf(err, errsz, "relation: %s: bad file name", r->name);
			goto fail;
		}
		if ((r->file = strdup(file)) == NULL) {
			snprintf(err, errsz, "relation: out of memory");
			goto fail;
		}
	} else if (r->ops->has_file) {
		snprintf(err, errsz, "relation: %s: type %s needs -f FILE", r->name,
		    r->ops->type);
		goto fail;
	}
	if (ttl) {
		if (util_parse_long(ttl, 0, REL_TTL_MAX, &n) < 0) {
			snprintf(err, errsz, "relation: %s: -e wants 0..%d seconds",
			    r->name, REL_TTL_MAX);
			goto fail;
		}
		r->ttl = n;
	}
	if (size) {
		if (util_parse_long(size, 0, REL_CACHE_MAX, &n) < 0) {
			snprintf(err, errsz, "relation: %s: -s wants 0..%d entries",
			    r->name, REL_CACHE_MAX);
			goto fail;
		}
		r->cachesize = n;
	}
	if (drv) {
		if (strcmp(drv, "pathalias") == 0)
			r->driver = REL_DRV_PATHALIAS;
		else if (strcmp(drv, "longestmatch") == 0)
			r->driver = REL_DRV_LONGEST;
		else if (strcmp(drv, "pathalias.nodot") == 0)
			r->driver = REL_DRV_NODOT;
		else {
			snprintf(err, errsz, "relation: %s: -d wants pathalias, "
			    "longestmatch or pathalias.nodot", r->name);
			goto fail;
		}
	}
	if (r->cachesize > 0 &&
	    (r->cache = calloc((size_t)r->cachesize, sizeof *r->cache)) == NULL) {
		snprintf(err, errsz, "relation: out of memory");
		goto fail;
	}
	if (r->ops->init && r->ops->init(r, err, errsz) < 0)
		goto fail;
	*out = r;
	return 0;
fail:
	free(r->cache);
	free(r->file);
	free(r);
	return -1;
}

/* ---- cache ------------------------------------------------------------- */

static void
rel_cache_flush(struct rel *r)
{
	long i;

	for (i = 0; r->cache && i < r->cachesize; i++) {
		free(r->cache[i].key);
		free(r->cache[i].val);
		r->cache[i].key = r->cache[i].val = NULL;
	}
}

static struct rel_cent *
rel_cache_get(struct rel *r, const char *key)
{
	time_t now = 0;
	long i;

	if (r->ttl)
		now = time(NULL);
	for (i = 0; r->cache && i < r->cachesize; i++) {
		struct rel_cent *c = &r->cache[i];

		if (c->key == NULL || strcmp(c->key, key) != 0)
			continue;
		if (r->ttl && (now < c->when || now - c->when >= r->ttl)) {
			free(c->key);
			free(c->val);
			c->key = c->val = NULL;
			return NULL;
		}
		c->used = ++r->tick;
		return c;
	}
	return NULL;
}

static void
rel_cache_put(struct rel *r, const char *key, int status, const struct buf *val)
{
	struct rel_cent *c = NULL;
	char *k, *v;
	long i;

	if (r->cache == NULL)
		return;
	for (i = 0; i < r->cachesize; i++) {
		if (r->cache[i].key == NULL) {
			c = &r->cache[i];
			break;
		}
		if (c == NULL || r->cache[i].used < c->used)
			c = &r->cache[i];
	}
	k = strdup(key);
	v = strdup(buf_cstr(val));
	if (k == NULL || v == NULL) {
		free(k);
		free(v);
		return;
	}
	free(c->key);
	free(c->val);
	c->key = k;
	c->val = v;
	c->status = status;
	c->when = time(NULL);
	c->used = ++r->tick;
}

/* ---- lookup ------------------------------------------------------------- */

static int
rel_same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static void
rel_unload(struct rel *r)
{
	/* incore has nothing to load: its contents go on every flush */
	if ((r->loaded || !r->ops->has_file) && r->ops->unload)
		r->ops->unload(r);
	r->loaded = 0;
}

/* Make the back end ready: first load, or reload after a change (-m). */
static int
rel_ready(struct rel *r)
{
	if (r->loaded && r->ops->has_file && (r->opts & REL_OPT_MTIME)) {
		struct stat st;

		if (stat(r->file, &st) < 0) {
			int e = errno;

			rel_unload(r);
			rel_cache_flush(r);
			return rel_defer(r, r->file, e);
		}
		if (!rel_same_file(&st, &r->st)) {
			rel_unload(r);
			rel_cache_flush(r);
		}
	}
	if (!r->loaded) {
		r->skipped = 0;
		if (r->ops->load && r->ops->load(r) != REL_FOUND)
			return REL_DEFER;
		r->loaded = 1;
	}
	return REL_FOUND;
}

static int
rel_get(struct rel *r, const char *key, size_t klen, struct buf *val)
{
	buf_reset(val);
	if (klen == 0 || klen > REL_KEY_MAX)
		return REL_NOTFOUND;
	return r->ops->get(r, key, klen, val);
}

/*
 * The -d search drivers over a (folded) key.  For "user@dom" the whole
 * key is tried first, then "@dom", then the driver's sequence over dom.
 *   pathalias:        a.b.c  .a.b.c  .b.c  .c  .
 *   longestmatch:     a.b.c  .b.c  .c  .
 *   pathalias.nodot:  b.c  c
 */
static int
rel_search(struct rel *r, const char *key, struct buf *val)
{
	char tmp[REL_KEY_MAX + 2];
	const char *dom, *at, *p;
	size_t klen = strlen(key), dl;
	int rc;

	if (r->driver == REL_DRV_NONE)
		return rel_get(r, key, klen, val);
	at = strrchr(key, '@');
	dom = at ? at + 1 : key;
	if (at) {
		if ((rc = rel_get(r, key, klen, val)) != REL_NOTFOUND)
			return rc;
		if ((rc = rel_get(r, at, strlen(at), val)) != REL_NOTFOUND)
			return rc;
	}
	dl = strlen(dom);
	if (dl == 0 || dl > REL_KEY_MAX)
		return REL_NOTFOUND;
	if (r->driver != REL_DRV_NODOT &&
	    (rc = rel_get(r, dom, dl, val)) != REL_NOTFOUND)
		return rc;
	if (r->driver == REL_DRV_PATHALIAS && dom[0] != '.') {
		tmp[0] = '.';
		memcpy(tmp + 1, dom, dl + 1);
		if ((rc = rel_get(r, tmp, dl + 1, val)) != REL_NOTFOUND)
			return rc;
	}
	for (p = strchr(dom + 1, '.'); p; p = strchr(p + 1, '.')) {
		if (r->driver == REL_DRV_NODOT) {
			if (p[1] != '\0' &&
			    (rc = rel_get(r, p + 1, strlen(p + 1), val)) != REL_NOTFOUND)
				return rc;
		} else if ((rc = rel_get(r, p, strlen(p), val)) != REL_NOTFOUND)
			return rc;
	}
	if (r->driver != REL_DRV_NODOT)
		return rel_get(r, ".", 1, val);
	return REL_NOTFOUND;
}

int
rel_lookup(struct rel *r, const char *key, struct buf *val)
{
	char k[REL_KEY_MAX + 1];
	size_t n = strlen(key), i;
	struct rel_cent *c;
	int rc;

	buf_reset(val);
	r->defer[0] = '\0';
	if (n == 0 || n > REL_KEY_MAX)
		return REL_NOTFOUND;
	for (i = 0; i <= n; i++) {
		int ch = (unsigned char)key[i];

		if (r->fold == 'l')
			ch = rel_lc(ch);
		else if (r->fold == 'u' && ch >= 'a' && ch <= 'z')
			ch -= 32;
		k[i] = (char)ch;
	}
	if (rel_ready(r) == REL_DEFER)
		return REL_DEFER;
	if ((c = rel_cache_get(r, k)) != NULL) {
		if (c->status == REL_FOUND && buf_puts(val, c->val) < 0)
			return rel_defer(r, "value too long for the caller", 0);
		return c->status;
	}
	rc = rel_search(r, k, val);
	if (rc == REL_DEFER) {
		buf_reset(val);
		if (r->defer[0] == '\0')
			rel_defer(r, r->name, EIO);
		return REL_DEFER;
	}
	if (rc == REL_FOUND && ((r->opts & REL_OPT_BOOL) ||
	    ((r->opts & REL_OPT_NONNULL) && val->len == 0))) {
		buf_reset(val);
		if (buf_puts(val, k) < 0)
			return rel_defer(r, "value too long for the caller", 0);
	}
	if (rc != REL_FOUND)
		buf_reset(val);
	rel_cache_put(r, k, rc, val);
	return rc;
}

void
rel_free(struct rel *r)
{
	if (r == NULL)
		return;
	rel_unload(r);
	if (r->ops->fini)
		r->ops->fini(r);
	rel_cache_flush(r);
	free(r->cache);
	free(r->file);
	free(r);
}

/* ---- db ----------------------------------------------------------------- */

struct rel_toc {
	struct buf *out;
	int full;
};

static void
rel_toc_one(struct rel *r, void *arg)
{
	struct rel_toc *t = arg;
	char flags[8];
	size_t f = 0;

	if (r->fold)
		flags[f++] = (char)r->fold;
	if (r->opts & REL_OPT_BOOL)
		flags[f++] = 'b';
	if (r->opts & REL_OPT_NONNULL)
		flags[f++] = 'n';
	if (r->opts & REL_OPT_MTIME)
		flags[f++] = 'm';
	flags[f] = '\0';
	if (buf_printf(t->out, "%s\t%s%s%s\tcache=%ld\tttl=%ld\tflags=%s\t"
	    "driver=%s\tfile=%s\n", r->name, r->ops->type,
	    r->subtype[0] ? "," : "", r->subtype, r->cachesize, r->ttl,
	    f ? flags : "-",
	    r->driver == REL_DRV_PATHALIAS ? "pathalias" :
	    r->driver == REL_DRV_LONGEST ? "longestmatch" :
	    r->driver == REL_DRV_NODOT ? "pathalias.nodot" : "-",
	    r->file ? r->file : "-") < 0)
		t->full = 1;
}

static void
rel_fold_copy(const struct rel *r, char *dst, const char *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int ch = (unsigned char)src[i];

		if (r->fold == 'l')
			ch = rel_lc(ch);
		else if (r->fold == 'u' && ch >= 'a' && ch <= 'z')
			ch -= 32;
		dst[i] = (char)ch;
	}
	dst[n] = '\0';
}

/*
 * db add|remove|flush|print|count|toc [NAME [KEY [VALUE]]]
 * Status: 0 ok (remove: the key was there), 1 usage, unsupported or key
 * absent, 2 no such relation, 75 could not tell (err says why).
 */
int
rel_db(int argc, char **argv, struct buf *out, char *err, size_t errsz,
    rel_find_fn find, rel_each_fn each, void *ctx)
{
	static const char *const cmds[] = { "add", "remove", "delete", "flush",
	    "null", "print", "count", "toc", "index" };
	const char *cmd;
	struct rel *r;
	char key[REL_KEY_MAX + 1];
	size_t j, cl;
	int c = 0, rc;

	err[0] = '\0';
	if (argc < 2)
		goto usage;
	cmd = argv[1];
	cl = strlen(cmd);
	for (j = 0; j < sizeof cmds / sizeof cmds[0]; j++) {
		if (cl > 0 && strncmp(cmds[j], cmd, cl) == 0 &&
		    (cl == 1 || cl == strlen(cmds[j]))) {
			c = cmds[j][0];
			break;
		}
	}
	if (c == 'i')
		c = 't';
	if (c == 'n')
		c = 'f';
	if (c == 'd')
		c = 'r';
	if (c == 0)
		goto usage;
	if (c == 't') {
		struct rel_toc t = { out, 0 };

		if (argc != 2)
			goto usage;
		if (each)
			each(ctx, rel_toc_one, &t);
		if (t.full) {
			snprintf(err, errsz, "db: output too long");
			return 1;
		}
		return 0;
	}
	if (argc < 3)
		goto usage;
	if ((r = find ? find(ctx, argv[2]) : NULL) == NULL) {
		snprintf(err, errsz, "db: %.*s: no such relation", REL_NAME_MAX, argv[2]);
		return 2;
	}
	r->defer[0] = '\0';
	switch (c) {
	case 'f':
		if (argc != 3)
			goto usage;
		rel_unload(r);
		rel_cache_flush(r);
		return 0;
	case 'a':
	case 'r':
		if ((c == 'a' && argc != 5) || (c == 'r' && argc != 4))
			goto usage;
		if ((c == 'a' && r->ops->add == NULL) || (c == 'r' && r->ops->del == NULL)) {
			snprintf(err, errsz, "db: %s: type %s does not support %s",
			    r->name, r->ops->type, c == 'a' ? "add" : "remove");
			return 1;
		}
		j = strlen(argv[3]);
		if (j == 0 || j > REL_KEY_MAX || strpbrk(argv[3], " \t\r\n") ||
		    (c == 'a' && (strlen(argv[4]) > REL_VALUE_MAX ||
		    strpbrk(argv[4], " \t\r\n")))) {
			snprintf(err, errsz, "db: %s: bad key or value (no blanks, "
			    "key 1..%d, value up to %d bytes)", r->name, REL_KEY_MAX,
			    REL_VALUE_MAX);
			return 1;
		}
		rel_fold_copy(r, key, argv[3], j);
		rel_cache_flush(r);
		if (r->ops->has_file && rel_ready(r) == REL_DEFER)
			goto defer;
		rc = c == 'a' ? r->ops->add(r, key, argv[4]) : r->ops->del(r, key);
		rel_cache_flush(r);
		if (rc < 0)
			goto defer;
		if (c == 'r' && rc == 0) {
			snprintf(err, errsz, "db: %s: %.*s: not there", r->name,
			    64, key);
			return 1;
		}
		return 0;
	case 'p':
	case 'c':
		if (argc != 3)
			goto usage;
		if (rel_ready(r) == REL_DEFER)
			goto defer;
		if (c == 'p') {
			if (r->ops->print == NULL) {
				snprintf(err, errsz, "db: %s: type %s cannot print",
				    r->name, r->ops->type);
				return 1;
			}
			if (r->ops->print(r, out) < 0)
				goto defer;
		} else {
			long n;

			if (r->ops->count == NULL) {
				snprintf(err, errsz, "db: %s: type %s cannot count",
				    r->name, r->ops->type);
				return 1;
			}
			if ((n = r->ops->count(r)) < 0)
				goto defer;
			if (buf_printf(out, "%ld\n", n) < 0) {
				snprintf(err, errsz, "db: output too long");
				return 1;
			}
		}
		return 0;
	}
usage:
	snprintf(err, errsz, "usage: db add|remove|flush|print|count|toc "
	    "[NAME [KEY [VALUE]]]");
	return 1;
defer:
	snprintf(err, errsz, "db: %s: %s", r->name, rel_defer_reason(r));
	return 75;
}
