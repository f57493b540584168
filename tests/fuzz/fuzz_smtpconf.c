/*
 * fuzz_smtpconf.c - libFuzzer harness for smtpserver.conf parsing
 * (smtpserver/conf.c: conf_load, conf_match).
 *
 * The input is written to an anonymous memfd and loaded through
 * /proc/self/fd/N, as smtpserver loads its file.  Invariants: a loaded
 * configuration has every number within its declared bounds (checked by
 * reading the table back through conf_dump_params), at most
 * SMTPCONF_PATTERNS_MAX pattern lines, lower-case patterns, known flag
 * letters only; a refused one has an error "path:line: why" naming a
 * line that exists.  Then HELO names are matched: each pattern's own
 * text, names taken from the input's words, and a few fixed ones; a
 * match returned must be a pattern that fnmatch()es the name, and the
 * first such.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "limits.h"
#include "../../smtpserver/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

struct bound {
	char name[32];
	long min, max;
};

static struct bound bounds[64];
static size_t nbounds;

/* The numeric parameters and their bounds, as conf_dump_params() says. */
static void
read_bounds(void)
{
	char buf[8192], *line, *save = NULL;
	int fd = memfd_create("smtpconf-params", 0);
	ssize_t n;

	CHECK(fd >= 0);
	conf_dump_params(fd);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	CHECK(n > 0);
	buf[n] = '\0';
	close(fd);
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		struct bound *b = &bounds[nbounds];
		long def;

		if (sscanf(line, "%31s %ld (%ld..%ld)", b->name, &def, &b->min,
		    &b->max) == 4 && nbounds < sizeof(bounds) / sizeof(bounds[0]))
			nbounds++;
	}
	CHECK(nbounds >= 5);
}

/* The value of a numeric parameter by name (the struct's fields). */
static long
value_of(const struct smtpconf *c, const char *name)
{
	static const struct { const char *n; size_t off; } f[] = {
		{ "maxsize", offsetof(struct smtpconf, maxsize) },
		{ "max-recipients", offsetof(struct smtpconf, max_rcpt) },
		{ "max-errors", offsetof(struct smtpconf, max_errors) },
		{ "command-timeout", offsetof(struct smtpconf, cmd_timeout) },
		{ "data-timeout", offsetof(struct smtpconf, data_timeout) },
		{ "session-timeout", offsetof(struct smtpconf, session_timeout) },
		{ "router-timeout", offsetof(struct smtpconf, router_timeout) },
		{ "reject-timeout", offsetof(struct smtpconf, reject_timeout) },
		{ "greet-pause", offsetof(struct smtpconf, greet_pause) },
		{ "MaxSameIpSource", offsetof(struct smtpconf, maxsameip) },
		{ "drain-timeout", offsetof(struct smtpconf, drain_timeout) },
	};
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (strcmp(f[i].n, name) == 0)
			return *(const long *)(const void *)((const char *)c + f[i].off);
	/* A numeric PARAM this harness does not know: a new field, add it. */
	__builtin_trap();
}

static void
match_one(const struct smtpconf *c, const char *name)
{
	const struct conf_pattern *p = conf_match(c, name);
	size_t i;

	for (i = 0; i < c->npat; i++)
		if (fnmatch(c->pat[i].pattern, name, 0) == 0)
			break;
	if (i == c->npat)
		CHECK(p == NULL);
	else
		CHECK(p == &c->pat[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	char path[64], err[512], name[SMTP_HELO_MAX + 1];
	struct smtpconf c;
	size_t i, j, k, lines = 1;

	if (nbounds == 0)
		read_bounds();
	if (fd < 0 && (fd = memfd_create("smtpconf-fuzz", 0)) < 0)
		return 0;
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	for (i = 0; i < size; i++)
		lines += data[i] == '\n';

	if (conf_load(&c, path, err, sizeof(err)) != 0) {
		size_t pl = strlen(path);
		unsigned long ln;
		char *end;

		CHECK(strncmp(err, path, pl) == 0);
		CHECK(strlen(err) < sizeof(err) - 1);
		if (strcmp(err + pl, ": read error") == 0)
			return 0;
		CHECK(err[pl] == ':');
		ln = strtoul(err + pl + 1, &end, 10);
		CHECK(ln >= 1 && ln <= lines && strncmp(end, ": ", 2) == 0);
		CHECK(c.pat == NULL && c.npat == 0);   /* conf_free()d */
		return 0;
	}
	for (i = 0; i < nbounds; i++) {
		long v = value_of(&c, bounds[i].name);

		CHECK(v >= bounds[i].min && v <= bounds[i].max);
	}
	CHECK(c.tcpwrap == 0 || c.tcpwrap == 1);
	CHECK(c.long_lines == 0 || c.long_lines == 1);
	CHECK(c.hostname == NULL || strlen(c.hostname) <= PATH_TEXT_MAX);
	CHECK(c.npat <= SMTPCONF_PATTERNS_MAX);
	for (i = 0; i < c.npat; i++) {
		const struct conf_pattern *p = &c.pat[i];

		CHECK(p->pattern != NULL && *p->pattern != '\0');
		CHECK(strlen(p->pattern) <= SMTPCONF_LINE_MAX);
		for (j = 0; p->pattern[j]; j++)
			CHECK(!isupper((unsigned char)p->pattern[j]));
		CHECK(p->maxload == -1 || (p->maxload >= 0 && p->maxload <= 10000));
		if (p->refuse != NULL)
			CHECK(*p->refuse != '\0');
		else
			CHECK(strlen(p->flags) <= CONF_FLAGS_MAX &&
			    strspn(p->flags, "ftvehRS-") == strlen(p->flags));
	}

	/* HELO names: the patterns themselves (capped as a HELO is) ... */
	for (i = 0; i < c.npat && i < 16; i++) {
		snprintf(name, sizeof(name), "%s", c.pat[i].pattern);
		match_one(&c, name);
	}
	/* ... the input's first words, lower-cased ... */
	for (i = 0, k = 0; i < size && k < 64; k++) {
		for (j = 0; i < size && j < SMTP_HELO_MAX &&
		    !isspace(data[i]) && data[i] != '\0'; i++)
			name[j++] = (char)tolower(data[i]);
		name[j] = '\0';
		if (j > 0)
			match_one(&c, name);
		while (i < size && (isspace(data[i]) || data[i] == '\0'))
			i++;
	}
	/* ... and some fixed ones. */
	match_one(&c, "");
	match_one(&c, "mail.example.com");
	match_one(&c, "[192.0.2.1]");
	conf_free(&c);
	return 0;
}
