/*
 * expand.c - word expansion: parameters, command substitution, sift
 * groups, list literals, then field splitting on IFS and globbing.
 *
 * A word expands into pieces (text marked quoted or not, or a list
 * value); pieces become fields.  Text that came from the request or a
 * variable is only ever data: nothing here parses it as code.  Only
 * unquoted expansions are split; only unquoted pattern characters glob;
 * `\N` group text counts as quoted.  A field is at most ZMSH_VALUE_MAX
 * bytes and a command at most ZMSH_ARGS_MAX fields.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "interp.h"

struct piece {
	const char *s;
	size_t   n;
	unsigned char quoted;   /* never split or globbed */
	unsigned char lit;      /* literal script text: globbed, not split */
	unsigned char brk;      /* field break */
	struct val *list;
};

struct pieces {
	struct piece *p;
	size_t   n, cap;
};

static void
pc_add(struct interp *in, struct pieces *ps, const struct piece *p)
{
	if (ps->n == ps->cap) {
		size_t ncap = ps->cap ? ps->cap * 2 : 8;
		struct piece *np = arena_calloc(&in->tmp, ncap, sizeof(*np));
		if (ps->n)
			memcpy(np, ps->p, ps->n * sizeof(*np));
		ps->p = np;
		ps->cap = ncap;
	}
	ps->p[ps->n++] = *p;
}

static void
pc_text(struct interp *in, struct pieces *ps, const char *s, size_t n,
    int quoted, int lit)
{
	struct piece p;

	memset(&p, 0, sizeof(p));
	p.s = s;
	p.n = n;
	p.quoted = (unsigned char)quoted;
	p.lit = (unsigned char)lit;
	pc_add(in, ps, &p);
}

static void
pc_brk(struct interp *in, struct pieces *ps)
{
	struct piece p;

	memset(&p, 0, sizeof(p));
	p.brk = 1;
	pc_add(in, ps, &p);
}

static void
pc_val(struct interp *in, struct pieces *ps, struct val *v, int quoted)
{
	struct piece p;

	memset(&p, 0, sizeof(p));
	if (v->type == V_LIST) {
		p.list = val_copy(in, v);
		p.quoted = 1;
	} else {
		p.s = v->s;
		p.n = v->n;
		p.quoted = (unsigned char)quoted;
	}
	pc_add(in, ps, &p);
}

void
fields_add(struct interp *in, struct fields *f, struct val *v)
{
	if (f->n >= ZMSH_ARGS_MAX)
		interp_fatal(in, "more than %d words in one command", ZMSH_ARGS_MAX);
	if (f->n + 1 >= f->cap) {
		size_t ncap = f->cap ? f->cap * 2 : 8;
		struct val **nv = arena_calloc(&in->tmp, ncap, sizeof(*nv));
		if (f->n)
			memcpy(nv, f->v, f->n * sizeof(*nv));
		f->v = nv;
		f->cap = ncap;
	}
	f->v[f->n++] = v;
}

static void word_pieces(struct interp *in, const struct word *w,
    struct pieces *ps);
static void fields_from(struct interp *in, struct pieces *ps, int split,
    int glob, struct fields *out);

struct val *
exp_subst(struct interp *in, struct node *cmd)
{
	void *cap = io_capture_begin(in, ZMSH_SUBST_MAX);
	struct val *rv;
	struct pos saved = in->cur;
	char *text;
	size_t len;

	in->rval = NULL;
	eval_node(in, cmd);
	in->ctl = CTL_NONE;
	rv = in->rval;
	text = io_capture_end(in, cap, &len);
	in->subst_ran = 1;
	in->subst_status = in->status;
	in->rval = NULL;
	in->cur = saved;
	if (rv != NULL)
		return rv;
	while (len > 0 && text[len - 1] == '\n')
		len--;
	return val_str(in, text, len);
}

