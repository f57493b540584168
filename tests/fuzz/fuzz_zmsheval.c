/*
 * fuzz_zmsheval.c - libFuzzer harness for the zmsh evaluator: scripts
 * are parsed and run in a fresh interpreter, as router -f runs a file.
 *
 * Input: byte 0 even, the rest drives a small generator of zmsh
 * constructs (assignments, if, case, for, while loops bounded by a
 * counter nothing else assigns, functions and calls, ssift/tsift with
 * patterns from a list and from the input, list builtins, mail builtins,
 * test, eval, $(...), redirections, incore and file relations, read);
 * byte 0 odd, the rest is the script text as is.
 *
 * Nothing leaves the sandbox (tests/fuzz/sandbox.c): programs are never
 * run, no file is written, no DNS query is sent.  The interpreter's own
 * limits stay as they are (ZMSH_STEPS_MAX commands, call and nesting
 * depth, the arena); stdout and stderr go to /dev/null, stdin is a fixed
 * text.  $PATH and $D are a private directory holding a small script
 * (for `.`) and a list file (for relations).  FUZZ_SHOW=1 in the
 * environment prints the script, its output and its error (to replay
 * one input).  Memory
 * errors, leaks and crashes are findings; a script error is not.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "sandbox.h"
#include "../../router/interp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)
#define GEN_MAX  (16 * 1024)     /* generated script text */

static char dir[] = "/tmp/fuzz-zmsh-XXXXXX";
static int devnull = -1, show;

/* ---- the generator ------------------------------------------------- */
struct gen {
	const uint8_t *p;
	size_t n, i;
	struct buf out;
	int depth, loops, funcs;
	int inloop;          /* while loops open (at most 2: 36 rounds) */
	int listok;          /* a list literal may come (after NAME=) */
};

static unsigned
pick(struct gen *g, unsigned k)
{
	if (g->i >= g->n || k == 0)
		return 0;
	return g->p[g->i++] % k;
}

static void
put(struct gen *g, const char *s)
{
	(void)buf_puts(&g->out, s);
}

