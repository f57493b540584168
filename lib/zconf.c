/*
 * zconf.c - zmailer.conf reader; see zconf.h for the format.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "zconf.h"

struct zvar {
	char *name;
	char *value;
};

struct zconf {
	struct zvar *vars;
	size_t       n;
};

const char *
zconf_path(const char *override)
{
	const char *e;

	if (override && *override)
		return override;
	if ((e = getenv("ZCONFIG")) != NULL && *e)
		return e;
	return "/etc/zmailer.conf";
}

static int
zconf_set(struct zconf *zc, const char *name, size_t nlen, const char *val,
    size_t vlen)
{
	size_t i;
	char *n, *v;

	if ((v = strndup(val, vlen)) == NULL)
		return -1;
	for (i = 0; i < zc->n; i++) {
		if (strlen(zc->vars[i].name) == nlen &&
		    memcmp(zc->vars[i].name, name, nlen) == 0) {
			free(zc->vars[i].value);
			zc->vars[i].value = v;
			return 0;
		}
	}
	if (zc->n >= ZCONF_VARS_MAX || (n = strndup(name, nlen)) == NULL) {
		free(v);
		return -1;
	}
	zc->vars[zc->n].name = n;
	zc->vars[zc->n].value = v;
	zc->n++;
	return 0;
}

/* Parse one line (without its newline); 0 ok, -1 with a reason. */
static int
zconf_line(struct zconf *zc, char *s, const char **why)
{
	char *name, *val, *end;
	size_t nlen, vlen;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || *s == '#')
		return 0;
	name = s;
	if (!(isalpha((unsigned char)*s) || *s == '_')) {
		*why = "expected NAME=value";
		return -1;
	}
	while (isalnum((unsigned char)*s) || *s == '_')
		s++;
	if (*s != '=') {
		*why = "expected NAME=value";
		return -1;
	}
	nlen = (size_t)(s - name);
	val = s + 1;
	end = val + strlen(val);
	while (end > val && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	vlen = (size_t)(end - val);
	if (vlen >= 2 && (val[0] == '"' || val[0] == '\'') && end[-1] == val[0]) {
		val++;
		vlen -= 2;
	}
	if (zconf_set(zc, name, nlen, val, vlen) < 0) {
		*why = "too many variables or out of memory";
		return -1;
	}
	return 0;
}

int
zconf_load(struct zconf **out, const char *path, char *err, size_t errsz)
{
	struct zconf *zc;
	FILE *fp;
	char line[ZCONF_LINE_MAX + 2];
	const char *why = NULL;
	unsigned long lineno = 0;
	int rc = 0;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((zc = calloc(1, sizeof *zc)) == NULL ||
	    (zc->vars = calloc(ZCONF_VARS_MAX, sizeof *zc->vars)) == NULL) {
		free(zc);
		fclose(fp);
		snprintf(err, errsz, "%s: out of memory", path);
		return -1;
	}
	while (fgets(line, sizeof line, fp) != NULL) {
		size_t len = strlen(line);

		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		else if (!feof(fp)) {
			why = "line too long";
			rc = -1;
			break;
		}
		if (zconf_line(zc, line, &why) < 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(fp)) {
		snprintf(err, errsz, "%s: read error", path);
		rc = -1;
		why = NULL;
	} else if (rc < 0)
		snprintf(err, errsz, "%s:%lu: %s", path, lineno, why);
	fclose(fp);
	if (rc < 0) {
		zconf_free(zc);
		return -1;
	}
	*out = zc;
	return 0;
}

const char *
zconf_get(const struct zconf *zc, const char *name)
{
	size_t i;

	for (i = 0; zc && i < zc->n; i++)
		if (strcmp(zc->vars[i].name, name) == 0)
			return zc->vars[i].value;
	return NULL;
}

size_t
zconf_count(const struct zconf *zc)
{
	return zc ? zc->n : 0;
}

void
zconf_entry(const struct zconf *zc, size_t i, const char **name,
    const char **value)
{
	*name = zc->vars[i].name;
	*value = zc->vars[i].value;
}

void
zconf_free(struct zconf *zc)
{
	size_t i;

	if (zc == NULL)
		return;
	for (i = 0; i < zc->n; i++) {
		free(zc->vars[i].name);
		free(zc->vars[i].value);
	}
	free(zc->vars);
	free(zc);
}