static struct val *
special_value(struct interp *in, const char *name)
{
	char tmp[64];

	switch (name[0]) {
	case '?':
		snprintf(tmp, sizeof(tmp), "%d", in->status);
		return val_cstr(in, tmp);
	case '$':
		snprintf(tmp, sizeof(tmp), "%ld", (long)getpid());
		return val_cstr(in, tmp);
	case '#':
		snprintf(tmp, sizeof(tmp), "%zu", pos_count(in));
		return val_cstr(in, tmp);
	case '-': {
		size_t k = 0;
		if (in->opt_i)
			tmp[k++] = 'i';
		if (in->opt_f)
			tmp[k++] = 'f';
		if (in->opt_a)
			tmp[k++] = 'a';
		if (in->opt_u)
			tmp[k++] = 'u';
		if (in->opt_x)
			tmp[k++] = 'x';
		return val_str(in, tmp, k);
	}
	case '!':
		return val_str(in, "", 0);
	}
	if (name[0] >= '0' && name[0] <= '9') {
		long i = strtol(name, NULL, 10);
		struct val *v;
		if (i == 0)
			return val_cstr(in, in->arg0);
		v = pos_get(in, (size_t)i);
		return v != NULL ? v : NULL;
	}
	return NULL;
}

static struct val *
param_get(struct interp *in, const char *name)
{
	if (strchr("?$#-!0123456789", name[0]) != NULL)
		return special_value(in, name);
	return var_get(in, name);
}

static void
param_pieces(struct interp *in, const struct wpart *p, struct pieces *ps)
{
	const char *name = p->text;
	struct val *v;
	int set;
	char tmp[32];

	if ((name[0] == '@' || name[0] == '*') && p->op == PO_NONE) {
		size_t i, n = pos_count(in);
		for (i = 1; i <= n; i++) {
			if (i > 1) {
				if (name[0] == '*' && p->quoted)
					pc_text(in, ps, " ", 1, 1, 0);
				else
					pc_brk(in, ps);
			}
			pc_val(in, ps, pos_get(in, i), p->quoted);
		}
		return;
	}
	v = param_get(in, name);
	if (p->op == PO_LISTLEN || p->op == PO_LEN) {
		size_t n = 0;
		if (v != NULL)
			n = p->op == PO_LEN ? (v->type == V_STR ? v->n : 0) :
			    (v->type == V_LIST ? v->n : (v->n > 0));
		snprintf(tmp, sizeof(tmp), "%zu", n);
		pc_val(in, ps, val_cstr(in, tmp), 1);
		return;
	}
	set = v != NULL && (!p->colon || v->n > 0);
	switch (p->op) {
	case PO_MINUS:
		if (!set) {
			word_pieces(in, p->arg, ps);
			return;
		}
		break;
	case PO_ASSIGN:
		if (!set) {
			v = exp_value(in, p->arg);
			var_set(in, name, v);
		}
		break;
	case PO_ERROR:
		if (!set) {
			const char *msg = p->arg->nparts ?
			    exp_string(in, p->arg, NULL) : "parameter null or not set";
			interp_fatal(in, "%s: %s", name, msg);
		}
		break;
	case PO_PLUS:
		if (set)
			word_pieces(in, p->arg, ps);
		return;
	default:
		if (v == NULL && in->opt_u)
			interp_fatal(in, "%s: parameter not set", name);
		break;
	}
	if (v != NULL)
		pc_val(in, ps, v, p->quoted);
	else if (p->quoted)
		pc_text(in, ps, "", 0, 1, 0);
}

static void
word_pieces(struct interp *in, const struct word *w, struct pieces *ps)
{
	size_t i, j;

	for (i = 0; i < w->nparts; i++) {
		const struct wpart *p = &w->parts[i];
		struct mframe *m;
		struct val *v;

		switch (p->type) {
		case WP_LIT:
			pc_text(in, ps, p->text, p->len, p->quoted, 1);
			break;
		case WP_PARAM:
			param_pieces(in, p, ps);
			break;
		case WP_GROUP:
			for (m = in->match; m != NULL && !m->has; m = m->up)
				;
			if (m != NULL && m->g[p->group] != NULL)
				pc_text(in, ps, m->g[p->group], m->gl[p->group], 1, 0);
			else
				pc_text(in, ps, "", 0, 1, 0);
			break;
		case WP_CMDSUB:
			v = exp_subst(in, p->cmd);
			if (v->type == V_LIST && v->splice && !p->quoted) {
				for (j = 0; j < v->n; j++) {
					pc_brk(in, ps);
					pc_val(in, ps, v->v[j], 1);
				}
				pc_brk(in, ps);
			} else
				pc_val(in, ps, v, p->quoted);
			break;
		case WP_LIST: {
			struct fields f;
			struct val *l;
			memset(&f, 0, sizeof(f));
			for (j = 0; j < p->nitems; j++) {
				struct pieces ips;
				memset(&ips, 0, sizeof(ips));
				word_pieces(in, p->items[j], &ips);
				fields_from(in, &ips, 1, 0, &f);
			}
			l = val_list(in, f.n);
			for (j = 0; j < f.n; j++)
				l->v[j] = f.v[j];
			pc_val(in, ps, l, 1);
			break;
		}
		}
	}
}

