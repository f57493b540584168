/*
 * test_rel.c - relations over real temporary files of each type.
 *
 * Each case writes a file under a fresh directory in /tmp, defines a
 * relation on it exactly as the `relation` builtin would (an argv), and
 * checks found / not found / could-not-tell, the options, the drivers,
 * change detection and the `db` subcommands.  Log lines (bad lines with
 * file:line) are captured by pointing stderr at a file.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <lmdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"
#include "limits.h"
#include "log.h"
#include "../../router/rel.h"
#include "../../router/rel_lmdb.h"

static char dir[] = "/tmp/zmtest-rel-XXXXXX";
static char logpath[256];

static const char *
path(const char *name)
{
	static char p[8][512];
	static int i;

	i = (i + 1) % 8;
	snprintf(p[i], sizeof p[i], "%s/%s", dir, name);
	return p[i];
}

static void
writefile(const char *name, const char *text)
{
	FILE *f = fopen(path(name), "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
		perror(name);
		exit(2);
	}
}

/* Replace name's contents the way an administrator with mv does. */
static void
mvfile(const char *name, const char *text)
{
	char tmp[64];

	snprintf(tmp, sizeof tmp, "%s.new", name);
	writefile(tmp, text);
	if (rename(path(tmp), path(name)) < 0) {
		perror("rename");
		exit(2);
	}
}

/* Rewrite name in place (same inode), as an editor that truncates does. */
static void
editfile(const char *name, const char *text)
{
	int fd = open(path(name), O_WRONLY | O_TRUNC);
	size_t n = strlen(text);

	if (fd < 0 || write(fd, text, n) != (ssize_t)n || close(fd) < 0) {
		perror("edit");
		exit(2);
	}
}

/* Define a relation from a blank-separated command line ("-t x -f F n"). */
static struct rel *
define(const char *line)
{
	char copy[1024], *argv[32], *p, err[256];
	int argc = 0;
	struct rel *r;

	snprintf(copy, sizeof copy, "relation %s", line);
	for (p = strtok(copy, " "); p && argc < 31; p = strtok(NULL, " ")) {
		if (strncmp(p, "@D/", 3) == 0)
			p = (char *)path(p + 3);
		argv[argc++] = p;
	}
	argv[argc] = NULL;
	if (rel_define(argc, argv, &r, err, sizeof err) < 0) {
		CHECK(0, "rel_define(%s): %s", line, err);
		return NULL;
	}
	return r;
}

static void
define_fails(const char *line, const char *want)
{
	char copy[1024], *argv[32], *p, err[256];
	int argc = 0;
	struct rel *r = NULL;

	snprintf(copy, sizeof copy, "relation %s", line);
	for (p = strtok(copy, " "); p && argc < 31; p = strtok(NULL, " "))
		argv[argc++] = p;
	argv[argc] = NULL;
	err[0] = '\0';
	CHECK(rel_define(argc, argv, &r, err, sizeof err) < 0 && r == NULL,
	    "rel_define(%s) succeeded", line);
	CHECK(strstr(err, want) != NULL, "rel_define(%s): got \"%s\", want \"%s\"",
	    line, err, want);
}

/* Look key up; want: value when found, NULL for not found, "DEFER". */
static void
expect(struct rel *r, const char *key, const char *want, int line)
{
	struct buf v;
	int rc;

	if (r == NULL)
		return;
	buf_init(&v, REL_VALUE_MAX + REL_KEY_MAX);
	rc = rel_lookup(r, key, &v);
	if (want == NULL)
		CHECK(rc == REL_NOTFOUND, "line %d: %s(%s): rc %d \"%s\", want not found",
		    line, rel_name(r), key, rc, buf_cstr(&v));
	else if (strcmp(want, "DEFER") == 0)
		CHECK(rc == REL_DEFER && rel_defer_reason(r)[0],
		    "line %d: %s(%s): rc %d, want defer", line, rel_name(r), key, rc);
	else
		CHECK(rc == REL_FOUND && strcmp(buf_cstr(&v), want) == 0,
		    "line %d: %s(%s): rc %d \"%s\", want \"%s\"", line, rel_name(r),
		    key, rc, buf_cstr(&v), want);
	buf_free(&v);
}
#define EXPECT(r, k, w) expect((r), (k), (w), __LINE__)

