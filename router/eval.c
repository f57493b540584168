/*
 * eval.c - the evaluator: runs the tree of ast.h.
 *
 * Status and control: every command sets in->status ($?) and may leave a
 * value in in->rval (what `$(...)` yields); break/continue/return/exit
 * travel up as in->ctl.  Limits: ZMSH_STEPS_MAX commands and ZMSH_CPU_MAX
 * seconds of CPU time per request,
 * ZMSH_CALL_DEPTH_MAX calls, ZMSH_EVAL_DEPTH_MAX nested evaluations and a
 * stack-size guard, ZMSH_ARENA_MAX bytes of temporaries; reaching one is a
 * script error (interp_fatal), never a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileperm.h"
#include "interp.h"
#include "log.h"

/* CPU time of the process, in milliseconds. */
static long
cpu_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
		return 0;
	return (long)ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void
arena_full(void *ctx)
{
	interp_fatal(ctx, "memory limit reached (%ld bytes of temporaries)",
	    (long)ZMSH_ARENA_MAX);
}

void
interp_init(struct interp *in, char **envp)
{
	struct rlimit rl;
	char here;
	size_t i;

	memset(in, 0, sizeof(*in));
	arena_init(&in->tmp, ZMSH_ARENA_MAX, arena_full, in);
	hmap_init(&in->globals);
	hmap_init(&in->funcs);
	hmap_init(&in->rels);
	hmap_init(&in->provided);
	hmap_init(&in->required);
	for (i = 0; i < ZMSH_FDS_MAX; i++)
		in->fd[i].kind = VF_CLOSED;
	in->fd[0].kind = VF_REAL;
	in->fd[0].fd = 0;
	in->fd[0].nullprog = 1;
	in->fd[1].kind = VF_REAL;
	in->fd[1].fd = 1;
	in->fd[2].kind = VF_REAL;
	in->fd[2].fd = 2;
	buf_init(&in->errout, LOG_LINE_MAX);
	in->stack_base = &here;
	in->stack_max = 6u * 1024 * 1024;
	if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < in->stack_max + 512 * 1024)
		in->stack_max = rl.rlim_cur > 1024 * 1024 ?
		    rl.rlim_cur - 512 * 1024 : rl.rlim_cur / 2;
	in->arg0 = "router";
	in->cpu0 = cpu_ms();
	for (; envp != NULL && *envp != NULL; envp++) {
		const char *eq = strchr(*envp, '=');
		char name[256];
		size_t l;

		if (eq == NULL || (l = (size_t)(eq - *envp)) == 0 ||
		    l >= sizeof(name))
			continue;
		memcpy(name, *envp, l);
		name[l] = '\0';
		if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") != l ||
		    (name[0] >= '0' && name[0] <= '9'))
			continue;
		var_set_global(in, name, eq + 1, 1);
	}
}

static void
func_free(void *p)
{
	struct func *f = p;

	unit_unref(f->unit);
	free(f->name);
	free(f);
}

static void
var_free(void *p)
{
	struct var *v = p;

	val_heap_free(v->v);
	free(v->name);
	free(v);
}

void
interp_free(struct interp *in)
{
	size_t i;

	while (in->nframes > 0)
		frame_pop(in);
	free(in->frames);
	for (i = 0; i < in->ngpos; i++)
		val_heap_free(in->gpos[i]);
	free(in->gpos);
	rel_free_all(in);
	hmap_clear(&in->funcs, func_free);
	hmap_clear(&in->globals, var_free);
	hmap_clear(&in->provided, NULL);
	hmap_clear(&in->required, NULL);
	hmap_clear(&in->rels, NULL);
	free(in->cl);
	free(in->hostname);
	buf_free(&in->errout);
	arena_free(&in->tmp);
}

static void __attribute__((noreturn))
fatal_jump(struct interp *in)
{
	if (in->jb == NULL) {
		io_flush_log(in);
		log_msg(LOG_ERR, "%s", in->err);
		_exit(70);
	}
	longjmp(*in->jb, 1);
}

void
interp_fatal_at(struct interp *in, struct pos pos, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (pos.file != NULL)
		snprintf(in->err, sizeof(in->err), "%s:%u:%u: %s", pos.file,
		    pos.line, pos.col, msg);
	else
		snprintf(in->err, sizeof(in->err), "%s", msg);
	fatal_jump(in);
}

