/*
 * rel_incore.c - relation type `incore`: a table in memory, filled with
 * `db add` and emptied by `db flush`.
 *
 * Keys compare exactly (after the relation's -l/-u folding, as in
 * Zmailer).  At most REL_INCORE_MAX entries; an add past it fails.  `db
 * add` of an existing key replaces its value.  Nothing is shared between
 * processes: each router process has its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rel_be.h"

struct ic_ent {
	char   *key;
	char   *val;
	unsigned long seq;      /* insertion order, for print */
};

struct ic {
	struct ic_ent *tab;     /* open addressing; key NULL = empty */
	size_t  mask;
	size_t  n;
	size_t  tomb;           /* deleted slots (key == ic_tomb) */
	unsigned long seq;
};

static char ic_tomb[] = "";

static struct ic *
ic_of(struct rel *r)
{
	return r->be;
}

static int
ic_init(struct rel *r, char *err, size_t errsz)
{
	if (r->subtype[0]) {
		snprintf(err, errsz, "relation: %s: type incore takes no subtype", r->name);
		return -1;
	}
	if ((r->be = calloc(1, sizeof(struct ic))) == NULL) {
		snprintf(err, errsz, "relation: out of memory");
		return -1;
	}
	return 0;
}

static unsigned long
ic_hash(const char *s)
{
	unsigned long h = 2166136261UL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619UL;
	return h;
}

static struct ic_ent *
ic_slot(struct ic *c, const char *key)
{
	size_t i;

	if (c->tab == NULL)
		return NULL;
	for (i = ic_hash(key) & c->mask; c->tab[i].key; i = (i + 1) & c->mask)
		if (c->tab[i].key != ic_tomb && strcmp(c->tab[i].key, key) == 0)
			return &c->tab[i];
	return NULL;
}

static void
ic_clear(struct rel *r)
{
	struct ic *c = ic_of(r);
	size_t i;

	for (i = 0; c->tab && i <= c->mask; i++) {
		if (c->tab[i].key && c->tab[i].key != ic_tomb) {
			free(c->tab[i].key);
			free(c->tab[i].val);
		}
	}
	free(c->tab);
	memset(c, 0, sizeof *c);
}

static void
ic_fini(struct rel *r)
{
	ic_clear(r);
	free(r->be);
	r->be = NULL;
}

static int
ic_get(struct rel *r, const char *key, size_t klen, struct buf *val)
{
	struct ic_ent *e = ic_slot(ic_of(r), key);

	(void)klen;
	if (e == NULL)
		return REL_NOTFOUND;
	if (buf_puts(val, e->val) < 0)
		return rel_defer(r, "value too long for the caller", 0);
	return REL_FOUND;
}

/* Grow (or clean of tombstones) so that one more entry fits at <= 1/2 load. */
static int
ic_room(struct ic *c)
{
	struct ic_ent *old = c->tab;
	size_t oldsz = c->tab ? c->mask + 1 : 0, sz = 16, i;

	if (c->tab && (c->n + c->tomb + 1) * 2 <= oldsz)
		return 0;
	while (sz < (c->n + 1) * 4)
		sz *= 2;
	if ((c->tab = calloc(sz, sizeof *c->tab)) == NULL) {
		c->tab = old;
		return -1;
	}
	c->mask = sz - 1;
	c->tomb = 0;
	for (i = 0; i < oldsz; i++) {
		size_t h;

		if (old[i].key == NULL || old[i].key == ic_tomb)
			continue;
		for (h = ic_hash(old[i].key) & c->mask; c->tab[h].key; h = (h + 1) & c->mask)
			;
		c->tab[h] = old[i];
	}
	free(old);
	return 0;
}

static int
ic_add(struct rel *r, const char *key, const char *val)
{
	struct ic *c = ic_of(r);
	struct ic_ent *e = ic_slot(c, key);
	char *v = strdup(val), *k;
	size_t h;

	if (v == NULL)
		return rel_defer(r, "out of memory", 0);
	if (e) {
		free(e->val);
		e->val = v;
		return 0;
	}
	if (c->n >= REL_INCORE_MAX) {
		free(v);
		return rel_defer(r, "incore relation full", 0);
	}
	if (ic_room(c) < 0 || (k = strdup(key)) == NULL) {
		free(v);
		return rel_defer(r, "out of memory", 0);
	}
	for (h = ic_hash(key) & c->mask; c->tab[h].key && c->tab[h].key != ic_tomb;
	    h = (h + 1) & c->mask)
		;
	if (c->tab[h].key == ic_tomb)
		c->tomb--;
	c->tab[h].key = k;
	c->tab[h].val = v;
	c->tab[h].seq = ++c->seq;
	c->n++;
	return 0;
}

static int
ic_del(struct rel *r, const char *key)
{
	struct ic *c = ic_of(r);
	struct ic_ent *e = ic_slot(c, key);

	if (e == NULL)
		return 0;
	free(e->key);
	free(e->val);
	e->key = ic_tomb;
	e->val = NULL;
	c->n--;
	c->tomb++;
	return 1;
}

static int
ic_seqcmp(const void *a, const void *b)
{
	const struct ic_ent *x = *(const struct ic_ent *const *)a;
	const struct ic_ent *y = *(const struct ic_ent *const *)b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
ic_print(struct rel *r, struct buf *out)
{
	struct ic *c = ic_of(r);
	struct ic_ent **v;
	size_t i, n = 0;
	int rc = 0;

	if (c->n == 0)
		return 0;
	if ((v = calloc(c->n, sizeof *v)) == NULL)
		return rel_defer(r, "out of memory", 0);
	for (i = 0; i <= c->mask; i++)
		if (c->tab[i].key && c->tab[i].key != ic_tomb && n < c->n)
			v[n++] = &c->tab[i];
	qsort(v, n, sizeof *v, ic_seqcmp);
	for (i = 0; i < n; i++) {
		if (buf_printf(out, "%s\t%s\n", v[i]->key, v[i]->val) < 0) {
			rc = rel_defer(r, "output too long", 0);
			break;
		}
	}
	free(v);
	return rc < 0 ? -1 : 0;
}

static long
ic_count(struct rel *r)
{
	return (long)ic_of(r)->n;
}

const struct rel_ops rel_incore_ops = {
	.type = "incore",
	.has_file = 0,
	.init = ic_init,
	.get = ic_get,
	.add = ic_add,
	.del = ic_del,
	.print = ic_print,
	.count = ic_count,
	.unload = ic_clear,
	.fini = ic_fini,
};