/* The `db` builtin over a fixed table of relations. */
static struct rel *dbrels[16];

static struct rel *
db_find(void *ctx, const char *name)
{
	size_t i;

	(void)ctx;
	for (i = 0; i < 16; i++)
		if (dbrels[i] && strcmp(rel_name(dbrels[i]), name) == 0)
			return dbrels[i];
	return NULL;
}

static void
db_each(void *ctx, void (*fn)(struct rel *, void *), void *arg)
{
	size_t i;

	(void)ctx;
	for (i = 0; i < 16; i++)
		if (dbrels[i])
			fn(dbrels[i], arg);
}

/* Run "db ARGS" (blank separated); returns the status, output in out. */
static int
db(struct buf *out, const char *line)
{
	char copy[1024], *argv[16], *p, err[256];
	int argc = 0;

	snprintf(copy, sizeof copy, "db %s", line);
	for (p = strtok(copy, " "); p && argc < 15; p = strtok(NULL, " "))
		argv[argc++] = p;
	argv[argc] = NULL;
	buf_reset(out);
	return rel_db(argc, argv, out, err, sizeof err, db_find, db_each, NULL);
}

static char *
slurp(const char *p)
{
	static char text[65536];
	int fd = open(p, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof text - 1);

	if (fd >= 0)
		close(fd);
	text[n < 0 ? 0 : n] = '\0';
	return text;
}