void
interp_fatal(struct interp *in, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	interp_fatal_at(in, in->cur, "%s", msg);
}

void
cleanup_push(struct interp *in, void (*fn)(struct interp *, void *), void *p)
{
	if (in->ncl == in->capcl) {
		size_t ncap = in->capcl ? in->capcl * 2 : 32;
		struct cleanup *n = xcalloc(ncap, sizeof(*n));
		if (in->ncl)
			memcpy(n, in->cl, in->ncl * sizeof(*n));
		free(in->cl);
		in->cl = n;
		in->capcl = ncap;
	}
	in->cl[in->ncl].fn = fn;
	in->cl[in->ncl].p = p;
	in->ncl++;
}

void
cleanup_pop(struct interp *in, int run)
{
	struct cleanup c = in->cl[--in->ncl];

	if (run)
		c.fn(in, c.p);
}

int
interp_protect(struct interp *in, void (*fn)(struct interp *, void *),
    void *arg)
{
	jmp_buf jb, *saved = in->jb;
	size_t nframes = in->nframes, ncl = in->ncl;
	int depth = in->depth, calldepth = in->calldepth, dot = in->dot_depth;
	struct mframe *m = in->match;

	in->jb = &jb;
	if (setjmp(jb) != 0) {
		in->jb = saved;
		while (in->ncl > ncl)
			cleanup_pop(in, 1);
		while (in->nframes > nframes)
			frame_pop(in);
		in->depth = depth;
		in->calldepth = calldepth;
		in->dot_depth = dot;
		in->match = m;
		in->ctl = CTL_NONE;
		in->rval = NULL;
		return -1;
	}
	fn(in, arg);
	in->jb = saved;
	return 0;
}

/*
 * One more command.  Commands are bounded, and so is CPU time: one
 * command may copy values of up to ZMSH_VALUE_MAX bytes, so a million of
 * them could take minutes (found by tests/fuzz/fuzz_zmsheval.c: a loop
 * growing a string ran 2 minutes).  Checked every 64 commands.
 */
void
interp_step(struct interp *in)
{
	if (++in->steps > ZMSH_STEPS_MAX)
		interp_fatal(in, "more than %ld commands in one run (runaway loop?)",
		    (long)ZMSH_STEPS_MAX);
	if ((in->steps & 63) == 0 && cpu_ms() - in->cpu0 > ZMSH_CPU_MAX * 1000L)
		interp_fatal(in, "more than %d s of CPU time in one run "
		    "(runaway loop?)", ZMSH_CPU_MAX);
}

void
interp_reset_request(struct interp *in)
{
	in->rval = NULL;
	in->match = NULL;
	in->steps = 0;
	in->cpu0 = cpu_ms();
	in->ctl = CTL_NONE;
	arena_reset(&in->tmp);
}

struct func *
func_get(struct interp *in, const char *name)
{
	return hmap_get(&in->funcs, name);
}

/* ---- commands -------------------------------------------------------- */
static int eval_list_kids(struct interp *in, struct node *n);

static int
set_status(struct interp *in, int st)
{
	in->status = st;
	return st;
}

static void
unit_cleanup(struct interp *in, void *p)
{
	(void)in;
	unit_unref(p);
}

int
eval_call(struct interp *in, int argc, struct val **argv)
{
	const char *name = argv[0]->type == V_STR ? argv[0]->s : "";
	struct func *fn = func_get(in, name);
	struct node *def = fn->def;
	struct frame *f;
	struct pos saved = in->cur;
	size_t i;
	int st;

	if (in->calldepth >= ZMSH_CALL_DEPTH_MAX)
		interp_fatal(in, "call depth limit (%d) reached calling '%s'",
		    ZMSH_CALL_DEPTH_MAX, name);
	in->calldepth++;
	f = frame_push(in, 1);
	f->unit = fn->unit;
	unit_ref(fn->unit);
	for (i = 0; i < def->nparams; i++) {
		struct val *v = (int)i + 1 < argc ? argv[i + 1] : val_str(in, "", 0);
		var_local(in, def->params[i], v);
	}
	{
		size_t skip = def->nparams + 1 < (size_t)argc ? def->nparams + 1 :
		    (size_t)argc;
		pos_set(in, argc - (int)skip, argv + skip);
	}
	in->rval = NULL;
	st = eval_node(in, def->kids[0]);
	if (in->ctl == CTL_RETURN || in->ctl == CTL_BREAK ||
	    in->ctl == CTL_CONTINUE) {
		in->ctl = CTL_NONE;
		st = in->status;
	}
	frame_pop(in);
	in->calldepth--;
	in->cur = saved;
	return set_status(in, st);
}

