/*
 * ast.c - print a syntax tree (router -n -v), one node per line with its
 * line:col, for golden tests of the parser.
 */
#include <string.h>

#include "ast.h"

static const char *ntype_names[] = {
	"list", "and", "or", "not", "pipe", "simple", "group", "subshell",
	"if", "case", "for", "while", "until", "sift", "function", "local",
};

static void
indent_to(struct buf *out, int indent)
{
	int i;

	for (i = 0; i < indent; i++)
		buf_puts(out, "  ");
}

static void dump_word(struct buf *out, const struct word *w, int indent);

static void
dump_text(struct buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\' || c == '"')
			buf_printf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			buf_printf(out, "\\x%02x", c);
		else
			buf_putc(out, c);
	}
}

static void
dump_part(struct buf *out, const struct wpart *p, int indent)
{
	static const char *ops[] = { "", "-", "=", "?", "+", "#", "list#" };
	size_t i;

	switch (p->type) {
	case WP_LIT:
		buf_puts(out, p->quoted ? "q\"" : "\"");
		dump_text(out, p->text, p->len);
		buf_putc(out, '"');
		break;
	case WP_PARAM:
		buf_printf(out, "%s${%s%s%s", p->quoted ? "q" : "", p->text,
		    p->colon ? ":" : "", ops[p->op]);
		if (p->arg != NULL) {
			buf_putc(out, ' ');
			dump_word(out, p->arg, indent);
		}
		buf_putc(out, '}');
		break;
	case WP_GROUP:
		buf_printf(out, "\\%d", p->group);
		break;
	case WP_CMDSUB:
		buf_puts(out, p->quoted ? "q$(\n" : "$(\n");
		ast_dump(out, p->cmd, indent + 2);
		indent_to(out, indent + 1);
		buf_putc(out, ')');
		break;
	case WP_LIST:
		buf_putc(out, '(');
		for (i = 0; i < p->nitems; i++) {
			if (i)
				buf_putc(out, ' ');
			dump_word(out, p->items[i], indent);
		}
		buf_putc(out, ')');
		break;
	}
}

static void
dump_word(struct buf *out, const struct word *w, int indent)
{
	size_t i;

	buf_putc(out, '[');
	for (i = 0; i < w->nparts; i++) {
		if (i)
			buf_putc(out, ' ');
		dump_part(out, &w->parts[i], indent);
	}
	buf_putc(out, ']');
}

static void
dump_words(struct buf *out, struct word **w, size_t n, int indent)
{
	size_t i;

	for (i = 0; i < n; i++) {
		buf_putc(out, ' ');
		dump_word(out, w[i], indent);
	}
}

void
ast_dump(struct buf *out, const struct node *n, int indent)
{
	static const char *rnames[] = { "<", ">", ">>", ">&", "<&", ">&-" };
	size_t i, j;

	indent_to(out, indent);
	buf_printf(out, "%s @%u:%u", ntype_names[n->type], n->pos.line,
	    n->pos.col);
	switch (n->type) {
	case N_SIMPLE:
		for (i = 0; i < n->nassigns; i++) {
			buf_printf(out, " %s=", n->assigns[i].name);
			dump_word(out, n->assigns[i].value, indent);
		}
		dump_words(out, n->words, n->nwords, indent);
		break;
	case N_LOCAL:
		dump_words(out, n->words, n->nwords, indent);
		break;
	case N_FOR:
		buf_printf(out, " %s", n->name);
		if (n->words != NULL) {
			buf_puts(out, " in");
			dump_words(out, n->words, n->nwords, indent);
		}
		break;
	case N_FUNCDEF:
		buf_printf(out, " %s (", n->name);
		for (i = 0; i < n->nparams; i++)
			buf_printf(out, "%s%s", i ? " " : "", n->params[i]);
		buf_putc(out, ')');
		break;
	case N_CASE:
	case N_SIFT:
		if (n->type == N_SIFT)
			buf_puts(out, n->sift == SIFT_S ? " ssift" : " tsift");
		buf_putc(out, ' ');
		dump_word(out, n->word, indent);
		break;
	default:
		break;
	}
	for (i = 0; i < n->nredirs; i++) {
		buf_printf(out, " %d%s", n->redirs[i].fd, rnames[n->redirs[i].type]);
		dump_word(out, n->redirs[i].target, indent);
	}
	buf_putc(out, '\n');
	for (i = 0; i < n->narms; i++) {
		indent_to(out, indent + 1);
		buf_printf(out, "arm @%u:%u", n->arms[i].pos.line,
		    n->arms[i].pos.col);
		for (j = 0; j < n->arms[i].npats; j++) {
			buf_putc(out, ' ');
			dump_word(out, n->arms[i].pats[j], indent + 1);
		}
		buf_putc(out, '\n');
		ast_dump(out, n->arms[i].body, indent + 2);
	}
	for (i = 0; i < n->nkids; i++)
		ast_dump(out, n->kids[i], indent + 1);
}
