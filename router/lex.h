/*
 * lex.h - the zmsh lexer, shared by the parser only.
 *
 * The lexer works on characters because the meaning of a character
 * depends on where the parser is (a sift pattern, a ${...} operand, a
 * list literal); the parser asks for the next token or for a word in a
 * given mode.  Errors longjmp back to parse_unit() with the message.
 */
#ifndef ZM_LEX_H
#define ZM_LEX_H

#include <setjmp.h>
#include <stdarg.h>

#include "ast.h"

enum tok_type {
	T_EOF, T_WORD, T_NEWLINE, T_SEMI, T_DSEMI, T_AND, T_OR, T_PIPE,
	T_AMP, T_LPAREN, T_RPAREN, T_REDIR,
};

struct tok {
	enum tok_type type;
	struct pos pos;
	struct word *w;         /* T_WORD */
	struct redir *r;        /* T_REDIR (target filled by the lexer) */
};

enum lex_mode { LM_NORMAL, LM_PATTERN, LM_BRACE };

struct parser {
	struct unit *u;
	struct arena *a;
	const char *src;
	size_t   len, off;
	unsigned line, col;
	const char *file;
	jmp_buf *jb;
	char    *err;
	size_t   errsz;
	int      incomplete;
	int      depth;
	int      sift_depth;    /* > 0 inside a sift body: \N are groups */
	int      brace_depth;   /* > 0 inside { }: a bare } closes */
	struct tok tok;
	int      have_tok;
};

int  lex_peekc(struct parser *p);
int  lex_peekc2(struct parser *p);
int  lex_getc(struct parser *p);
struct pos lex_pos(const struct parser *p);
void lex_skip_blanks(struct parser *p);
/* Skip blanks, comments and newlines (and ';' if semis). */
void lex_skip_space(struct parser *p, int semis);
/* Is the raw text at the cursor the word kw followed by a delimiter? */
int  lex_at_word(struct parser *p, const char *kw);
struct tok *lex_peek(struct parser *p);
struct tok lex_next(struct parser *p);
struct word *lex_word(struct parser *p, enum lex_mode mode);
struct word *lex_list_word(struct parser *p);  /* after '(' consumed */
void lex_error(struct parser *p, struct pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
void lex_eof_error(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
void lex_enter(struct parser *p, struct pos pos);
void lex_leave(struct parser *p);
/* parse.c: parse "list )" for $( ... ); the ')' is consumed. */
struct node *parse_cmdsub(struct parser *p, struct pos open);
/* parse.c: parse a backquoted text as its own list */
struct node *parse_text(struct parser *p, const char *text, size_t len,
    struct pos at);
void *parse_grow(struct parser *p, void *old, size_t n, size_t *cap,
    size_t size);

#endif