static int
is_listval_out(struct interp *in)
{
	return in->fd[1].kind != VF_BUF;
}

static int
dispatch(struct interp *in, int argc, struct val **argv, struct frame *tmp)
{
	const char *name = arg_str(in, argv[0]);
	const struct builtin *b = bi_find(name);
	int st;

	if (b != NULL && (b->flags & 2)) {      /* special: not overridable */
		in->rval = NULL;
		return set_status(in, b->fn(in, argc, argv));
	}
	if (func_get(in, name) != NULL)
		return eval_call(in, argc, argv);
	if ((st = rel_call(in, name, argc, argv)) >= 0)
		return set_status(in, st);
	if (b != NULL) {
		in->rval = NULL;
		st = b->fn(in, argc, argv);
		if ((b->flags & BI_LISTVAL) && in->rval != NULL &&
		    is_listval_out(in)) {
			struct buf *g = buf_scratch(in, ZMSH_VALUE_MAX + 2);

			val_grind(g, in->rval);
			buf_putc(g, '\n');
			io_write(in, 1, g->data, g->len);
			cleanup_pop(in, 1);
		}
		return set_status(in, st);
	}
	in->rval = NULL;
	return set_status(in, run_program(in, argc, argv, tmp));
}

static int
eval_simple(struct interp *in, struct node *n)
{
	struct fields f;
	size_t i, mark;
	int st;
	struct frame *tmp = NULL;
	size_t tmpidx = 0;

	in->cur = n->pos;
	interp_step(in);
	if (n->nwords > 0 && n->words[0]->lit != NULL &&
	    strcmp(n->words[0]->lit, "setf") == 0 && n->nassigns == 0) {
		in->rval = NULL;
		return set_status(in, bi_setf(in, n));
	}
	memset(&f, 0, sizeof(f));
	in->subst_ran = 0;
	exp_args(in, n->words, n->nwords, &f);
	if (f.n == 0) {
		int ran;
		for (i = 0; i < n->nassigns; i++) {
			struct val *v = exp_value(in, n->assigns[i].value);
			var_set(in, n->assigns[i].name, v);
		}
		ran = in->subst_ran;
		mark = io_redirect(in, n->redirs, n->nredirs);
		if (mark == (size_t)-1)
			return set_status(in, 1);
		io_restore(in, mark);
		in->rval = NULL;
		if (ran)
			in->status = in->subst_status;
		return in->status;
	}
	mark = io_redirect(in, n->redirs, n->nredirs);
	if (mark == (size_t)-1)
		return set_status(in, 1);
	if (n->nassigns > 0) {
		struct val **vals = arena_calloc(&in->tmp, n->nassigns, sizeof(*vals));
		for (i = 0; i < n->nassigns; i++)
			vals[i] = exp_value(in, n->assigns[i].value);
		tmp = frame_push(in, 0);
		tmpidx = in->nframes - 1;
		for (i = 0; i < n->nassigns; i++) {
			struct var *v = xcalloc(1, sizeof(*v));
			v->name = xstrdup(n->assigns[i].name);
			v->v = val_heap(in, vals[i]);
			v->exported = 1;
			v->next = tmp->vars;
			tmp->vars = v;
		}
	}
	st = dispatch(in, (int)f.n, f.v, tmp != NULL ? &in->frames[tmpidx] : NULL);
	if (tmp != NULL)
		frame_pop(in);
	io_restore(in, mark);
	return st;
}

static void
loop_end_iteration(struct interp *in, struct amark m)
{
	if (in->ctl == CTL_NONE || in->ctl == CTL_BREAK ||
	    in->ctl == CTL_CONTINUE) {
		in->rval = NULL;
		arena_release(&in->tmp, m);
	}
}

