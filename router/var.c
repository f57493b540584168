/*
 * var.c - variables: the global table, call frames (named parameters and
 * `local`), temporary assignments (NAME=value cmd), positional
 * parameters, and the environment handed to programs.
 *
 * Scoping is dynamic, as in the Bourne shell family: a name is looked up
 * in the innermost frame first, then outwards, then in the globals.
 */
#include <stdlib.h>
#include <string.h>

#include "interp.h"

static struct var *
frame_find(struct frame *f, const char *name)
{
	struct var *v;

	for (v = f->vars; v != NULL; v = v->next)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}

static struct var *
var_find(struct interp *in, const char *name)
{
	size_t i;
	struct var *v;

	for (i = in->nframes; i-- > 0;)
		if ((v = frame_find(&in->frames[i], name)) != NULL)
			return v;
	return hmap_get(&in->globals, name);
}

struct val *
var_get(struct interp *in, const char *name)
{
	struct var *v = var_find(in, name);

	return v != NULL ? v->v : NULL;
}

const char *
var_str(struct interp *in, const char *name)
{
	struct val *v = var_get(in, name);

	if (v == NULL)
		return NULL;
	return val_text(in, v, NULL);
}

static struct var *
global_new(struct interp *in, const char *name)
{
	struct var *v;

	if (in->globals.n >= ZMSH_VARS_MAX)
		interp_fatal(in, "more than %d variables", ZMSH_VARS_MAX);
	v = xcalloc(1, sizeof(*v));
	v->name = xstrdup(name);
	hmap_put(&in->globals, v->name, v);
	return v;
}

void
var_set(struct interp *in, const char *name, const struct val *val)
{
	struct var *v = var_find(in, name);
	struct val *nv = val_heap(in, val);

	nv->splice = 0;
	if (v == NULL) {
		v = global_new(in, name);
		if (in->opt_a)
			v->exported = 1;
	}
	val_heap_free(v->v);
	v->v = nv;
	in->gen++;
}

void
var_set_str(struct interp *in, const char *name, const char *s)
{
	struct val tmp;

	memset(&tmp, 0, sizeof(tmp));
	tmp.type = V_STR;
	tmp.s = (char *)s;
	tmp.n = strlen(s);
	var_set(in, name, &tmp);
}

void
var_set_global(struct interp *in, const char *name, const char *s, int exp)
{
	struct var *v = hmap_get(&in->globals, name);
	struct val tmp;

	memset(&tmp, 0, sizeof(tmp));
	tmp.type = V_STR;
	tmp.s = (char *)s;
	tmp.n = strlen(s);
	if (v == NULL)
		v = global_new(in, name);
	val_heap_free(v->v);
	v->v = val_heap(in, &tmp);
	if (exp)
		v->exported = 1;
	in->gen++;
}

void
var_unset(struct interp *in, const char *name)
{
	struct var *v = var_find(in, name);

	if (v == NULL)
		return;
	val_heap_free(v->v);
	v->v = NULL;
	if (v == hmap_get(&in->globals, name)) {
		hmap_del(&in->globals, name);
		free(v->name);
		free(v);
	}
	in->gen++;
}

void
var_export(struct interp *in, const char *name)
{
	struct var *v = var_find(in, name);

	if (v == NULL) {
		v = global_new(in, name);
		v->v = NULL;
	}
	v->exported = 1;
}

void
var_local(struct interp *in, const char *name, const struct val *val)
{
	size_t i;
	struct frame *f = NULL;
	struct var *v;

	for (i = in->nframes; i-- > 0;)
		if (in->frames[i].func) {
			f = &in->frames[i];
			break;
		}
	if (f == NULL) {
		var_set(in, name, val);
		return;
	}
	if ((v = frame_find(f, name)) == NULL) {
		v = xcalloc(1, sizeof(*v));
		v->name = xstrdup(name);
		v->next = f->vars;
		f->vars = v;
	}
	val_heap_free(v->v);
	v->v = val_heap(in, val);
	in->gen++;
}

struct frame *
frame_push(struct interp *in, int func)
{
	struct frame *f;

	if (in->nframes == in->capframes) {
		size_t ncap = in->capframes ? in->capframes * 2 : 16;
		struct frame *nf = xcalloc(ncap, sizeof(*nf));
		if (in->nframes)
			memcpy(nf, in->frames, in->nframes * sizeof(*nf));
		free(in->frames);
		in->frames = nf;
		in->capframes = ncap;
	}
	f = &in->frames[in->nframes++];
	memset(f, 0, sizeof(*f));
	f->func = func;
	return f;
}