/* Changes within one clock tick must still be seen: wait one out. */
static void
tick(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/* ---- options ---------------------------------------------------------- */

static void
test_options(void)
{
	struct rel *r;

	define_fails("-t unordered x", "needs -f");
	define_fails("-t nosuch -f /x x", "unknown type");
	define_fails("-t unordered -f /x -l -u x", "exclude");
	define_fails("-t unordered -f /x -e abc x", "-e");
	define_fails("-t unordered -f /x -s 999999 x", "-s");
	define_fails("-t unordered -f /x -d nosuch x", "-d");
	define_fails("-t unordered -f /x bad-name", "bad name");
	define_fails("-t unordered -f /x -q x", "unknown option -q");
	define_fails("-t unordered -f", "needs an argument");
	define_fails("-t unordered,sub -f /x x", "subtype");
	define_fails("-f /x x", "-t TYPE missing");
	/* Clustered flags with the argument in the next word (Zmailer idiom). */
	r = define("-lmt unordered -f /nonexistent -b -e 5 -s 3 -d pathalias ok_1");
	CHECK(r && strcmp(rel_name(r), "ok_1") == 0, "name");
	if (r) {
		struct buf out;

		buf_init(&out, 4096);
		dbrels[0] = r;
		CHECK(db(&out, "toc") == 0, "toc status");
		CHECK(strstr(buf_cstr(&out), "ok_1\tunordered\tcache=3\tttl=5\t"
		    "flags=lbm\tdriver=pathalias\tfile=/nonexistent") != NULL,
		    "toc: %s", buf_cstr(&out));
		dbrels[0] = NULL;
		buf_free(&out);
		rel_free(r);
	}
	r = define("-tunordered -f/x glued");
	rel_free(r);
}

/* ---- unordered -------------------------------------------------------- */

static void
test_unordered(void)
{
	struct rel *r, *rb, *rn, *rl, *ru, *rm;
	struct buf out;

	writefile("list",
	    "# a comment\n"
	    "\n"
	    "Example.COM   relay  trailing words ignored\n"
	    "  spam.example\t\tspammer\n"
	    "empty.example\n"
	    "dup.example first\n"
	    "dup.example second\n"
	    "MixedCase.Org mixed\n");
	r = define("-t unordered -f @D/list plain");
	EXPECT(r, "example.com", "relay");
	EXPECT(r, "EXAMPLE.com", "relay");
	EXPECT(r, "spam.example", "spammer");
	EXPECT(r, "empty.example", "");
	EXPECT(r, "dup.example", "first");
	EXPECT(r, "other.example", NULL);
	EXPECT(r, "# a comment", NULL);
	EXPECT(r, "#", NULL);
	EXPECT(r, "", NULL);
	EXPECT(r, "trailing", NULL);
	rb = define("-b -t unordered -f @D/list boolean");
	EXPECT(rb, "Example.Com", "Example.Com");
	EXPECT(rb, "nope", NULL);
	rn = define("-n -t unordered -f @D/list nonnull");
	EXPECT(rn, "empty.example", "empty.example");
	EXPECT(rn, "example.com", "relay");
	EXPECT(rn, "nope", NULL);
	rl = define("-lb -t unordered -f @D/list lower");
	EXPECT(rl, "MIXEDCASE.ORG", "mixedcase.org");
	ru = define("-ub -t unordered -f @D/list upper");
	EXPECT(ru, "mixedcase.org", "MIXEDCASE.ORG");

	/* Without -m the loaded contents stay until flushed. */
	tick();
	mvfile("list", "new.example v\n");
	EXPECT(r, "example.com", "relay");
	EXPECT(r, "new.example", NULL);
	buf_init(&out, 1 << 16);
	dbrels[0] = r;
	CHECK(db(&out, "flush plain") == 0, "flush");
	EXPECT(r, "example.com", NULL);
	EXPECT(r, "new.example", "v");
	CHECK(db(&out, "count plain") == 0 && strcmp(buf_cstr(&out), "1\n") == 0,
	    "count: %s", buf_cstr(&out));
	CHECK(db(&out, "count nosuch") == 2, "unknown relation");
	CHECK(db(&out, "frobnicate plain") == 1, "bad subcommand");
	CHECK(db(&out, "f plain") == 0, "abbreviated flush");

	/* -m: mv replacements and in-place edits, also of the same size. */
	writefile("mlist", "a.example 1\n");
	rm = define("-m -t unordered -f @D/mlist watched");
	dbrels[1] = rm;
	EXPECT(rm, "a.example", "1");
	tick();
	mvfile("mlist", "b.example 2\n");
	EXPECT(rm, "a.example", NULL);
	EXPECT(rm, "b.example", "2");
	tick();
	editfile("mlist", "b.example 3\n");
	EXPECT(rm, "b.example", "3");
	tick();
	editfile("mlist", "b.example 3\nc.example 4\n");
	EXPECT(rm, "c.example", "4");
	/* Gone, unreadable: could not tell, never "not found". */
	unlink(path("mlist"));
	EXPECT(rm, "b.example", "DEFER");
	CHECK(strstr(rel_defer_reason(rm), "No such file") != NULL,
	    "reason: %s", rel_defer_reason(rm));
	mkdir(path("mlist"), 0755);
	EXPECT(rm, "b.example", "DEFER");
	rmdir(path("mlist"));
	writefile("mlist", "back.example yes\n");
	EXPECT(rm, "back.example", "yes");

	/* db add / remove / print on a file. */
	CHECK(db(&out, "add watched Added.Example val") == 0, "add");
	EXPECT(rm, "added.example", "val");
	CHECK(strstr(slurp(path("mlist")), "Added.Example\tval\n") != NULL,
	    "file after add: %s", slurp(path("mlist")));
	CHECK(db(&out, "print watched") == 0 &&
	    strcmp(buf_cstr(&out), "back.example\tyes\nAdded.Example\tval\n") == 0,
	    "print: %s", buf_cstr(&out));
	CHECK(db(&out, "remove watched ADDED.example") == 0, "remove");
	EXPECT(rm, "added.example", NULL);
	EXPECT(rm, "back.example", "yes");
	CHECK(strcmp(slurp(path("mlist")), "back.example yes\n") == 0,
	    "file after remove: %s", slurp(path("mlist")));
	CHECK(db(&out, "remove watched added.example") == 1, "remove absent");
	CHECK(db(&out, "add watched onlykey") == 1, "add usage");
	CHECK(db(&out, "add watched k v") == 0, "add k");
	EXPECT(rm, "k", "v");

	/* Never existed: defer at lookup, definition still fine. */
	dbrels[2] = define("-t unordered -f @D/missing missing");
	EXPECT(dbrels[2], "x", "DEFER");
	CHECK(db(&out, "count missing") == 75, "count of missing file");

	rel_free(dbrels[2]);
	memset(dbrels, 0, sizeof dbrels);
	buf_free(&out);
	rel_free(r);
	rel_free(rb);
	rel_free(rn);
	rel_free(rl);
	rel_free(ru);
	rel_free(rm);
}

/* Bad lines are logged with file:line and skipped; the rest still works. */
static void
test_bad_lines(void)
{
	char *text, longline[REL_LINE_MAX + 100], want[512];
	size_t off;
	struct rel *r;
	FILE *f;

	memset(longline, 'x', sizeof longline - 2);
	longline[sizeof longline - 2] = '\n';
	longline[sizeof longline - 1] = '\0';
	f = fopen(path("bad"), "w");
	fputs("good1.example one\n", f);
	fputs(longline, f);                      /* line 2: too long */
	fputs("good2.example two\n", f);
	for (off = 0; off < REL_KEY_MAX + 1; off++)
		fputc('k', f);                       /* line 4: key too long */
	fputs(" v\n", f);
	fputs("good3.example three", f);         /* no final newline */
	fclose(f);
	r = define("-t unordered -f @D/bad badlines");
	EXPECT(r, "good1.example", "one");
	EXPECT(r, "good2.example", "two");
	EXPECT(r, "good3.example", "three");
	CHECK(r && rel_skipped(r) == 2, "skipped %lu, want 2", r ? rel_skipped(r) : 0);
	text = slurp(logpath);
	snprintf(want, sizeof want, "%s:2: line too long", path("bad"));
	CHECK(strstr(text, want) != NULL, "log lacks \"%s\": %s", want, text);
	snprintf(want, sizeof want, "%s:4: key too long", path("bad"));
	CHECK(strstr(text, want) != NULL, "log lacks \"%s\": %s", want, text);
	rel_free(r);
}

/* ---- -d drivers --------------------------------------------------------- */

static void
test_drivers(void)
{
	struct rel *pa, *lm, *nd, *none;

	writefile("doms",
	    "foo.bar.edu exact\n"
	    ".bar.edu below-bar\n"
	    ".only.example below-only\n"
	    "only.example only-itself\n"
	    "bar.edu bar-itself\n"
	    "@users.example any-user\n"
	    "joe@users.example joe\n");
	pa = define("-t unordered -d pathalias -f @D/doms pa");
	lm = define("-t unordered -d longestmatch -f @D/doms lm");
	nd = define("-t unordered -d pathalias.nodot -f @D/doms nd");
	none = define("-t unordered -f @D/doms none");
	EXPECT(pa, "foo.bar.edu", "exact");
	EXPECT(pa, "x.foo.bar.edu", "below-bar");
	EXPECT(pa, "a.b.bar.edu", "below-bar");
	EXPECT(pa, "bar.edu", "bar-itself");
	EXPECT(pa, "only.example", "only-itself");
	EXPECT(pa, "sub.only.example", "below-only");
	EXPECT(pa, "edu", NULL);
	EXPECT(pa, "joe@users.example", "joe");
	EXPECT(pa, "ann@users.example", "any-user");
	EXPECT(pa, "ann@x.bar.edu", "below-bar");
	EXPECT(pa, "ann@elsewhere.example", NULL);
	EXPECT(lm, "x.foo.bar.edu", "below-bar");
	EXPECT(lm, "bar.edu", "bar-itself");
	EXPECT(nd, "x.bar.edu", "bar-itself");
	EXPECT(nd, "bar.edu", NULL);            /* tries "edu" only */
	EXPECT(nd, "a.b.only.example", "only-itself");
	EXPECT(none, "x.foo.bar.edu", NULL);
	/* pathalias tries ".a.b.c" before ".b.c"; longestmatch does not. */
	writefile("doms2", ".foo.bar.edu dotted-self\n.bar.edu below-bar\n. root\n");
	rel_free(pa);
	rel_free(lm);
	pa = define("-t unordered -d pathalias -f @D/doms2 pa");
	lm = define("-t unordered -d longestmatch -f @D/doms2 lm");
	EXPECT(pa, "foo.bar.edu", "dotted-self");
	EXPECT(lm, "foo.bar.edu", "below-bar");
	EXPECT(pa, "elsewhere.org", "root");
	EXPECT(lm, "elsewhere.org", "root");
	rel_free(pa);
	rel_free(lm);
	rel_free(nd);
	rel_free(none);
}

/* ---- ordered ------------------------------------------------------------ */

static void
test_ordered(void)
{
	struct rel *r, *rm, *re;
	struct buf out;
	char key[64], want[64];
	FILE *f;
	int i;

	/* A big sorted file with comments and blank lines in between. */
	f = fopen(path("sorted"), "w");
	fputs("# header comment\n\n", f);
	for (i = 0; i < 20000; i++) {
		fprintf(f, "key%06d.example val%d\n", i * 2, i * 2);
		if (i % 997 == 0)
			fputs("# a comment in the middle\n   \n", f);
	}
	fputs("zz-last\n", f);
	fclose(f);
	r = define("-t ordered -f @D/sorted big");
	for (i = 0; i < 40000; i += 37) {
		snprintf(key, sizeof key, "KEY%06d.example", i);
		snprintf(want, sizeof want, "val%d", i);
		EXPECT(r, key, i % 2 ? NULL : want);
	}
	EXPECT(r, "key000000.example", "val0");
	EXPECT(r, "key039998.example", "val39998");
	EXPECT(r, "zz-last", "");
	EXPECT(r, "aaa", NULL);
	EXPECT(r, "zzz", NULL);
	EXPECT(r, "key", NULL);
	EXPECT(r, "key000000.exampl", NULL);
	EXPECT(r, "key000000.examplex", NULL);
	EXPECT(r, "# header comment", NULL);

	/* Prefix keys, duplicates, upper-case keys, file without final newline. */
	writefile("small", "abc one\nabc two\nabcd three\nMiXed four\nz five");
	rm = define("-m -t ordered -f @D/small small");
	EXPECT(rm, "abc", "one");
	EXPECT(rm, "abcd", "three");
	EXPECT(rm, "ab", NULL);
	EXPECT(rm, "mixed", "four");
	EXPECT(rm, "Z", "five");
	/* -m: replaced with mv; rewritten in place, shorter. */
	tick();
	mvfile("small", "b 1\nc 2\n");
	EXPECT(rm, "abc", NULL);
	EXPECT(rm, "c", "2");
	tick();
	editfile("small", "c 3\n");
	EXPECT(rm, "c", "3");
	EXPECT(rm, "b", NULL);
	/* Even without -m, a shrinking file is mapped again, not read past. */
	tick();
	writefile("shrink", "a 1\nb 2\nc 3\nd 4\n");
	re = define("-s 0 -t ordered -f @D/shrink shrink");
	EXPECT(re, "d", "4");
	editfile("shrink", "a 9\n");
	EXPECT(re, "a", "9");
	EXPECT(re, "d", NULL);
	editfile("shrink", "");
	EXPECT(re, "a", NULL);
	rel_free(re);

	/* Out-of-order lines: reported by db count. */
	buf_init(&out, 1 << 20);
	writefile("unsorted", "b 1\na 2\nc 3\n");
	dbrels[0] = define("-t ordered -f @D/unsorted unsorted");
	CHECK(db(&out, "count unsorted") == 0 && strcmp(buf_cstr(&out), "3\n") == 0,
	    "count: %s", buf_cstr(&out));
	snprintf(want, sizeof want, "unsorted:2: key out of order");
	CHECK(strstr(slurp(logpath), want) != NULL, "no out-of-order report");
	dbrels[1] = r;
	CHECK(db(&out, "count big") == 0 && strcmp(buf_cstr(&out), "20001\n") == 0,
	    "count big: %s", buf_cstr(&out));
	CHECK(db(&out, "print unsorted") == 0 &&
	    strcmp(buf_cstr(&out), "b\t1\na\t2\nc\t3\n") == 0, "print: %s", buf_cstr(&out));
	CHECK(db(&out, "add unsorted k v") == 1, "add on ordered is unsupported");

	/* Unreadable: a directory, a missing file. */
	unlink(path("small"));
	EXPECT(rm, "c", "DEFER");
	mkdir(path("small"), 0755);
	rel_free(rm);
	rm = define("-t ordered -f @D/small small");
	EXPECT(rm, "c", "DEFER");
	CHECK(strstr(rel_defer_reason(rm), "Is a directory") != NULL,
	    "reason %s", rel_defer_reason(rm));
	rmdir(path("small"));
	writefile("empty", "");
	rel_free(rm);
	rm = define("-t ordered -f @D/empty empty");
	EXPECT(rm, "a", NULL);

	rel_free(rm);
	rel_free(r);
	rel_free(dbrels[0]);
	memset(dbrels, 0, sizeof dbrels);
	buf_free(&out);
}

/* ---- cidr --------------------------------------------------------------- */

static void
test_cidr(void)
{
	struct rel *r;
	char want[512];
	char *log;

	writefile("nets",
	    "# our networks\n"
	    "10.0.0.0/8        ten\n"
	    "10.1.0.0/16       ten-one\n"
	    "10.1.2.3          host\n"
	    "192.0.2.0/24      doc\n"
	    "10.2.0.0/33       bad-length\n"
	    "192.0.2.1/24      host-bits\n"
	    "not-an-address    junk\n"
	    "2001:db8::/32     v6-doc\n"
	    "2001:DB8:1::/48   v6-sub\n"
	    "2001:db8:1::5     v6-host\n"
	    "::ffff:198.51.100.0/120 mapped\n"
	    "0.0.0.0/0         v4-default\n"
	    "fe80::/10\n");
	r = define("-t cidr -f @D/nets nets");
	EXPECT(r, "10.9.9.9", "ten");
	EXPECT(r, "10.1.9.9", "ten-one");
	EXPECT(r, "10.1.2.3", "host");
	EXPECT(r, "10.1.2.4", "ten-one");
	EXPECT(r, "[10.1.2.3]", "host");
	EXPECT(r, "192.0.2.200", "doc");
	EXPECT(r, "198.51.100.7", "mapped");
	EXPECT(r, "::ffff:10.1.2.3", "host");
	EXPECT(r, "11.0.0.1", "v4-default");
	EXPECT(r, "2001:db8::1", "v6-doc");
	EXPECT(r, "2001:db8:1:ffff::1", "v6-sub");
	EXPECT(r, "2001:db8:1::5", "v6-host");
	EXPECT(r, "[IPv6:2001:db8:1::5]", "v6-host");
	EXPECT(r, "2001:DB8:1::5", "v6-host");
	EXPECT(r, "fe80::1", "");
	EXPECT(r, "2001:db9::1", NULL);
	EXPECT(r, "not-an-address", NULL);
	EXPECT(r, "10.0.0.0/8", NULL);
	EXPECT(r, "10.1.2", NULL);
	CHECK(r && rel_skipped(r) == 3, "skipped %lu", r ? rel_skipped(r) : 0);
	log = slurp(logpath);
	snprintf(want, sizeof want, "%s:6: not an address", path("nets"));
	CHECK(strstr(log, want) != NULL, "no report \"%s\"", want);
	snprintf(want, sizeof want, "%s:7: address bits set", path("nets"));
	CHECK(strstr(log, want) != NULL, "no report \"%s\"", want);
	snprintf(want, sizeof want, "%s:8: not an address", path("nets"));
	CHECK(strstr(log, want) != NULL, "no report \"%s\"", want);
	rel_free(r);
	r = define("-t cidr -f @D/nonexistent nonets");
	EXPECT(r, "10.0.0.1", "DEFER");
	rel_free(r);
}

/* ---- incore ------------------------------------------------------------- */

static void
test_incore(void)
{
	struct rel *r, *rl;
	struct buf out;
	char k[32], v[64];
	int i;

	buf_init(&out, 1 << 20);
	r = define("-t incore mem");
	rl = define("-l -t incore lmem");
	dbrels[0] = r;
	dbrels[1] = rl;
	EXPECT(r, "a", NULL);
	CHECK(db(&out, "add mem Key1 v1") == 0, "add");
	CHECK(db(&out, "a mem key2 v2") == 0, "add");
	EXPECT(r, "Key1", "v1");
	EXPECT(r, "key1", NULL);              /* exact compare */
	CHECK(db(&out, "add mem Key1 v1b") == 0, "replace");
	EXPECT(r, "Key1", "v1b");
	CHECK(db(&out, "print mem") == 0 &&
	    strcmp(buf_cstr(&out), "Key1\tv1b\nkey2\tv2\n") == 0, "print: %s",
	    buf_cstr(&out));
	CHECK(db(&out, "count mem") == 0 && strcmp(buf_cstr(&out), "2\n") == 0,
	    "count: %s", buf_cstr(&out));
	CHECK(db(&out, "remove mem key2") == 0, "remove");
	EXPECT(r, "key2", NULL);
	CHECK(db(&out, "delete mem key2") == 1, "remove again");
	CHECK(db(&out, "add lmem MiXed yes") == 0, "add folded");
	EXPECT(rl, "MIXED", "yes");
	for (i = 0; i < 5000; i++) {
		snprintf(k, sizeof k, "add mem k%d", i);
		snprintf(v, sizeof v, "%s v%d", k, i);
		CHECK(db(&out, v) == 0, "bulk add %d", i);
	}
	EXPECT(r, "k4999", "v4999");
	EXPECT(r, "k0", "v0");
	CHECK(db(&out, "count mem") == 0 && strcmp(buf_cstr(&out), "5001\n") == 0,
	    "count: %s", buf_cstr(&out));
	CHECK(db(&out, "flush mem") == 0, "flush");
	EXPECT(r, "k1", NULL);
	EXPECT(r, "Key1", NULL);
	CHECK(db(&out, "count mem") == 0 && strcmp(buf_cstr(&out), "0\n") == 0,
	    "count: %s", buf_cstr(&out));
	/* The cache never hides an add. */
	EXPECT(r, "late", NULL);
	CHECK(db(&out, "add mem late now") == 0, "add late");
	EXPECT(r, "late", "now");
	memset(dbrels, 0, sizeof dbrels);
	rel_free(r);
	rel_free(rl);
	buf_free(&out);
}

/* ---- lmdb / btree ------------------------------------------------------- */

static void
test_lmdb(void)
{
	struct rel *r, *rb;
	struct buf out;
	unsigned long skipped = 99;
	char err[256], key[600];
	long n;

	buf_init(&out, 1 << 20);
	memset(key, 'k', sizeof key - 1);
	key[sizeof key - 1] = '\0';
	{
		FILE *f = fopen(path("big.txt"), "w");
		int i;

		fputs("# list\nExample.COM relay\nempty.example\n", f);
		fputs("dup.example first\ndup.example second\n", f);
		fprintf(f, "%s toolong\n", key);          /* line 6: > 511 */
		for (i = 0; i < 3000; i++)
			fprintf(f, "k%d.example v%d\n", i, i);
		fclose(f);
	}
	n = rel_lmdb_build(path("big.txt"), path("big.lmdb"), &skipped, err, sizeof err);
	CHECK(n == 3003, "built %ld keys (%s), want 3003", n, err);
	CHECK(skipped == 1, "skipped %lu, want 1", skipped);
	r = define("-m -t lmdb -f @D/big.lmdb big");
	rb = define("-b -t btree -f @D/big.lmdb bigb");
	EXPECT(r, "example.com", "relay");
	EXPECT(r, "EXAMPLE.Com", "relay");
	EXPECT(r, "empty.example", "");
	EXPECT(r, "dup.example", "first");
	EXPECT(r, "k2999.example", "v2999");
	EXPECT(r, "k3000.example", NULL);
	EXPECT(r, key, NULL);
	EXPECT(rb, "K17.example", "K17.example");
	dbrels[0] = r;
	CHECK(db(&out, "count big") == 0 && strcmp(buf_cstr(&out), "3003\n") == 0,
	    "count %s", buf_cstr(&out));
	CHECK(db(&out, "print big") == 0 && strstr(buf_cstr(&out), "example.com\trelay\n"),
	    "print");
	/* A rebuild replaces the file; -m sees it. */
	tick();
	writefile("big.txt", "new.example fresh\n");
	n = rel_lmdb_build(path("big.txt"), path("big.lmdb"), NULL, err, sizeof err);
	CHECK(n == 1, "rebuilt %ld (%s)", n, err);
	EXPECT(r, "new.example", "fresh");
	EXPECT(r, "example.com", NULL);
	/* Missing, not a database: could not tell. */
	unlink(path("big.lmdb"));
	EXPECT(r, "new.example", "DEFER");
	writefile("big.lmdb", "this is not an lmdb file at all, just some text\n");
	EXPECT(r, "new.example", "DEFER");
	CHECK(db(&out, "count big") == 75, "count of bad db");
	n = rel_lmdb_build(path("nonexistent.txt"), path("x.lmdb"), NULL, err, sizeof err);
	CHECK(n == -1 && strstr(err, "No such file"), "build from missing: %ld %s", n, err);
	rel_free(r);
	rel_free(rb);
	memset(dbrels, 0, sizeof dbrels);
	buf_free(&out);
}

/* A database another program updates in place (flushot's index). */
static void
test_lmdb_live_writer(void)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k, v;
	struct rel *r;
	int i, rc;

	rc = mdb_env_create(&env);
	if (rc == 0)
		rc = mdb_env_set_mapsize(env, 1 << 20);
	if (rc == 0)
		rc = mdb_env_open(env, path("live.lmdb"), MDB_NOSUBDIR, 0644);
	CHECK(rc == 0, "writer open: %s", mdb_strerror(rc));
	if (rc != 0)
		return;
	r = define("-t lmdb -s 0 -f @D/live.lmdb live");
	for (i = 0; i < 3; i++) {
		char key[16], val[16];

		snprintf(key, sizeof key, "key%d", i);
		snprintf(val, sizeof val, "v%d", i);
		EXPECT(r, key, NULL);
		k.mv_data = key;
		k.mv_size = strlen(key);
		v.mv_data = val;
		v.mv_size = strlen(val);
		rc = mdb_txn_begin(env, NULL, 0, &txn);
		if (rc == 0)
			rc = mdb_dbi_open(txn, NULL, 0, &dbi);
		if (rc == 0)
			rc = mdb_put(txn, dbi, &k, &v, 0);
		if (rc == 0)
			rc = mdb_txn_commit(txn);
		CHECK(rc == 0, "writer put: %s", mdb_strerror(rc));
		/* Seen by the next lookup, without -m: same file, new commit. */
		EXPECT(r, key, val);
	}
	/* The writer grows the map: readers adopt the new size. */
	rc = mdb_env_set_mapsize(env, 8 << 20);
	CHECK(rc == 0, "resize: %s", mdb_strerror(rc));
	{
		char key[32], val[600];

		memset(val, 'x', sizeof val - 1);
		val[sizeof val - 1] = '\0';
		rc = mdb_txn_begin(env, NULL, 0, &txn);
		if (rc == 0)
			rc = mdb_dbi_open(txn, NULL, 0, &dbi);
		for (i = 0; rc == 0 && i < 3000; i++) {
			snprintf(key, sizeof key, "bulk%d", i);
			k.mv_data = key;
			k.mv_size = strlen(key);
			v.mv_data = val;
			v.mv_size = 16;
			rc = mdb_put(txn, dbi, &k, &v, 0);
		}
		if (rc == 0)
			rc = mdb_txn_commit(txn);
		CHECK(rc == 0, "bulk: %s", mdb_strerror(rc));
	}
	EXPECT(r, "bulk2999", "xxxxxxxxxxxxxxxx");
	EXPECT(r, "key1", "v1");
	rel_free(r);
	mdb_env_close(env);
}