/* 1: leave the loop; 0: go on (ctl handled) */
static int
loop_ctl(struct interp *in)
{
	switch (in->ctl) {
	case CTL_BREAK:
		if (--in->ctl_n <= 0)
			in->ctl = CTL_NONE;
		return 1;
	case CTL_CONTINUE:
		if (--in->ctl_n <= 0) {
			in->ctl = CTL_NONE;
			return 0;
		}
		in->ctl = CTL_CONTINUE;
		return 1;
	case CTL_RETURN:
	case CTL_EXIT:
		return 1;
	default:
		return 0;
	}
}

static int
eval_for(struct interp *in, struct node *n)
{
	struct fields f;
	size_t i;
	int st = 0;

	memset(&f, 0, sizeof(f));
	in->cur = n->pos;
	if (n->words != NULL)
		exp_args(in, n->words, n->nwords, &f);
	else
		for (i = 1; i <= pos_count(in); i++)
			fields_add(in, &f, val_copy(in, pos_get(in, i)));
	for (i = 0; i < f.n; i++) {
		struct amark m = arena_mark(&in->tmp);
		int leave;

		var_set(in, n->name, f.v[i]);
		st = eval_node(in, n->kids[0]);
		leave = loop_ctl(in);
		loop_end_iteration(in, m);
		if (leave)
			break;
	}
	return set_status(in, st);
}

static int
eval_while(struct interp *in, struct node *n)
{
	int st = 0;

	for (;;) {
		struct amark m = arena_mark(&in->tmp);
		int c, leave;

		interp_step(in);
		c = eval_node(in, n->kids[0]);
		if (in->ctl != CTL_NONE) {
			leave = loop_ctl(in);
			loop_end_iteration(in, m);
			if (leave)
				break;
			continue;
		}
		if ((c == 0) != (n->type == N_WHILE)) {
			loop_end_iteration(in, m);
			break;
		}
		st = eval_node(in, n->kids[1]);
		leave = loop_ctl(in);
		loop_end_iteration(in, m);
		if (leave)
			break;
	}
	return set_status(in, st);
}

static int
eval_case(struct interp *in, struct node *n)
{
	const char *subj;
	size_t i, j;

	in->cur = n->pos;
	subj = exp_string(in, n->word, NULL);
	for (i = 0; i < n->narms; i++)
		for (j = 0; j < n->arms[i].npats; j++) {
			char *pat = exp_pattern(in, n->arms[i].pats[j], 1);
			if (fnmatch(pat, subj, 0) == 0)
				return eval_node(in, n->arms[i].body);
		}
	return set_status(in, 0);
}

static int
eval_if(struct interp *in, struct node *n)
{
	size_t i;

	for (i = 0; i + 1 < n->nkids; i += 2) {
		int c = eval_node(in, n->kids[i]);
		if (in->ctl != CTL_NONE)
			return c;
		if (c == 0)
			return eval_node(in, n->kids[i + 1]);
	}
	if (n->has_else)
		return eval_node(in, n->kids[n->nkids - 1]);
	return set_status(in, 0);
}

static void
define_function(struct interp *in, struct node *n)
{
	struct func *f, *old;

	if (hmap_get(&in->rels, n->name) != NULL)
		interp_fatal(in, "'%s' is already a relation", n->name);
	if ((old = hmap_get(&in->funcs, n->name)) == NULL &&
	    in->funcs.n >= ZMSH_FUNCS_MAX)
		interp_fatal(in, "more than %d functions", ZMSH_FUNCS_MAX);
	f = xcalloc(1, sizeof(*f));
	f->name = xstrdup(n->name);
	f->def = n;
	f->unit = n->unit;
	unit_ref(n->unit);
	hmap_put(&in->funcs, f->name, f);
	if (old != NULL)
		func_free(old);
}

