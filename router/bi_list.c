/*
 * bi_list.c - list builtins: car first cdr rest last list length get
 * elements grind lappend lreplace channel host user attributes, and the
 * `setf` special form.
 *
 * Value-returning builtins leave their result in in->rval (what $(...)
 * yields) and return 0 when it is non-empty, 1 otherwise; used as a bare
 * statement with stdout not captured they print it in grind form.
 */
#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "util.h"


static int
ret(struct interp *in, struct val *v)
{
	in->rval = v;
	return v != NULL && v->n > 0 ? 0 : 1;
}

static struct val *
nth(struct val *l, size_t i)
{
	if (l->type != V_LIST)
		return i == 0 ? l : NULL;
	return i < l->n ? l->v[i] : NULL;
}

static int
bi_car(struct interp *in, int argc, struct val **argv)
{
	if (argc < 2)
		return bi_usage(in, "car LIST");
	return ret(in, nth(argv[1], 0));
}

static int
bi_cdr(struct interp *in, int argc, struct val **argv)
{
	struct val *l, *r;
	size_t i;

	if (argc < 2)
		return bi_usage(in, "cdr LIST");
	l = argv[1];
	if (l->type != V_LIST || l->n == 0)
		return ret(in, val_list(in, 0));
	r = val_list(in, l->n - 1);
	for (i = 1; i < l->n; i++)
		r->v[i - 1] = l->v[i];
	return ret(in, r);
}

static int
bi_last(struct interp *in, int argc, struct val **argv)
{
	struct val *l;

	if (argc < 2)
		return bi_usage(in, "last LIST");
	l = argv[1];
	if (l->type != V_LIST)
		return ret(in, l);
	return ret(in, l->n ? l->v[l->n - 1] : NULL);
}

static int
bi_list(struct interp *in, int argc, struct val **argv)
{
	struct val *r = val_list(in, (size_t)(argc - 1));
	int i;

	for (i = 1; i < argc; i++)
		r->v[i - 1] = argv[i];
	in->rval = r;
	return 0;
}

static int
bi_length(struct interp *in, int argc, struct val **argv)
{
	char tmp[32];
	size_t n;

	if (argc < 2)
		return bi_usage(in, "length LIST");
	n = argv[1]->type == V_LIST ? argv[1]->n : 1;
	snprintf(tmp, sizeof(tmp), "%zu", n);
	in->rval = val_cstr(in, tmp);
	return 0;
}

static long
plist_find(struct interp *in, struct val *l, const char *key)
{
	size_t i;

	if (l == NULL || l->type != V_LIST)
		return -1;
	for (i = 0; i + 1 < l->n; i += 2)
		if (strcmp(arg_str(in, l->v[i]), key) == 0)
			return (long)i;
	return -1;
}

static int
bi_get(struct interp *in, int argc, struct val **argv)
{
	long i;

	if (argc < 3)
		return bi_usage(in, "get LIST KEY");
	i = plist_find(in, argv[1], arg_str(in, argv[2]));
	return ret(in, i >= 0 ? argv[1]->v[i + 1] : NULL);
}

static int
bi_elements(struct interp *in, int argc, struct val **argv)
{
	struct val *r;
	size_t i, n = 0;
	int a;

	for (a = 1; a < argc; a++)
		n += argv[a]->type == V_LIST ? argv[a]->n : 1;
	r = val_list(in, n);
	n = 0;
	for (a = 1; a < argc; a++) {
		if (argv[a]->type != V_LIST) {
			r->v[n++] = argv[a];
			continue;
		}
		for (i = 0; i < argv[a]->n; i++)
			r->v[n++] = argv[a]->v[i];
	}
	r->splice = 1;
	in->rval = r;
	return n > 0 ? 0 : 1;
}

static int
bi_grind(struct interp *in, int argc, struct val **argv)
{
	struct buf *b = buf_scratch(in, ZMSH_VALUE_MAX * 2);
	int i;

	for (i = 1; i < argc; i++) {
		val_grind(b, argv[i]);
		buf_putc(b, '\n');
	}
	io_write(in, 1, b->data ? b->data : "", b->len);
	cleanup_pop(in, 1);
	return 0;
}

