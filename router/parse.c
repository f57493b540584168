/*
 * parse.c - recursive-descent parser: zmsh text to the tree of ast.h.
 *
 * Each function begins with the grammar rule it parses.  Errors stop the
 * parse with "file:line:col: message"; a construct left open at the end
 * of the text names the line it was opened on (Lua style).  Static sift
 * patterns are compiled here, so a bad regular expression is a load-time
 * error with its position.  Nesting is bounded by ZMSH_NEST_MAX, the text
 * by ZMSH_SCRIPT_MAX.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lex.h"
#include "limits.h"
#include "sift.h"

static struct node *parse_list(struct parser *p);
static struct node *parse_command(struct parser *p);

static const char *stop_words[] = {
	"then", "elif", "else", "fi", "do", "done", "esac",
	"tfiss", "tfist", "tfis", NULL,
};

static struct node *
new_node(struct parser *p, enum ntype t, struct pos pos)
{
	struct node *n = arena_calloc(p->a, 1, sizeof(*n));

	n->type = t;
	n->pos = pos;
	return n;
}

static void
add_kid(struct parser *p, struct node *n, struct node *k, size_t *cap)
{
	n->kids = parse_grow(p, n->kids, n->nkids, cap, sizeof(*n->kids));
	n->kids[n->nkids++] = k;
}

static int
tok_is(const struct tok *t, const char *kw)
{
	return t->type == T_WORD && t->w->lit != NULL && strcmp(t->w->lit, kw) == 0;
}

static const char *
tok_desc(const struct tok *t, char *tmp, size_t n)
{
	switch (t->type) {
	case T_EOF: return "end of file";
	case T_NEWLINE: return "newline";
	case T_SEMI: return "';'";
	case T_DSEMI: return "';;'";
	case T_AND: return "'&&'";
	case T_OR: return "'||'";
	case T_PIPE: return "'|'";
	case T_AMP: return "'&'";
	case T_LPAREN: return "'('";
	case T_RPAREN: return "')'";
	case T_REDIR: return "redirection";
	case T_WORD:
		if (t->w->lit != NULL) {
			snprintf(tmp, n, "'%.40s'", t->w->lit);
			return tmp;
		}
		return "word";
	}
	return "token";
}

/* Fail: what was expected (to close opener at line L). */
static void __attribute__((noreturn))
expected(struct parser *p, const char *what, const char *opener, struct pos at)
{
	struct tok *t = lex_peek(p);
	char tmp[64];

	if (t->type == T_EOF) {
		if (opener != NULL)
			lex_eof_error(p, "unexpected end of file: %s expected "
			    "(to close '%s' at line %u)", what, opener, at.line);
		lex_eof_error(p, "unexpected end of file: %s expected", what);
	}
	if (opener != NULL)
		lex_error(p, t->pos, "%s expected (to close '%s' at line %u), "
		    "found %s", what, opener, at.line, tok_desc(t, tmp, sizeof(tmp)));
	lex_error(p, t->pos, "%s expected, found %s", what,
	    tok_desc(t, tmp, sizeof(tmp)));
}

static void
expect_kw(struct parser *p, const char *kw, const char *opener, struct pos at)
{
	char what[32];

	if (tok_is(lex_peek(p), kw)) {
		lex_next(p);
		return;
	}
	snprintf(what, sizeof(what), "'%s'", kw);
	expected(p, what, opener, at);
}

static void
skip_newlines(struct parser *p)
{
	while (lex_peek(p)->type == T_NEWLINE)
		lex_next(p);
}

static int
at_stop(struct parser *p)
{
	struct tok *t = lex_peek(p);
	int i;

	if (t->type == T_EOF || t->type == T_RPAREN || t->type == T_DSEMI)
		return 1;
	if (t->type != T_WORD || t->w->lit == NULL)
		return 0;
	if (p->brace_depth > 0 && strcmp(t->w->lit, "}") == 0)
		return 1;
	for (i = 0; stop_words[i] != NULL; i++)
		if (strcmp(t->w->lit, stop_words[i]) == 0)
			return 1;
	return 0;
}

static int
is_name(const char *s)
{
	if (s == NULL || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
	    *s == '_'))
		return 0;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static int
