/*
 * sift.h - the matching behind ssift (POSIX ERE) and tsift/sift (RFC 822
 * tokens).
 *
 * Patterns are anchored at both ends.  A match fills up to ten groups
 * (\0 the whole match); group texts live in the caller's arena.
 * tsift: the subject is split into RFC 822 tokens (atoms, specials
 * ()<>@,;:\".[], quoted strings, domain literals); '.' matches one
 * token, literal text whole tokens without regard to case, [set] a
 * token's first character, * + ? ( ) | as usual.  Matching backtracks at
 * most ZMSH_TSIFT_STEPS_MAX steps.
 */
#ifndef ZM_SIFT_H
#define ZM_SIFT_H

#include <regex.h>
#include <stddef.h>

#include "arena.h"

#define SIFT_GROUPS 10

struct tre;

/* NULL with a message in err on a bad pattern. */
struct tre *tre_compile(const char *pat, char *err, size_t errsz);
void tre_free(struct tre *t);
/*
 * 1 match (groups[i]/glen[i] set, NULL for a group that took no part),
 * 0 no match, -1 a limit (too many tokens or steps; err says which).
 */
int tre_match(const struct tre *t, const char *subj, size_t len,
    struct arena *a, char **groups, size_t *glen, char *err, size_t errsz);

/*
 * ssift: bound a pattern before regcomp() (length, stacked repetition
 * operators, size with repetitions expanded; see sift.c).  0, or -1 with
 * the reason in err.
 */
int sre_check(const char *pat, char *err, size_t errsz);
/* ssift: sre_check(), then compile "^(pat)$" as ERE; 0 or -1 with the
 * reason (or regerror text) in err. */
int sre_compile(regex_t *re, const char *pat, char *err, size_t errsz);
int sre_match(const regex_t *re, const char *subj, size_t len,
    struct arena *a, char **groups, size_t *glen);

#endif
