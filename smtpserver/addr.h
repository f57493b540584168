/*
 * addr.h - pure parsing of SMTP command arguments (no I/O, no state).
 *
 * addr_parse_path() takes what follows "MAIL FROM:" or "RCPT TO:" and
 * splits it into the address (without angle brackets, source route
 * removed) and the ESMTP parameters.  The address is kept byte for byte
 * otherwise: `$`, backquotes, quotes, `;` and `%` are ordinary characters
 * here and reach the router unchanged.  What is never accepted: control
 * characters (TAB, CR, LF, NUL ...), DEL, 8-bit bytes, and anything over
 * SMTP_ADDR_MAX.
 */
#ifndef SMTPD_ADDR_H
#define SMTPD_ADDR_H

#include <stddef.h>
#include <sys/socket.h>

#include "limits.h"

#define ADDR_STRICT   0x01   /* flag R: local@domain, <postmaster> excepted */
#define ADDR_SLOPPY   0x02   /* flag S: no brackets, blanks tolerated */
#define ADDR_NULL_OK  0x04   /* <> allowed (MAIL FROM) */

#define ADDR_PARAMS_MAX SMTP_PARAMS_MAX

struct addr_param {
	char name[32];       /* upper-cased keyword */
	char value[128];     /* "" when absent */
};

struct addr_path {
	char   addr[SMTP_ADDR_MAX + 1];   /* "" for <> */
	size_t nparams;
	struct addr_param params[ADDR_PARAMS_MAX];
};

/*
 * Parse `arg` (the text after the colon).  0 on success with *out
 * filled; -1 on a syntax error with *why set to a short static reason.
 */
int addr_parse_path(const char *arg, int flags, struct addr_path *out,
    const char **why);

/*
 * HELO/EHLO argument: a domain name (letters, digits, '-', '_', '.';
 * no empty label) or an address literal [a.b.c.d] / [IPv6:...].  A name
 * whose top label is all digits (an address without brackets) is invalid.
 * 1 valid, 0 invalid (including spaces and control characters).
 */
int addr_helo_ok(const char *name);

/* 1 if s is a syntactically valid domain name as above, else 0. */
int addr_domain_ok(const char *s, size_t n);

/* 1 if every byte of s[0..n) is printable ASCII (0x20..0x7e), else 0. */
int addr_printable(const char *s, size_t n);

/*
 * The key the per-client session limit counts by: the IPv4 address
 * (also for an IPv4-mapped IPv6 peer), or the IPv6 /64 as "prefix::/64".
 * key must hold INET6_ADDRSTRLEN + 4 bytes; "" for other families.
 */
void addr_client_key(const struct sockaddr *sa, char *key, size_t keysz);

#endif