is_funcname(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' ||
		    *s == '.'))
			return 0;
	return 1;
}

/*
 * If w begins with NAME= written plainly, split it: *name and the value
 * word (possibly without parts, meaning "").  0 if not an assignment.
 */
static int
split_assign(struct parser *p, struct word *w, char **name, struct word **val)
{
	const struct wpart *f;
	const char *eq;
	struct word *v;
	size_t i, k = 0;

	if (w->nparts == 0)
		return 0;
	f = &w->parts[0];
	if (f->type != WP_LIT || f->quoted || (eq = memchr(f->text, '=', f->len)) == NULL)
		return 0;
	*name = arena_strndup(p->a, f->text, (size_t)(eq - f->text));
	if (!is_name(*name))
		return 0;
	v = arena_calloc(p->a, 1, sizeof(*v));
	v->pos = w->pos;
	v->parts = arena_calloc(p->a, w->nparts, sizeof(*v->parts));
	if ((size_t)(eq + 1 - f->text) < f->len) {
		v->parts[k] = *f;
		v->parts[k].text = (char *)eq + 1;
		v->parts[k].len = f->len - (size_t)(eq + 1 - f->text);
		k++;
	}
	for (i = 1; i < w->nparts; i++)
		v->parts[k++] = w->parts[i];
	v->nparts = k;
	if (k == 1 && v->parts[0].type == WP_LIT && !v->parts[0].quoted)
		v->lit = v->parts[0].text;
	*val = v;
	return 1;
}

/* ---- sift patterns --------------------------------------------------- */
static int
word_static_text(struct parser *p, const struct word *w, char **out)
{
	struct buf b;
	size_t i;

	for (i = 0; i < w->nparts; i++)
		if (w->parts[i].type != WP_LIT)
			return 0;
	buf_init(&b, ZMSH_TOKEN_MAX);
	for (i = 0; i < w->nparts; i++)
		buf_append(&b, w->parts[i].text, w->parts[i].len);
	*out = arena_strndup(p->a, buf_cstr(&b), b.len);
	buf_free(&b);
	return 1;
}

/*
 * The arms of a sift statement grow by copying (parse_grow): the unit's
 * list of arms to free (u->sarms) must follow them to the new array, or
 * unit_free() frees the old copies and what the evaluator later stored
 * in the new ones (a pattern built at run time) leaks.  Found by
 * tests/fuzz/fuzz_zmsheval.c.
 */
static void
sarms_moved(struct unit *u, const struct arm *old, size_t n, struct arm *nw)
{
	uintptr_t lo = (uintptr_t)old, hi = (uintptr_t)(old + n);
	size_t i;

	for (i = 0; i < u->nsarms; i++) {
		uintptr_t a = (uintptr_t)u->sarms[i];

		if (a >= lo && a < hi)
			u->sarms[i] = nw + (a - lo) / sizeof(*old);
	}
}

static void
compile_arm(struct parser *p, struct arm *arm, enum sift_kind kind)
{
	char *text, err[256];
	struct unit *u = p->u;

	u->sarms = parse_grow(p, u->sarms, u->nsarms, &u->capsarms,
	    sizeof(*u->sarms));
	u->sarms[u->nsarms++] = arm;
	if (!word_static_text(p, arm->pats[0], &text))
		return;
	if (kind == SIFT_S) {
		if (sre_compile(&arm->re, text, err, sizeof(err)) < 0)
			lex_error(p, arm->pos, "bad regular expression: %s", err);
	} else if ((arm->tre = tre_compile(text, err, sizeof(err))) == NULL)
		lex_error(p, arm->pos, "bad token pattern: %s", err);
	arm->compiled = 1;
}

/*
 * sift: ("ssift"|"tsift"|"sift") word "in" { PATTERN list ";;" } END
 */
