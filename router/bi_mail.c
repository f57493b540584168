/*
 * bi_mail.c - mail builtins for the policy scripts: recase dequote
 * condquote rfc822syntax basename homedirectory login2uid uid2login
 * filepriv gensym hostname newattribute syslog isinteractive.
 *
 * Text results are printed with a newline (so $(...) yields them);
 * statuses follow ZMSH.md section 8.
 */
#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "interp.h"
#include "log.h"
#include "util.h"

static void
println(struct interp *in, const char *s, size_t n)
{
	io_write(in, 1, s, n);
	io_write(in, 1, "\n", 1);
}

static int
bi_recase(struct interp *in, int argc, struct val **argv)
{
	int i = 1, mode = 'l';
	const char *s;
	char *r;
	size_t n, k;

	for (; i < argc; i++) {
		const char *o = arg_str(in, argv[i]);
		if (strcmp(o, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(o, "-u") == 0 || strcmp(o, "-l") == 0 ||
		    strcmp(o, "-p") == 0)
			mode = o[1];
		else
			break;
	}
	if (i != argc - 1)
		return bi_usage(in, "recase [-u|-l|-p] [--] STRING");
	s = val_text(in, argv[i], &n);
	r = arena_strndup(&in->tmp, s, n);
	for (k = 0; k < n; k++) {
		unsigned char c = (unsigned char)r[k];
		if (mode == 'u')
			r[k] = (char)toupper(c);
		else if (mode == 'l')
			r[k] = (char)tolower(c);
		else
			r[k] = (char)((k == 0 || !isalnum((unsigned char)r[k - 1])) ?
			    toupper(c) : tolower(c));
	}
	println(in, r, n);
	return 0;
}

static int
bi_dequote(struct interp *in, int argc, struct val **argv)
{
	const char *s;
	size_t n;

	if (argc != 2)
		return bi_usage(in, "dequote STRING");
	s = val_text(in, argv[1], &n);
	if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
		s++;
		n -= 2;
	}
	println(in, s, n);
	return 0;
}

static int
needs_quote(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c >= 127 || strchr("()<>@,;:\\\"[]", c))
			return 1;
		if (c == '.' && (i == 0 || i + 1 == n || s[i + 1] == '.'))
			return 1;
	}
	return 0;
}

static int
bi_condquote(struct interp *in, int argc, struct val **argv)
{
	const char *s;
	size_t n, i;
	struct buf *b;

	if (argc != 2)
		return bi_usage(in, "condquote STRING");
	s = val_text(in, argv[1], &n);
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"' &&
	    !needs_quote(s + 1, n - 2) && memchr(s + 1, '\\', n - 2) == NULL) {
		println(in, s + 1, n - 2);
		return 0;
	}
	if ((n >= 2 && s[0] == '"' && s[n - 1] == '"') || !needs_quote(s, n)) {
		println(in, s, n);
		return 0;
	}
	b = buf_scratch(in, ZMSH_VALUE_MAX * 2 + 3);
	buf_putc(b, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			buf_putc(b, '\\');
		buf_putc(b, s[i]);
	}
	buf_putc(b, '"');
	println(in, b->data, b->len);
	cleanup_pop(in, 1);
	return 0;
}

/* ---- rfc822syntax ---------------------------------------------------- */
static int
is_atext(unsigned char c)
{
	return c > ' ' && c < 127 && strchr("()<>@,;:\\\".[]", c) == NULL;
}

static const char *
p_word(const char *p)
{
	if (*p == '"') {
		for (p++; *p && *p != '"'; p++)
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '\r' || *p == '\n')
				return NULL;
		return *p == '"' ? p + 1 : NULL;
	}
	if (!is_atext((unsigned char)*p))
		return NULL;
	while (is_atext((unsigned char)*p))
		p++;
	return p;
}