void
frame_pop(struct interp *in)
{
	struct frame *f = &in->frames[--in->nframes];
	struct var *v, *next;
	size_t i;

	for (v = f->vars; v != NULL; v = next) {
		next = v->next;
		val_heap_free(v->v);
		free(v->name);
		free(v);
	}
	for (i = 0; i < f->npos; i++)
		val_heap_free(f->pos[i]);
	free(f->pos);
	if (f->unit != NULL)
		unit_unref(f->unit);
	in->gen++;
}

static struct frame *
pos_frame(struct interp *in)
{
	size_t i;

	for (i = in->nframes; i-- > 0;)
		if (in->frames[i].func)
			return &in->frames[i];
	return NULL;
}

size_t
pos_count(struct interp *in)
{
	struct frame *f = pos_frame(in);

	return f != NULL ? f->npos : in->ngpos;
}

struct val *
pos_get(struct interp *in, size_t i)
{
	struct frame *f = pos_frame(in);
	size_t n = f != NULL ? f->npos : in->ngpos;
	struct val **p = f != NULL ? f->pos : in->gpos;

	if (i == 0 || i > n)
		return NULL;
	return p[i - 1];
}

void
pos_set(struct interp *in, int argc, struct val **argv)
{
	struct frame *f = pos_frame(in);
	struct val ***pp = f != NULL ? &f->pos : &in->gpos;
	size_t *np = f != NULL ? &f->npos : &in->ngpos;
	struct val **nv;
	size_t i;

	nv = xcalloc((size_t)argc + 1, sizeof(*nv));
	for (i = 0; i < (size_t)argc; i++)
		nv[i] = val_heap(in, argv[i]);
	for (i = 0; i < *np; i++)
		val_heap_free((*pp)[i]);
	free(*pp);
	*pp = nv;
	*np = (size_t)argc;
	in->gen++;
}

struct envb {
	struct interp *in;
	char   **env;
	size_t   n, cap;
};

static int
env_has(struct envb *e, const char *name)
{
	size_t i, l = strlen(name);

	for (i = 0; i < e->n; i++)
		if (strncmp(e->env[i], name, l) == 0 && e->env[i][l] == '=')
			return 1;
	return 0;
}

static void
env_add(struct envb *e, struct var *v)
{
	size_t ln, lv;
	const char *s;
	char *p;

	if (!v->exported || v->v == NULL || env_has(e, v->name))
		return;
	s = val_text(e->in, v->v, &lv);
	if (e->n + 2 > e->cap) {
		size_t ncap = e->cap ? e->cap * 2 : 64;
		char **ne = arena_calloc(&e->in->tmp, ncap, sizeof(*ne));
		if (e->n)
			memcpy(ne, e->env, e->n * sizeof(*ne));
		e->env = ne;
		e->cap = ncap;
	}
	ln = strlen(v->name);
	p = arena_alloc(&e->in->tmp, ln + lv + 2);
	memcpy(p, v->name, ln);
	p[ln] = '=';
	memcpy(p + ln + 1, s, lv);
	p[ln + 1 + lv] = '\0';
	e->env[e->n++] = p;
	e->env[e->n] = NULL;
}

static void
env_walk(const char *key, void *data, void *arg)
{
	(void)key;
	env_add(arg, data);
}

char **
var_environ(struct interp *in, struct frame *extra)
{
	struct envb e;
	struct var *v;
	size_t i;

	memset(&e, 0, sizeof(e));
	e.in = in;
	if (extra != NULL)
		for (v = extra->vars; v != NULL; v = v->next)
			env_add(&e, v);
	for (i = in->nframes; i-- > 0;)
		if (!in->frames[i].func)
			for (v = in->frames[i].vars; v != NULL; v = v->next)
				env_add(&e, v);
	hmap_walk(&in->globals, env_walk, &e);
	if (e.env == NULL) {
		e.env = arena_calloc(&in->tmp, 1, sizeof(*e.env));
	}
	return e.env;
}

/* The heap slot of a variable for in-place list edits (created empty). */
struct val **
var_slot(struct interp *in, const char *name)
{
	struct var *v = var_find(in, name);

	if (v == NULL)
		v = global_new(in, name);
	in->gen++;
	return &v->v;
}
