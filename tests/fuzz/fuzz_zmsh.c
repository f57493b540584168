/*
 * fuzz_zmsh.c - libFuzzer harness for the zmsh lexer and parser
 * (router/lex.c, router/parse.c), the way `router -n` uses them: parse
 * the whole input as one unit, dump the tree, drop the unit.  The
 * interactive entry point (parse_unit_partial, used by `router -i`) is
 * run over the same text.
 */
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "../../router/ast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	struct unit *u;
	struct buf out;
	int incomplete = 0;

	u = parse_unit("fuzz", (const char *)data, size, 1, err, sizeof err);
	if (u != NULL) {
		buf_init(&out, 1 << 20);
		ast_dump(&out, u->root, 0);
		buf_free(&out);
		unit_unref(u);
	}
	u = parse_unit_partial("fuzz", (const char *)data, size, err,
	    sizeof err, &incomplete);
	if (u != NULL)
		unit_unref(u);
	return 0;
}