/* ---- bind (definition only: lookups are tested against nsd in pytest) --- */

static void
test_bind_define(void)
{
	struct rel *r;

	define_fails("-t bind dns", "needs a subtype");
	define_fails("-t bind,srv dns", "needs a subtype");
	r = define("-t bind,MX mxes");
	rel_free(r);
	r = define("-t bind,ptr rev");
	rel_free(r);
}

/* ---- cache ------------------------------------------------------------- */

static void
test_cache(void)
{
	struct rel *r;
	struct buf out;

	buf_init(&out, 4096);
	writefile("cached", "k1 v1\n");
	r = define("-m -t unordered -s 2 -e 1 -f @D/cached cached");
	EXPECT(r, "k1", "v1");
	EXPECT(r, "k2", NULL);
	/* -m flushes the cache when the file changes. */
	tick();
	mvfile("cached", "k1 v1b\nk2 v2\n");
	EXPECT(r, "k1", "v1b");
	EXPECT(r, "k2", "v2");
	rel_free(r);
	buf_free(&out);
}

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(p) : unlink(p);
}

static void
rmtree(const char *d)
{
	nftw(d, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
main(void)
{
	int fd;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	/* Log lines go to a file the tests read. */
	snprintf(logpath, sizeof logpath, "%s/log", dir);
	fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
	if (fd < 0 || dup2(fd, 2) < 0)
		return 2;
	close(fd);
	log_init("test_rel", LOG_MAIL, LOG_TO_STDERR);

	test_options();
	test_unordered();
	test_bad_lines();
	test_drivers();
	test_cache();
	test_ordered();
	test_cidr();
	test_incore();
	test_lmdb();
	test_lmdb_live_writer();
	test_bind_define();

	/* Failures were written to the log file: show them on stdout. */
	if (check_fail)
		fputs(slurp(logpath), stdout);
	rmtree(dir);
	return check_done();
}