static void
putf(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
putf(struct gen *g, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	put(g, tmp);
}

static const char *const lits[] = {
	"a", "b", "1", "0", "42", "-1", "''", "\"\"", "user@example.com",
	"'<user@example.com>'", "'a b'", "\"x y z\"", "'\"quoted\"@x.org'",
	"'(a b (c d))'", "'[192.0.2.1]'", "'@relay:u@h'", "postmaster",
	"'\\1'", "'*'", "'a*'", "'[a-z]*'", "MAILER-DAEMON", "'%'", "'$x'",
	"-n", "-u", "--", "'.'", "'..'", "smtp", "abc.def.example",
};
static const char *const vars[] = { "v0", "v1", "v2", "l0", "l1" };
static const char *const ssift_pats[] = {
	"'(.*)@(.*)'", "'<(.*)>'", "'([^+]*)\\+.*'", "'.*'", "'[0-9]+'",
	"'(a|b)*c{1,3}'", "'\\[([0-9]{1,3})\\.[0-9.]*\\]'", "'x?y?z?'",
	"\"$v0\"", "\"($v1)*\"", "'((a)(b))'", "'^a$'",
};
static const char *const tsift_pats[] = {
	".*@(.*)", "(.*)<(.*)>(.*)", "\\<(.*)\\>", "(.)", ".+", "[a-z].*",
	"(.*)%(.*)", "@(.*):(.*)", "(.*)", "'a'", ". . .",
};
static const char *const tests[] = {
	"[ \"$v0\" = a ]", "[ -n \"$v1\" ]", "[ -z \"$v2\" ]", "[ $#l0 -gt 1 ]",
	"test \"$v0\" != \"$v1\"", "[ 1 -lt 2 -a ! -f nosuch ]", "true", "false",
	"[ -f $D/list ]", "[ \\( a = a \\) -o b = c ]", "rfc822syntax \"$v0\"",
};

static void gen_word(struct gen *g);
static void gen_list(struct gen *g, int n);

/* A few bytes of the input as a single-quoted literal. */
static void
gen_bytes(struct gen *g)
{
	unsigned n = pick(g, 12), k;

	put(g, "'");
	for (k = 0; k < n && g->i < g->n; k++) {
		char c = (char)g->p[g->i++];

		if (c == '\'' || c == '\0')
			c = '_';
		(void)buf_putc(&g->out, c);
	}
	put(g, "'");
}

static void
gen_word(struct gen *g)
{
	switch (pick(g, 12)) {
	case 0: case 1: case 2:
		put(g, lits[pick(g, sizeof(lits) / sizeof(lits[0]))]);
		break;
	case 3: case 4:
		putf(g, "\"$%s\"", vars[pick(g, 5)]);
		break;
	case 5:
		putf(g, "$%s", vars[pick(g, 5)]);
		break;
	case 6:
		put(g, (const char *[]){ "$1", "\"$@\"", "$#", "$?", "\"$*\"",
		    "$#l0", "\\0", "\\1", "${v0}x", "$(elements $l0)" }[pick(g, 10)]);
		break;
	case 7:
		gen_bytes(g);
		break;
	case 8:
		if (g->depth < 6) {
			int lo = g->listok;

			g->depth++;
			g->listok = 0;
			put(g, "\"$(");
			gen_list(g, 1 + (int)pick(g, 2));
			put(g, ")\"");
			g->listok = lo;
			g->depth--;
		} else
			put(g, "x");
		break;
	case 9:
		if (!g->listok)
			put(g, "$l1");
		else if (g->depth < 6) {
			g->depth++;
			put(g, "(");
			gen_word(g);
			put(g, " ");
			gen_word(g);
			put(g, ")");
			g->depth--;
		} else
			put(g, "()");
		break;
	case 10:
		put(g, "\"<$v0>@");
		put(g, vars[pick(g, 5)]);
		put(g, "\"");
		break;
	default:
		put(g, (const char *[]){ "$(car $l0)", "$(cdr $l1)",
		    "$(length $l0)", "$(get $l1 a)", "$(recase -u \"$v0\")",
		    "$(dequote \"$v1\")", "$(condquote \"$v2\")",
		    "$(basename /a/b/c)", "$(gensym)", "$(list $v0 $v1)",
		    "$(grind $l0)", "$(first $l1)", "$(last $l0)",
		    "$(rest $l0)", "$(user $l0)", "$(host $l1)",
		    "$(lappend l0 x)", "$(fn0 a)", "$(fn1 b c)",
		    "$(rel0 \"$v0\")", "$(rel1 \"$v1\")" }[pick(g, 21)]);
		break;
	}
}

static void gen_cmd(struct gen *g);

static void
gen_list(struct gen *g, int n)
{
	int k;

	for (k = 0; k < n; k++) {
		gen_cmd(g);
		put(g, (const char *[]){ "\n", "; ", " && ", " || ", " | " }[pick(g, 5)]);
	}
	gen_cmd(g);
}

static void
gen_cmd(struct gen *g)
{
	unsigned k, n;

	if (g->depth >= 8 || g->out.len > GEN_MAX - 1024) {
		put(g, ":");
		return;
	}
	g->depth++;
	switch (pick(g, 24)) {
	case 0: case 1: case 2:
		putf(g, "%s=", vars[pick(g, 5)]);
		g->listok = 1;
		gen_word(g);
		g->listok = 0;
		break;
	case 3:
		put(g, "echo ");
		gen_word(g);
		put(g, " ");
		gen_word(g);
		break;
	case 4:
		putf(g, "if %s; then ", tests[pick(g, sizeof(tests) / sizeof(tests[0]))]);
		gen_list(g, (int)pick(g, 3));
		if (pick(g, 2)) {
			put(g, "; else ");
			gen_list(g, (int)pick(g, 2));
		}
		put(g, "; fi");
		break;
	case 5:
		put(g, "case ");
		gen_word(g);
		put(g, " in\n");
		for (n = 1 + pick(g, 3), k = 0; k < n; k++) {
			put(g, (const char *[]){ "a*", "*@*", "[0-9]*", "''", "*",
			    "b|c", "\"$v0\"" }[pick(g, 7)]);
			put(g, ") ");
			gen_list(g, (int)pick(g, 2));
			put(g, " ;;\n");
		}
		put(g, "esac");
		break;
	case 6:
		putf(g, "for %s in ", vars[pick(g, 3)]);
		for (n = pick(g, 4), k = 0; k < n; k++) {
			gen_word(g);
			put(g, " ");
		}
		put(g, "; do ");
		gen_list(g, (int)pick(g, 3));
		put(g, "; done");
		break;
	case 7:
		/* A loop bounded by its own counter, bumped first; nested two
		 * deep at most, so rounds do not multiply past 36. */
		if (g->inloop >= 2) {
			put(g, ":");
			break;
		}
		k = (unsigned)g->loops++;
		n = 1 + pick(g, 6);
		putf(g, "c%u=; while [ \"$c%u\" != '%.*s' ]; do c%u=\"${c%u}x\"; ",
		    k, k, (int)n, "xxxxxx", k, k);
		g->inloop++;
		gen_list(g, (int)pick(g, 3));
		g->inloop--;
		put(g, "; done");
		break;
	case 8:
		k = (unsigned)(g->funcs++ % 3);
		putf(g, "fn%u () { ", k);
		gen_list(g, (int)pick(g, 3));
		put(g, (const char *[]){ "; }", "; return 1; }", "; fn0 z; }",
		    "; return $#; }" }[pick(g, 4)]);
		break;
	case 9:
		putf(g, "fn%u ", pick(g, 3));
		gen_word(g);
		put(g, " ");
		gen_word(g);
		break;
	case 10:
		put(g, "ssift ");
		gen_word(g);
		put(g, " in\n");
		for (n = 1 + pick(g, 3), k = 0; k < n; k++) {
			if (pick(g, 8) == 0)
				gen_bytes(g);
			else
				put(g, ssift_pats[pick(g, sizeof(ssift_pats) /
				    sizeof(ssift_pats[0]))]);
			put(g, " ");
			gen_list(g, (int)pick(g, 2));
			put(g, (const char *[]){ " ;;\n", "; break ;;\n",
			    "; v2=\"\\1\" ;;\n" }[pick(g, 3)]);
		}
		put(g, "tfiss");
		break;
	case 11:
		put(g, "tsift ");
		gen_word(g);
		put(g, " in\n");
		for (n = 1 + pick(g, 3), k = 0; k < n; k++) {
			if (pick(g, 8) == 0)
				gen_bytes(g);
			else
				put(g, tsift_pats[pick(g, sizeof(tsift_pats) /
				    sizeof(tsift_pats[0]))]);
			put(g, " ");
			gen_list(g, (int)pick(g, 2));
			put(g, (const char *[]){ " ;;\n", "; break ;;\n",
			    "; v1=\"\\1\" ;;\n" }[pick(g, 3)]);
		}
		put(g, "tfist");
		break;
	case 12:
		putf(g, "lappend l%u ", pick(g, 2));
		gen_word(g);
		break;
	case 13:
		putf(g, "%s ", (const char *[]){ "car", "cdr", "length", "grind",
		    "elements", "first", "last", "rest", "list", "channel",
		    "attributes", "recase -l", "recase -p", "dequote",
		    "condquote", "rfc822syntax", "basename", "homedirectory",
		    "login2uid", "uid2login", "filepriv", "hostname",
		    "isinteractive", "type", "test -n", "echo -n" }[pick(g, 26)]);
		gen_word(g);
		break;
	case 14:
		putf(g, "lreplace l%u ", pick(g, 2));
		gen_word(g);
		put(g, " ");
		gen_word(g);
		break;
	case 15:
		k = pick(g, 4);
		n = pick(g, 2);
		putf(g, "setf $(%s $l%u%s) ", (const char *[]){ "car", "cdr", "get",
		    "last" }[k], n, k == 2 ? " a" : "");
		gen_word(g);
		break;
	case 16:
		put(g, "eval ");
		gen_word(g);
		put(g, " ");
		gen_word(g);
		break;
	case 17:
		put(g, (const char *[]){ "break", "continue", "return",
		    "shift", "set a b c", "set --", "unset v0", "export v1",
		    "local v2", "read v0", "read v1 v2", ". script",
		    "provide m", "require m", "exit 3", "true", "false",
		    ": $v0" }[pick(g, 18)]);
		break;
	case 18:
		put(g, (const char *[]){ "relation -t incore rel0",
		    "relation -t unordered -f $D/list -b rel1",
		    "relation -t ordered -f $D/list -l rel1",
		    "relation -t cidr -f $D/list rel2",
		    "relation -t unordered -f nosuch rel0",
		    "relation -t bind,mx rel2",
		    "db add rel0 key value", "db add rel0 \"$v0\" \"$v1\"",
		    "db remove rel0 key", "db flush rel1", "db print rel0",
		    "db count rel1", "db toc", "rel0 key", "rel1 \"$v0\"",
		    "rel2 192.0.2.1" }[pick(g, 16)]);
		break;
	case 19:
		put(g, "{ ");
		gen_list(g, (int)pick(g, 2));
		put(g, "; }");
		put(g, (const char *[]){ "", " >/dev/null", " 2>&1", " >&-",
		    " <$D/list", " >out", " 2>/dev/null" }[pick(g, 7)]);
		break;
	case 20:
		put(g, "( ");
		gen_list(g, (int)pick(g, 2));
		put(g, " )");
		break;
	case 21:
		put(g, "! ");
		gen_cmd(g);
		break;
	case 22:
		putf(g, "v%u=`echo ", pick(g, 3));
		gen_word(g);
		put(g, "`");
		break;
	default:
		/* Not a builtin: would be a program (never run here). */
		put(g, (const char *[]){ "nosuchprog", "/bin/true", "cat list",
		    "sh -c x" }[pick(g, 4)]);
		break;
	}
	g->depth--;
}

/* ---- running it ------------------------------------------------------ */
struct runarg {
	struct unit *u;
};

static void
run_unit(struct interp *in, void *arg)
{
	struct runarg *ra = arg;

	eval_unit(in, ra->u);
}

/* At exit (sandbox off by then): remove the directory and its files. */
static void
cleanup(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/script", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/list", dir);
	unlink(path);
	rmdir(dir);
}