/* Make *slot a heap list (a string becomes a one-member list). */
static struct val *
heap_list(struct interp *in, struct val **slot)
{
	struct val *v = *slot;

	if (v != NULL && v->type == V_LIST)
		return v;
	{
		struct val *l = xcalloc(1, sizeof(*l));
		l->type = V_LIST;
		l->v = xcalloc(1, sizeof(*l->v));
		if (v != NULL && v->n > 0) {
			l->v[0] = v;
			l->n = 1;
		} else
			val_heap_free(v);
		*slot = l;
		(void)in;
		return l;
	}
}

static void
heap_append(struct interp *in, struct val *l, struct val *item)
{
	struct val **nv;

	if (l->n >= ZMSH_LIST_MAX)
		interp_fatal(in, "list longer than %d members", ZMSH_LIST_MAX);
	nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
	if (nv == NULL)
		interp_fatal(in, "out of memory");
	l->v = nv;
	l->v[l->n++] = val_heap(in, item);
}

static int
bi_lappend(struct interp *in, int argc, struct val **argv)
{
	struct val *l;
	int i;

	if (argc < 2)
		return bi_usage(in, "lappend VAR VALUE...");
	l = heap_list(in, var_slot(in, arg_str(in, argv[1])));
	for (i = 2; i < argc; i++)
		heap_append(in, l, argv[i]);
	return 0;
}

static int
bi_lreplace(struct interp *in, int argc, struct val **argv)
{
	struct val *l;
	const char *k;
	long i;

	if (argc < 4)
		return bi_usage(in, "lreplace VAR INDEX-OR-KEY VALUE");
	l = heap_list(in, var_slot(in, arg_str(in, argv[1])));
	k = arg_str(in, argv[2]);
	if (util_parse_long(k, 0, ZMSH_LIST_MAX, &i) == 0) {
		if ((size_t)i >= l->n)
			return 1;
		val_heap_free(l->v[i]);
		l->v[i] = val_heap(in, argv[3]);
		return 0;
	}
	if ((i = plist_find(in, l, k)) >= 0) {
		val_heap_free(l->v[i + 1]);
		l->v[i + 1] = val_heap(in, argv[3]);
		return 0;
	}
	heap_append(in, l, argv[2]);
	heap_append(in, l, argv[3]);
	return 0;
}

static int
quad(struct interp *in, int argc, struct val **argv, size_t i)
{
	if (argc < 2)
		return bi_usage(in, "channel|host|user|attributes QUAD");
	return ret(in, nth(argv[1], i));
}

static int
bi_channel(struct interp *in, int argc, struct val **argv)
{
	return quad(in, argc, argv, 0);
}

static int
bi_host(struct interp *in, int argc, struct val **argv)
{
	return quad(in, argc, argv, 1);
}

static int
bi_user(struct interp *in, int argc, struct val **argv)
{
	return quad(in, argc, argv, 2);
}

static int
bi_attributes(struct interp *in, int argc, struct val **argv)
{
	return quad(in, argc, argv, 3);
}

/* ---- setf ------------------------------------------------------------ */
/*
 * The place a word names: $VAR, or $(get PLACE key), $(car PLACE),
 * $(first PLACE), $(last PLACE) around one.  Returns the heap slot;
 * a missing property is added (the 1998 consist.cf depends on it).
 */