static struct node *
parse_sift(struct parser *p)
{
	struct tok kw = lex_next(p);
	struct node *n = new_node(p, N_SIFT, kw.pos);
	const char *opener = kw.w->lit, *endkw;
	struct tok t;
	size_t cap = 0;

	if (strcmp(opener, "ssift") == 0) {
		n->sift = SIFT_S;
		endkw = "tfiss";
	} else if (strcmp(opener, "tsift") == 0) {
		n->sift = SIFT_T;
		endkw = "tfist";
	} else {
		n->sift = SIFT_T;
		endkw = "tfis";
	}
	lex_enter(p, kw.pos);
	t = lex_next(p);
	if (t.type != T_WORD)
		lex_error(p, t.pos, "'%s' needs a subject word", opener);
	n->word = t.w;
	expect_kw(p, "in", opener, kw.pos);
	for (;;) {
		struct arm *arm;
		struct pos at;
		struct tok *end;

		lex_skip_space(p, 1);
		if (lex_peekc(p) == EOF) {
			char what[32];
			snprintf(what, sizeof(what), "'%s'", endkw);
			expected(p, what, opener, kw.pos);
		}
		if (lex_at_word(p, endkw)) {
			lex_next(p);
			break;
		}
		{
			struct arm *old = n->arms;

			n->arms = parse_grow(p, n->arms, n->narms, &cap,
			    sizeof(*n->arms));
			if (old != NULL && n->arms != old)
				sarms_moved(p->u, old, n->narms, n->arms);
		}
		arm = &n->arms[n->narms++];
		at = lex_pos(p);
		arm->pos = at;
		arm->pats = arena_calloc(p->a, 1, sizeof(*arm->pats));
		arm->pats[0] = lex_word(p, LM_PATTERN);
		arm->npats = 1;
		compile_arm(p, arm, n->sift);
		p->sift_depth++;
		arm->body = parse_list(p);
		p->sift_depth--;
		end = lex_peek(p);
		if (end->type == T_DSEMI) {
			lex_next(p);
			continue;
		}
		if (tok_is(end, endkw)) {
			lex_next(p);
			break;
		}
		expected(p, "';;'", opener, kw.pos);
	}
	lex_leave(p);
	return n;
}

/* case: "case" word "in" { ["("] pat {"|" pat} ")" list [";;"] } "esac" */
static struct node *
parse_case(struct parser *p)
{
	struct tok kw = lex_next(p), t;
	struct node *n = new_node(p, N_CASE, kw.pos);
	size_t cap = 0;

	lex_enter(p, kw.pos);
	t = lex_next(p);
	if (t.type != T_WORD)
		lex_error(p, t.pos, "'case' needs a word");
	n->word = t.w;
	skip_newlines(p);
	expect_kw(p, "in", "case", kw.pos);
	for (;;) {
		struct arm *arm;
		size_t pcap = 0;
		struct tok *pk;

		while ((pk = lex_peek(p))->type == T_NEWLINE || pk->type == T_SEMI)
			lex_next(p);
		if (tok_is(pk, "esac")) {
			lex_next(p);
			break;
		}
		if (pk->type == T_EOF)
			expected(p, "'esac'", "case", kw.pos);
		if (pk->type == T_LPAREN)
			lex_next(p);
		n->arms = parse_grow(p, n->arms, n->narms, &cap, sizeof(*n->arms));
		arm = &n->arms[n->narms++];
		arm->pos = lex_peek(p)->pos;
		for (;;) {
			t = lex_next(p);
			if (t.type != T_WORD)
				lex_error(p, t.pos, "pattern expected in 'case'");
			arm->pats = parse_grow(p, arm->pats, arm->npats, &pcap,
			    sizeof(*arm->pats));
			arm->pats[arm->npats++] = t.w;
			if (lex_peek(p)->type != T_PIPE)
				break;
			lex_next(p);
		}
		if (lex_peek(p)->type != T_RPAREN)
			expected(p, "')'", "case", kw.pos);
		lex_next(p);
		arm->body = parse_list(p);
		pk = lex_peek(p);
		if (pk->type == T_DSEMI)
			lex_next(p);
		else if (!tok_is(pk, "esac"))
			expected(p, "';;'", "case", kw.pos);
	}
	lex_leave(p);
	return n;
}

