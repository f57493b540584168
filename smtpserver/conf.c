/*
 * conf.c - reading smtpserver.conf; see conf.h.
 *
 * Lines: blank or starting with '#' are ignored; "PARAM name value..."
 * sets a parameter from the table below; anything else is
 *   PATTERN [MAXLOADAVG] FLAGS      or    PATTERN [MAXLOADAVG] !message
 * Lines longer than SMTPCONF_LINE_MAX and more than SMTPCONF_PATTERNS_MAX
 * pattern lines are errors.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "util.h"

enum ptype { P_NUM, P_ONOFF, P_STR };

struct param {
	const char *name;
	enum ptype  type;
	size_t      off;
	long        min, max, def;
	const char *sdef;
};

#define NUM(n, f, lo, hi, d) { n, P_NUM, offsetof(struct smtpconf, f), lo, hi, d, NULL }
#define ONOFF(n, f, d)       { n, P_ONOFF, offsetof(struct smtpconf, f), 0, 1, d, NULL }
#define STR(n, f, d)         { n, P_STR, offsetof(struct smtpconf, f), 0, 0, 0, d }

/* The one table of parameters (docs/smtpserver.conf.5 mirrors it). */
static const struct param params[] = {
	NUM("maxsize",          maxsize,         1024, 2147483647L, 10485760L),
	NUM("max-recipients",   max_rcpt,        1, 100000, SMTP_RCPT_DEFAULT),
	NUM("max-errors",       max_errors,      1, 1000, SMTP_ERRORS_MAX),
	NUM("command-timeout",  cmd_timeout,     1, 3600, SMTP_CMD_TIMEOUT),
	NUM("data-timeout",     data_timeout,    1, 3600, SMTP_DATA_TIMEOUT),
	NUM("session-timeout",  session_timeout, 1, 86400, 3600),
	NUM("router-timeout",   router_timeout,  1, 600, WIRE_TIMEOUT_DEFAULT),
	NUM("reject-timeout",   reject_timeout,  1, 600, 30),
	NUM("greet-pause",      greet_pause,     0, 30000, 0),
	NUM("MaxSameIpSource",  maxsameip,       0, 100000, 50),
	NUM("drain-timeout",    drain_timeout,   0, 3600, 30),
	ONOFF("tcpwrap",        tcpwrap,         1),
	ONOFF("long-lines",     long_lines,      0),
	STR("tcpwrap-allow",    tcpwrap_allow,   "/etc/hosts.allow"),
	STR("tcpwrap-deny",     tcpwrap_deny,    "/etc/hosts.deny"),
	STR("hostname",         hostname,        NULL),
};
#define NPARAMS (sizeof params / sizeof params[0])

static long *
pnum(struct smtpconf *c, const struct param *p)
{
	return (long *)(void *)((char *)c + p->off);
}

static int *
pint(struct smtpconf *c, const struct param *p)
{
	return (int *)(void *)((char *)c + p->off);
}

static char **
pstr(struct smtpconf *c, const struct param *p)
{
	return (char **)(void *)((char *)c + p->off);
}

void
conf_defaults(struct smtpconf *c)
{
	size_t i;

	memset(c, 0, sizeof *c);
	for (i = 0; i < NPARAMS; i++) {
		const struct param *p = &params[i];

		if (p->type == P_NUM)
			*pnum(c, p) = p->def;
		else if (p->type == P_ONOFF)
			*pint(c, p) = (int)p->def;
		else
			*pstr(c, p) = p->sdef ? strdup(p->sdef) : NULL;
	}
}

void
conf_free(struct smtpconf *c)
{
	size_t i;

	for (i = 0; i < NPARAMS; i++)
		if (params[i].type == P_STR)
			free(*pstr(c, &params[i]));
	for (i = 0; i < c->npat; i++) {
		free(c->pat[i].pattern);
		free(c->pat[i].refuse);
	}
	free(c->pat);
	memset(c, 0, sizeof *c);
}

/* Split off the next blank-separated word; NULL at the end. */
static char *
conf_word(char **sp)
{
	char *s = *sp, *w;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0') {
		*sp = s;
		return NULL;
	}
	w = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (*s)
		*s++ = '\0';
	*sp = s;
	return w;
}

static int
conf_param(struct smtpconf *c, char *rest, const char **why)
{
	const struct param *p = NULL;
	char *name, *val, *extra;
	size_t i;
	long v;

	if ((name = conf_word(&rest)) == NULL) {
		*why = "PARAM without a name";
		return -1;
	}
	for (i = 0; i < NPARAMS; i++)
		if (strcasecmp(params[i].name, name) == 0)
			p = &params[i];
	if (p == NULL) {
		*why = "unknown PARAM";
		return -1;
	}
	if ((val = conf_word(&rest)) == NULL) {
		*why = "PARAM without a value";
		return -1;
	}
	extra = conf_word(&rest);
	if (extra != NULL && p->type != P_STR) {
		*why = "PARAM takes one value";
		return -1;
	}
	switch (p->type) {
	case P_NUM:
		if (util_parse_long(val, p->min, p->max, &v) < 0) {
			*why = "PARAM value not a number within its bounds";
			return -1;
		}
		*pnum(c, p) = v;
		break;
	case P_ONOFF:
		if (strcasecmp(val, "on") == 0 || strcasecmp(val, "yes") == 0)
			*pint(c, p) = 1;
		else if (strcasecmp(val, "off") == 0 || strcasecmp(val, "no") == 0)
			*pint(c, p) = 0;
		else {
			*why = "PARAM value must be on or off";
			return -1;
		}
		break;
	case P_STR:
		if (extra != NULL) {
			*why = "PARAM takes one word";
			return -1;
		}
		if (strlen(val) > PATH_TEXT_MAX) {
			*why = "PARAM value too long";
			return -1;
		}
		free(*pstr(c, p));
		if ((*pstr(c, p) = strdup(val)) == NULL) {
			*why = "out of memory";
			return -1;
		}
		break;
	}
	return 0;
}