/* ---- fields ---------------------------------------------------------- */
struct fb {
	struct buf t;           /* text */
	struct buf m;           /* per byte: 1 = may glob */
	int      has;
	struct val *list;
};

static void
fb_text(struct interp *in, struct fb *f, const char *s, size_t n, int active)
{
	size_t i;

	if (f->list != NULL) {
		size_t l;
		const char *g = val_text(in, f->list, &l);
		f->list = NULL;
		fb_text(in, f, g, l, 0);
	}
	if (buf_append(&f->t, s, n) < 0)
		interp_fatal(in, "word longer than %ld bytes", (long)ZMSH_VALUE_MAX);
	for (i = 0; i < n; i++)
		buf_putc(&f->m, active);
	f->has = 1;
}

/*
 * Does the field hold an active pattern character?  A '[' counts only
 * when a ']' closes it (after an optional '!' or '^' and a first ']',
 * which are members): an unmatched '[' is an ordinary character for
 * glob(3), which could then only find a file of exactly that name, giving
 * the same field as not globbing at all.  So `[ -n "$x" ]`, the commonest
 * command of the policy scripts, no longer reads the current directory.
 */
static int
has_glob(const struct fb *f)
{
	size_t i, k;

	for (i = 0; i < f->t.len; i++) {
		if (!f->m.data[i])
			continue;
		if (f->t.data[i] == '*' || f->t.data[i] == '?')
			return 1;
		if (f->t.data[i] != '[')
			continue;
		k = i + 1;
		if (k < f->t.len && (f->t.data[k] == '!' || f->t.data[k] == '^'))
			k++;
		if (k < f->t.len && f->t.data[k] == ']')
			k++;
		if (k < f->t.len && memchr(f->t.data + k, ']', f->t.len - k) != NULL)
			return 1;
	}
	return 0;
}

static void
fb_finish(struct interp *in, struct fb *f, int globbing, struct fields *out)
{
	if (!f->has)
		return;
	if (f->list != NULL && f->t.len == 0)
		fields_add(in, out, f->list);
	else if (globbing && !in->opt_f && has_glob(f)) {
		struct buf pat;
		glob_t g;
		size_t i;
		int r;

		buf_init(&pat, ZMSH_VALUE_MAX * 2);
		for (i = 0; i < f->t.len; i++) {
			char c = f->t.data[i];
			if (!f->m.data[i] && strchr("*?[]\\", c) != NULL)
				buf_putc(&pat, '\\');
			buf_putc(&pat, c);
		}
		memset(&g, 0, sizeof(g));
		r = glob(buf_cstr(&pat), 0, NULL, &g);
		buf_free(&pat);
		if (r == 0 && g.gl_pathc > 0) {
			for (i = 0; i < g.gl_pathc; i++)
				fields_add(in, out, val_cstr(in, g.gl_pathv[i]));
		} else
			fields_add(in, out, val_str(in, f->t.data, f->t.len));
		globfree(&g);
	} else
		fields_add(in, out, val_str(in, f->t.data ? f->t.data : "",
		    f->t.len));
	buf_reset(&f->t);
	buf_reset(&f->m);
	f->has = 0;
	f->list = NULL;
}

static void
fb_cleanup(struct interp *in, void *p)
{
	struct fb *f = p;

	(void)in;
	buf_free(&f->t);
	buf_free(&f->m);
}

static void
fields_from(struct interp *in, struct pieces *ps, int split, int glob,
    struct fields *out)
{
	struct fb *f = arena_calloc(&in->tmp, 1, sizeof(*f));
	const char *ifs = NULL;
	size_t i, j;