/* if: "if" list "then" list {"elif" list "then" list} ["else" list] "fi" */
static struct node *
parse_if(struct parser *p)
{
	struct tok kw = lex_next(p);
	struct node *n = new_node(p, N_IF, kw.pos);
	size_t cap = 0;

	lex_enter(p, kw.pos);
	for (;;) {
		add_kid(p, n, parse_list(p), &cap);
		expect_kw(p, "then", "if", kw.pos);
		add_kid(p, n, parse_list(p), &cap);
		if (tok_is(lex_peek(p), "elif")) {
			lex_next(p);
			continue;
		}
		if (tok_is(lex_peek(p), "else")) {
			lex_next(p);
			add_kid(p, n, parse_list(p), &cap);
			n->has_else = 1;
		}
		break;
	}
	expect_kw(p, "fi", "if", kw.pos);
	lex_leave(p);
	return n;
}

/* loop: ("while"|"until") list "do" list "done" */
static struct node *
parse_while(struct parser *p)
{
	struct tok kw = lex_next(p);
	struct node *n = new_node(p, strcmp(kw.w->lit, "while") == 0 ?
	    N_WHILE : N_UNTIL, kw.pos);
	size_t cap = 0;

	lex_enter(p, kw.pos);
	add_kid(p, n, parse_list(p), &cap);
	expect_kw(p, "do", kw.w->lit, kw.pos);
	add_kid(p, n, parse_list(p), &cap);
	expect_kw(p, "done", kw.w->lit, kw.pos);
	lex_leave(p);
	return n;
}

/* for: "for" name ["in" word...] (";"|newline) "do" list "done" */
static struct node *
parse_for(struct parser *p)
{
	struct tok kw = lex_next(p), t;
	struct node *n = new_node(p, N_FOR, kw.pos);
	size_t cap = 0, wcap = 0;
	struct tok *pk;

	lex_enter(p, kw.pos);
	t = lex_next(p);
	if (t.type != T_WORD || !is_name(t.w->lit))
		lex_error(p, t.pos, "'for' needs a variable name");
	n->name = t.w->lit;
	skip_newlines(p);
	if (tok_is(lex_peek(p), "in")) {
		lex_next(p);
		n->words = arena_calloc(p->a, 1, sizeof(*n->words));
		while ((pk = lex_peek(p))->type == T_WORD) {
			t = lex_next(p);
			n->words = parse_grow(p, n->words, n->nwords, &wcap,
			    sizeof(*n->words));
			n->words[n->nwords++] = t.w;
		}
	}
	while ((pk = lex_peek(p))->type == T_SEMI || pk->type == T_NEWLINE)
		lex_next(p);
	expect_kw(p, "do", "for", kw.pos);
	add_kid(p, n, parse_list(p), &cap);
	expect_kw(p, "done", "for", kw.pos);
	lex_leave(p);
	return n;
}

/* group: "{" list "}" */
static struct node *
parse_group(struct parser *p)
{
	struct tok kw = lex_next(p);
	struct node *n = new_node(p, N_GROUP, kw.pos);
	size_t cap = 0;

	lex_enter(p, kw.pos);
	p->brace_depth++;
	add_kid(p, n, parse_list(p), &cap);
	expect_kw(p, "}", "{", kw.pos);
	p->brace_depth--;
	lex_leave(p);
	return n;
}

static void
parse_redirs(struct parser *p, struct node *n)
{
	size_t cap = 0;

	while (lex_peek(p)->type == T_REDIR) {
		struct tok t = lex_next(p);
		n->redirs = parse_grow(p, n->redirs, n->nredirs, &cap,
		    sizeof(*n->redirs));
		n->redirs[n->nredirs++] = *t.r;
	}
}

