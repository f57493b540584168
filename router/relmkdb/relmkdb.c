/*
 * relmkdb - make the database of an `lmdb` (`btree`) relation from a
 * text list.
 *
 *   relmkdb TEXTFILE [DBFILE]
 *
 * DBFILE defaults to TEXTFILE.lmdb.  The new database replaces the old one
 * atomically (write beside it, then rename), so routers using it with -m
 * switch to it at their next lookup and never see half of it.  Bad lines
 * are reported on stderr with file:line and skipped.  Exit 0 on success
 * (prints "N keys, M lines skipped"), 1 on failure, 64 on usage.
 */
#include <stdio.h>
#include <string.h>

#include "limits.h"
#include "log.h"
#include "../rel_lmdb.h"

int
main(int argc, char **argv)
{
	char db[PATH_TEXT_MAX + 8], err[512];
	unsigned long skipped = 0;
	long n;

	if (argc < 2 || argc > 3 || argv[1][0] == '-') {
		fputs("usage: relmkdb TEXTFILE [DBFILE]\n", stderr);
		return 64;
	}
	log_init("relmkdb", LOG_MAIL, LOG_TO_STDERR);
	if (argc == 3) {
		if (strlen(argv[2]) >= sizeof db) {
			fputs("relmkdb: file name too long\n", stderr);
			return 1;
		}
		memcpy(db, argv[2], strlen(argv[2]) + 1);
	} else if (snprintf(db, sizeof db, "%s.lmdb", argv[1]) >= (int)sizeof db) {
		fputs("relmkdb: file name too long\n", stderr);
		return 1;
	}
	n = rel_lmdb_build(argv[1], db, &skipped, err, sizeof err);
	if (n < 0) {
		fprintf(stderr, "relmkdb: %s\n", err);
		return 1;
	}
	printf("%ld keys, %lu lines skipped\n", n, skipped);
	return 0;
}
