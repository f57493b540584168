/*
 * fuzz_rel.c - libFuzzer harness for the relation file parsers: text
 * lists (router/rel_unordered.c, rel_ordered.c) and networks
 * (router/rel_cidr.c), through rel.c as the `relation` builtin uses them.
 *
 * Input: byte 0 = the relation: bits 0-1 the type (unordered, ordered,
 * cidr; 3 is unordered again), bit 2 -l, bit 3 -u (without -l), bit 4
 * -b, bit 5 -n, bits 6-7 the driver (none, pathalias, longestmatch,
 * pathalias.nodot); the rest is the file, written to a real file in a
 * private directory (the trust checks of fileperm.c pass: ours, 0600, in
 * a 0700 directory).  A fresh relation is defined on it and looked up
 * with keys taken from the file (each line's first word, that word
 * upper-cased, with a leading "." or with its first label cut, bracketed
 * as an address literal) and a few fixed ones, then freed.
 *
 * Invariants: every lookup is found, not found or could-not-tell (with a
 * reason); a value found is the key (-b, -n) or a word of the file.  With
 * no option and no driver the answer is checked against a reference:
 * for unordered the first valid line with the key (ASCII case ignored);
 * for ordered the same when the file is sorted as ordered files must be;
 * for cidr, a plain IPv4 address that is the key of a valid line is found.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "limits.h"
#include "log.h"
#include "../../router/rel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)
#define KEYS_MAX 64

static char dir[] = "/tmp/fuzz-rel-XXXXXX";
static char path[64];

struct ent {
	const char *k, *v;
	size_t kl, vl;
};

static int
blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int
lc(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* The valid lines of a list, as rel_text_walk() takes them; *bad is
 * set when some line is skipped (too long, NUL ...). */
static size_t
entries(const char *d, size_t len, struct ent *e, size_t max, int *bad)
{
	size_t off = 0, n = 0;

	*bad = 0;
	while (off < len) {
		const char *line = d + off, *nl = memchr(line, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - line) : len - off;
		const char *p = line, *end = line + ll, *k, *v;

		off += ll + (nl ? 1 : 0);
		if (ll > REL_LINE_MAX) {
			*bad = 1;
			continue;
		}
		while (p < end && blank((unsigned char)*p))
			p++;
		if (p == end || *p == '#')
			continue;
		for (k = p; p < end && !blank((unsigned char)*p); p++)
			;
		if (n == max) {
			*bad = 1;
			continue;
		}
		e[n].k = k;
		e[n].kl = (size_t)(p - k);
		while (p < end && blank((unsigned char)*p))
			p++;
		for (v = p; p < end && !blank((unsigned char)*p); p++)
			;
		e[n].v = v;
		e[n].vl = (size_t)(p - v);
		if (e[n].kl > REL_KEY_MAX || e[n].vl > REL_VALUE_MAX ||
		    memchr(e[n].k, '\0', e[n].kl) || memchr(e[n].v, '\0', e[n].vl)) {
			*bad = 1;
			continue;
		}
		n++;
	}
	return n;
}

static int
keyeq(const char *a, size_t al, const char *b, size_t bl)
{
	size_t i;

	if (al != bl)
		return 0;
	for (i = 0; i < al; i++)
		if (lc((unsigned char)a[i]) != lc((unsigned char)b[i]))
			return 0;
	return 1;
}

/* The order of ordered files: lower-cased bytes, a prefix first. */
static int
keycmp(const struct ent *a, const struct ent *b)
{
	size_t i, n = a->kl < b->kl ? a->kl : b->kl;

	for (i = 0; i < n; i++) {
		int x = lc((unsigned char)a->k[i]), y = lc((unsigned char)b->k[i]);

		if (x != y)
			return x - y;
	}
	return a->kl < b->kl ? -1 : a->kl > b->kl;
}

static int
sorted(const struct ent *e, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (keycmp(&e[i - 1], &e[i]) > 0)
			return 0;
	return 1;
}

static int
define(int type, int opt, int drv, struct rel **r)
{
	static const char *types[] = { "unordered", "ordered", "cidr", "unordered" };
	static const char *drivers[] = { NULL, "pathalias", "longestmatch",
	    "pathalias.nodot" };
	char *argv[16], err[512], flags[8];
	int argc = 0, nf = 0;

	argv[argc++] = "relation";
	argv[argc++] = "-t";
	argv[argc++] = (char *)types[type];
	argv[argc++] = "-f";
	argv[argc++] = path;
	flags[nf++] = '-';
	if (opt & 1)
		flags[nf++] = 'l';
	else if (opt & 2)
		flags[nf++] = 'u';
	if (opt & 4)
		flags[nf++] = 'b';
	if (opt & 8)
		flags[nf++] = 'n';
	flags[nf] = '\0';
	if (nf > 1)
		argv[argc++] = flags;
	if (drivers[drv] != NULL) {
		argv[argc++] = "-d";
		argv[argc++] = (char *)drivers[drv];
	}
	argv[argc++] = "fuzz";
	argv[argc] = NULL;
	if (rel_define(argc, argv, r, err, sizeof(err)) < 0)
		return -1;
	return 0;
}

