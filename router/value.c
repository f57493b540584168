/*
 * value.c - strings and lists (arena temporaries, heap copies for
 * variables), their text form and grind.
 *
 * A list never has more than ZMSH_LIST_MAX members and a string never
 * more than ZMSH_VALUE_MAX bytes; making a bigger one is a script error.
 */
#include <stdlib.h>
#include <string.h>

#include "interp.h"

struct val *
val_str(struct interp *in, const char *s, size_t n)
{
	struct val *v;

	if (n > ZMSH_VALUE_MAX)
		interp_fatal(in, "string longer than %ld bytes", (long)ZMSH_VALUE_MAX);
	v = arena_alloc(&in->tmp, sizeof(*v));
	memset(v, 0, sizeof(*v));
	v->type = V_STR;
	v->n = n;
	v->s = arena_strndup(&in->tmp, s, n);
	return v;
}

struct val *
val_cstr(struct interp *in, const char *s)
{
	return val_str(in, s, strlen(s));
}

struct val *
val_list(struct interp *in, size_t n)
{
	struct val *v;

	if (n > ZMSH_LIST_MAX)
		interp_fatal(in, "list longer than %d members", ZMSH_LIST_MAX);
	v = arena_alloc(&in->tmp, sizeof(*v));
	memset(v, 0, sizeof(*v));
	v->type = V_LIST;
	v->n = n;
	v->v = arena_calloc(&in->tmp, n ? n : 1, sizeof(*v->v));
	return v;
}

struct val *
val_copy(struct interp *in, const struct val *v)
{
	struct val *c;
	size_t i;

	if (v->type == V_STR)
		return val_str(in, v->s, v->n);
	c = val_list(in, v->n);
	for (i = 0; i < v->n; i++)
		c->v[i] = val_copy(in, v->v[i]);
	return c;
}

/*
 * Bytes of text that heap values (variables, positionals) hold, against
 * ZMSH_HEAP_MAX: the arena bounds temporaries, this what lives on (a
 * list of 100000 members of 1 MB each would be 100 GB; found by
 * tests/fuzz/fuzz_zmsheval.c).  One interpreter per process.
 */
static size_t heap_text;

static size_t
val_textbytes(const struct val *v)
{
	size_t i, n = 0;

	if (v->type == V_STR)
		return v->n + 1;
	for (i = 0; i < v->n; i++)
		n += val_textbytes(v->v[i]);
	return n;
}

static struct val *
val_heap_copy(const struct val *v)
{
	struct val *c = xcalloc(1, sizeof(*c));
	size_t i;

	c->type = v->type;
	c->n = v->n;
	if (v->type == V_STR) {
		c->s = xmalloc(v->n + 1);
		memcpy(c->s, v->s, v->n);
		c->s[v->n] = '\0';
		return c;
	}
	c->v = xcalloc(v->n ? v->n : 1, sizeof(*c->v));
	for (i = 0; i < v->n; i++)
		c->v[i] = val_heap_copy(v->v[i]);
	return c;
}

struct val *
val_heap(struct interp *in, const struct val *v)
{
	size_t need = val_textbytes(v);

	if (need > (size_t)ZMSH_HEAP_MAX - heap_text)
		interp_fatal(in, "variables would hold more than %ld bytes",
		    (long)ZMSH_HEAP_MAX);
	heap_text += need;
	return val_heap_copy(v);
}

void
val_heap_free(struct val *v)
{
	size_t i;

	if (v == NULL)
		return;
	if (v->type == V_STR) {
		heap_text -= heap_text > v->n ? v->n + 1 : heap_text;
		free(v->s);
	} else {
		for (i = 0; i < v->n; i++)
			val_heap_free(v->v[i]);
		free(v->v);
	}
	free(v);
}

static int
needs_quotes(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 1;
	for (i = 0; i < n; i++)
		if (strchr(" \t\n()\"'\\", s[i]) != NULL)
			return 1;
	return 0;
}

void
val_grind(struct buf *out, const struct val *v)
{
	size_t i;

	if (v->type == V_STR) {
		if (!needs_quotes(v->s, v->n)) {
			buf_append(out, v->s, v->n);
			return;
		}
		buf_putc(out, '"');
		for (i = 0; i < v->n; i++) {
			if (v->s[i] == '"' || v->s[i] == '\\')
				buf_putc(out, '\\');
			buf_putc(out, v->s[i]);
		}
		buf_putc(out, '"');
		return;
	}
	buf_putc(out, '(');
	for (i = 0; i < v->n; i++) {
		if (i)
			buf_putc(out, ' ');
		val_grind(out, v->v[i]);
	}
	buf_putc(out, ')');
}

const char *
val_text(struct interp *in, const struct val *v, size_t *len)
{
	struct buf *b;
	char *s;

	if (v->type == V_STR) {
		if (len)
			*len = v->n;
		return v->s;
	}
	b = buf_scratch(in, ZMSH_VALUE_MAX);
	val_grind(b, v);
	s = arena_strndup(&in->tmp, buf_cstr(b), b->len);
	if (len)
		*len = b->len;
	cleanup_pop(in, 1);
	return s;
}

int
val_true(const struct val *v)
{
	return v != NULL && v->n > 0;
}