static struct val **
place(struct interp *in, struct word *w, int depth)
{
	struct node *c, *s;
	const char *op;
	struct val **base, *l;

	if (depth > 20 || w->nparts != 1)
		goto bad;
	if (w->parts[0].type == WP_PARAM && w->parts[0].op == PO_NONE)
		return var_slot(in, w->parts[0].text);
	if (w->parts[0].type != WP_CMDSUB)
		goto bad;
	c = w->parts[0].cmd;
	if (c->type != N_LIST || c->nkids != 1 || (s = c->kids[0])->type != N_SIMPLE ||
	    s->nwords < 2 || s->words[0]->lit == NULL)
		goto bad;
	op = s->words[0]->lit;
	base = place(in, s->words[1], depth + 1);
	l = heap_list(in, base);
	if (strcmp(op, "get") == 0 && s->nwords == 3) {
		const char *key = exp_string(in, s->words[2], NULL);
		long i = plist_find(in, l, key);
		struct val *empty;
		if (i >= 0)
			return &l->v[i + 1];
		empty = val_str(in, "", 0);
		heap_append(in, l, val_cstr(in, key));
		heap_append(in, l, empty);
		return &l->v[l->n - 1];
	}
	if (strcmp(op, "car") == 0 || strcmp(op, "first") == 0) {
		if (l->n == 0)
			heap_append(in, l, val_str(in, "", 0));
		return &l->v[0];
	}
	if (strcmp(op, "last") == 0) {
		if (l->n == 0)
			heap_append(in, l, val_str(in, "", 0));
		return &l->v[l->n - 1];
	}
bad:
	interp_fatal(in, "setf: not a place: use $VAR, $(get PLACE key), "
	    "$(car PLACE), $(cdr PLACE) or $(last PLACE)");
}

int
bi_setf(struct interp *in, struct node *n)
{
	struct val **slot, *nv;
	struct word *w;

	if (n->nwords < 2)
		return bi_usage(in, "setf PLACE VALUE");
	nv = n->nwords > 2 ? exp_value(in, n->words[2]) : val_str(in, "", 0);
	w = n->words[1];
	/* $(cdr PLACE): replace the tail */
	if (w->nparts == 1 && w->parts[0].type == WP_CMDSUB) {
		struct node *c = w->parts[0].cmd, *s;
		if (c->type == N_LIST && c->nkids == 1 &&
		    (s = c->kids[0])->type == N_SIMPLE && s->nwords == 2 &&
		    s->words[0]->lit != NULL && (strcmp(s->words[0]->lit, "cdr") == 0 ||
		    strcmp(s->words[0]->lit, "rest") == 0)) {
			struct val *l = heap_list(in, place(in, s->words[1], 1));
			size_t i;
			for (i = 1; i < l->n; i++)
				val_heap_free(l->v[i]);
			l->n = l->n > 0 ? 1 : 0;
			if (l->n == 0)
				heap_append(in, l, val_str(in, "", 0));
			if (nv->type == V_LIST)
				for (i = 0; i < nv->n; i++)
					heap_append(in, l, nv->v[i]);
			else
				heap_append(in, l, nv);
			in->gen++;
			return 0;
		}
	}
	slot = place(in, w, 0);
	val_heap_free(*slot);
	*slot = val_heap(in, nv);
	in->gen++;
	return 0;
}

const struct builtin bi_list_tab[] = {
	{ "attributes", bi_attributes,  BI_LISTVAL },
	{ "car",        bi_car,         BI_LISTVAL },
	{ "cdr",        bi_cdr,         BI_LISTVAL },
	{ "channel",    bi_channel,     BI_LISTVAL },
	{ "elements",   bi_elements,    BI_LISTVAL },
	{ "first",      bi_car,         BI_LISTVAL },
	{ "get",        bi_get,         BI_LISTVAL },
	{ "grind",      bi_grind,       0 },
	{ "host",       bi_host,        BI_LISTVAL },
	{ "lappend",    bi_lappend,     0 },
	{ "last",       bi_last,        BI_LISTVAL },
	{ "length",     bi_length,      BI_LISTVAL },
	{ "list",       bi_list,        BI_LISTVAL },
	{ "lreplace",   bi_lreplace,    0 },
	{ "rest",       bi_cdr,         BI_LISTVAL },
	{ "user",       bi_user,        BI_LISTVAL },
};
const size_t bi_list_n = sizeof(bi_list_tab) / sizeof(bi_list_tab[0]);
