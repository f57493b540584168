/*
 * tsift.c - regular expressions over RFC 822 tokens (tsift, 2.2 sift).
 *
 * The subject is cut into tokens: atoms, the specials ()<>@,;:\".[] one
 * each, quoted strings and domain literals whole.  A pattern is compiled
 * to a small backtracking program: '.' is any one token, a literal run
 * is one token compared without regard to case, [set] tests a token's
 * first character, * + ? ( ) | as usual, \c a one-character token.
 * Matching is anchored at both ends and bounded by ZMSH_TSIFT_STEPS_MAX
 * steps and ZMSH_TOKENS_MAX tokens.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "interp.h"
#include "sift.h"

enum op { I_ANY, I_CLASS, I_LIT, I_SPLIT, I_JMP, I_SAVE, I_MATCH };

struct insn {
	enum op  op;
	int      x, y;          /* SPLIT targets, JMP x, SAVE x */
	char    *lit;           /* I_LIT */
	unsigned char *set;     /* I_CLASS: 256 flags */
};

struct tre {
	struct insn *code;
	size_t   n, cap;
	int      ngroups;
};

struct tcomp {
	const char *p;
	struct tre *t;
	char    *err;
	size_t   errsz;
	int      failed;
	int      depth;
};

#define SPECIALS "()<>@,;:\\\".[]"

static int
emit(struct tcomp *c, enum op op)
{
	struct tre *t = c->t;

	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 16;
		struct insn *nc = realloc(t->code, ncap * sizeof(*nc));
		if (nc == NULL) {
			c->failed = 1;
			snprintf(c->err, c->errsz, "out of memory");
			return 0;
		}
		t->code = nc;
		t->cap = ncap;
	}
	memset(&t->code[t->n], 0, sizeof(t->code[0]));
	t->code[t->n].op = op;
	return (int)t->n++;
}

static void
fail(struct tcomp *c, const char *msg)
{
	if (!c->failed)
		snprintf(c->err, c->errsz, "%s", msg);
	c->failed = 1;
}

/* insert an instruction at position at, shifting the rest */
static void
insert(struct tcomp *c, int at, enum op op, int x, int y)
{
	struct tre *t = c->t;
	size_t i;

	emit(c, I_MATCH);
	if (c->failed)
		return;
	memmove(&t->code[at + 1], &t->code[at], (t->n - 1 - (size_t)at) *
	    sizeof(t->code[0]));
	/*
	 * Jumps inside the moved code follow it; jumps from before it that
	 * aim at its first instruction now reach the inserted one.
	 */
	for (i = 0; i < t->n; i++) {
		int lim = i > (size_t)at ? at : at + 1;
		if (i == (size_t)at)
			continue;
		if (t->code[i].op == I_SPLIT || t->code[i].op == I_JMP) {
			if (t->code[i].x >= lim)
				t->code[i].x++;
			if (t->code[i].op == I_SPLIT && t->code[i].y >= lim)
				t->code[i].y++;
		}
	}
	memset(&t->code[at], 0, sizeof(t->code[0]));
	t->code[at].op = op;
	t->code[at].x = x;
	t->code[at].y = y;
}

static void comp_alt(struct tcomp *c);

static void
comp_atom(struct tcomp *c)
{
	const char *p = c->p;
	int k;

	if (*p == '(') {
		int g = ++c->t->ngroups, s1;
		c->p++;
		if (g < SIFT_GROUPS) {
			s1 = emit(c, I_SAVE);
			c->t->code[s1].x = 2 * g;
		}
		if (++c->depth > 100)
			fail(c, "pattern nested too deeply");
		comp_alt(c);
		c->depth--;
		if (*c->p != ')') {
			fail(c, "missing ')'");
			return;
		}
		c->p++;
		if (g < SIFT_GROUPS) {
			s1 = emit(c, I_SAVE);
			c->t->code[s1].x = 2 * g + 1;
		}
		return;
	}
	if (*p == '.') {
		c->p++;
		emit(c, I_ANY);
		return;
	}
	if (*p == '[') {
		unsigned char *set = calloc(256, 1);
		int neg = 0, i;
		if (set == NULL) {
			fail(c, "out of memory");
			return;
		}
		p++;
		if (*p == '^') {
			neg = 1;
			p++;
		}
		if (*p == ']')
			set[(unsigned char)*p++] = 1;
		while (*p && *p != ']') {
			unsigned char a = (unsigned char)*p++;
			if (*p == '-' && p[1] && p[1] != ']') {
				unsigned char b = (unsigned char)p[1];
				p += 2;
				for (i = a; i <= b; i++)
					set[i] = 1;
			} else
				set[a] = 1;
		}
		if (*p != ']') {
			free(set);
			fail(c, "missing ']'");
			return;
		}
		c->p = p + 1;
		if (neg)
			for (i = 0; i < 256; i++)
				set[i] = !set[i];
		k = emit(c, I_CLASS);
		if (c->failed) {
			free(set);
			return;
		}
		c->t->code[k].set = set;
		return;
	}
	if (*p == '\\' && p[1] != '\0') {
		k = emit(c, I_LIT);
		if (!c->failed && (c->t->code[k].lit = strndup(p + 1, 1)) == NULL)
			fail(c, "out of memory");
		c->p = p + 2;
		return;
	}
	if (*p == '"') {
		const char *q = p + 1;
		while (*q && *q != '"') {
			if (*q == '\\' && q[1])
				q++;
			q++;
		}
		if (*q != '"') {
			fail(c, "missing '\"'");
			return;
		}
		k = emit(c, I_LIT);
		if (!c->failed && (c->t->code[k].lit = strndup(p,
		    (size_t)(q + 1 - p))) == NULL)
			fail(c, "out of memory");
		c->p = q + 1;
		return;
	}
	if (strchr("<>@,;:", *p) != NULL) {
		k = emit(c, I_LIT);
		if (!c->failed && (c->t->code[k].lit = strndup(p, 1)) == NULL)
			fail(c, "out of memory");
		c->p = p + 1;
		return;
	}
	{
		const char *q = p;
		while (*q && strchr(SPECIALS "*+?|", *q) == NULL &&
		    !isspace((unsigned char)*q))
			q++;
		if (q == p) {
			fail(c, "unexpected character in pattern");
			return;
		}
		k = emit(c, I_LIT);
		if (!c->failed && (c->t->code[k].lit = strndup(p,
		    (size_t)(q - p))) == NULL)
			fail(c, "out of memory");
		c->p = q;
	}
}

