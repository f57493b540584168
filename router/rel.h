/*
 * rel.h - relations: named lookup tables behind `relation` and `db`.
 *
 * This is the only interface between the zmsh evaluator and the relation
 * back ends (rel.c holds the common part: options, key folding, -d search
 * drivers, -m change detection, the cache; rel_<type>.c one back end each).
 * Everything is plain bytes: the evaluator turns values into C strings,
 * keys never contain NUL.
 *
 * Lookup results are three-valued, as everywhere in the project:
 *   REL_FOUND (1)   value in *val (for -b the key, for -n the key if empty)
 *   REL_NOTFOUND (0)
 *   REL_DEFER (-1)  could not tell (unreadable file, DNS timeout, ...);
 *                   rel_defer_reason() says why, and the evaluator sets
 *                   $defer to it and the status to 75.
 */
#ifndef ZM_REL_H
#define ZM_REL_H

#include <stddef.h>

#include "buf.h"

#define REL_FOUND     1
#define REL_NOTFOUND  0
#define REL_DEFER    -1

struct rel;

/*
 * Parse the arguments of the `relation` builtin (argv[0] is "relation")
 * and create the relation.  0 on success with *out set; -1 with a message
 * in err ("relation: ...").  The caller registers the name as a builtin.
 */
int rel_define(int argc, char **argv, struct rel **out, char *err, size_t errsz);
const char *rel_name(const struct rel *r);

/* Look key up.  val is reset first and filled on REL_FOUND. */
int rel_lookup(struct rel *r, const char *key, struct buf *val);
/* After REL_DEFER: a short description for $defer ("file: Permission denied"). */
const char *rel_defer_reason(const struct rel *r);

/* Lines of the relation's file skipped (and logged) by its last load. */
unsigned long rel_skipped(const struct rel *r);

/*
 * `db` builtin: argv[0] is "db"; subcommands add remove flush print count
 * toc (and their first letters).  Output goes to out.  Returns the status
 * (0 ok, 1 usage or unsupported or `remove` of an absent key, 2 unknown
 * relation, 75 could not tell: the file is unreadable; err says why).  find() maps a name
 * to a defined relation (NULL if none); each() walks all of them (toc).
 */
typedef struct rel *(*rel_find_fn)(void *ctx, const char *name);
typedef void (*rel_each_fn)(void *ctx, void (*fn)(struct rel *, void *), void *arg);
int rel_db(int argc, char **argv, struct buf *out, char *err, size_t errsz,
    rel_find_fn find, rel_each_fn each, void *ctx);

void rel_free(struct rel *r);

#endif