static const char *
p_domain(const char *p)
{
	if (*p == '[') {
		for (p++; *p && *p != ']'; p++)
			if (*p == '[' || *p == '\\' || (unsigned char)*p <= ' ')
				return NULL;
		return *p == ']' ? p + 1 : NULL;
	}
	for (;;) {
		if (!is_atext((unsigned char)*p))
			return NULL;
		while (is_atext((unsigned char)*p))
			p++;
		if (*p != '.')
			return p;
		p++;
	}
}

/* addr-spec or route-addr; 1 if s is exactly one address */
static int
rfc822_ok(const char *s)
{
	const char *p = s;
	int angle = 0;

	if (*p == '<') {
		angle = 1;
		p++;
		if (*p == '>' && p[1] == '\0')
			return 1;
		while (*p == '@') {     /* source route */
			if ((p = p_domain(p + 1)) == NULL)
				return 0;
			if (*p == ',') {
				p++;
				continue;
			}
			if (*p != ':')
				return 0;
			p++;
			break;
		}
	}
	for (;;) {
		if ((p = p_word(p)) == NULL)
			return 0;
		if (*p != '.')
			break;
		p++;
	}
	if (*p == '@' && (p = p_domain(p + 1)) == NULL)
		return 0;
	if (angle) {
		if (*p != '>')
			return 0;
		p++;
	}
	return *p == '\0';
}

static int
bi_rfc822syntax(struct interp *in, int argc, struct val **argv)
{
	if (argc != 2)
		return bi_usage(in, "rfc822syntax ADDRESS");
	return rfc822_ok(arg_str(in, argv[1])) ? 0 : 1;
}

static int
bi_basename(struct interp *in, int argc, struct val **argv)
{
	const char *s, *b;
	size_t n;

	if (argc < 2 || argc > 3)
		return bi_usage(in, "basename PATH [SUFFIX]");
	s = arg_str(in, argv[1]);
	n = strlen(s);
	while (n > 1 && s[n - 1] == '/')
		n--;
	b = s;
	{
		size_t i;
		for (i = 0; i + 1 < n; i++)
			if (s[i] == '/')
				b = s + i + 1;
	}
	n -= (size_t)(b - s);
	if (argc == 3) {
		const char *suf = arg_str(in, argv[2]);
		size_t sl = strlen(suf);
		if (sl > 0 && sl < n && memcmp(b + n - sl, suf, sl) == 0)
			n -= sl;
	}
	println(in, b, n);
	return 0;
}

/* 1 found, 0 no such user, -1 could not tell */
static int
pw_lookup(const char *name, struct passwd *pw, char *tmp, size_t tmpsz)
{
	struct passwd *res = NULL;
	int r = getpwnam_r(name, pw, tmp, tmpsz, &res);

	if (res != NULL)
		return 1;
	if (r == 0 || r == ENOENT || r == ESRCH || r == EBADF || r == EPERM)
		return 0;
	return -1;
}

static int
bi_homedirectory(struct interp *in, int argc, struct val **argv)
{
	struct passwd pw;
	char tmp[4096], *low;
	const char *u;
	size_t i;
	int r;

	if (argc != 2)
		return bi_usage(in, "homedirectory USER");
	u = arg_str(in, argv[1]);
	if (*u == '\0')
		return 2;
	r = pw_lookup(u, &pw, tmp, sizeof(tmp));
	if (r == 0) {
		low = arena_strdup(&in->tmp, u);
		for (i = 0; low[i]; i++)
			low[i] = (char)tolower((unsigned char)low[i]);
		if (strcmp(low, u) != 0)
			r = pw_lookup(low, &pw, tmp, sizeof(tmp));
	}
	if (r < 0) {
		char d[300];
		snprintf(d, sizeof(d), "HOME:%.256s", u);
		var_set_str(in, "defer", d);
		return 3;
	}
	if (r == 0)
		return 2;
	println(in, pw.pw_dir, strlen(pw.pw_dir));
	return 0;
}

static long
nobody_uid(struct interp *in)
{
	struct passwd pw;
	char tmp[4096];
	const char *n = var_str(in, "NOBODY");

	if (pw_lookup(n != NULL && *n ? n : "nobody", &pw, tmp, sizeof(tmp)) == 1)
		return (long)pw.pw_uid;
	return 65534;
}