static void
setup(void)
{
	char path[128];
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	atexit(cleanup);
	snprintf(path, sizeof(path), "%s/script", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && write(fd, "v0=sourced\nfn2 () { echo $#; }\n", 31) == 31);
	close(fd);
	snprintf(path, sizeof(path), "%s/list", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	dprintf(fd, "# a list\n192.0.2.0/24 net\nexample.com\trelay\n"
	    "key value\nuser@example.com local\n");
	close(fd);
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	CHECK(devnull >= 0);
	log_init("fuzz_zmsheval", 0, 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct buf in0;
	char pathvar[96], homevar[] = "HOME=/", err[1024];
	char *envp[3];
	struct interp *in;
	struct runarg ra;
	struct gen g;
	const char *text;
	size_t len;
	int out;

	if (devnull < 0) {
		setup();
		show = getenv("FUZZ_SHOW") != NULL;
	}
	out = devnull;
	if (size < 1 || size > 8192)
		return 0;
	memset(&g, 0, sizeof(g));
	buf_init(&g.out, GEN_MAX);
	if (data[0] & 1) {
		text = (const char *)data + 1;
		len = size - 1;
	} else {
		g.p = data + 1;
		g.n = size - 1;
		while (g.i < g.n && g.out.len < GEN_MAX - 2048) {
			gen_cmd(&g);
			put(&g, "\n");
		}
		text = buf_cstr(&g.out);
		len = g.out.len;
	}

	/* FUZZ_SHOW=1 (replaying one input): the script and its output. */
	if (show) {
		fprintf(stderr, "---- script\n%.*s\n---- output\n", (int)len, text);
		out = 2;
	}
	snprintf(pathvar, sizeof(pathvar), "PATH=%s", dir);
	envp[0] = pathvar;
	envp[1] = homevar;
	envp[2] = NULL;
	in = xcalloc(1, sizeof(*in));
	sandbox_on = 1;
	interp_init(in, envp);
	var_set_global(in, "D", dir, 0);
	in->fd[0].kind = VF_BUF;
	buf_init(&in0, 256);
	(void)buf_puts(&in0, "first line\nsecond <x@y>\n");
	in->fd[0].b = &in0;
	in->fd[0].roff = 0;
	in->fd[1].kind = VF_REAL;
	in->fd[1].fd = out;
	in->fd[2].kind = VF_REAL;
	in->fd[2].fd = out;
	ra.u = parse_unit("fuzz", len ? text : "", len, 1, err, sizeof(err));
	if (ra.u == NULL && show)
		fprintf(stderr, "---- parse error\n%s\n", err);
	if (ra.u != NULL) {
		interp_reset_request(in);
		if (interp_protect(in, run_unit, &ra) < 0) {
			CHECK(in->err[0] != '\0');
			if (show)
				fprintf(stderr, "---- error\n%s\n", in->err);
		}
		io_flush_log(in);
	}
	interp_free(in);
	free(in);
	sandbox_on = 0;
	buf_free(&in0);
	buf_free(&g.out);
	return 0;
}
