/*
 * addr.c - parsing of MAIL/RCPT paths and HELO names; see addr.h.
 *
 * Grammar (RFC 5321 4.1.2, relaxed where real clients need it):
 *   arg      = *SP ( "<" [ route ":" ] mailbox ">" | "<>" ) *( 1*SP param )
 *   route    = "@" domain *( "," "@" domain )       ; removed
 *   mailbox  = local-part [ "@" ( domain / literal ) ]
 *   param    = keyword [ "=" value ]
 * With ADDR_SLOPPY the brackets may be missing and blanks may surround
 * the path inside them.  With ADDR_STRICT the local part must be an RFC
 * dot-string or quoted-string and the domain is required (except for
 * <postmaster>).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "addr.h"

/* RFC 5322 atext: printable ASCII except specials and space. */
static int
addr_atext(int c)
{
	return c > 0x20 && c < 0x7f && strchr("()<>[]:;@\\,.\"", c) == NULL;
}

int
addr_printable(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

int
addr_domain_ok(const char *s, size_t n)
{
	size_t i, label = 0;

	if (n == 0 || n > SMTP_HELO_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!(isalnum(c) || c == '-' || c == '_'))
			return 0;
		if (++label > 63)
			return 0;
	}
	/* A trailing dot (root) is tolerated; an empty name is not. */
	return label > 0 || (n > 1 && s[n - 1] == '.');
}

/* [a.b.c.d] or [IPv6:...]; 1 valid, 0 not. */
static int
addr_literal_ok(const char *s, size_t n)
{
	char tmp[64];
	unsigned char bin[16];
	const char *in;
	size_t len;
	int af = AF_INET;

	if (n < 3 || s[0] != '[' || s[n - 1] != ']')
		return 0;
	in = s + 1;
	len = n - 2;
	if (len > 5 && strncasecmp(in, "IPv6:", 5) == 0) {
		af = AF_INET6;
		in += 5;
		len -= 5;
	}
	if (len == 0 || len >= sizeof tmp)
		return 0;
	memcpy(tmp, in, len);
	tmp[len] = '\0';
	return inet_pton(af, tmp, bin) == 1;
}

int
addr_helo_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > SMTP_HELO_MAX || !addr_printable(name, n) ||
	    memchr(name, ' ', n) != NULL)
		return 0;
	if (name[0] == '[')
		return addr_literal_ok(name, n);
	if (!addr_domain_ok(name, n))
		return 0;
	/* An all-numeric top label: an address without its brackets. */
	{
		const char *top = strrchr(name, '.');
		size_t i;

		top = top && top[1] ? top + 1 : name;
		for (i = 0; top[i] && top[i] != '.'; i++)
			if (!isdigit((unsigned char)top[i]))
				return 1;
		return 0;
	}
}

/* Quoted string starting at s[0] == '"'; returns its length or 0. */
static size_t
addr_quoted_len(const char *s, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++) {
		if (s[i] == '\\') {
			if (++i >= n)
				return 0;
		} else if (s[i] == '"')
			return i + 1;
	}
	return 0;
}

/* local-part as RFC dot-string or quoted-string (strict mode). */
static int
addr_local_strict(const char *s, size_t n)
{
	size_t i;
	int prev_dot = 1;

	if (n == 0)
		return 0;
	if (s[0] == '"')
		return addr_quoted_len(s, n) == n;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (prev_dot)
				return 0;
			prev_dot = 1;
		} else if (addr_atext((unsigned char)s[i]))
			prev_dot = 0;
		else
			return 0;
	}
	return !prev_dot;
}

/*
 * Validate a mailbox (no brackets, no route).  Finds the last unquoted
 * '@' to split local part and domain.
 */
static int
addr_mailbox(const char *s, size_t n, int flags, const char **why)
{
	size_t i, at = n;
	int inq = 0;

	for (i = 0; i < n; i++) {
		if (inq && s[i] == '\\' && i + 1 < n) {
			i++;
			continue;
		}
		if (s[i] == '"')
			inq = !inq;
		else if (!inq && s[i] == ' ') {
			*why = "blank in address";
			return -1;
		} else if (!inq && (s[i] == '<' || s[i] == '>')) {
			*why = "angle bracket in address";
			return -1;
		} else if (!inq && s[i] == '@')
			at = i;
	}
	if (inq) {
		*why = "unbalanced quotes in address";
		return -1;
	}
	if (at == 0) {
		*why = "empty local part";
		return -1;
	}
	if (at == n) {
		if ((flags & ADDR_STRICT) &&
		    !(n == 10 && strncasecmp(s, "postmaster", 10) == 0)) {
			*why = "domain required";
			return -1;
		}
		if ((flags & ADDR_STRICT) && !addr_local_strict(s, n)) {
			*why = "bad local part";
			return -1;
		}
		return 0;
	}
	if ((flags & ADDR_STRICT) && !addr_local_strict(s, at)) {
		*why = "bad local part";
		return -1;
	}
	if (at + 1 >= n) {
		*why = "empty domain";
		return -1;
	}
	if (s[at + 1] == '[' ? !addr_literal_ok(s + at + 1, n - at - 1)
	    : !addr_domain_ok(s + at + 1, n - at - 1)) {
		*why = "bad domain";
		return -1;
	}
	return 0;
}