static int
eval_local(struct interp *in, struct node *n)
{
	size_t i;

	in->cur = n->pos;
	for (i = 0; i < n->nwords; i++) {
		struct word *w = n->words[i];
		const struct wpart *p0 = w->nparts ? &w->parts[0] : NULL;
		const char *eq;

		if (p0 != NULL && p0->type == WP_LIT && !p0->quoted &&
		    (eq = memchr(p0->text, '=', p0->len)) != NULL) {
			struct word v = *w;
			struct wpart *parts = arena_calloc(&in->tmp, w->nparts,
			    sizeof(*parts));
			char *name = arena_strndup(&in->tmp, p0->text,
			    (size_t)(eq - p0->text));
			memcpy(parts, w->parts, w->nparts * sizeof(*parts));
			parts[0].text = (char *)eq + 1;
			parts[0].len = p0->len - (size_t)(eq + 1 - p0->text);
			v.parts = parts;
			v.lit = NULL;
			var_local(in, name, exp_value(in, &v));
		} else {
			char *name = exp_string(in, w, NULL);
			var_local(in, name, val_str(in, "", 0));
		}
	}
	in->rval = NULL;
	return in->status;
}

static int
eval_pipe(struct interp *in, struct node *n)
{
	char *prev = NULL;
	size_t prevlen = 0, i;
	int st = 0;

	for (i = 0; i < n->nkids; i++) {
		size_t mark = in->ncl;
		void *cap = NULL;

		if (prev != NULL) {
			struct vfd v;
			struct buf *ib = arena_calloc(&in->tmp, 1, sizeof(*ib));
			ib->data = prev;
			ib->len = prevlen;
			memset(&v, 0, sizeof(v));
			v.kind = VF_BUF;
			v.b = ib;
			io_setfd(in, 0, &v);
		}
		if (i + 1 < n->nkids)
			cap = io_capture_begin(in, ZMSH_SUBST_MAX);
		st = eval_node(in, n->kids[i]);
		if (cap != NULL)
			prev = io_capture_end(in, cap, &prevlen);
		io_restore(in, mark);
		if (in->ctl != CTL_NONE)
			break;
	}
	return set_status(in, st);
}

static int
eval_list_kids(struct interp *in, struct node *n)
{
	size_t i;
	int st = in->status;

	for (i = 0; i < n->nkids; i++) {
		st = eval_node(in, n->kids[i]);
		if (in->ctl != CTL_NONE)
			break;
	}
	return st;
}

int
eval_node(struct interp *in, struct node *n)
{
	char here;
	size_t mark = 0;
	int st = 0;

	if (++in->depth > ZMSH_EVAL_DEPTH_MAX ||
	    (size_t)(in->stack_base > &here ? in->stack_base - &here :
	    &here - in->stack_base) > in->stack_max) {
		in->cur = n->pos;
		interp_fatal(in, "evaluation nested too deeply");
	}
	if (n->nredirs > 0 && n->type != N_SIMPLE) {
		in->cur = n->pos;
		mark = io_redirect(in, n->redirs, n->nredirs);
		if (mark == (size_t)-1) {
			in->depth--;
			return set_status(in, 1);
		}
	}
	switch (n->type) {
	case N_LIST:
		st = eval_list_kids(in, n);
		break;
	case N_AND:
	case N_OR:
		st = eval_node(in, n->kids[0]);
		if (in->ctl == CTL_NONE && ((st == 0) == (n->type == N_AND)))
			st = eval_node(in, n->kids[1]);
		break;
	case N_NOT:
		st = eval_node(in, n->kids[0]) == 0 ? 1 : 0;
		in->status = st;
		break;
	case N_PIPE:
		st = eval_pipe(in, n);
		break;
	case N_SIMPLE:
		st = eval_simple(in, n);
		break;
	case N_GROUP:
		st = eval_node(in, n->kids[0]);
		break;
	case N_SUBSHELL:
		st = eval_node(in, n->kids[0]);
		if (in->ctl == CTL_EXIT)
			in->ctl = CTL_NONE;
		break;
	case N_IF:
		st = eval_if(in, n);
		break;
	case N_CASE:
		st = eval_case(in, n);
		break;
	case N_FOR:
		st = eval_for(in, n);
		break;
	case N_WHILE:
	case N_UNTIL:
		st = eval_while(in, n);
		break;
	case N_SIFT:
		st = eval_sift(in, n);
		break;
	case N_FUNCDEF:
		in->cur = n->pos;
		define_function(in, n);
		st = set_status(in, 0);
		break;
	case N_LOCAL:
		st = eval_local(in, n);
		break;
	}
	if (n->nredirs > 0 && n->type != N_SIMPLE)
		io_restore(in, mark);
	in->depth--;
	in->status = st;
	return st;
}