static int
bi_login2uid(struct interp *in, int argc, struct val **argv)
{
	struct passwd pw;
	char tmp[4096], out[32];
	long uid;

	if (argc != 2)
		return bi_usage(in, "login2uid LOGIN");
	if (pw_lookup(arg_str(in, argv[1]), &pw, tmp, sizeof(tmp)) == 1)
		uid = (long)pw.pw_uid;
	else
		uid = nobody_uid(in);
	snprintf(out, sizeof(out), "%ld", uid);
	println(in, out, strlen(out));
	return 0;
}

static int
bi_uid2login(struct interp *in, int argc, struct val **argv)
{
	struct passwd pw, *res = NULL;
	char tmp[4096], out[64];
	long uid;

	if (argc != 2 || util_parse_long(arg_str(in, argv[1]), 0, 4294967295L,
	    &uid) < 0)
		return bi_usage(in, "uid2login UID");
	if (getpwuid_r((uid_t)uid, &pw, tmp, sizeof(tmp), &res) == 0 && res != NULL)
		println(in, pw.pw_name, strlen(pw.pw_name));
	else {
		snprintf(out, sizeof(out), "uid#%ld", uid);
		println(in, out, strlen(out));
	}
	return 0;
}

static int
bi_filepriv(struct interp *in, int argc, struct val **argv)
{
	long maxperm = 0664, uid = -1;
	int i = 1;
	const char *file;
	char *dir, *slash, out[32];
	struct stat st, dst;

	if (i + 1 < argc && strcmp(arg_str(in, argv[i]), "-M") == 0) {
		const char *m = arg_str(in, argv[i + 1]);
		char *end;
		maxperm = strtol(m, &end, 8);
		if (*m == '\0' || *end != '\0' || maxperm < 0 || maxperm > 0664)
			return bi_usage(in, "filepriv [-M maxperm] FILE [UID]");
		i += 2;
	}
	if (i >= argc || argc - i > 2)
		return bi_usage(in, "filepriv [-M maxperm] FILE [UID]");
	file = arg_str(in, argv[i]);
	if (argc - i == 2 && util_parse_long(arg_str(in, argv[i + 1]), 0,
	    4294967295L, &uid) < 0)
		return bi_usage(in, "filepriv [-M maxperm] FILE [UID]");
	dir = arena_strdup(&in->tmp, file);
	if ((slash = strrchr(dir, '/')) == NULL)
		dir = ".";
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (stat(dir, &dst) < 0)
		return 3;
	if (!S_ISDIR(dst.st_mode))
		return 4;
	if (uid < 0) {
		if (stat(file, &st) < 0)
			return 2;
		uid = (long)st.st_uid;
		if (!S_ISREG(st.st_mode) || (st.st_mode & 0777 & ~maxperm))
			uid = nobody_uid(in);
	}
	if ((dst.st_mode & 022) && !(dst.st_mode & S_ISVTX))
		uid = nobody_uid(in);
	snprintf(out, sizeof(out), "%ld", uid);
	println(in, out, strlen(out));
	return 0;
}

static int
bi_gensym(struct interp *in, int argc, struct val **argv)
{
	char out[32];

	(void)argc, (void)argv;
	snprintf(out, sizeof(out), "g%lu", in->gensym++);
	println(in, out, strlen(out));
	return 0;
}

static int
bi_hostname(struct interp *in, int argc, struct val **argv)
{
	char h[256];

	if (argc > 1) {
		free(in->hostname);
		in->hostname = xstrdup(arg_str(in, argv[1]));
		return 0;
	}
	if (in->hostname == NULL) {
		if (gethostname(h, sizeof(h)) < 0)
			return 1;
		h[sizeof(h) - 1] = '\0';
		in->hostname = xstrdup(h);
	}
	println(in, in->hostname, strlen(in->hostname));
	return 0;
}

