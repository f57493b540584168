/*
 * bi_shell.c - shell builtins: echo : true false test [ . include eval
 * exit export unset set shift read type provide require return returns
 * break continue, and the lookup of every builtin table.
 *
 * Flag 2 marks the special builtins that a function cannot replace.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "util.h"

#define SPECIAL 2

const char *
arg_str(struct interp *in, struct val *v)
{
	return val_text(in, v, NULL);
}

int
bi_usage(struct interp *in, const char *msg)
{
	io_errorf(in, "usage: %s", msg);
	return 64;
}

static int
bi_echo(struct interp *in, int argc, struct val **argv)
{
	struct buf *b;
	int i = 1, nl = 1;

	if (i < argc && strcmp(arg_str(in, argv[i]), "-n") == 0) {
		nl = 0;
		i++;
	}
	if (i < argc && strcmp(arg_str(in, argv[i]), "--") == 0)
		i++;
	/* io_write() and val_text() may end the script: found leaking by
	 * tests/fuzz/fuzz_zmsheval.c when b was on the C stack. */
	b = buf_scratch(in, ZMSH_VALUE_MAX * 2);
	for (; i < argc; i++) {
		size_t l;
		const char *s = val_text(in, argv[i], &l);
		buf_append(b, s, l);
		if (i + 1 < argc)
			buf_putc(b, ' ');
	}
	if (nl)
		buf_putc(b, '\n');
	io_write(in, 1, b->data ? b->data : "", b->len);
	cleanup_pop(in, 1);
	return 0;
}

static int
bi_true(struct interp *in, int argc, struct val **argv)
{
	(void)in, (void)argc, (void)argv;
	return 0;
}

static int
bi_false(struct interp *in, int argc, struct val **argv)
{
	(void)in, (void)argc, (void)argv;
	return 1;
}

static int
bi_dot(struct interp *in, int argc, struct val **argv)
{
	int st = 0;

	if (argc < 2 || arg_str(in, argv[1])[0] == '\0') {
		io_errorf(in, "%s: file name expected", arg_str(in, argv[0]));
		return 64;
	}
	if (eval_file(in, arg_str(in, argv[1]), &st) != 0) {
		io_errorf(in, "%s", in->err);
		return 1;
	}
	return st;
}

static int
bi_eval(struct interp *in, int argc, struct val **argv)
{
	struct buf *b;
	struct unit *u;
	char err[512];
	int i;

	b = buf_scratch(in, ZMSH_SCRIPT_MAX);
	for (i = 1; i < argc; i++) {
		size_t l;
		const char *s = val_text(in, argv[i], &l);
		if (buf_append(b, s, l) < 0 || (i + 1 < argc && buf_putc(b, ' ') < 0))
			interp_fatal(in, "eval: text too long");
	}
	u = parse_unit("eval", b->data ? b->data : "", b->len, 1, err, sizeof(err));
	cleanup_pop(in, 1);
	if (u == NULL) {
		io_errorf(in, "%s", err);
		return 2;
	}
	return eval_unit(in, u);
}

static int
num_arg(struct interp *in, struct val *v, long max, long *out)
{
	const char *s = arg_str(in, v);

	if (util_parse_long(s, 0, max, out) < 0) {
		io_errorf(in, "%s: number expected", s);
		return -1;
	}
	return 0;
}

static int
bi_exit(struct interp *in, int argc, struct val **argv)
{
	long n = in->status;

	if (argc > 1 && num_arg(in, argv[1], 255, &n) < 0)
		n = 2;
	in->ctl = CTL_EXIT;
	in->exit_status = (int)n;
	return (int)n;
}

