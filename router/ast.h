/*
 * ast.h - the syntax tree of zmsh, as the parser builds it.
 *
 * Every node and every word carries its source position (file, line,
 * column) so that run-time errors name the place.  A parsed text (a
 * script file, an `eval` string, one line of `router -i`) is a unit: all
 * its nodes live in the unit's arena and are freed together when nothing
 * refers to the unit any more (functions it defined hold references).
 */
#ifndef ZM_AST_H
#define ZM_AST_H

#include <regex.h>
#include <stddef.h>
#include <stdio.h>

#include "arena.h"
#include "buf.h"

struct pos {
	const char *file;
	unsigned    line, col;
};

/* ---- words ----------------------------------------------------------- */
enum wpart_type {
	WP_LIT,         /* text */
	WP_PARAM,       /* $name ${name...} $1 $@ $# ... */
	WP_CMDSUB,      /* $(list) or `list` */
	WP_GROUP,       /* \0..\9 inside a sift body */
	WP_LIST,        /* (word word ...) list literal */
};

enum pop {              /* ${name OP word} */
	PO_NONE, PO_MINUS, PO_ASSIGN, PO_ERROR, PO_PLUS, PO_LEN, PO_LISTLEN,
};

struct word;
struct node;

struct wpart {
	enum wpart_type type;
	unsigned char quoted;   /* inside "..." or '...' or after \ */
	unsigned char colon;    /* ${name:-w} */
	unsigned char op;       /* enum pop */
	int      group;         /* WP_GROUP digit */
	char    *text;          /* WP_LIT text, WP_PARAM name */
	size_t   len;
	struct word *arg;       /* WP_PARAM operand */
	struct node *cmd;       /* WP_CMDSUB */
	struct word **items;    /* WP_LIST */
	size_t   nitems;
};

struct word {
	struct pos pos;
	struct wpart *parts;
	size_t   nparts;
	char    *lit;   /* the whole word if it is unquoted literal text, else NULL */
};

/* ---- commands -------------------------------------------------------- */
enum ntype {
	N_LIST,         /* kids: commands in sequence */
	N_AND, N_OR,    /* kids[0] && kids[1] */
	N_NOT,          /* ! kids[0] */
	N_PIPE,         /* kids joined by | */
	N_SIMPLE,       /* assignments, words, redirections */
	N_GROUP,        /* { list } */
	N_SUBSHELL,     /* ( list ) */
	N_IF,           /* kids: cond, body, cond, body, ... [else] */
	N_CASE,         /* word; arms */
	N_FOR,          /* name; words (NULL: "$@"); body */
	N_WHILE, N_UNTIL,  /* kids[0] cond, kids[1] body */
	N_SIFT,         /* word; arms */
	N_FUNCDEF,      /* name, params, body */
	N_LOCAL,        /* words: names or name=value */
};

enum redir_type { R_IN, R_OUT, R_APPEND, R_DUPOUT, R_DUPIN, R_CLOSE };

struct redir {
	struct pos pos;
	enum redir_type type;
	int      fd;
	int      dupfd;
	struct word *target;
};

struct assign {
	char    *name;
	struct word *value;
};

enum sift_kind { SIFT_S, SIFT_T };

struct tre;             /* compiled tsift pattern (tsift.c) */

struct arm {
	struct pos pos;
	struct word **pats;     /* case: alternatives; sift: one */
	size_t   npats;
	struct node *body;
	/* sift only: compiled when the pattern has no expansions */
	int      compiled;
	regex_t  re;
	struct tre *tre;
	/* a pattern built at run time: last text and its compiled form */
	char    *dyn_text;
	int      dyn_ok;
	regex_t  dyn_re;
	struct tre *dyn_tre;
};

struct unit;

struct node {
	enum ntype type;
	struct pos pos;
	struct node **kids;
	size_t   nkids;
	int      has_else;      /* N_IF */
	struct word *word;      /* N_CASE, N_SIFT subject */
	struct word **words;    /* N_SIMPLE, N_FOR (NULL: $@), N_LOCAL */
	size_t   nwords;
	struct assign *assigns; /* N_SIMPLE */
	size_t   nassigns;
	struct redir *redirs;
	size_t   nredirs;
	struct arm *arms;       /* N_CASE, N_SIFT */
	size_t   narms;
	enum sift_kind sift;
	char    *name;          /* N_FOR variable, N_FUNCDEF name */
	char   **params;        /* N_FUNCDEF */
	size_t   nparams;
	struct unit *unit;      /* N_FUNCDEF: the unit that holds the body */
};

struct unit {
	struct arena arena;
	char    *file;          /* in the arena */
	struct node *root;
	int      refs;
	struct unit *next_sift; /* not used */
	struct arm **sarms;     /* sift arms with regexes to free */
	size_t   nsarms, capsarms;
};

/* ---- parser (parse.c) ------------------------------------------------ */
/*
 * Parse text (len bytes; it need not be NUL-terminated) named file.
 * Returns a unit with refs 1 and the tree in root, or NULL with
 * "file:line:col: message" in err.  line0 is the number of the first line.
 */
struct unit *parse_unit(const char *file, const char *text, size_t len,
    unsigned line0, char *err, size_t errsz);
/* Like parse_unit, but an error at the end of the text sets *incomplete
 * (for `router -i`, which then reads another line). */
struct unit *parse_unit_partial(const char *file, const char *text,
    size_t len, char *err, size_t errsz, int *incomplete);
void unit_ref(struct unit *u);
void unit_unref(struct unit *u);

/* ---- dump (ast.c) ---------------------------------------------------- */
void ast_dump(struct buf *out, const struct node *n, int indent);

#endif