/* funcdef: name "(" [param {[","] param}] ")" {newline} "{" list "}" */
static struct node *
parse_funcdef(struct parser *p, struct word *name)
{
	struct node *n = new_node(p, N_FUNCDEF, name->pos);
	size_t cap = 0, kcap = 0;

	if (!is_funcname(name->lit))
		lex_error(p, name->pos, "bad function name");
	n->name = name->lit;
	n->unit = p->u;
	lex_getc(p);            /* '(' */
	for (;;) {
		int c;

		lex_skip_space(p, 0);
		c = lex_peekc(p);
		if (c == ')') {
			lex_getc(p);
			break;
		}
		if (c == ',') {
			lex_getc(p);
			continue;
		}
		if (c == EOF)
			lex_eof_error(p, "unexpected end of file: ')' expected "
			    "(to close the parameters of '%s' at line %u)",
			    n->name, name->pos.line);
		{
			size_t start = p->off;
			struct pos at = lex_pos(p);
			while ((c = lex_peekc(p)) != EOF && (c == '_' ||
			    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (p->off > start && c >= '0' && c <= '9')))
				lex_getc(p);
			c = lex_peekc(p);
			if (p->off == start || !(c == ',' || c == ')' || c == ' ' ||
			    c == '\t' || c == '\n' || c == '#'))
				lex_error(p, at, "illegal parameter name in "
				    "definition of '%s'", n->name);
			n->params = parse_grow(p, n->params, n->nparams, &cap,
			    sizeof(*n->params));
			n->params[n->nparams++] = arena_strndup(p->a,
			    p->src + start, p->off - start);
		}
	}
	skip_newlines(p);
	if (!tok_is(lex_peek(p), "{"))
		expected(p, "'{'", n->name, name->pos);
	add_kid(p, n, parse_group(p), &kcap);
	return n;
}

/* simple: {assignment} word {word | "(" list-literal ")" | redirection} */
static struct node *
parse_simple(struct parser *p)
{
	struct node *n = new_node(p, N_SIMPLE, lex_peek(p)->pos);
	size_t acap = 0, wcap = 0, rcap = 0;

	for (;;) {
		struct tok *pk = lex_peek(p);

		if (pk->type == T_REDIR) {
			struct tok t = lex_next(p);
			n->redirs = parse_grow(p, n->redirs, n->nredirs, &rcap,
			    sizeof(*n->redirs));
			n->redirs[n->nredirs++] = *t.r;
			continue;
		}
		if (pk->type == T_LPAREN && n->nwords > 0) {
			lex_next(p);
			n->words = parse_grow(p, n->words, n->nwords, &wcap,
			    sizeof(*n->words));
			n->words[n->nwords++] = lex_list_word(p);
			continue;
		}
		if (pk->type != T_WORD)
			break;
		if (n->nwords > 0 && p->brace_depth > 0 && tok_is(pk, "}"))
			break;
		{
			struct tok t = lex_next(p);
			char *name;
			struct word *val;

			if (n->nwords == 0 && split_assign(p, t.w, &name, &val)) {
				n->assigns = parse_grow(p, n->assigns, n->nassigns,
				    &acap, sizeof(*n->assigns));
				n->assigns[n->nassigns].name = name;
				n->assigns[n->nassigns++].value = val;
				continue;
			}
			if (n->nwords == 0 && n->nassigns == 0 && t.w->lit != NULL &&
			    strcmp(t.w->lit, "return") != 0 &&
			    strcmp(t.w->lit, "returns") != 0) {
				lex_skip_blanks(p);
				if (lex_peekc(p) == '(' && !p->have_tok)
					return parse_funcdef(p, t.w);
			}
			n->words = parse_grow(p, n->words, n->nwords, &wcap,
			    sizeof(*n->words));
			n->words[n->nwords++] = t.w;
			if (n->nwords > ZMSH_ARGS_MAX)
				lex_error(p, t.pos, "more than %d words", ZMSH_ARGS_MAX);
		}
	}
	if (n->nwords == 0 && n->nassigns == 0 && n->nredirs == 0) {
		char tmp[64];
		struct tok *pk = lex_peek(p);
		if (pk->type == T_EOF)
			lex_eof_error(p, "unexpected end of file");
		lex_error(p, pk->pos, "unexpected %s", tok_desc(pk, tmp, sizeof(tmp)));
	}
	return n;
}

/* local: "local" word... */
static struct node *
parse_local(struct parser *p)
{
	struct tok kw = lex_next(p);
	struct node *n = new_node(p, N_LOCAL, kw.pos);
	size_t cap = 0;

	while (lex_peek(p)->type == T_WORD) {
		struct tok t;
		if (p->brace_depth > 0 && tok_is(lex_peek(p), "}"))
			break;
		t = lex_next(p);
		n->words = parse_grow(p, n->words, n->nwords, &cap,
		    sizeof(*n->words));
		n->words[n->nwords++] = t.w;
	}
	return n;
}