/* Skip an "@a,@b:" source route; returns bytes to skip, or -1. */
static long
addr_route_len(const char *s, size_t n)
{
	size_t i = 0, start;

	if (n == 0 || s[0] != '@')
		return 0;
	for (;;) {
		if (i >= n || s[i] != '@')
			return -1;
		start = ++i;
		while (i < n && s[i] != ',' && s[i] != ':')
			i++;
		if (i >= n || !addr_domain_ok(s + start, i - start))
			return -1;
		if (s[i] == ':')
			return (long)(i + 1);
		i++;     /* ',' */
	}
}

static int
addr_params(const char *p, struct addr_path *out, const char **why)
{
	while (*p == ' ')
		p++;
	while (*p) {
		struct addr_param *ap;
		const char *k = p, *eq, *end;
		size_t klen, vlen, i;

		while (*p && *p != ' ')
			p++;
		end = p;
		eq = memchr(k, '=', (size_t)(end - k));
		klen = (size_t)((eq ? eq : end) - k);
		vlen = eq ? (size_t)(end - eq - 1) : 0;
		if (out->nparams >= ADDR_PARAMS_MAX) {
			*why = "too many parameters";
			return -1;
		}
		ap = &out->params[out->nparams];
		if (klen == 0 || klen >= sizeof ap->name ||
		    vlen >= sizeof ap->value || (eq && vlen == 0) ||
		    !isalnum((unsigned char)k[0])) {
			*why = "bad parameter";
			return -1;
		}
		for (i = 0; i < klen; i++) {
			if (!isalnum((unsigned char)k[i]) && k[i] != '-') {
				*why = "bad parameter";
				return -1;
			}
			ap->name[i] = (char)toupper((unsigned char)k[i]);
		}
		ap->name[klen] = '\0';
		if (eq)
			memcpy(ap->value, eq + 1, vlen);
		ap->value[vlen] = '\0';
		out->nparams++;
		while (*p == ' ')
			p++;
	}
	return 0;
}

int
addr_parse_path(const char *arg, int flags, struct addr_path *out,
    const char **why)
{
	const char *p = arg, *open, *close, *rest;
	size_t n, i;
	long route;
	int inq = 0;

	memset(out, 0, sizeof *out);
	*why = "syntax error";
	if (!addr_printable(arg, strlen(arg))) {
		*why = "control character or 8-bit byte in address";
		return -1;
	}
	while (*p == ' ')
		p++;
	if (*p != '<') {
		if (!(flags & ADDR_SLOPPY) || *p == '\0') {
			*why = "path must be in angle brackets";
			return -1;
		}
		open = p;
		close = p;
		while (*close && *close != ' ')
			close++;
		rest = close;
	} else {
		open = p + 1;
		for (close = open; *close; close++) {
			if (inq && *close == '\\' && close[1]) {
				close++;
				continue;
			}
			if (*close == '"')
				inq = !inq;
			else if (!inq && *close == '>')
				break;
		}
		if (*close != '>') {
			*why = "missing closing bracket";
			return -1;
		}
		rest = close + 1;
		if (*rest && *rest != ' ') {
			*why = "junk after path";
			return -1;
		}
		if (flags & ADDR_SLOPPY) {
			while (open < close && *open == ' ')
				open++;
			while (close > open && close[-1] == ' ')
				close--;
		}
	}
	n = (size_t)(close - open);
	if ((route = addr_route_len(open, n)) < 0) {
		*why = "bad source route";
		return -1;
	}
	open += route;
	n -= (size_t)route;
	if (n == 0) {
		if (!(flags & ADDR_NULL_OK) || route > 0) {
			*why = "empty address";
			return -1;
		}
	} else if (addr_mailbox(open, n, flags, why) < 0)
		return -1;
	if (n > SMTP_ADDR_MAX) {
		*why = "address too long";
		return -1;
	}
	for (i = 0; i < n; i++)
		out->addr[i] = open[i];
	out->addr[n] = '\0';
	return addr_params(rest, out, why);
}

void
addr_client_key(const struct sockaddr *sa, char *key, size_t keysz)
{
	const struct sockaddr_in *sin = (const void *)sa;
	const struct sockaddr_in6 *sin6 = (const void *)sa;
	struct in6_addr a;

	key[0] = '\0';
	if (keysz < INET6_ADDRSTRLEN + 4)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &sin->sin_addr, key, (socklen_t)keysz);
	else if (sa->sa_family == AF_INET6) {
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], key,
			    (socklen_t)keysz);
			return;
		}
		a = sin6->sin6_addr;
		memset(&a.s6_addr[8], 0, 8);
		inet_ntop(AF_INET6, &a, key, (socklen_t)keysz - 3);
		strcat(key, "/64");
	}
}
