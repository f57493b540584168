/*
 * lex.c - characters to tokens and words for the zmsh parser.
 *
 * Words keep their structure: runs of literal text (each marked quoted or
 * not), parameter expansions, command substitutions, sift group
 * references and list literals are separate parts, so that expansion
 * never re-scans text (request data can never become code).
 * Limits: a word's text is at most ZMSH_TOKEN_MAX bytes; nesting of
 * substitutions and lists counts against ZMSH_NEST_MAX.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "lex.h"
#include "limits.h"

/*
 * A word being built.  Its parts and its pending literal start in the
 * inline arrays here (on the C stack) and move to the arena only when
 * they outgrow them; wb_done copies the parts to the arena at their exact
 * size.  (Growing them in the arena from the start left an abandoned
 * buffer per word: most of a router's heap.)
 */
#define WB_INL_PARTS 4
#define WB_INL_LIT   128

struct wb {
	struct parser *p;
	struct wpart *parts;
	size_t   n, cap;
	char    *lit;           /* pending literal text (inl_lit or arena) */
	size_t   litlen, litcap;
	int      litq;          /* pending literal is quoted */
	size_t   total;         /* bytes of literal text in the word */
	struct wpart inl_parts[WB_INL_PARTS];
	char     inl_lit[WB_INL_LIT];
};

static void
wb_init(struct wb *b, struct parser *p)
{
	memset(b, 0, offsetof(struct wb, inl_parts));
	b->p = p;
	b->parts = b->inl_parts;
	b->cap = WB_INL_PARTS;
	b->lit = b->inl_lit;
	b->litcap = WB_INL_LIT;
}

void
lex_error(struct parser *p, struct pos pos, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errsz, "%s:%u:%u: %s", p->file, pos.line, pos.col,
	    msg);
	longjmp(*p->jb, 1);
}

void
lex_eof_error(struct parser *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->incomplete = 1;
	snprintf(p->err, p->errsz, "%s:%u:%u: %s", p->file, p->line, p->col,
	    msg);
	longjmp(*p->jb, 1);
}

void
lex_enter(struct parser *p, struct pos pos)
{
	if (++p->depth > ZMSH_NEST_MAX)
		lex_error(p, pos, "nesting deeper than %d levels", ZMSH_NEST_MAX);
}

void
lex_leave(struct parser *p)
{
	p->depth--;
}

struct pos
lex_pos(const struct parser *p)
{
	struct pos pos;

	pos.file = p->file;
	pos.line = p->line;
	pos.col = p->col;
	return pos;
}

int
lex_peekc(struct parser *p)
{
	return p->off < p->len ? (unsigned char)p->src[p->off] : EOF;
}

int
lex_peekc2(struct parser *p)
{
	return p->off + 1 < p->len ? (unsigned char)p->src[p->off + 1] : EOF;
}

int
lex_getc(struct parser *p)
{
	int c;

	if (p->off >= p->len)
		return EOF;
	c = (unsigned char)p->src[p->off++];
	if (c == '\n') {
		p->line++;
		p->col = 1;
	} else
		p->col++;
	return c;
}

void
lex_skip_blanks(struct parser *p)
{
	for (;;) {
		int c = lex_peekc(p);
		if (c == ' ' || c == '\t' || c == '\r')
			lex_getc(p);
		else if (c == '\\' && lex_peekc2(p) == '\n') {
			lex_getc(p);
			lex_getc(p);
		} else
			break;
	}
}

static void
skip_comment(struct parser *p)
{
	int c;

	while ((c = lex_peekc(p)) != EOF && c != '\n')
		lex_getc(p);
}

void
lex_skip_space(struct parser *p, int semis)
{
	for (;;) {
		int c;

		lex_skip_blanks(p);
		c = lex_peekc(p);
		if (c == '#')
			skip_comment(p);
		else if (c == '\n' || (semis && c == ';' && lex_peekc2(p) != ';'))
			lex_getc(p);
		else
			break;
	}
}

static int
is_delim(int c)
{
	return c == EOF || c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == ';' || c == '&' || c == '|' || c == '(' || c == ')' ||
	    c == '<' || c == '>';
}

int
lex_at_word(struct parser *p, const char *kw)
{
	size_t n = strlen(kw);

	if (p->len - p->off < n || memcmp(p->src + p->off, kw, n) != 0)
		return 0;
	return p->off + n == p->len ||
	    is_delim((unsigned char)p->src[p->off + n]);
}