/* command: compound [redirections] | funcdef | simple */
static struct node *
parse_command(struct parser *p)
{
	struct tok *t = lex_peek(p);
	struct node *n = NULL;
	const char *w;

	if (t->type == T_LPAREN) {
		struct tok open = lex_next(p);
		size_t cap = 0;
		int saved = p->brace_depth;

		n = new_node(p, N_SUBSHELL, open.pos);
		lex_enter(p, open.pos);
		p->brace_depth = 0;
		add_kid(p, n, parse_list(p), &cap);
		if (lex_peek(p)->type != T_RPAREN)
			expected(p, "')'", "(", open.pos);
		lex_next(p);
		p->brace_depth = saved;
		lex_leave(p);
	} else if (t->type == T_WORD && (w = t->w->lit) != NULL) {
		if (strcmp(w, "{") == 0)
			n = parse_group(p);
		else if (strcmp(w, "if") == 0)
			n = parse_if(p);
		else if (strcmp(w, "case") == 0)
			n = parse_case(p);
		else if (strcmp(w, "for") == 0)
			n = parse_for(p);
		else if (strcmp(w, "while") == 0 || strcmp(w, "until") == 0)
			n = parse_while(p);
		else if (strcmp(w, "ssift") == 0 || strcmp(w, "tsift") == 0 ||
		    strcmp(w, "sift") == 0)
			n = parse_sift(p);
		else if (strcmp(w, "local") == 0)
			return parse_local(p);
	}
	if (n == NULL)
		return parse_simple(p);
	parse_redirs(p, n);
	return n;
}

/* pipeline: ["!"] command {"|" {newline} command} */
static struct node *
parse_pipeline(struct parser *p)
{
	struct pos at = lex_peek(p)->pos;
	int bang = 0;
	struct node *n;

	if (tok_is(lex_peek(p), "!")) {
		lex_next(p);
		bang = 1;
	}
	n = parse_command(p);
	if (lex_peek(p)->type == T_PIPE) {
		struct node *pl = new_node(p, N_PIPE, n->pos);
		size_t cap = 0;

		add_kid(p, pl, n, &cap);
		while (lex_peek(p)->type == T_PIPE) {
			lex_next(p);
			skip_newlines(p);
			add_kid(p, pl, parse_command(p), &cap);
		}
		n = pl;
	}
	if (bang) {
		struct node *nn = new_node(p, N_NOT, at);
		size_t cap = 0;
		add_kid(p, nn, n, &cap);
		n = nn;
	}
	return n;
}

/* and_or: pipeline {("&&"|"||") {newline} pipeline} */
static struct node *
parse_and_or(struct parser *p)
{
	struct node *n = parse_pipeline(p);

	for (;;) {
		struct tok *t = lex_peek(p);
		struct node *nn;
		size_t cap = 0;

		if (t->type != T_AND && t->type != T_OR)
			return n;
		nn = new_node(p, t->type == T_AND ? N_AND : N_OR, n->pos);
		lex_next(p);
		skip_newlines(p);
		add_kid(p, nn, n, &cap);
		add_kid(p, nn, parse_pipeline(p), &cap);
		n = nn;
	}
}

/* list: {(newline|";")} [and_or {(newline|";") [and_or]}] */
static struct node *
parse_list(struct parser *p)
{
	struct node *n = new_node(p, N_LIST, lex_peek(p)->pos);
	size_t cap = 0;

	for (;;) {
		struct tok *t;

		while ((t = lex_peek(p))->type == T_NEWLINE || t->type == T_SEMI)
			lex_next(p);
		if (at_stop(p))
			break;
		add_kid(p, n, parse_and_or(p), &cap);
		t = lex_peek(p);
		if (t->type == T_AMP)
			lex_error(p, t->pos, "background jobs ('&') are not supported");
		if (t->type != T_SEMI && t->type != T_NEWLINE)
			break;
	}
	return n;
}

