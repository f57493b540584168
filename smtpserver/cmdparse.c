/*
 * cmdparse.c - the pure parts of the SMTP command handlers; see
 * cmdparse.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cmdparse.h"
#include "util.h"

const char *
cmd_split(const char *line, size_t *vlen)
{
	const char *sp = strchr(line, ' ');

	*vlen = sp ? (size_t)(sp - line) : strlen(line);
	return sp ? sp + 1 : "";
}

const char *
cmd_path_arg(const char *arg, int mail)
{
	const char *kw = mail ? "FROM:" : "TO:";
	size_t n = strlen(kw);

	return strncasecmp(arg, kw, n) == 0 ? arg + n : NULL;
}

int
cmd_mail_params(const struct addr_path *ap, int esmtp, long maxsize,
    int *body8bit, const char **reply)
{
	int b8 = 0;
	size_t i;
	long size;

	for (i = 0; i < ap->nparams; i++) {
		const struct addr_param *p = &ap->params[i];

		if (!esmtp) {
			*reply = "555 5.5.4 MAIL parameters need EHLO";
			return CMD_PARAM_ERROR;
		}
		if (strcmp(p->name, "SIZE") == 0) {
			if (util_parse_long(p->value, 0, 0x7fffffffL, &size) < 0) {
				*reply = "501 5.5.4 Bad SIZE value";
				return CMD_PARAM_ERROR;
			}
			if (size > maxsize) {
				*reply = "552 5.3.4 Message size exceeds fixed maximum message size";
				return CMD_PARAM_REFUSE;
			}
		} else if (strcmp(p->name, "BODY") == 0) {
			if (strcasecmp(p->value, "8BITMIME") == 0)
				b8 = 1;
			else if (strcasecmp(p->value, "7BIT") == 0)
				b8 = 0;
			else {
				*reply = "501 5.5.4 Bad BODY value";
				return CMD_PARAM_ERROR;
			}
		} else {
			*reply = "555 5.5.4 Unsupported MAIL parameter";
			return CMD_PARAM_ERROR;
		}
	}
	*body8bit = b8;
	return 0;
}

void
cmd_rule(const char *text, char *rule, size_t rulesz)
{
	const char *o = strrchr(text, '['), *c;
	size_t n;

	snprintf(rule, rulesz, "router");
	if (o == NULL || (c = strchr(o, ']')) == NULL)
		return;
	n = (size_t)(c - o - 1);
	if (n == 0 || n >= rulesz || n > 40)
		return;
	memcpy(rule, o + 1, n);
	rule[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)rule[i]) && rule[i] != '-' &&
		    rule[i] != '_' && rule[i] != '.')
			rule[i] = '_';
}