int
eval_unit(struct interp *in, struct unit *u)
{
	struct node *root = u->root;
	size_t i;
	int st = in->status;

	cleanup_push(in, unit_cleanup, u);
	for (i = 0; i < root->nkids; i++) {
		struct amark m = arena_mark(&in->tmp);

		st = eval_node(in, root->kids[i]);
		if (in->ctl != CTL_NONE)
			break;
		in->rval = NULL;
		arena_release(&in->tmp, m);
	}
	cleanup_pop(in, 1);
	return st;
}

/* -1: cannot read; -2: refused by the trust check (fileperm.h). */
static int
read_file(const char *path, struct buf *b, char *err, size_t errsz)
{
	struct stat st;
	int fd = fileperm_open(path, O_RDONLY, &st, err, errsz);

	if (fd < 0)
		return errno == EPERM ? -2 : -1;
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		snprintf(err, errsz, "%s: is a directory", path);
		return -1;
	}
	for (;;) {
		char tmp[8192];
		ssize_t r = read(fd, tmp, sizeof(tmp));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errsz, "%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		if (buf_append(b, tmp, (size_t)r) < 0) {
			snprintf(err, errsz, "%s: larger than %ld bytes", path,
			    (long)ZMSH_SCRIPT_MAX);
			close(fd);
			return -1;
		}
	}
	close(fd);
	return 0;
}

static void
buf_cleanup(struct interp *in, void *p)
{
	(void)in;
	buf_free(p);
}

struct buf *
buf_scratch(struct interp *in, size_t max)
{
	struct buf *b = arena_calloc(&in->tmp, 1, sizeof(*b));

	buf_init(b, max);
	cleanup_push(in, buf_cleanup, b);
	return b;
}

/* Find name on $PATH (if it has no '/'); the path in arena, or NULL. */
static char *
path_search(struct interp *in, const char *name, int want_exec)
{
	const char *path, *p;

	if (strchr(name, '/') != NULL)
		return arena_strdup(&in->tmp, name);
	path = var_str(in, "PATH");
	if (path == NULL)
		path = "/usr/bin:/bin";
	for (p = path;;) {
		const char *e = strchr(p, ':');
		size_t l = e != NULL ? (size_t)(e - p) : strlen(p);
		size_t nl = strlen(name);
		char *cand = arena_alloc(&in->tmp, l + nl + 3);
		struct stat st;

		if (l == 0)
			cand[0] = '.', l = 1;
		else
			memcpy(cand, p, l);
		cand[l] = '/';
		memcpy(cand + l + 1, name, nl + 1);
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) &&
		    (!want_exec || access(cand, X_OK) == 0))
			return cand;
		if (e == NULL)
			break;
		p = e + 1;
	}
	return NULL;
}

char *
eval_path_search(struct interp *in, const char *name, int want_exec)
{
	return path_search(in, name, want_exec);
}

int
eval_file(struct interp *in, const char *name, int *status)
{
	struct buf *b;
	char *path, err[512];
	struct unit *u;

	if ((path = path_search(in, name, 0)) == NULL) {
		snprintf(in->err, sizeof(in->err), "%s: not found", name);
		return 1;
	}
	if (in->dot_depth >= 64)
		interp_fatal(in, "%s: '.' nested more than 64 deep", name);
	b = arena_calloc(&in->tmp, 1, sizeof(*b));
	buf_init(b, ZMSH_SCRIPT_MAX);
	cleanup_push(in, buf_cleanup, b);
	switch (read_file(path, b, err, sizeof(err))) {
	case -2:
		/* a script someone else could have written: stop loading */
		interp_fatal(in, "%s", err);
		break;
	case -1:
		cleanup_pop(in, 1);
		snprintf(in->err, sizeof(in->err), "%s", err);
		return 1;
	}
	u = parse_unit(path, b->data != NULL ? b->data : "", b->len, 1, err,
	    sizeof(err));
	cleanup_pop(in, 1);
	if (u == NULL) {
		struct pos none;
		memset(&none, 0, sizeof(none));
		interp_fatal_at(in, none, "%s", err);
	}
	in->dot_depth++;
	*status = eval_unit(in, u);
	in->dot_depth--;
	if (in->ctl == CTL_RETURN)
		in->ctl = CTL_NONE;
	return 0;
}
