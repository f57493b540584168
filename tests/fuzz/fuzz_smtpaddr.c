/*
 * fuzz_smtpaddr.c - libFuzzer harness for smtpserver/addr.c: the
 * MAIL/RCPT path parser and the HELO/domain checks.
 *
 * The first byte selects the parser flags; the rest, as a C string, is
 * the argument.  Invariants checked: an accepted address is printable
 * and within SMTP_ADDR_MAX; parameter counts stay within their array.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "../../smtpserver/addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct addr_path p;
	const char *why = NULL;
	char *s;
	size_t n, i;
	int flags;

	if (size < 1 || size > 4096)
		return 0;
	flags = data[0] & (ADDR_STRICT | ADDR_SLOPPY | ADDR_NULL_OK);
	n = size - 1;
	if ((s = malloc(n + 1)) == NULL)
		return 0;
	memcpy(s, data + 1, n);
	s[n] = '\0';

	if (addr_parse_path(s, flags, &p, &why) == 0) {
		size_t alen = strnlen(p.addr, sizeof p.addr);

		if (alen > SMTP_ADDR_MAX || !addr_printable(p.addr, alen))
			__builtin_trap();
		if (p.nparams > ADDR_PARAMS_MAX)
			__builtin_trap();
		for (i = 0; i < p.nparams; i++) {
			(void)strnlen(p.params[i].name, sizeof p.params[i].name);
			(void)strnlen(p.params[i].value,
			    sizeof p.params[i].value);
		}
	} else if (why == NULL)
		__builtin_trap();
	(void)addr_helo_ok(s);
	(void)addr_domain_ok((const char *)data + 1, n);
	(void)addr_printable((const char *)data + 1, n);
	free(s);
	return 0;
}
