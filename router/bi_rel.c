/*
 * bi_rel.c - the `relation` and `db` builtins and relation lookups, on
 * top of router/rel.h.
 *
 * A lookup `NAME key` leaves the value in in->rval with status 0, or
 * status 1 when not found, or status 75 with $defer set when the
 * relation could not tell.  A lookup never prints: used as a bare
 * statement it cannot put its value into an SMTP reply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "rel.h"

static char **
str_argv(struct interp *in, int argc, struct val **argv)
{
	char **a = arena_calloc(&in->tmp, (size_t)argc + 1, sizeof(*a));
	int i;

	for (i = 0; i < argc; i++)
		a[i] = (char *)arg_str(in, argv[i]);
	return a;
}

int
bi_relation(struct interp *in, int argc, struct val **argv)
{
	struct rel *r;
	char err[512];
	const char *name;

	if (rel_define(argc, str_argv(in, argc, argv), &r, err, sizeof(err)) < 0) {
		io_errorf(in, "%s", err);
		return 1;
	}
	name = rel_name(r);
	if (hmap_get(&in->rels, name) != NULL) {
		io_errorf(in, "relation: %s: already defined", name);
		rel_free(r);
		return 4;
	}
	if (func_get(in, name) != NULL) {
		io_errorf(in, "relation: %s: is a function", name);
		rel_free(r);
		return 5;
	}
	if (bi_find(name) != NULL) {
		io_errorf(in, "relation: %s: is a builtin", name);
		rel_free(r);
		return 6;
	}
	if (in->rels.n >= ZMSH_RELS_MAX) {
		rel_free(r);
		interp_fatal(in, "more than %d relations", ZMSH_RELS_MAX);
	}
	hmap_put(&in->rels, name, r);
	return 0;
}

int
rel_call(struct interp *in, const char *name, int argc, struct val **argv)
{
	struct rel *r = hmap_get(&in->rels, name);
	struct buf val;
	const char *key;
	int rc;

	if (r == NULL)
		return -1;
	in->rval = NULL;
	if (argc < 2 || *(key = arg_str(in, argv[1])) == '\0') {
		io_errorf(in, "%s: null key looked up", name);
		return 1;
	}
	buf_init(&val, REL_VALUE_MAX + 1);
	rc = rel_lookup(r, key, &val);
	if (rc == REL_FOUND) {
		in->rval = val_str(in, val.data ? val.data : "", val.len);
		buf_free(&val);
		return 0;
	}
	buf_free(&val);
	if (rc == REL_DEFER) {
		const char *why = rel_defer_reason(r);
		var_set_str(in, "defer", why != NULL ? why : name);
		return 75;
	}
	return 1;
}

static struct rel *
find_rel(void *ctx, const char *name)
{
	struct interp *in = ctx;

	return hmap_get(&in->rels, name);
}

struct walk {
	void   (*fn)(struct rel *, void *);
	void    *arg;
};

static void
walk_one(const char *key, void *data, void *arg)
{
	struct walk *w = arg;

	(void)key;
	w->fn(data, w->arg);
}

static void
each_rel(void *ctx, void (*fn)(struct rel *, void *), void *arg)
{
	struct interp *in = ctx;
	struct walk w;

	w.fn = fn;
	w.arg = arg;
	hmap_walk(&in->rels, walk_one, &w);
}

static void
out_cleanup(struct interp *in, void *p)
{
	(void)in;
	buf_free(p);
}

int
bi_db(struct interp *in, int argc, struct val **argv)
{
	struct buf *out = arena_calloc(&in->tmp, 1, sizeof(*out));
	char err[512];
	int st;

	err[0] = '\0';
	buf_init(out, REL_OUT_MAX);
	cleanup_push(in, out_cleanup, out);
	st = rel_db(argc, str_argv(in, argc, argv), out, err, sizeof(err),
	    find_rel, each_rel, in);
	if (out->len > 0)
		io_write(in, 1, out->data, out->len);
	if (st != 0 && err[0] != '\0')
		io_errorf(in, "%s", err);
	cleanup_pop(in, 1);
	return st;
}

static void
free_rel(void *p)
{
	rel_free(p);
}

void
rel_free_all(struct interp *in)
{
	hmap_clear(&in->rels, free_rel);
	hmap_init(&in->rels);
}
