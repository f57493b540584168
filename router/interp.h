/*
 * interp.h - the zmsh evaluator: values, variables, the interpreter
 * state, and the interfaces between its modules (eval.c, expand.c,
 * value.c, io.c, run.c, sift.c, test.c, bi_*.c, wire.c).
 *
 * Memory: values made while a command runs live in the interpreter's
 * arena (in->tmp), which is reset between requests and released after
 * each loop iteration; variables hold deep copies on the heap.  Errors
 * (a limit reached, a bad construct at run time) call interp_fatal(),
 * which longjmps to the innermost interp_protect() after its message is
 * recorded; every resource acquired in between is on the cleanup stack.
 */
#ifndef ZM_INTERP_H
#define ZM_INTERP_H

#include <setjmp.h>
#include <stddef.h>

#include "arena.h"
#include "ast.h"
#include "buf.h"
#include "limits.h"

/* ---- values (value.c) ------------------------------------------------ */
enum { V_STR, V_LIST };

struct val {
	unsigned char type;
	unsigned char splice;   /* from `elements`: spread into words */
	size_t   n;             /* V_STR bytes, V_LIST members */
	char    *s;             /* V_STR: n bytes and a NUL */
	struct val **v;         /* V_LIST */
};

struct interp;

struct val *val_str(struct interp *in, const char *s, size_t n);
struct val *val_cstr(struct interp *in, const char *s);
struct val *val_list(struct interp *in, size_t n);
struct val *val_copy(struct interp *in, const struct val *v);   /* to arena */
struct val *val_heap(struct interp *in, const struct val *v);   /* to heap */
void val_heap_free(struct val *v);
/* The text of a value: a string itself, a list in grind form. */
const char *val_text(struct interp *in, const struct val *v, size_t *len);
void val_grind(struct buf *out, const struct val *v);
int  val_true(const struct val *v);    /* non-empty string or list */

/* ---- small string map (hmap.c) -------------------------------------- */
struct hent {
	char    *key;
	void    *data;
	struct hent *next;
};

struct hmap {
	struct hent **b;
	size_t   nb, n;
};

void  hmap_init(struct hmap *h);
void *hmap_get(const struct hmap *h, const char *key);
/* Insert or replace; returns the old data (or NULL); -1 pointer on ENOMEM is
 * not possible: allocation failure aborts through xmalloc. */
void *hmap_put(struct hmap *h, const char *key, void *data);
void *hmap_del(struct hmap *h, const char *key);
void  hmap_walk(const struct hmap *h, void (*fn)(const char *, void *, void *),
    void *arg);
void  hmap_clear(struct hmap *h, void (*fn)(void *));
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
char *xstrdup(const char *s);

/* ---- interpreter state ----------------------------------------------- */
enum ctl { CTL_NONE, CTL_BREAK, CTL_CONTINUE, CTL_RETURN, CTL_EXIT };

enum vfd_kind { VF_CLOSED, VF_REAL, VF_BUF, VF_LOG };

struct vfd {
	enum vfd_kind kind;
	int      fd;            /* VF_REAL */
	int      nullprog;      /* VF_REAL 0: programs get /dev/null */
	struct buf *b;          /* VF_BUF */
	size_t   roff;          /* VF_BUF read offset */
};

struct var {
	char    *name;
	struct val *v;          /* heap; NULL: declared, unset */
	int      exported;
	struct var *next;       /* in a frame */
};

struct frame {
	struct var *vars;
	struct val **pos;       /* heap copies; only function frames */
	size_t   npos;
	int      func;          /* function frame (has positionals) */
	struct unit *unit;
};

struct func {
	char    *name;
	struct node *def;
	struct unit *unit;
};

struct mframe {                 /* sift groups for \0..\9 */
	struct mframe *up;
	int      has;
	char    *g[10];
	size_t   gl[10];
};

struct cleanup {
	void   (*fn)(struct interp *, void *);
	void    *p;
};

struct interp {
	struct arena tmp;
	struct hmap globals;
	struct hmap funcs;
	struct hmap rels;
	struct hmap provided, required;
	struct frame *frames;
	size_t   nframes, capframes;
	struct val **gpos;      /* global positionals (heap) */
	size_t   ngpos;
	int      status;        /* $? */
	struct val *rval;       /* value of the last command, or NULL */
	enum ctl ctl;
	int      ctl_n;
	int      exit_status;
	struct vfd fd[ZMSH_FDS_MAX];
	struct cleanup *cl;
	size_t   ncl, capcl;
	int      depth;
	int      calldepth;
	char    *stack_base;
	size_t   stack_max;
	jmp_buf *jb;
	char     err[1024];
	struct mframe *match;
	long     steps;
	long     cpu0;          /* CPU time (ms) when the run began */
	unsigned long gen;      /* bumped by every assignment */
	int      subst_ran, subst_status;
	int      opt_f, opt_a, opt_u, opt_x, opt_i;
	int      wire;          /* router -I smtpserver */
	int      dot_depth;
	unsigned long gensym;
	const char *arg0;
	struct pos cur;
	struct buf logline;
	char    *hostname;
	struct buf errout;      /* VF_LOG line assembly */
};

