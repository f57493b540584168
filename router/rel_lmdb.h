/*
 * rel_lmdb.h - making the database of an `lmdb` relation from a text list.
 */
#ifndef ZM_REL_LMDB_H
#define ZM_REL_LMDB_H

#include <lmdb.h>
#include <sys/stat.h>

/*
 * Every database relmkdb writes holds one extra record under this key: the
 * identity of the text list it was made from ("dev ino size mtime.nsec").
 * A key starting with a blank can never come from a text list (blanks
 * separate key and value), and lookups of such keys answer "not found",
 * so the record is invisible to lookups, `db count` and `db print`.
 */
#define REL_LMDB_SOURCE_KEY " source"

/*
 * Read the text list `text` (the common list format), write an LMDB file
 * next to `db` and rename it to `db` (readers never see a partial one).
 * Keys are stored lower-cased; the first line with a key wins; bad lines
 * are logged with file:line and counted in *skipped (may be NULL).
 * Returns the number of keys stored, or -1 with a message in err.
 */
long rel_lmdb_build(const char *text, const char *db, unsigned long *skipped,
    char *err, size_t errsz);

/*
 * Open `db` as the index of a text list whose identity is *src (the
 * sidecar of an `unordered` relation, see rel_unordered.c): read-only,
 * without LMDB's lock file (relmkdb's files never change once visible).
 * Returns 1 with *env and *dbi set when the database exists and was made
 * from exactly this version of the list; 0 when there is no database;
 * -1 with why filled when there is one but it is stale (made from another
 * version of the list, or from an older relmkdb) or unusable.
 */
int rel_lmdb_index_open(const char *db, const struct stat *src, MDB_env **env,
    MDB_dbi *dbi, char *why, size_t whysz);

/* The "dev ino size mtime.nsec" text of a list's identity. */
void rel_lmdb_source_id(const struct stat *st, char *out, size_t outsz);

/* Mark env's data file close-on-exec (LMDB opens it without O_CLOEXEC). */
void rel_lmdb_cloexec(MDB_env *env);

#endif
