/*
 * arena.c - bump allocator with marks and a ceiling (see arena.h).
 *
 * The first chunk of an arena is ARENA_CHUNK_MIN bytes and each new one
 * as big as all before it together, up to ARENA_CHUNK_MAX: a parsed
 * script unit of a few hundred bytes (the router has a dozen) then costs
 * one small chunk, not 64 KiB of heap in every router process.  A bigger
 * request gets a chunk of its own.  Releasing to a mark frees every chunk
 * made after it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ARENA_CHUNK_MIN  (2 * 1024 - 64)   /* with the header, under 2 KiB */
#define ARENA_CHUNK_MAX  (64 * 1024)
#define ARENA_ALIGN  16

struct achunk {
	struct achunk *next;
	size_t  size;           /* usable bytes in data */
	size_t  used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

void
arena_init(struct arena *a, size_t max, void (*fail)(void *), void *ctx)
{
	memset(a, 0, sizeof(*a));
	a->max = max;
	a->fail = fail;
	a->ctx = ctx;
}

static void
arena_fail(struct arena *a)
{
	a->fail(a->ctx);
	abort();                /* the hook must not return */
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct achunk *c = a->head;
	size_t need, size;

	if (n > SIZE_MAX / 2)
		arena_fail(a);
	need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (need == 0)
		need = ARENA_ALIGN;
	if (c != NULL && c->size - c->used >= need) {
		void *p = c->data + c->used;
		c->used += need;
		return p;
	}
	size = a->total < ARENA_CHUNK_MIN ? ARENA_CHUNK_MIN :
	    a->total > ARENA_CHUNK_MAX ? ARENA_CHUNK_MAX : a->total;
	if (need > size)
		size = need;
	if (a->total + size > a->max)
		arena_fail(a);
	if ((c = malloc(sizeof(*c) + size)) == NULL)
		arena_fail(a);
	c->size = size;
	c->used = need;
	c->next = a->head;
	a->head = c;
	a->total += size;
	return c->data;
}

void *
arena_calloc(struct arena *a, size_t nmemb, size_t size)
{
	void *p;

	if (size != 0 && nmemb > SIZE_MAX / 2 / size)
		arena_fail(a);
	p = arena_alloc(a, nmemb * size);
	memset(p, 0, nmemb * size);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

struct amark
arena_mark(const struct arena *a)
{
	struct amark m;

	m.chunk = a->head;
	m.used = a->head != NULL ? a->head->used : 0;
	return m;
}

void
arena_release(struct arena *a, struct amark m)
{
	while (a->head != NULL && a->head != m.chunk) {
		struct achunk *c = a->head;
		a->head = c->next;
		a->total -= c->size;
		free(c);
	}
	if (a->head != NULL)
		a->head->used = m.used;
}

void
arena_reset(struct arena *a)
{
	while (a->head != NULL && a->head->next != NULL) {
		struct achunk *c = a->head;
		a->head = c->next;
		a->total -= c->size;
		free(c);
	}
	if (a->head != NULL)
		a->head->used = 0;
}

void
arena_free(struct arena *a)
{
	while (a->head != NULL) {
		struct achunk *c = a->head;
		a->head = c->next;
		free(c);
	}
	a->total = 0;
}