static int
all_digits(const char *s)
{
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static int
bi_return(struct interp *in, int argc, struct val **argv)
{
	int st = in->status;

	in->ctl = CTL_RETURN;
	in->rval = NULL;
	if (argc < 2)
		return st;
	if (argv[1]->type == V_STR && all_digits(argv[1]->s)) {
		long n = 0;
		if (argv[1]->n > 0 && util_parse_long(argv[1]->s, 0, 255, &n) < 0)
			n = 255;
		return (int)n;
	}
	in->rval = argv[1];
	return 0;
}

static int
bi_returns(struct interp *in, int argc, struct val **argv)
{
	in->ctl = CTL_RETURN;
	in->rval = argc > 1 ? argv[1] : val_str(in, "", 0);
	return 0;
}

static int
loopctl(struct interp *in, int argc, struct val **argv, enum ctl c)
{
	long n = 1;

	if (argc > 1 && (num_arg(in, argv[1], 1000, &n) < 0 || n < 1))
		return 1;
	in->ctl = c;
	in->ctl_n = (int)n;
	return 0;
}

static int
bi_break(struct interp *in, int argc, struct val **argv)
{
	return loopctl(in, argc, argv, CTL_BREAK);
}

static int
bi_continue(struct interp *in, int argc, struct val **argv)
{
	return loopctl(in, argc, argv, CTL_CONTINUE);
}

static int
valid_name(const char *s)
{
	size_t i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
	    s[0] == '_'))
		return 0;
	for (i = 1; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

static int
bi_export(struct interp *in, int argc, struct val **argv)
{
	int i, st = 0;

	for (i = 1; i < argc; i++) {
		const char *s = arg_str(in, argv[i]);
		const char *eq = strchr(s, '=');
		char *name = eq ? arena_strndup(&in->tmp, s, (size_t)(eq - s)) :
		    (char *)s;

		if (!valid_name(name)) {
			io_errorf(in, "export: %s: bad variable name", name);
			st = 1;
			continue;
		}
		if (eq != NULL)
			var_set_str(in, name, eq + 1);
		var_export(in, name);
	}
	return st;
}

static int
bi_unset(struct interp *in, int argc, struct val **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *s = arg_str(in, argv[i]);
		if (strcmp(s, "-f") == 0 || strcmp(s, "-v") == 0)
			continue;
		var_unset(in, s);
	}
	return 0;
}

static int
bi_set(struct interp *in, int argc, struct val **argv)
{
	int i = 1;

	while (i < argc) {
		const char *s = arg_str(in, argv[i]);
		int on;
		size_t k;

		if (strcmp(s, "--") == 0) {
			i++;
			break;
		}
		if ((s[0] != '-' && s[0] != '+') || s[1] == '\0')
			break;
		on = s[0] == '-';
		for (k = 1; s[k]; k++)
			switch (s[k]) {
			case 'f': in->opt_f = on; break;
			case 'a': in->opt_a = on; break;
			case 'u': in->opt_u = on; break;
			case 'x': in->opt_x = on; break;
			case 'e': break;
			default:
				io_errorf(in, "set: -%c: unknown option", s[k]);
				return 2;
			}
		i++;
	}
	if (i < argc || (i > 1 && strcmp(arg_str(in, argv[i - 1]), "--") == 0))
		pos_set(in, argc - i, argv + i);
	return 0;
}

static int
bi_shift(struct interp *in, int argc, struct val **argv)
{
	long n = 1;
	size_t cnt = pos_count(in), i;
	struct val **rest;

	if (argc > 1 && num_arg(in, argv[1], 100000, &n) < 0)
		return 1;
	if ((size_t)n > cnt)
		return 1;
	rest = arena_calloc(&in->tmp, cnt + 1, sizeof(*rest));
	for (i = (size_t)n; i < cnt; i++)
		rest[i - (size_t)n] = val_copy(in, pos_get(in, i + 1));
	pos_set(in, (int)(cnt - (size_t)n), rest);
	return 0;
}

static int
bi_read(struct interp *in, int argc, struct val **argv)
{
	struct buf line;
	int i = 1, r;
	const char *ifs;
	char *s;
	struct val *iv = var_get(in, "IFS");

	if (i < argc && strcmp(arg_str(in, argv[i]), "-r") == 0)
		i++;
	buf_init(&line, ZMSH_LINE_MAX);
	r = io_readline(in, 0, &line);
	s = arena_strndup(&in->tmp, line.data ? line.data : "", line.len);
	buf_free(&line);
	if (r < 0) {
		io_errorf(in, "read: line too long or unreadable");
		return 2;
	}
	ifs = iv == NULL ? " \t\n" : val_text(in, iv, NULL);
	for (; i < argc; i++) {
		const char *name = arg_str(in, argv[i]);
		char *end;

		while (*s && strchr(ifs, *s) && strchr(" \t\n", *s))
			s++;
		if (i + 1 == argc) {
			size_t l = strlen(s);
			while (l > 0 && strchr(ifs, s[l - 1]) && strchr(" \t\n", s[l - 1]))
				l--;
			s[l] = '\0';
			var_set_str(in, name, s);
			break;
		}
		end = s;
		while (*end && !strchr(ifs, *end))
			end++;
		if (*end) {
			*end = '\0';
			var_set_str(in, name, s);
			s = end + 1;
		} else {
			var_set_str(in, name, s);
			s = end;
		}
	}
	return r == 0 ? 1 : 0;
}