void *
parse_grow(struct parser *p, void *old, size_t n, size_t *cap, size_t size)
{
	void *nw;
	size_t ncap;

	if (n < *cap)
		return old;
	ncap = *cap ? *cap * 2 : 4;
	nw = arena_calloc(p->a, ncap, size);
	if (old != NULL)
		memcpy(nw, old, *cap * size);
	*cap = ncap;
	return nw;
}

/* ---- word building --------------------------------------------------- */
static void
wb_flush(struct wb *b)
{
	struct wpart *wp;

	if (b->litlen == 0)
		return;
	b->parts = parse_grow(b->p, b->parts, b->n, &b->cap, sizeof(*b->parts));
	wp = &b->parts[b->n++];
	wp->type = WP_LIT;
	wp->quoted = (unsigned char)b->litq;
	wp->text = arena_strndup(b->p->a, b->lit, b->litlen);
	wp->len = b->litlen;
	b->litlen = 0;
}

static void
wb_char(struct wb *b, int c, int quoted)
{
	if (b->litlen > 0 && b->litq != quoted)
		wb_flush(b);
	b->litq = quoted;
	if (++b->total > ZMSH_TOKEN_MAX)
		lex_error(b->p, lex_pos(b->p), "word longer than %d bytes",
		    ZMSH_TOKEN_MAX);
	if (b->litlen + 1 >= b->litcap) {
		size_t ncap = b->litcap ? b->litcap * 2 : 64;
		char *nl = arena_alloc(b->p->a, ncap);
		if (b->litlen)
			memcpy(nl, b->lit, b->litlen);
		b->lit = nl;
		b->litcap = ncap;
	}
	b->lit[b->litlen++] = (char)c;
}

static struct wpart *
wb_part(struct wb *b, enum wpart_type t, int quoted)
{
	struct wpart *wp;

	wb_flush(b);
	b->parts = parse_grow(b->p, b->parts, b->n, &b->cap, sizeof(*b->parts));
	wp = &b->parts[b->n++];
	memset(wp, 0, sizeof(*wp));
	wp->type = t;
	wp->quoted = (unsigned char)quoted;
	return wp;
}

static struct word *
wb_done(struct wb *b, struct pos pos)
{
	struct word *w;

	wb_flush(b);
	w = arena_calloc(b->p->a, 1, sizeof(*w));
	w->pos = pos;
	w->parts = b->parts;
	if (b->parts == b->inl_parts && b->n > 0) {
		w->parts = arena_alloc(b->p->a, b->n * sizeof(*b->parts));
		memcpy(w->parts, b->inl_parts, b->n * sizeof(*b->parts));
	} else if (b->n == 0)
		w->parts = NULL;
	w->nparts = b->n;
	if (b->n == 1 && b->parts[0].type == WP_LIT && !b->parts[0].quoted)
		w->lit = b->parts[0].text;
	else if (b->n == 0)
		w->lit = NULL;
	return w;
}