static int
conf_pattern_line(struct smtpconf *c, char *s, const char **why)
{
	struct conf_pattern cp;
	char *pat, *w, *end;
	size_t i;

	memset(&cp, 0, sizeof cp);
	cp.maxload = -1;
	pat = conf_word(&s);
	while (*s == ' ' || *s == '\t')
		s++;
	if (isdigit((unsigned char)*s) || (*s == '*' && (s[1] == ' ' || s[1] == '\t'))) {
		w = conf_word(&s);
		if (strcmp(w, "*") != 0) {
			errno = 0;
			cp.maxload = strtod(w, &end);
			if (errno || *end || cp.maxload < 0 || cp.maxload > 10000) {
				*why = "bad MAXLOADAVG";
				return -1;
			}
		}
		while (*s == ' ' || *s == '\t')
			s++;
	}
	if (*s == '!') {
		s++;
		while (*s == ' ' || *s == '\t')
			s++;
		end = s + strlen(s);
		while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (!*s)
			s = "Sorry, access denied.";
		if ((cp.refuse = strdup(s)) == NULL) {
			*why = "out of memory";
			return -1;
		}
	} else {
		if ((w = conf_word(&s)) == NULL) {
			*why = "flags expected after the pattern";
			return -1;
		}
		if (conf_word(&s) != NULL) {
			*why = "text after the flags";
			return -1;
		}
		if (strlen(w) > CONF_FLAGS_MAX ||
		    strspn(w, "ftvehRS-") != strlen(w)) {
			*why = "unknown flag letter (known: f t v e h R S -)";
			return -1;
		}
		strcpy(cp.flags, w);
	}
	if (c->npat >= SMTPCONF_PATTERNS_MAX) {
		free(cp.refuse);
		*why = "too many pattern lines";
		return -1;
	}
	for (i = 0; pat[i]; i++)
		pat[i] = (char)tolower((unsigned char)pat[i]);
	if ((cp.pattern = strdup(pat)) == NULL) {
		free(cp.refuse);
		*why = "out of memory";
		return -1;
	}
	if (c->npat % 16 == 0) {
		struct conf_pattern *np = realloc(c->pat,
		    (c->npat + 16) * sizeof *np);

		if (np == NULL) {
			free(cp.pattern);
			free(cp.refuse);
			*why = "out of memory";
			return -1;
		}
		c->pat = np;
	}
	c->pat[c->npat++] = cp;
	return 0;
}

int
conf_load(struct smtpconf *c, const char *path, char *err, size_t errsz)
{
	FILE *fp;
	char line[SMTPCONF_LINE_MAX + 2];
	unsigned long lineno = 0;
	const char *why = NULL;
	int rc = 0;

	conf_defaults(c);
	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		conf_free(c);
		return -1;
	}
	while (fgets(line, sizeof line, fp) != NULL) {
		size_t len = strlen(line);
		char *s = line;

		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		else if (!feof(fp)) {
			why = "line too long";
			rc = -1;
			break;
		}
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '#')
			continue;
		if (strncmp(s, "PARAM", 5) == 0 && (s[5] == ' ' || s[5] == '\t'))
			rc = conf_param(c, s + 5, &why);
		else
			rc = conf_pattern_line(c, s, &why);
		if (rc < 0)
			break;
	}
	if (rc == 0 && ferror(fp)) {
		snprintf(err, errsz, "%s: read error", path);
		rc = -1;
	} else if (rc < 0)
		snprintf(err, errsz, "%s:%lu: %s", path, lineno, why);
	fclose(fp);
	if (rc < 0)
		conf_free(c);
	return rc;
}

const struct conf_pattern *
conf_match(const struct smtpconf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->npat; i++)
		if (fnmatch(c->pat[i].pattern, name, 0) == 0)
			return &c->pat[i];
	return NULL;
}

void
conf_dump_params(int fd)
{
	size_t i;

	for (i = 0; i < NPARAMS; i++) {
		const struct param *p = &params[i];

		if (p->type == P_NUM)
			dprintf(fd, "%-18s %ld (%ld..%ld)\n", p->name, p->def,
			    p->min, p->max);
		else if (p->type == P_ONOFF)
			dprintf(fd, "%-18s %s (on|off)\n", p->name,
			    p->def ? "on" : "off");
		else
			dprintf(fd, "%-18s %s\n", p->name,
			    p->sdef ? p->sdef : "(none)");
	}
}