static void
comp_seq(struct tcomp *c)
{
	for (;;) {
		int start;

		while (*c->p == ' ' || *c->p == '\t')
			c->p++;
		if (*c->p == '\0' || *c->p == '|' || *c->p == ')' || c->failed)
			return;
		if (strchr("*+?", *c->p) != NULL) {
			fail(c, "repetition with nothing to repeat");
			return;
		}
		start = (int)c->t->n;
		comp_atom(c);
		if (c->failed)
			return;
		switch (*c->p) {
		case '*': {     /* L: split L+1, E; body; jmp L; E: */
			int j;
			c->p++;
			insert(c, start, I_SPLIT, start + 1, 0);
			j = emit(c, I_JMP);
			if (c->failed)
				return;
			c->t->code[j].x = start;
			c->t->code[start].y = (int)c->t->n;
			break;
		}
		case '+': {     /* L: body; split L, E; E: */
			int s;
			c->p++;
			s = emit(c, I_SPLIT);
			if (c->failed)
				return;
			c->t->code[s].x = start;
			c->t->code[s].y = (int)c->t->n;
			break;
		}
		case '?':       /* split L+1, E; body; E: */
			c->p++;
			insert(c, start, I_SPLIT, start + 1, 0);
			if (c->failed)
				return;
			c->t->code[start].y = (int)c->t->n;
			break;
		}
	}
}

static void
comp_alt(struct tcomp *c)
{
	int start = (int)c->t->n;

	comp_seq(c);
	while (*c->p == '|' && !c->failed) {
		int j;
		c->p++;
		/* split start+1, B; A; jmp E; B: ...; E: */
		insert(c, start, I_SPLIT, start + 1, 0);
		j = emit(c, I_JMP);
		if (c->failed)
			return;
		c->t->code[start].y = (int)c->t->n;
		comp_seq(c);
		if (c->failed)
			return;
		c->t->code[j].x = (int)c->t->n;
	}
}

void
tre_free(struct tre *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->code[i].lit);
		free(t->code[i].set);
	}
	free(t->code);
	free(t);
}

struct tre *
tre_compile(const char *pat, char *err, size_t errsz)
{
	struct tcomp c;
	struct tre *t = calloc(1, sizeof(*t));

	if (t == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	memset(&c, 0, sizeof(c));
	c.p = pat;
	c.t = t;
	c.err = err;
	c.errsz = errsz;
	comp_alt(&c);
	if (!c.failed && *c.p != '\0')
		fail(&c, *c.p == ')' ? "unmatched ')'" : "bad pattern");
	if (!c.failed)
		emit(&c, I_MATCH);
	if (c.failed) {
		tre_free(t);
		return NULL;
	}
	return t;
}

/* ---- matching -------------------------------------------------------- */
struct tok822 {
	const char *s;
	size_t   n;
};

static int
tokenize(const char *s, size_t len, struct tok822 *tok, size_t max, size_t *nout)
{
	size_t i = 0, n = 0;

	while (i < len) {
		size_t j;
		unsigned char ch = (unsigned char)s[i];

		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
			i++;
			continue;
		}
		if (n >= max)
			return -1;
		j = i + 1;
		if (ch == '"') {
			while (j < len && s[j] != '"') {
				if (s[j] == '\\' && j + 1 < len)
					j++;
				j++;
			}
			if (j < len)
				j++;
		} else if (ch == '[' && memchr(s + i, ']', len - i) != NULL) {
			while (j < len && s[j] != ']')
				j++;
			j++;
		} else if (strchr(SPECIALS, ch) == NULL) {
			while (j < len && strchr(SPECIALS, s[j]) == NULL &&
			    s[j] != ' ' && s[j] != '\t' && s[j] != '\r' &&
			    s[j] != '\n')
				j++;
		}
		tok[n].s = s + i;
		tok[n].n = j - i;
		n++;
		i = j;
	}
	*nout = n;
	return 0;
}