static int
is_name_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
is_name_char(int c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static struct word *lex_word_in(struct parser *p, enum lex_mode mode,
    int dq_inside);

/* after '$': one parameter expansion or command substitution */
static void
lex_dollar(struct parser *p, struct wb *b, int quoted, struct pos at)
{
	int c = lex_peekc(p);
	struct wpart *wp;
	char name[128];
	size_t n = 0;

	if (c == '(') {
		lex_getc(p);
		wp = wb_part(b, WP_CMDSUB, quoted);
		wp->cmd = parse_cmdsub(p, at);
		return;
	}
	if (c == '{') {
		lex_getc(p);
		wp = wb_part(b, WP_PARAM, quoted);
		c = lex_peekc(p);
		if (c == '#' && lex_peekc2(p) != '}') {
			lex_getc(p);
			wp->op = PO_LEN;
		}
		c = lex_peekc(p);
		if (is_name_start(c)) {
			while (is_name_char(lex_peekc(p)) && n < sizeof(name) - 1)
				name[n++] = (char)lex_getc(p);
		} else if (c >= '0' && c <= '9') {
			while ((c = lex_peekc(p)) >= '0' && c <= '9' &&
			    n < sizeof(name) - 1)
				name[n++] = (char)lex_getc(p);
		} else if (c != EOF && strchr("@*#?$-!", c) != NULL)
			name[n++] = (char)lex_getc(p);
		if (n == 0)
			lex_error(p, at, "bad ${...} substitution");
		wp->text = arena_strndup(p->a, name, n);
		c = lex_peekc(p);
		if (wp->op == PO_LEN) {
			if (c != '}')
				lex_error(p, at, "bad ${#...} substitution");
			lex_getc(p);
			return;
		}
		if (c == ':') {
			wp->colon = 1;
			lex_getc(p);
			c = lex_peekc(p);
		}
		switch (c) {
		case '-': wp->op = PO_MINUS; break;
		case '=': wp->op = PO_ASSIGN; break;
		case '?': wp->op = PO_ERROR; break;
		case '+': wp->op = PO_PLUS; break;
		case '}':
			if (wp->colon)
				lex_error(p, at, "bad ${...} substitution");
			lex_getc(p);
			return;
		case EOF:
			lex_eof_error(p, "unexpected end of file: '}' expected "
			    "(to close '${' at line %u)", at.line);
		default:
			lex_error(p, at, "bad ${...} substitution");
		}
		lex_getc(p);
		wp->arg = lex_word_in(p, LM_BRACE, quoted);
		if (lex_peekc(p) != '}')
			lex_eof_error(p, "unexpected end of file: '}' expected "
			    "(to close '${' at line %u)", at.line);
		lex_getc(p);
		return;
	}
	if (c == '#' && is_name_start(lex_peekc2(p))) {
		lex_getc(p);
		wp = wb_part(b, WP_PARAM, quoted);
		wp->op = PO_LISTLEN;
		while (is_name_char(lex_peekc(p)) && n < sizeof(name) - 1)
			name[n++] = (char)lex_getc(p);
		wp->text = arena_strndup(p->a, name, n);
		return;
	}
	if (is_name_start(c)) {
		wp = wb_part(b, WP_PARAM, quoted);
		while (is_name_char(lex_peekc(p))) {
			if (n >= sizeof(name) - 1)
				lex_error(p, at, "variable name too long");
			name[n++] = (char)lex_getc(p);
		}
		wp->text = arena_strndup(p->a, name, n);
		return;
	}
	if ((c >= '0' && c <= '9') || (c != EOF && strchr("@*#?$-!", c))) {
		wp = wb_part(b, WP_PARAM, quoted);
		name[0] = (char)lex_getc(p);
		wp->text = arena_strndup(p->a, name, 1);
		return;
	}
	wb_char(b, '$', quoted);
}

/* after '`': the text up to the closing backquote, parsed as a list */
static void
lex_backquote(struct parser *p, struct wb *b, int quoted, struct pos at)
{
	struct buf t;
	struct wpart *wp;
	int c;

	buf_init(&t, ZMSH_TOKEN_MAX);
	for (;;) {
		c = lex_getc(p);
		if (c == EOF) {
			buf_free(&t);
			lex_eof_error(p, "unexpected end of file: '`' expected "
			    "(to close '`' at line %u)", at.line);
		}
		if (c == '`')
			break;
		if (c == '\\') {
			int d = lex_peekc(p);
			if (d == '`' || d == '\\' || d == '$' ||
			    (quoted && d == '"'))
				c = lex_getc(p);
		}
		if (buf_putc(&t, c) < 0) {
			buf_free(&t);
			lex_error(p, at, "`...` longer than %d bytes",
			    ZMSH_TOKEN_MAX);
		}
	}
	{
		/* Copy into the arena first: a parse error in the inner text
		 * longjmps out of parse_text() and would leak the buffer. */
		size_t len = t.len;
		char *text = arena_strndup(p->a, buf_cstr(&t), len);

		buf_free(&t);
		wp = wb_part(b, WP_CMDSUB, quoted);
		wp->cmd = parse_text(p, text, len, at);
	}
}

static void
lex_dquote(struct parser *p, struct wb *b, struct pos at)
{
	int c;

	for (;;) {
		struct pos here = lex_pos(p);

		c = lex_getc(p);
		if (c == EOF)
			lex_eof_error(p, "unexpected end of file: '\"' expected "
			    "(to close '\"' at line %u)", at.line);
		if (c == '"')
			return;
		if (c == '\\') {
			int d = lex_peekc(p);
			if (d == '\n') {
				lex_getc(p);
				continue;
			}
			if (p->sift_depth > 0 && d >= '0' && d <= '9') {
				struct wpart *wp = wb_part(b, WP_GROUP, 1);
				wp->group = lex_getc(p) - '0';
				continue;
			}
			if (d == '$' || d == '`' || d == '"' || d == '\\') {
				wb_char(b, lex_getc(p), 1);
				continue;
			}
			wb_char(b, '\\', 1);
			continue;
		}
		if (c == '$') {
			lex_dollar(p, b, 1, here);
			continue;
		}
		if (c == '`') {
			lex_backquote(p, b, 1, here);
			continue;
		}
		wb_char(b, c, 1);
	}
}

struct word *
lex_list_word(struct parser *p)
{
	struct pos at = lex_pos(p);
	struct wb b;
	struct wpart *wp;
	struct word **items = NULL;
	size_t n = 0, cap = 0;

	lex_enter(p, at);
	for (;;) {
		int c;

		lex_skip_space(p, 0);
		c = lex_peekc(p);
		if (c == EOF)
			lex_eof_error(p, "unexpected end of file: ')' expected "
			    "(to close list '(' at line %u)", at.line);
		if (c == ')') {
			lex_getc(p);
			break;
		}
		items = parse_grow(p, items, n, &cap, sizeof(*items));
		if (c == '(') {
			lex_getc(p);
			items[n++] = lex_list_word(p);
		} else {
			struct word *w = lex_word(p, LM_NORMAL);
			if (w == NULL)
				lex_error(p, lex_pos(p), "unexpected '%c' in a list",
				    lex_peekc(p));
			items[n++] = w;
		}
		if (n > ZMSH_LIST_MAX)
			lex_error(p, at, "list literal longer than %d",
			    ZMSH_LIST_MAX);
	}
	lex_leave(p);
	wb_init(&b, p);
	wp = wb_part(&b, WP_LIST, 1);
	wp->items = items;
	wp->nitems = n;
	return wb_done(&b, at);
}

/* Is the word so far "NAME=" written plainly (an assignment prefix)? */
static int
wb_is_assign_prefix(const struct wb *b)
{
	size_t i;

	if (b->n != 0 || b->litq || b->litlen < 2 || b->lit[b->litlen - 1] != '=')
		return 0;
	if (!is_name_start((unsigned char)b->lit[0]))
		return 0;
	for (i = 1; i + 1 < b->litlen; i++)
		if (!is_name_char((unsigned char)b->lit[i]))
			return 0;
	return 1;
}

/*
 * Read one word in the given mode; NULL if the cursor is at a delimiter.
 * LM_PATTERN: only blanks and newlines end the word, and a backslash is
 * kept (the regex sees it); LM_BRACE: the word ends at '}', blanks are
 * text.  dq_inside: the ${...} was inside double quotes.
 */
static struct word *
lex_word_in(struct parser *p, enum lex_mode mode, int dq_inside)
{
	struct wb b;
	struct pos at = lex_pos(p);

	wb_init(&b, p);
	for (;;) {
		struct pos here = lex_pos(p);
		int c = lex_peekc(p);

		if (c == EOF)
			break;
		if (mode == LM_BRACE) {
			if (c == '}')
				break;
		} else if (mode == LM_PATTERN) {
			if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
				break;
		} else {
			if (c == '(' && wb_is_assign_prefix(&b)) {
				struct word *lw;
				struct wpart *wp;
				lex_getc(p);
				lw = lex_list_word(p);
				wp = wb_part(&b, WP_LIST, 1);
				*wp = lw->parts[0];
				continue;
			}
			if (is_delim(c))
				break;
		}
		lex_getc(p);
		if (c == '\\') {
			int d = lex_peekc(p);
			if (d == '\n') {
				lex_getc(p);
				continue;
			}
			if (d == EOF) {
				wb_char(&b, '\\', 0);
				continue;
			}
			if (mode == LM_PATTERN) {
				wb_char(&b, '\\', 1);
				wb_char(&b, lex_getc(p), 1);
				continue;
			}
			if (p->sift_depth > 0 && d >= '0' && d <= '9') {
				struct wpart *wp = wb_part(&b, WP_GROUP, 1);
				wp->group = lex_getc(p) - '0';
				continue;
			}
			if (dq_inside && !(d == '$' || d == '`' || d == '"' ||
			    d == '\\' || d == '}')) {
				wb_char(&b, '\\', 1);
				continue;
			}
			wb_char(&b, lex_getc(p), 1);
			continue;
		}
		if (c == '\'' && !dq_inside) {
			for (;;) {
				int d = lex_getc(p);
				if (d == EOF)
					lex_eof_error(p, "unexpected end of file: "
					    "\"'\" expected (to close \"'\" at "
					    "line %u)", here.line);
				if (d == '\'')
					break;
				wb_char(&b, d, 1);
			}
			/* an empty '' still makes a (quoted) word */
			wb_part(&b, WP_LIT, 1)->text = "";
			continue;
		}
		if (c == '"') {
			size_t before = b.n;
			lex_dquote(p, &b, here);
			if (b.n == before && b.litlen == 0)
				wb_part(&b, WP_LIT, 1)->text = "";
			continue;
		}
		if (c == '$') {
			lex_dollar(p, &b, dq_inside, here);
			continue;
		}
		if (c == '`') {
			lex_backquote(p, &b, dq_inside, here);
			continue;
		}
		wb_char(&b, c, dq_inside);
	}
	if (b.n == 0 && b.litlen == 0 && mode != LM_BRACE)
		return NULL;
	return wb_done(&b, at);
}

struct word *
lex_word(struct parser *p, enum lex_mode mode)
{
	return lex_word_in(p, mode, 0);
}

/* ---- tokens ---------------------------------------------------------- */
static void
lex_redir(struct parser *p, struct tok *t, int fd)
{
	struct redir *r = arena_calloc(p->a, 1, sizeof(*r));
	int c = lex_getc(p);

	r->pos = t->pos;
	if (c == '<') {
		r->fd = fd < 0 ? 0 : fd;
		if (lex_peekc(p) == '&') {
			lex_getc(p);
			r->type = R_DUPIN;
		} else if (lex_peekc(p) == '<')
			lex_error(p, t->pos, "here-documents are not supported");
		else
			r->type = R_IN;
	} else {
		r->fd = fd < 0 ? 1 : fd;
		if (lex_peekc(p) == '>') {
			lex_getc(p);
			r->type = R_APPEND;
		} else if (lex_peekc(p) == '&') {
			lex_getc(p);
			r->type = R_DUPOUT;
		} else {
			if (lex_peekc(p) == '|')
				lex_getc(p);
			r->type = R_OUT;
		}
	}
	lex_skip_blanks(p);
	r->target = lex_word(p, LM_NORMAL);
	if (r->target == NULL)
		lex_error(p, t->pos, "missing file name after redirection");
	if (r->type == R_DUPIN || r->type == R_DUPOUT) {
		const char *s = r->target->lit;
		if (s != NULL && strcmp(s, "-") == 0)
			r->type = R_CLOSE;
		else if (s != NULL && s[0] >= '0' && s[0] <= '9' && s[1] == '\0')
			r->dupfd = s[0] - '0';
		else
			lex_error(p, t->pos, "bad file descriptor in redirection");
	}
	t->type = T_REDIR;
	t->r = r;
}

static void
lex_token(struct parser *p, struct tok *t)
{
	int c;

	memset(t, 0, sizeof(*t));
	for (;;) {
		lex_skip_blanks(p);
		if (lex_peekc(p) == '#') {
			skip_comment(p);
			continue;
		}
		break;
	}
	t->pos = lex_pos(p);
	c = lex_peekc(p);
	switch (c) {
	case EOF:
		t->type = T_EOF;
		return;
	case '\n':
		lex_getc(p);
		t->type = T_NEWLINE;
		return;
	case ';':
		lex_getc(p);
		if (lex_peekc(p) == ';') {
			lex_getc(p);
			t->type = T_DSEMI;
		} else
			t->type = T_SEMI;
		return;
	case '&':
		lex_getc(p);
		if (lex_peekc(p) == '&') {
			lex_getc(p);
			t->type = T_AND;
		} else
			t->type = T_AMP;
		return;
	case '|':
		lex_getc(p);
		if (lex_peekc(p) == '|') {
			lex_getc(p);
			t->type = T_OR;
		} else
			t->type = T_PIPE;
		return;
	case '(':
		lex_getc(p);
		t->type = T_LPAREN;
		return;
	case ')':
		lex_getc(p);
		t->type = T_RPAREN;
		return;
	case '<':
	case '>':
		lex_redir(p, t, -1);
		return;
	}
	if (c >= '0' && c <= '9' &&
	    (lex_peekc2(p) == '<' || lex_peekc2(p) == '>')) {
		lex_getc(p);
		lex_redir(p, t, c - '0');
		return;
	}
	t->type = T_WORD;
	t->w = lex_word(p, LM_NORMAL);
	if (t->w == NULL)
		lex_error(p, t->pos, "unexpected character '%c'", c);
}

struct tok *
lex_peek(struct parser *p)
{
	if (!p->have_tok) {
		struct tok t;   /* a $(...) inside the word parses with p->tok */
		lex_token(p, &t);
		p->tok = t;
		p->have_tok = 1;
	}
	return &p->tok;
}

struct tok
lex_next(struct parser *p)
{
	lex_peek(p);
	p->have_tok = 0;
	return p->tok;
}