/* newattribute OLD key value ...: a new symbol holding OLD's list changed */
static int
bi_newattribute(struct interp *in, int argc, struct val **argv)
{
	char sym[32];
	struct val *old, *l;
	size_t i, n;
	int a;

	if (argc < 2 || argc % 2 != 0)
		return bi_usage(in, "newattribute OLD [KEY VALUE]...");
	old = var_get(in, arg_str(in, argv[1]));
	n = old != NULL && old->type == V_LIST ? old->n : 0;
	l = val_list(in, n + (size_t)(argc - 2));
	for (i = 0; i < n; i++)
		l->v[i] = val_copy(in, old->v[i]);
	for (a = 2; a + 1 < argc; a += 2) {
		const char *k = arg_str(in, argv[a]);
		for (i = 0; i + 1 < n; i += 2)
			if (strcmp(arg_str(in, l->v[i]), k) == 0)
				break;
		if (i + 1 < n)
			l->v[i + 1] = argv[a + 1];
		else {
			l->v[n++] = argv[a];
			l->v[n++] = argv[a + 1];
		}
	}
	l->n = n;
	snprintf(sym, sizeof(sym), "g%lu", in->gensym++);
	var_set(in, sym, l);
	in->rval = val_cstr(in, sym);
	return 0;
}

static int
bi_syslog(struct interp *in, int argc, struct val **argv)
{
	static const struct { const char *n; int p; } prios[] = {
		{ "emerg", LOG_EMERG }, { "alert", LOG_ALERT }, { "crit", LOG_CRIT },
		{ "err", LOG_ERR }, { "error", LOG_ERR }, { "warning", LOG_WARNING },
		{ "warn", LOG_WARNING }, { "notice", LOG_NOTICE },
		{ "info", LOG_INFO }, { "debug", LOG_DEBUG },
	};
	int i = 1, prio = LOG_NOTICE;
	struct buf *b;
	char esc[LOG_ESC_SIZE];

	if (i + 1 < argc && strcmp(arg_str(in, argv[i]), "-p") == 0) {
		const char *p = arg_str(in, argv[i + 1]), *dot = strrchr(p, '.');
		size_t k;
		if (dot != NULL)
			p = dot + 1;
		for (k = 0; k < sizeof(prios) / sizeof(prios[0]); k++)
			if (strcmp(p, prios[k].n) == 0)
				break;
		if (k == sizeof(prios) / sizeof(prios[0]))
			return bi_usage(in, "syslog [-p priority] text...");
		prio = prios[k].p;
		i += 2;
	}
	b = buf_scratch(in, LOG_LINE_MAX);
	for (; i < argc; i++) {
		buf_puts(b, arg_str(in, argv[i]));
		if (i + 1 < argc)
			buf_putc(b, ' ');
	}
	log_msg(prio, "%s", log_escape(esc, sizeof(esc), b->data ? b->data : "",
	    b->len));
	cleanup_pop(in, 1);
	return 0;
}

static int
bi_isinteractive(struct interp *in, int argc, struct val **argv)
{
	(void)argc, (void)argv;
	return in->wire || in->opt_i ? 0 : 1;
}

const struct builtin bi_mail_tab[] = {
	{ "basename",   bi_basename,    0 },
	{ "condquote",  bi_condquote,   0 },
	{ "db",         bi_db,          0 },
	{ "dequote",    bi_dequote,     0 },
	{ "filepriv",   bi_filepriv,    0 },
	{ "gensym",     bi_gensym,      0 },
	{ "homedirectory", bi_homedirectory, 0 },
	{ "hostname",   bi_hostname,    0 },
	{ "isinteractive", bi_isinteractive, 0 },
	{ "login2uid",  bi_login2uid,   0 },
	{ "newattribute", bi_newattribute, BI_LISTVAL },
	{ "recase",     bi_recase,      0 },
	{ "relation",   bi_relation,    0 },
	{ "rfc822syntax", bi_rfc822syntax, 0 },
	{ "syslog",     bi_syslog,      0 },
	{ "uid2login",  bi_uid2login,   0 },
};
const size_t bi_mail_n = sizeof(bi_mail_tab) / sizeof(bi_mail_tab[0]);