/* eval.c */
void interp_init(struct interp *in, char **envp);
void interp_free(struct interp *in);
void interp_fatal(struct interp *in, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
void interp_fatal_at(struct interp *in, struct pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
/*
 * Run fn(in, arg) with errors caught: 0 when it returned, -1 after an
 * error (message in in->err; state unwound to what it was on entry).
 */
int  interp_protect(struct interp *in, void (*fn)(struct interp *, void *),
    void *arg);
int  eval_node(struct interp *in, struct node *n);
/* Run a parsed unit (a file or eval text); the unit is unref'ed. */
int  eval_unit(struct interp *in, struct unit *u);
/* Source a file: 0 run, 1 not found/unreadable (message in err). */
int  eval_file(struct interp *in, const char *path, int *status);
int  eval_call(struct interp *in, int argc, struct val **argv);
/* name on $PATH (or as given with a '/'): the path in the arena, or NULL */
char *eval_path_search(struct interp *in, const char *name, int want_exec);
struct func *func_get(struct interp *in, const char *name);
void cleanup_push(struct interp *in, void (*fn)(struct interp *, void *), void *p);
void cleanup_pop(struct interp *in, int run);
/*
 * A buffer (in the arena) whose memory a script error cannot leak: it is
 * on the cleanup stack; cleanup_pop(in, 1) frees it.  For every buffer
 * that lives across a call that may fail (io_write, val_text, arena
 * allocation).
 */
struct buf *buf_scratch(struct interp *in, size_t max);
void interp_step(struct interp *in);
void interp_reset_request(struct interp *in);

/* variables (var.c) */
struct val *var_get(struct interp *in, const char *name);
const char *var_str(struct interp *in, const char *name);   /* NULL if unset */
void var_set(struct interp *in, const char *name, const struct val *v);
void var_set_str(struct interp *in, const char *name, const char *s);
void var_set_global(struct interp *in, const char *name, const char *s, int exp);
void var_unset(struct interp *in, const char *name);
void var_export(struct interp *in, const char *name);
void var_local(struct interp *in, const char *name, const struct val *v);
struct frame *frame_push(struct interp *in, int func);
void frame_pop(struct interp *in);
size_t pos_count(struct interp *in);
struct val *pos_get(struct interp *in, size_t i);  /* 1-based; NULL */
void pos_set(struct interp *in, int argc, struct val **argv);
char **var_environ(struct interp *in, struct frame *extra);
struct val **var_slot(struct interp *in, const char *name);

/* expand.c */
struct fields {
	struct val **v;
	size_t   n, cap;
};
void exp_args(struct interp *in, struct word **w, size_t n, struct fields *out);
struct val *exp_value(struct interp *in, const struct word *w);
char *exp_string(struct interp *in, const struct word *w, size_t *len);
char *exp_pattern(struct interp *in, const struct word *w, int glob);
int  word_is_static(const struct word *w);
struct val *exp_subst(struct interp *in, struct node *cmd);
void fields_add(struct interp *in, struct fields *f, struct val *v);

/* io.c */
int  io_write(struct interp *in, int fd, const char *s, size_t n);
int  io_puts(struct interp *in, int fd, const char *s);
int  io_readline(struct interp *in, int fd, struct buf *line);
/* Capture fd 1 into a buffer of at most max bytes (more: script error);
 * end restores fd 1 and returns the text (in the arena). */
void *io_capture_begin(struct interp *in, size_t max);
char *io_capture_end(struct interp *in, void *cap, size_t *len);
/* Replace a descriptor until io_restore() to the mark taken before. */
void io_setfd(struct interp *in, int fd, const struct vfd *v);
void io_flush_log(struct interp *in);
/* Redirections: apply (returning a mark), then restore to the mark. */
size_t io_redirect(struct interp *in, struct redir *r, size_t n);
void io_restore(struct interp *in, size_t mark);
void io_errorf(struct interp *in, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* run.c: run a program; returns its status (124 timed out, 126/127). */
int  run_program(struct interp *in, int argc, struct val **argv,
    struct frame *tmpvars);

/* sift.c */
int  eval_sift(struct interp *in, struct node *n);

/* test.c */
int  bi_test(struct interp *in, int argc, struct val **argv);

/* builtins (bi_*.c) */
#define BI_LISTVAL  1           /* value-returning: bare use prints it */
struct builtin {
	const char *name;
	int    (*fn)(struct interp *, int, struct val **);
	unsigned flags;
};
const struct builtin *bi_find(const char *name);
extern const struct builtin bi_shell_tab[], bi_list_tab[], bi_mail_tab[];
extern const size_t bi_shell_n, bi_list_n, bi_mail_n;
const char *arg_str(struct interp *in, struct val *v);
int  bi_usage(struct interp *in, const char *msg);
int  bi_setf(struct interp *in, struct node *n);
int  bi_relation(struct interp *in, int argc, struct val **argv);
int  bi_db(struct interp *in, int argc, struct val **argv);
/* relation lookups (bi_rel.c): -1 if name is not a relation */
int  rel_call(struct interp *in, const char *name, int argc, struct val **argv);
void rel_free_all(struct interp *in);
int  bi_is_module_missing(struct interp *in, char *err, size_t errsz);

#endif
