/*
 * fuzz_smtpcmd.c - libFuzzer harness for the SMTP command parser: verb
 * and argument splitting, the MAIL/RCPT keyword, the path and its ESMTP
 * parameters (SIZE=, BODY=), and the rule name taken from a router
 * reply (smtpserver/cmdparse.c over smtpserver/addr.c), in the order
 * cmds.c applies them.
 *
 * Input: byte 0 = options (bit 0 EHLO seen, bits 1-2 path flags R/S,
 * bits 3-4 the maxsize: 1024, 10 MB, 2^31-1 or 0), the rest the command
 * line as session.c hands it over (at most SMTP_CMD_MAX octets, no NUL;
 * a line with a NUL never reaches the parser).  Invariants: the split
 * gives back the line; an accepted MAIL has only SIZE (a number within
 * maxsize) and BODY (7BIT or 8BITMIME) after EHLO, and *body8bit says
 * which BODY came last; a refusal is one well-formed reply line; a rule
 * name is non-empty, at most 40 characters of [A-Za-z0-9._-].
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "limits.h"
#include "../../smtpserver/addr.h"
#include "../../smtpserver/cmdparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

static int
digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* "DDD D.D.D text": a final reply line, printable, no CR/LF. */
static void
check_reply(const char *r)
{
	size_t n = strlen(r);

	CHECK(n > 10 && n < SMTP_RTR_LINE_MAX);
	CHECK(r[0] >= '4' && r[0] <= '5' && r[3] == ' ');
	CHECK(addr_printable(r, n));
}

static void
check_rule(const char *text)
{
	char rule[48];
	size_t n, i;

	memset(rule, 0x55, sizeof(rule));
	cmd_rule(text, rule, sizeof(rule));
	n = strnlen(rule, sizeof(rule));
	CHECK(n > 0 && n <= 40);
	for (i = 0; i < n; i++)
		CHECK((rule[i] >= 'a' && rule[i] <= 'z') ||
		    (rule[i] >= 'A' && rule[i] <= 'Z') ||
		    (rule[i] >= '0' && rule[i] <= '9') ||
		    rule[i] == '-' || rule[i] == '_' || rule[i] == '.');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long maxsizes[] = { 1024, 10485760L, 0x7fffffffL, 0 };
	static struct addr_path ap;
	const char *arg, *path, *why = NULL, *reply = NULL;
	char *line;
	size_t n, vlen, i;
	int esmtp, flags, mail, b8 = 7, rc;
	long maxsize;

	if (size < 1 || size - 1 > SMTP_CMD_MAX ||
	    memchr(data + 1, '\0', size - 1) != NULL)
		return 0;
	esmtp = data[0] & 1;
	flags = (data[0] & 2 ? ADDR_STRICT : 0) | (data[0] & 4 ? ADDR_SLOPPY : 0);
	maxsize = maxsizes[(data[0] >> 3) & 3];
	n = size - 1;
	line = malloc(n + 1);
	CHECK(line != NULL);
	memcpy(line, data + 1, n);
	line[n] = '\0';

	/* The split. */
	arg = cmd_split(line, &vlen);
	CHECK(vlen <= n && memchr(line, ' ', vlen) == NULL);
	if (vlen < n) {
		CHECK(line[vlen] == ' ' && arg == line + vlen + 1);
	} else
		CHECK(*arg == '\0');

	/* The rule of a router reply (any text may come back). */
	check_rule(line);
	check_rule(arg);

	mail = vlen == 4 && strncasecmp(line, "MAIL", 4) == 0;
	if (!mail && !(vlen == 4 && strncasecmp(line, "RCPT", 4) == 0))
		goto out;
	path = cmd_path_arg(arg, mail);
	if (path == NULL) {
		CHECK(strncasecmp(arg, mail ? "FROM:" : "TO:", mail ? 5 : 3) != 0);
		goto out;
	}
	CHECK(path == arg + (mail ? 5 : 3));
	if (addr_parse_path(path, flags | (mail ? ADDR_NULL_OK : 0), &ap,
	    &why) < 0) {
		CHECK(why != NULL);
		goto out;
	}
	CHECK(ap.nparams <= ADDR_PARAMS_MAX);
	CHECK(strnlen(ap.addr, sizeof(ap.addr)) <= SMTP_ADDR_MAX);
	if (!mail)
		goto out;
	rc = cmd_mail_params(&ap, esmtp, maxsize, &b8, &reply);
	if (rc != 0) {
		CHECK(rc == CMD_PARAM_ERROR || rc == CMD_PARAM_REFUSE);
		CHECK(reply != NULL && b8 == 7);     /* untouched on refusal */
		check_reply(reply);
		CHECK((rc == CMD_PARAM_REFUSE) == (strncmp(reply, "552 ", 4) == 0));
		goto out;
	}
	CHECK(b8 == 0 || b8 == 1);
	CHECK(ap.nparams == 0 || esmtp);
	{
		int want = 0;

		for (i = 0; i < ap.nparams; i++) {
			const struct addr_param *p = &ap.params[i];

			if (strcmp(p->name, "SIZE") == 0) {
				CHECK(digits(p->value) &&
				    strtol(p->value, NULL, 10) <= maxsize);
			} else {
				CHECK(strcmp(p->name, "BODY") == 0);
				CHECK(strcasecmp(p->value, "7BIT") == 0 ||
				    strcasecmp(p->value, "8BITMIME") == 0);
				want = strcasecmp(p->value, "8BITMIME") == 0;
			}
		}
		CHECK(b8 == want);
	}
out:
	free(line);
	return 0;
}