static int
bi_type(struct interp *in, int argc, struct val **argv)
{
	int i, st = 0;

	for (i = 1; i < argc; i++) {
		const char *n = arg_str(in, argv[i]);
		char line[1200];
		const char *p;

		if (func_get(in, n) != NULL)
			snprintf(line, sizeof(line), "%s is a function\n", n);
		else if (hmap_get(&in->rels, n) != NULL)
			snprintf(line, sizeof(line), "%s is a relation\n", n);
		else if (bi_find(n) != NULL)
			snprintf(line, sizeof(line), "%s is a shell builtin\n", n);
		else if ((p = eval_path_search(in, n, 1)) != NULL)
			snprintf(line, sizeof(line), "%s is %s\n", n, p);
		else {
			snprintf(line, sizeof(line), "%s not found\n", n);
			st = 1;
		}
		io_puts(in, 1, line);
	}
	return st;
}

static int
bi_provide(struct interp *in, int argc, struct val **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (in->provided.n >= ZMSH_MODULES_MAX)
			interp_fatal(in, "more than %d modules", ZMSH_MODULES_MAX);
		hmap_put(&in->provided, arg_str(in, argv[i]), (void *)1);
	}
	return 0;
}

static int
bi_require(struct interp *in, int argc, struct val **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (in->required.n >= ZMSH_MODULES_MAX)
			interp_fatal(in, "more than %d modules", ZMSH_MODULES_MAX);
		hmap_put(&in->required, arg_str(in, argv[i]), (void *)1);
	}
	return 0;
}

struct missing {
	struct interp *in;
	char   *err;
	size_t   errsz;
	int      n;
};

static void
check_mod(const char *key, void *data, void *arg)
{
	struct missing *m = arg;

	(void)data;
	if (hmap_get(&m->in->provided, key) == NULL && m->n++ == 0)
		snprintf(m->err, m->errsz, "required module '%s' was not provided",
		    key);
}

int
bi_is_module_missing(struct interp *in, char *err, size_t errsz)
{
	struct missing m;

	m.in = in;
	m.err = err;
	m.errsz = errsz;
	m.n = 0;
	hmap_walk(&in->required, check_mod, &m);
	return m.n;
}

/* sorted by name (strcmp order) */
const struct builtin bi_shell_tab[] = {
	{ ".",          bi_dot,         SPECIAL },
	{ ":",          bi_true,        0 },
	{ "[",          bi_test,        0 },
	{ "break",      bi_break,       SPECIAL },
	{ "continue",   bi_continue,    SPECIAL },
	{ "echo",       bi_echo,        0 },
	{ "eval",       bi_eval,        SPECIAL },
	{ "exit",       bi_exit,        SPECIAL },
	{ "export",     bi_export,      SPECIAL },
	{ "false",      bi_false,       0 },
	{ "include",    bi_dot,         SPECIAL },
	{ "provide",    bi_provide,     0 },
	{ "read",       bi_read,        0 },
	{ "require",    bi_require,     0 },
	{ "return",     bi_return,      SPECIAL },
	{ "returns",    bi_returns,     SPECIAL },
	{ "set",        bi_set,         SPECIAL },
	{ "shift",      bi_shift,       SPECIAL },
	{ "test",       bi_test,        0 },
	{ "true",       bi_true,        0 },
	{ "type",       bi_type,        0 },
	{ "unset",      bi_unset,       SPECIAL },
};
const size_t bi_shell_n = sizeof(bi_shell_tab) / sizeof(bi_shell_tab[0]);

static int
bcmp_name(const void *k, const void *e)
{
	return strcmp(k, ((const struct builtin *)e)->name);
}

const struct builtin *
bi_find(const char *name)
{
	const struct builtin *b;

	if ((b = bsearch(name, bi_shell_tab, bi_shell_n, sizeof(*b), bcmp_name)))
		return b;
	if ((b = bsearch(name, bi_list_tab, bi_list_n, sizeof(*b), bcmp_name)))
		return b;
	return bsearch(name, bi_mail_tab, bi_mail_n, sizeof(*b), bcmp_name);
}
