/*
 * hmap.c - a small chained hash map from C strings to pointers (variables,
 * functions, relations, modules), and the allocation wrappers that end
 * the process on ENOMEM (the router is one session's helper; smtpserver
 * answers 451 when it dies).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "interp.h"

static void __attribute__((noreturn))
nomem(void)
{
	static const char msg[] = "router: out of memory\n";
	ssize_t r = write(2, msg, sizeof(msg) - 1);
	(void)r;
	_exit(71);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		nomem();
	return p;
}

void *
xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	if (p == NULL)
		nomem();
	return p;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		nomem();
	return p;
}

static size_t
hash(const char *s)
{
	size_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

void
hmap_init(struct hmap *h)
{
	h->nb = 64;
	h->n = 0;
	h->b = xcalloc(h->nb, sizeof(*h->b));
}

void *
hmap_get(const struct hmap *h, const char *key)
{
	struct hent *e;

	for (e = h->b[hash(key) % h->nb]; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e->data;
	return NULL;
}

static void
grow(struct hmap *h)
{
	size_t nb = h->nb * 2, i;
	struct hent **b = xcalloc(nb, sizeof(*b));

	for (i = 0; i < h->nb; i++) {
		struct hent *e = h->b[i], *next;
		for (; e != NULL; e = next) {
			size_t k = hash(e->key) % nb;
			next = e->next;
			e->next = b[k];
			b[k] = e;
		}
	}
	free(h->b);
	h->b = b;
	h->nb = nb;
}

void *
hmap_put(struct hmap *h, const char *key, void *data)
{
	size_t k = hash(key) % h->nb;
	struct hent *e;

	for (e = h->b[k]; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0) {
			void *old = e->data;
			e->data = data;
			return old;
		}
	e = xmalloc(sizeof(*e));
	e->key = xstrdup(key);
	e->data = data;
	e->next = h->b[k];
	h->b[k] = e;
	if (++h->n > h->nb * 2)
		grow(h);
	return NULL;
}

void *
hmap_del(struct hmap *h, const char *key)
{
	struct hent **pp = &h->b[hash(key) % h->nb], *e;

	for (; (e = *pp) != NULL; pp = &e->next)
		if (strcmp(e->key, key) == 0) {
			void *old = e->data;
			*pp = e->next;
			free(e->key);
			free(e);
			h->n--;
			return old;
		}
	return NULL;
}

void
hmap_walk(const struct hmap *h, void (*fn)(const char *, void *, void *),
    void *arg)
{
	size_t i;
	struct hent *e;

	for (i = 0; i < h->nb; i++)
		for (e = h->b[i]; e != NULL; e = e->next)
			fn(e->key, e->data, arg);
}

void
hmap_clear(struct hmap *h, void (*fn)(void *))
{
	size_t i;

	for (i = 0; i < h->nb; i++) {
		struct hent *e = h->b[i], *next;
		for (; e != NULL; e = next) {
			next = e->next;
			if (fn != NULL)
				fn(e->data);
			free(e->key);
			free(e);
		}
	}
	free(h->b);
	h->b = NULL;
	h->nb = h->n = 0;
}
