/*
 * rel_be.h - what rel.c and the relation back ends (rel_<type>.c) share.
 *
 * Not for the evaluator: it sees only rel.h.  rel.c owns the struct rel,
 * the options, key folding, the -d search drivers, -m change detection
 * and the lookup cache; a back end only answers "is this exact (already
 * folded) key here" and manages its own loaded state.
 *
 * Life of a file-backed relation: nothing is read at definition time;
 * the first lookup calls load(), which opens the file through
 * rel_open_file() (recording its identity in r->st); with -m every later
 * lookup stat()s the path and, if the identity changed, calls unload()
 * and load() again.  `db flush` calls unload() (incore: empties it).
 */
#ifndef ZM_REL_BE_H
#define ZM_REL_BE_H

#include <stddef.h>
#include <sys/stat.h>
#include <time.h>

#include "buf.h"
#include "limits.h"
#include "rel.h"

#define REL_OPT_BOOL     0x01   /* -b */
#define REL_OPT_NONNULL  0x02   /* -n */
#define REL_OPT_MTIME    0x04   /* -m */

enum rel_driver { REL_DRV_NONE, REL_DRV_PATHALIAS, REL_DRV_LONGEST,
	REL_DRV_NODOT };

struct rel;

struct rel_ops {
	const char *type;
	int  has_file;          /* -f required and watched */
	/* Check the subtype and set up r->be.  0, or -1 with err filled. */
	int  (*init)(struct rel *r, char *err, size_t errsz);
	/* Read or map the file.  REL_FOUND (1) or REL_DEFER with rel_defer(). */
	int  (*load)(struct rel *r);
	/* Exact lookup of a folded key: 1/0/-1; the value goes to val. */
	int  (*get)(struct rel *r, const char *key, size_t klen, struct buf *val);
	/* NULL when unsupported.  0 ok, -1 with rel_defer() set. */
	int  (*add)(struct rel *r, const char *key, const char *val);
	int  (*del)(struct rel *r, const char *key);     /* 1 removed, 0 absent */
	/* Every entry as "key\tvalue\n" into out; 0, or -1 with rel_defer(). */
	int  (*print)(struct rel *r, struct buf *out);
	long (*count)(struct rel *r);                     /* -1 with rel_defer() */
	void (*unload)(struct rel *r);                    /* drop what load() made */
	void (*fini)(struct rel *r);                      /* free r->be */
};

struct rel_cent {
	char   *key;
	char   *val;
	int     status;         /* REL_FOUND or REL_NOTFOUND */
	time_t  when;
	unsigned long used;
};

struct rel {
	char    name[REL_NAME_MAX + 1];
	char    subtype[16];
	const struct rel_ops *ops;
	char   *file;           /* -f, NULL if none */
	int     fold;           /* 0, 'l' or 'u' */
	int     opts;           /* REL_OPT_* */
	enum rel_driver driver;
	long    ttl;            /* -e seconds, 0 = no expiry */
	long    cachesize;      /* -s entries, 0 = no cache */
	int     loaded;
	struct stat st;         /* identity of the file when loaded */
	void   *be;             /* back end state */
	char    defer[REL_DEFER_MAX];
	unsigned long skipped;  /* bad lines skipped by the last load */
	struct rel_cent *cache;
	unsigned long tick;
};

/* Record why a lookup could not tell; returns REL_DEFER. */
int  rel_defer(struct rel *r, const char *what, int err);
/*
 * Open r->file read-only, check it is a regular file of at most maxsize
 * bytes, record its identity in r->st.  The fd, or -1 with rel_defer().
 */
int  rel_open_file(struct rel *r, off_t maxsize);

/*
 * Read the whole of r->file (at most maxsize bytes) into a malloc'd
 * buffer with a NUL after it.  REL_FOUND, or REL_DEFER with rel_defer().
 */
int  rel_read_file(struct rel *r, off_t maxsize, char **data, size_t *len);

/*
 * Walk the lines of a text list: for each line that is not blank or a
 * comment, call fn with the key (first word) and value (second word, may
 * be empty).  Over-long lines, keys and values are reported as
 * file:line and skipped (counted in r->skipped), as are lines for which fn
 * returns 1 (a malformed key: fn says why in why).  fn returning -1 stops
 * the walk (out of room) and rel_text_walk returns -1.
 */
typedef int (*rel_line_fn)(void *arg, const char *key, size_t klen,
    const char *val, size_t vlen, unsigned long lineno, const char **why);
int  rel_text_walk(struct rel *r, const char *data, size_t len,
    rel_line_fn fn, void *arg);
/* Report one bad line (rate-limited per load by r->skipped). */
void rel_report(struct rel *r, unsigned long lineno, const char *why);

/* ASCII case folding, locale-free. */
static inline int rel_lc(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
/* A blank inside a line of a list file. */
static inline int rel_blank(int c) { return c == ' ' || c == '\t' || c == '\r'; }
/* Equal keys of the same length, ASCII case ignored. */
static inline int
rel_keyeq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rel_lc((unsigned char)a[i]) != rel_lc((unsigned char)b[i]))
			return 0;
	return 1;
}
/* FNV-1a over the lower-cased bytes. */
unsigned long rel_hash(const char *s, size_t n);

extern const struct rel_ops rel_unordered_ops;
extern const struct rel_ops rel_ordered_ops;
extern const struct rel_ops rel_incore_ops;
extern const struct rel_ops rel_cidr_ops;
extern const struct rel_ops rel_bind_ops;
extern const struct rel_ops rel_lmdb_ops;
extern const struct rel_ops rel_nscache_ops;

#endif
