/*
 * sift.c - ssift and tsift statements: production rules over a subject.
 *
 * Patterns are tried in order; after a body ran, testing falls through
 * to the next pattern; `break` leaves the statement, `continue` tests the
 * same pattern again.  When a body assigned a variable, a subject that
 * has expansions is expanded again before the next test.  \0..\9 in the
 * body are the groups of the last match (before this sift matched: the
 * enclosing sift's).  At most ZMSH_SIFT_TESTS_MAX tests per statement,
 * subjects of at most ZMSH_SUBJECT_MAX bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "sift.h"

/* Cost bookkeeping of one open group while sre_check() walks a pattern. */
struct sre_grp {
	long sum;       /* the current branch */
	long alt;       /* the branches before it, and their '|' */
	long last;      /* the last atom of the branch (what a repetition copies) */
};

/* End of the bracket expression opening at p[0] == '['; past its ']',
 * or the end of the text when it is not closed (regcomp says so). */
static size_t
sre_bracket(const char *p)
{
	size_t j = 1;

	if (p[j] == '^')
		j++;
	if (p[j] == ']')
		j++;
	while (p[j] != '\0' && p[j] != ']') {
		if (p[j] == '[' && (p[j + 1] == ':' || p[j + 1] == '=' ||
		    p[j + 1] == '.')) {
			const char *e = strchr(p + j + 2, p[j + 1]);

			if (e != NULL && e[1] == ']') {
				j = (size_t)(e - p) + 2;
				continue;
			}
		}
		j++;
	}
	return p[j] == ']' ? j + 1 : j;
}

/* A bound "{m}", "{m,}", "{m,n}" or "{,n}" at p[0] == '{': its length
 * and the copies regcomp makes (*copies), or 0 when it is not one. */
static size_t
sre_bound(const char *p, long *copies)
{
	long m = 0, n = -1;
	size_t j = 1;
	int digits = 0;

	for (; p[j] >= '0' && p[j] <= '9'; j++, digits++)
		if (m <= 100000)
			m = m * 10 + (p[j] - '0');
	if (p[j] == ',') {
		j++;
		if (p[j] >= '0' && p[j] <= '9')
			for (n = 0; p[j] >= '0' && p[j] <= '9'; j++, digits++)
				if (n <= 100000)
					n = n * 10 + (p[j] - '0');
	} else
		n = m;
	if (p[j] != '}' || digits == 0)
		return 0;
	/* "x{m,}" is m copies and a starred one; "x{m,n}" n copies. */
	*copies = n < 0 ? m + 1 : (n > m ? n : m);
	if (*copies < 1)
		*copies = 1;
	return j + 1;
}

/*
 * Bound an ssift pattern before regcomp() sees it.  glibc's regcomp()
 * copies a repeated subexpression once per repetition ("x+" is "xx*",
 * "x{2,5}" five copies of x), so stacked or nested repetitions grow the
 * compiled form exponentially: '<(.*+++...+)>' with about a hundred '+'
 * asks for gigabytes.  Refused, with a message in err: a pattern over
 * ZMSH_REGEX_MAX bytes; a repetition operator right after another one
 * ("a*+", ".*?", "a{2}{3}": undefined in POSIX, and never what was
 * meant); and a pattern whose size with every repetition expanded (an
 * estimate, in nodes, of what regcomp builds) is over ZMSH_REGEX_COST_MAX.
 * Syntax errors are left to regcomp.
 */