	buf_init(&f->t, ZMSH_VALUE_MAX);
	buf_init(&f->m, ZMSH_VALUE_MAX);
	cleanup_push(in, fb_cleanup, f);
	if (split) {
		struct val *v = var_get(in, "IFS");
		ifs = v == NULL ? " \t\n" : val_text(in, v, NULL);
	}
	for (i = 0; i < ps->n; i++) {
		struct piece *p = &ps->p[i];

		if (p->brk) {
			fb_finish(in, f, glob, out);
			continue;
		}
		if (p->list != NULL) {
			if (!f->has && f->t.len == 0) {
				f->list = p->list;
				f->has = 1;
			} else {
				size_t l;
				const char *g = val_text(in, p->list, &l);
				fb_text(in, f, g, l, 0);
			}
			continue;
		}
		if (p->quoted || p->lit || !split) {
			if (p->n == 0 && !p->quoted)
				continue;
			fb_text(in, f, p->s, p->n, !p->quoted);
			continue;
		}
		for (j = 0; j < p->n; j++) {
			char c = p->s[j];
			if (c != '\0' && strchr(ifs, c) != NULL) {
				if (c == ' ' || c == '\t' || c == '\n') {
					fb_finish(in, f, glob, out);
				} else {
					f->has = 1;
					fb_finish(in, f, glob, out);
				}
				continue;
			}
			fb_text(in, f, &c, 1, 1);
		}
	}
	fb_finish(in, f, glob, out);
	cleanup_pop(in, 1);
}

void
exp_args(struct interp *in, struct word **w, size_t n, struct fields *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct pieces ps;

		in->cur = w[i]->pos;
		if (w[i]->lit != NULL) {
			int special = strpbrk(w[i]->lit, "*?[") != NULL;
			if (!special || in->opt_f) {
				fields_add(in, out, val_cstr(in, w[i]->lit));
				continue;
			}
		}
		memset(&ps, 0, sizeof(ps));
		word_pieces(in, w[i], &ps);
		fields_from(in, &ps, 1, 1, out);
	}
}

struct val *
exp_value(struct interp *in, const struct word *w)
{
	struct pieces ps;
	struct buf *b;
	struct val *v;
	size_t i;

	if (w->lit != NULL)
		return val_cstr(in, w->lit);
	memset(&ps, 0, sizeof(ps));
	word_pieces(in, w, &ps);
	if (ps.n == 1 && ps.p[0].list != NULL) {
		ps.p[0].list->splice = 0;
		return ps.p[0].list;
	}
	if (ps.n == 1)
		return val_str(in, ps.p[0].s ? ps.p[0].s : "", ps.p[0].n);
	b = buf_scratch(in, ZMSH_VALUE_MAX);
	for (i = 0; i < ps.n; i++) {
		const char *s = ps.p[i].s;
		size_t l = ps.p[i].n;
		if (ps.p[i].list != NULL)
			s = val_text(in, ps.p[i].list, &l);
		if (ps.p[i].brk)
			s = " ", l = (i > 0 && i + 1 < ps.n) ? 1 : 0;
		if (l > 0 && buf_append(b, s, l) < 0)
			interp_fatal(in, "value longer than %ld bytes",
			    (long)ZMSH_VALUE_MAX);
	}
	v = val_str(in, b->data ? b->data : "", b->len);
	cleanup_pop(in, 1);
	return v;
}

char *
exp_string(struct interp *in, const struct word *w, size_t *len)
{
	struct val *v = exp_value(in, w);
	size_t l;
	const char *s = val_text(in, v, &l);

	if (len)
		*len = l;
	return (char *)s;
}

char *
exp_pattern(struct interp *in, const struct word *w, int glob)
{
	struct pieces ps;
	struct buf *b;
	char *s;
	size_t i, j;

	memset(&ps, 0, sizeof(ps));
	word_pieces(in, w, &ps);
	b = buf_scratch(in, ZMSH_VALUE_MAX * 2);
	for (i = 0; i < ps.n; i++) {
		const char *t = ps.p[i].s;
		size_t l = ps.p[i].n;
		if (ps.p[i].list != NULL)
			t = val_text(in, ps.p[i].list, &l);
		for (j = 0; j < l; j++) {
			if (glob && ps.p[i].quoted && strchr("*?[]\\", t[j]) != NULL)
				buf_putc(b, '\\');
			if (buf_putc(b, t[j]) < 0)
				interp_fatal(in, "pattern too long");
		}
	}
	s = arena_strndup(&in->tmp, b->data ? b->data : "", b->len);
	cleanup_pop(in, 1);
	return s;
}

int
word_is_static(const struct word *w)
{
	size_t i;

	for (i = 0; i < w->nparts; i++)
		if (w->parts[i].type != WP_LIT)
			return 0;
	return 1;
}