/* At exit (sandbox off by then): remove the file and its directory. */
static void
cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ent ents[1024];
	char keys[KEYS_MAX + 8][REL_KEY_MAX + 8];
	const char *file;
	struct rel *r;
	struct buf val;
	size_t flen, n, nkeys = 0, i, j;
	int fd, type, opt, drv, bad, plain;

	if (path[0] == '\0') {
		CHECK(mkdtemp(dir) != NULL);
		snprintf(path, sizeof(path), "%s/list", dir);
		atexit(cleanup);
		log_init("fuzz_rel", 0, 0);   /* syslog: dropped by sandbox.c */
	}
	if (size < 1)
		return 0;
	type = data[0] & 3;
	opt = (data[0] >> 2) & 15;
	drv = (data[0] >> 6) & 3;
	plain = opt == 0 && drv == 0;
	file = (const char *)data + 1;
	flen = size - 1;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	CHECK(write(fd, file, flen) == (ssize_t)flen);
	close(fd);

	n = entries(file, flen, ents, sizeof(ents) / sizeof(ents[0]), &bad);
	for (i = 0; i < n && nkeys < KEYS_MAX; i++) {
		const struct ent *e = &ents[i];
		const char *dot;

		if (e->kl == 0 || e->kl > REL_KEY_MAX)
			continue;
		memcpy(keys[nkeys], e->k, e->kl);
		keys[nkeys++][e->kl] = '\0';
		if (i % 4 == 1) {
			for (j = 0; j < e->kl; j++)
				keys[nkeys][j] = (char)(e->k[j] >= 'a' &&
				    e->k[j] <= 'z' ? e->k[j] - 32 : e->k[j]);
			keys[nkeys++][e->kl] = '\0';
		} else if (i % 4 == 2 && (dot = memchr(e->k, '.', e->kl)) != NULL) {
			size_t rest = e->kl - (size_t)(dot + 1 - e->k);

			memcpy(keys[nkeys], dot + 1, rest);
			keys[nkeys++][rest] = '\0';
		} else if (i % 4 == 3 && e->kl < REL_KEY_MAX - 8) {
			snprintf(keys[nkeys++], sizeof(keys[0]), "%c%.*s%s",
			    i & 4 ? '[' : '.', (int)e->kl, e->k, i & 4 ? "]" : "");
		}
	}
	strcpy(keys[nkeys++], "example.com");
	strcpy(keys[nkeys++], "[192.0.2.1]");
	strcpy(keys[nkeys++], "[IPv6:2001:db8::1]");
	strcpy(keys[nkeys++], "::ffff:10.1.2.3");
	strcpy(keys[nkeys++], "");

	if (define(type, opt, drv, &r) < 0) {
		CHECK(drv == 3 && type == 2);   /* only a bad combination fails */
		return 0;
	}
	buf_init(&val, REL_VALUE_MAX + REL_KEY_MAX + 16);
	for (i = 0; i < nkeys; i++) {
		const char *k = keys[i];
		size_t kl = strlen(k);
		int rc = rel_lookup(r, k, &val);

		CHECK(rc == REL_FOUND || rc == REL_NOTFOUND || rc == REL_DEFER);
		if (rc == REL_DEFER) {
			const char *why = rel_defer_reason(r);

			CHECK(why != NULL && *why != '\0');
			continue;
		}
		if (rc == REL_FOUND) {
			CHECK(val.len <= REL_VALUE_MAX || val.len <= kl);
			CHECK(memchr(buf_cstr(&val), '\0', val.len) == NULL);
			/* The key itself (-b, -n) or a word of the file. */
			if (!(opt & 12) && val.len > 0)
				CHECK(memmem(file, flen, buf_cstr(&val), val.len) != NULL);
		}
		if (!plain || bad)
			continue;
		if (type == 0 || type == 3 || (type == 1 && sorted(ents, n))) {
			const struct ent *want = NULL;

			for (j = 0; j < n && want == NULL; j++)
				if (keyeq(ents[j].k, ents[j].kl, k, kl))
					want = &ents[j];
			if (kl == 0)
				continue;
			CHECK((rc == REL_FOUND) == (want != NULL));
			if (want != NULL)
				CHECK(val.len == want->vl &&
				    memcmp(buf_cstr(&val), want->v, val.len) == 0);
		} else if (type == 2 && rc == REL_NOTFOUND) {
			unsigned char a[4];

			for (j = 0; j < n; j++)
				if (keyeq(ents[j].k, ents[j].kl, k, kl))
					break;
			CHECK(j == n || inet_pton(AF_INET, k, a) != 1);
		}
	}
	buf_free(&val);
	rel_free(r);
	return 0;
}
