/*
 * arena.h - bump allocation for the temporaries of one request.
 *
 * Every value the evaluator makes while it runs a command (expansions,
 * lists, captured output) lives in the arena; arena_reset() between
 * requests (and arena_release() after each loop iteration) gives it all
 * back at once, so a long session does not grow.  The arena never holds
 * more than its ceiling: an allocation past it calls the fail hook, which
 * does not return (the interpreter turns it into a script error).
 */
#ifndef ZM_ARENA_H
#define ZM_ARENA_H

#include <stddef.h>

struct achunk;

struct arena {
	struct achunk *head;    /* current chunk, newest first */
	size_t  total;          /* bytes in all chunks */
	size_t  max;            /* ceiling on total */
	void  (*fail)(void *ctx);  /* called on ceiling or ENOMEM; must not return */
	void   *ctx;
};

struct amark {
	struct achunk *chunk;
	size_t  used;
};

void  arena_init(struct arena *a, size_t max, void (*fail)(void *), void *ctx);
void *arena_alloc(struct arena *a, size_t n);
void *arena_calloc(struct arena *a, size_t nmemb, size_t size);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
struct amark arena_mark(const struct arena *a);
void  arena_release(struct arena *a, struct amark m);
void  arena_reset(struct arena *a);    /* keep one chunk */
void  arena_free(struct arena *a);

#endif