struct node *
parse_cmdsub(struct parser *p, struct pos open)
{
	struct node *n;
	int saved = p->brace_depth, had = p->have_tok;
	struct tok keep = p->tok;

	lex_enter(p, open);
	p->brace_depth = 0;
	p->have_tok = 0;
	n = parse_list(p);
	if (lex_peek(p)->type != T_RPAREN)
		expected(p, "')'", "$(", open);
	p->have_tok = had;
	p->tok = keep;
	p->brace_depth = saved;
	lex_leave(p);
	return n;
}

struct node *
parse_text(struct parser *p, const char *text, size_t len, struct pos at)
{
	struct parser sub = *p;
	struct node *n;

	sub.src = text;
	sub.len = len;
	sub.off = 0;
	sub.line = at.line;
	sub.col = at.col + 1;
	sub.have_tok = 0;
	sub.brace_depth = 0;
	lex_enter(&sub, at);
	n = parse_list(&sub);
	if (lex_peek(&sub)->type != T_EOF)
		expected(&sub, "'`'", "`", at);
	return n;
}

/* ---- units ----------------------------------------------------------- */
static void
parse_oom(void *ctx)
{
	struct parser *p = ctx;

	snprintf(p->err, p->errsz, "%s: script needs too much memory", p->file);
	longjmp(*p->jb, 1);
}

static void
unit_arena_full(void *ctx)
{
	(void)ctx;
	abort();                /* a parsed unit never allocates again */
}

static void
unit_free(struct unit *u)
{
	size_t i;

	for (i = 0; i < u->nsarms; i++) {
		struct arm *a = u->sarms[i];
		if (a->compiled) {
			if (a->tre != NULL)
				tre_free(a->tre);
			else
				regfree(&a->re);
		}
		if (a->dyn_text != NULL) {
			free(a->dyn_text);
			if (a->dyn_ok) {
				if (a->dyn_tre != NULL)
					tre_free(a->dyn_tre);
				else
					regfree(&a->dyn_re);
			}
		}
	}
	arena_free(&u->arena);
	free(u);
}

void
unit_ref(struct unit *u)
{
	u->refs++;
}

void
unit_unref(struct unit *u)
{
	if (u != NULL && --u->refs == 0)
		unit_free(u);
}

struct unit *
parse_unit_partial(const char *file, const char *text, size_t len,
    char *err, size_t errsz, int *incomplete)
{
	struct parser p;
	jmp_buf jb;
	struct unit *u;
	struct node *root;

	if (incomplete != NULL)
		*incomplete = 0;
	if (len > ZMSH_SCRIPT_MAX) {
		snprintf(err, errsz, "%s: script larger than %ld bytes", file,
		    (long)ZMSH_SCRIPT_MAX);
		return NULL;
	}
	if ((u = calloc(1, sizeof(*u))) == NULL) {
		snprintf(err, errsz, "%s: out of memory", file);
		return NULL;
	}
	memset(&p, 0, sizeof(p));
	arena_init(&u->arena, ZMSH_ARENA_MAX, parse_oom, &p);
	u->refs = 1;
	p.u = u;
	p.a = &u->arena;
	p.src = text;
	p.len = len;
	p.line = 1;
	p.col = 1;
	p.jb = &jb;
	p.err = err;
	p.errsz = errsz;
	if (setjmp(jb) != 0) {
		if (incomplete != NULL)
			*incomplete = p.incomplete;
		unit_free(u);
		return NULL;
	}
	u->file = arena_strdup(p.a, file);
	p.file = u->file;
	root = parse_list(&p);
	if (lex_peek(&p)->type != T_EOF) {
		char tmp[64];
		lex_error(&p, p.tok.pos, "unexpected %s",
		    tok_desc(&p.tok, tmp, sizeof(tmp)));
	}
	u->root = root;
	u->arena.fail = unit_arena_full;   /* p is gone after this return */
	u->arena.ctx = NULL;
	return u;
}

struct unit *
parse_unit(const char *file, const char *text, size_t len, unsigned line0,
    char *err, size_t errsz)
{
	(void)line0;
	return parse_unit_partial(file, text, len, err, errsz, NULL);
}
