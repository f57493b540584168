/*
 * rel_lmdb.h - making the database of an `lmdb` relation from a text list.
 */
#ifndef ZM_REL_LMDB_H
#define ZM_REL_LMDB_H

/*
 * Read the text list `text` (the common list format), write an LMDB file
 * next to `db` and rename it to `db` (readers never see a partial one).
 * Keys are stored lower-cased; the first line with a key wins; bad lines
 * are logged with file:line and counted in *skipped (may be NULL).
 * Returns the number of keys stored, or -1 with a message in err.
 */
long rel_lmdb_build(const char *text, const char *db, unsigned long *skipped,
    char *err, size_t errsz);

#endif
