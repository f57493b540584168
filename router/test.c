/*
 * test.c - `test` and `[ ]`: -n -z = != -eq -ne -lt -le -gt -ge,
 * -f -d -r -w -x -s -e -h -L, ! -a -o ( ).
 *
 * Grammar (recursive descent, POSIX precedence):
 *   expr := and {-o and};  and := not {-a not};
 *   not := "!" not | "(" expr ")" | primary
 * Status: 0 true, 1 false, 2 a usage error (message on fd 2).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "interp.h"
#include "util.h"

struct tst {
	struct interp *in;
	char   **a;
	int      n, i;
	int      err;
};

static int t_expr(struct tst *t);

static const char *
t_peek(struct tst *t)
{
	return t->i < t->n ? t->a[t->i] : NULL;
}

static int
t_num(struct tst *t, const char *s, long *out)
{
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '-') {
		if (util_parse_long(s + 1, 0, 999999999999L, out) == 0) {
			*out = -*out;
			return 0;
		}
	} else if (util_parse_long(*s == '+' ? s + 1 : s, 0, 999999999999L,
	    out) == 0)
		return 0;
	io_errorf(t->in, "test: %s: integer expected", s);
	t->err = 1;
	return -1;
}

static int
is_binop(const char *s)
{
	static const char *ops[] = { "=", "!=", "==", "-eq", "-ne", "-lt",
	    "-le", "-gt", "-ge", NULL };
	int i;

	for (i = 0; ops[i]; i++)
		if (strcmp(s, ops[i]) == 0)
			return 1;
	return 0;
}

static int
t_primary(struct tst *t)
{
	const char *a = t_peek(t), *b, *op;
	struct stat st;

	if (a == NULL) {
		t->err = 1;
		return 0;
	}
	if (t->i + 2 < t->n && is_binop(t->a[t->i + 1])) {
		long x, y;
		op = t->a[t->i + 1];
		b = t->a[t->i + 2];
		t->i += 3;
		if (strcmp(op, "=") == 0 || strcmp(op, "==") == 0)
			return strcmp(a, b) == 0;
		if (strcmp(op, "!=") == 0)
			return strcmp(a, b) != 0;
		if (t_num(t, a, &x) < 0 || t_num(t, b, &y) < 0)
			return 0;
		if (strcmp(op, "-eq") == 0) return x == y;
		if (strcmp(op, "-ne") == 0) return x != y;
		if (strcmp(op, "-lt") == 0) return x < y;
		if (strcmp(op, "-le") == 0) return x <= y;
		if (strcmp(op, "-gt") == 0) return x > y;
		return x >= y;
	}
	if (a[0] == '-' && a[1] != '\0' && a[2] == '\0' && t->i + 1 < t->n) {
		const char *f = t->a[t->i + 1];
		t->i += 2;
		switch (a[1]) {
		case 'n': return f[0] != '\0';
		case 'z': return f[0] == '\0';
		case 'e': return stat(f, &st) == 0;
		case 'f': return stat(f, &st) == 0 && S_ISREG(st.st_mode);
		case 'd': return stat(f, &st) == 0 && S_ISDIR(st.st_mode);
		case 's': return stat(f, &st) == 0 && st.st_size > 0;
		case 'r': return access(f, R_OK) == 0;
		case 'w': return access(f, W_OK) == 0;
		case 'x': return access(f, X_OK) == 0;
		case 'h':
		case 'L': return lstat(f, &st) == 0 && S_ISLNK(st.st_mode);
		default:
			t->i -= 2;
			break;
		}
	}
	t->i++;
	return a[0] != '\0';
}

static int
t_not(struct tst *t)
{
	const char *a = t_peek(t);

	if (a != NULL && strcmp(a, "!") == 0 && t->i + 1 < t->n) {
		t->i++;
		return !t_not(t);
	}
	if (a != NULL && strcmp(a, "(") == 0 && t->i + 1 < t->n) {
		int r;
		t->i++;
		r = t_expr(t);
		if (t_peek(t) == NULL || strcmp(t_peek(t), ")") != 0) {
			t->err = 1;
			return 0;
		}
		t->i++;
		return r;
	}
	return t_primary(t);
}

static int
t_and(struct tst *t)
{
	int r = t_not(t);

	while (t_peek(t) != NULL && strcmp(t_peek(t), "-a") == 0) {
		int r2;
		t->i++;
		r2 = t_not(t);
		r = r && r2;
	}
	return r;
}

static int
t_expr(struct tst *t)
{
	int r = t_and(t);

	while (t_peek(t) != NULL && strcmp(t_peek(t), "-o") == 0) {
		int r2;
		t->i++;
		r2 = t_and(t);
		r = r || r2;
	}
	return r;
}

int
bi_test(struct interp *in, int argc, struct val **argv)
{
	struct tst t;
	int i, r;
	const char *name = arg_str(in, argv[0]);

	memset(&t, 0, sizeof(t));
	t.in = in;
	t.a = arena_calloc(&in->tmp, (size_t)argc + 1, sizeof(*t.a));
	for (i = 1; i < argc; i++)
		t.a[t.n++] = (char *)arg_str(in, argv[i]);
	if (strcmp(name, "[") == 0) {
		if (t.n == 0 || strcmp(t.a[t.n - 1], "]") != 0) {
			io_errorf(in, "[: missing ]");
			return 2;
		}
		t.n--;
	}
	if (t.n == 0)
		return 1;
	r = t_expr(&t);
	if (t.err || t.i != t.n) {
		if (!t.err)
			io_errorf(in, "%s: unexpected argument '%s'", name,
			    t.i < t.n ? t.a[t.i] : "");
		return 2;
	}
	return r ? 0 : 1;
}