struct bt {
	int      pc;
	size_t   sp;
	int      slot;          /* >= 0: restore caps[slot] = old */
	long     old;
};

int
tre_match(const struct tre *t, const char *subj, size_t len,
    struct arena *a, char **groups, size_t *glen, char *err, size_t errsz)
{
	struct tok822 *tok;
	struct bt *stk = NULL;
	size_t ntok, nstk = 0, capstk = 0, i;
	long caps[2 * SIFT_GROUPS], steps = 0;
	int pc = 0, matched = 0, rc = 0;
	size_t sp = 0;

	tok = arena_calloc(a, ZMSH_TOKENS_MAX, sizeof(*tok));
	if (tokenize(subj, len, tok, ZMSH_TOKENS_MAX, &ntok) < 0) {
		snprintf(err, errsz, "tsift subject has more than %d tokens",
		    ZMSH_TOKENS_MAX);
		return -1;
	}
	for (i = 0; i < 2 * SIFT_GROUPS; i++)
		caps[i] = -1;
	for (;;) {
		const struct insn *in = &t->code[pc];
		int ok = 1;

		if (++steps > ZMSH_TSIFT_STEPS_MAX) {
			snprintf(err, errsz, "tsift pattern took more than %d steps",
			    ZMSH_TSIFT_STEPS_MAX);
			rc = -1;
			break;
		}
		switch (in->op) {
		case I_ANY:
			if (sp < ntok) {
				sp++;
				pc++;
			} else
				ok = 0;
			break;
		case I_CLASS:
			if (sp < ntok && in->set[(unsigned char)tok[sp].s[0]]) {
				sp++;
				pc++;
			} else
				ok = 0;
			break;
		case I_LIT:
			if (sp < ntok && tok[sp].n == strlen(in->lit) &&
			    strncasecmp(tok[sp].s, in->lit, tok[sp].n) == 0) {
				sp++;
				pc++;
			} else
				ok = 0;
			break;
		case I_JMP:
			pc = in->x;
			break;
		case I_SPLIT:
		case I_SAVE:
			if (nstk == capstk) {
				size_t ncap = capstk ? capstk * 2 : 64;
				struct bt *ns = realloc(stk, ncap * sizeof(*ns));
				if (ns == NULL) {
					snprintf(err, errsz, "out of memory");
					rc = -1;
					goto out;
				}
				stk = ns;
				capstk = ncap;
			}
			if (in->op == I_SPLIT) {
				stk[nstk].pc = in->y;
				stk[nstk].sp = sp;
				stk[nstk].slot = -1;
				nstk++;
				pc = in->x;
			} else {
				stk[nstk].slot = in->x;
				stk[nstk].old = caps[in->x];
				nstk++;
				caps[in->x] = (long)sp;
				pc++;
			}
			break;
		case I_MATCH:
			if (sp == ntok)
				matched = 1;
			else
				ok = 0;
			break;
		}
		if (matched)
			break;
		if (ok)
			continue;
		/* backtrack */
		for (;;) {
			if (nstk == 0)
				goto out;
			nstk--;
			if (stk[nstk].slot >= 0) {
				caps[stk[nstk].slot] = stk[nstk].old;
				continue;
			}
			pc = stk[nstk].pc;
			sp = stk[nstk].sp;
			break;
		}
	}
out:
	free(stk);
	if (rc < 0)
		return -1;
	if (!matched)
		return 0;
	caps[0] = 0;
	caps[1] = (long)ntok;
	for (i = 0; i < SIFT_GROUPS; i++) {
		long b = caps[2 * i], e = caps[2 * i + 1];
		size_t k, l = 0;
		char *s;

		if (b < 0 || e < b) {
			groups[i] = NULL;
			glen[i] = 0;
			continue;
		}
		for (k = (size_t)b; k < (size_t)e; k++)
			l += tok[k].n;
		s = arena_alloc(a, l + 1);
		l = 0;
		for (k = (size_t)b; k < (size_t)e; k++) {
			memcpy(s + l, tok[k].s, tok[k].n);
			l += tok[k].n;
		}
		s[l] = '\0';
		groups[i] = s;
		glen[i] = l;
	}
	return 1;
}