int
sre_check(const char *pat, char *err, size_t errsz)
{
	static const char toomuch[] = "pattern too large once its repetitions "
	    "are expanded (more than %d nodes at offset %zu)";
	struct sre_grp *g;
	size_t len = strlen(pat), i = 0, d = 0, k;
	int after_rep = 0;
	long total;

	if (len > ZMSH_REGEX_MAX) {
		snprintf(err, errsz, "pattern longer than %d bytes",
		    ZMSH_REGEX_MAX);
		return -1;
	}
	/* A group per '(' at most, plus the top level. */
	if ((g = calloc(len + 2, sizeof(*g))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	while (i < len) {
		char c = pat[i];
		long copies = 1;
		size_t n = 0, at = i;

		if (c == '*' || c == '?')
			n = 1;
		else if (c == '+') {
			n = 1;
			copies = 2;
		} else if (c == '{')
			n = sre_bound(pat + i, &copies);
		if (n > 0) {
			if (after_rep) {
				snprintf(err, errsz, "repetition operator '%c' "
				    "right after another one (offset %zu)", c, at);
				free(g);
				return -1;
			}
			g[d].sum -= g[d].last;
			g[d].last = g[d].last * copies + 1;
			g[d].sum += g[d].last;
			after_rep = 1;
			i += n;
		} else {
			long cost = 1;

			after_rep = 0;
			if (c == '\\')
				i += pat[i + 1] != '\0' ? 2 : 1;
			else if (c == '[')
				i += sre_bracket(pat + i);
			else if (c == '(') {
				d++;
				memset(&g[d], 0, sizeof(g[d]));
				i++;
				continue;
			} else if (c == ')' && d > 0) {
				cost = g[d].alt + g[d].sum + 1;
				d--;
				i++;
			} else if (c == '|') {
				g[d].alt += g[d].sum + 1;
				g[d].sum = 0;
				g[d].last = 0;
				i++;
				continue;
			} else
				i++;
			g[d].last = cost;
			g[d].sum += cost;
		}
		for (total = 0, k = 0; k <= d; k++)
			total += g[k].alt + g[k].sum;
		if (total > ZMSH_REGEX_COST_MAX) {
			snprintf(err, errsz, toomuch, ZMSH_REGEX_COST_MAX, at);
			free(g);
			return -1;
		}
	}
	free(g);
	return 0;
}

int
sre_compile(regex_t *re, const char *pat, char *err, size_t errsz)
{
	size_t l = strlen(pat);
	char *full;
	int r;

	if (sre_check(pat, err, errsz) < 0)
		return -1;
	if ((full = malloc(l + 5)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	memcpy(full, "^(", 2);
	memcpy(full + 2, pat, l);
	memcpy(full + 2 + l, ")$", 3);
	r = regcomp(re, full, REG_EXTENDED);
	free(full);
	if (r != 0) {
		regerror(r, re, err, errsz);
		regfree(re);
		return -1;
	}
	return 0;
}

int
sre_match(const regex_t *re, const char *subj, size_t len, struct arena *a,
    char **groups, size_t *glen)
{
	regmatch_t m[SIFT_GROUPS + 1];
	size_t i;

	if (memchr(subj, '\0', len) != NULL)
		return 0;
	if (regexec(re, subj, SIFT_GROUPS + 1, m, 0) != 0)
		return 0;
	for (i = 0; i < SIFT_GROUPS; i++) {
		regmatch_t *g = &m[i + 1];
		if (g->rm_so < 0) {
			groups[i] = NULL;
			glen[i] = 0;
			continue;
		}
		glen[i] = (size_t)(g->rm_eo - g->rm_so);
		groups[i] = arena_strndup(a, subj + g->rm_so, glen[i]);
	}
	return 1;
}

/* The compiled pattern of an arm: static, or built now from its word. */
static void
arm_pattern(struct interp *in, struct node *n, struct arm *arm,
    const regex_t **re, const struct tre **tre)
{
	char *text, err[256];

	if (arm->compiled) {
		*re = &arm->re;
		*tre = arm->tre;
		return;
	}
	text = exp_pattern(in, arm->pats[0], 0);
	if (arm->dyn_text == NULL || strcmp(arm->dyn_text, text) != 0) {
		if (arm->dyn_text != NULL && arm->dyn_ok) {
			if (arm->dyn_tre != NULL)
				tre_free(arm->dyn_tre);
			else
				regfree(&arm->dyn_re);
		}
		free(arm->dyn_text);
		arm->dyn_text = xstrdup(text);
		arm->dyn_ok = 0;
		arm->dyn_tre = NULL;
		if (n->sift == SIFT_S) {
			if (sre_compile(&arm->dyn_re, text, err, sizeof(err)) < 0)
				interp_fatal(in, "bad regular expression: %s", err);
		} else if ((arm->dyn_tre = tre_compile(text, err, sizeof(err))) == NULL)
			interp_fatal(in, "bad token pattern: %s", err);
		arm->dyn_ok = 1;
	} else if (!arm->dyn_ok)
		interp_fatal(in, "bad pattern");
	*re = &arm->dyn_re;
	*tre = arm->dyn_tre;
}

int
eval_sift(struct interp *in, struct node *n)
{
	struct mframe *m = arena_calloc(&in->tmp, 1, sizeof(*m));
	int dynamic = !word_is_static(n->word);
	unsigned long gen;
	size_t i = 0, len;
	long tests = 0;
	char *subj;
	int st = 0;

	in->cur = n->pos;
	m->up = in->match;
	in->match = m;
	subj = exp_string(in, n->word, &len);
	gen = in->gen;
	while (i < n->narms) {
		struct arm *arm = &n->arms[i];
		const regex_t *re = NULL;
		const struct tre *tre = NULL;
		char *g[SIFT_GROUPS], err[256];
		size_t gl[SIFT_GROUPS];
		int r;

		in->cur = arm->pos;
		if (++tests > ZMSH_SIFT_TESTS_MAX)
			interp_fatal(in, "sift statement made more than %d tests "
			    "(runaway loop?)", ZMSH_SIFT_TESTS_MAX);
		interp_step(in);
		if (dynamic && in->gen != gen) {
			subj = exp_string(in, n->word, &len);
			gen = in->gen;
		}
		if (len > ZMSH_SUBJECT_MAX)
			interp_fatal(in, "sift subject longer than %d bytes",
			    ZMSH_SUBJECT_MAX);
		arm_pattern(in, n, arm, &re, &tre);
		if (n->sift == SIFT_S)
			r = sre_match(re, subj, len, &in->tmp, g, gl);
		else
			r = tre_match(tre, subj, len, &in->tmp, g, gl, err,
			    sizeof(err));
		if (r < 0)
			interp_fatal(in, "%s", err);
		if (r == 0) {
			i++;
			continue;
		}
		m->has = 1;
		memcpy(m->g, g, sizeof(g));
		memcpy(m->gl, gl, sizeof(gl));
		st = eval_node(in, arm->body);
		if (in->ctl == CTL_BREAK) {
			if (--in->ctl_n <= 0)
				in->ctl = CTL_NONE;
			break;
		}
		if (in->ctl == CTL_CONTINUE) {
			if (--in->ctl_n <= 0) {
				in->ctl = CTL_NONE;
				continue;
			}
			break;
		}
		if (in->ctl != CTL_NONE)
			break;
		i++;
	}
	in->match = m->up;
	in->status = st;
	return st;
}
