/*
 * store.h - the flushots store: a text file for people and an LMDB index
 * for the router, kept in step under one lock.
 *
 * Text file FILE: comment lines ('#') and one record per trap hit:
 *     origin TAB unix-time TAB [client-ip] TAB helo TAB trap-address LF
 * Index FILE.lmdb (one file, MDB_NOSUBDIR, plus FILE.lmdb-lock): key the
 * lower-cased origin, value the unix time of its latest trap hit as
 * decimal text.  The router's `relation -t lmdb -f FILE.lmdb` reads it.
 *
 * Every writer takes flock(LOCK_EX) on FILE and, once it holds the lock,
 * checks that the file it locked is still the one at FILE (a rewrite
 * replaces FILE with rename(2)); if not it reopens and tries again.  So an
 * append racing a rewrite lands in the new file, never in the unlinked
 * old one, and readers only ever see a whole old or a whole new file.
 */
#ifndef FLUSHOT_STORE_H
#define FLUSHOT_STORE_H

#include <stddef.h>

#define FLUSHOT_FIELD_MAX   512      /* one field of a record */
#define FLUSHOT_LINE_MAX    4096     /* one line of the text file */
#define FLUSHOT_MAPSIZE     (1UL << 30)  /* LMDB map: ~10M records */
#define FLUSHOT_LOCK_TRIES  50       /* reopen attempts after renames */

struct fstore {
	char   path[1024];
	char   ipath[1040];   /* FILE.lmdb */
	int    fd;            /* FILE, locked */
};

/* Open and lock FILE (creating neither); 0, or -1 with err set. */
int  fstore_lock(struct fstore *fs, const char *path, char *err, size_t errsz);
void fstore_unlock(struct fstore *fs);

/* Append one record and index it.  Fields are validated here. */
int  fstore_add(struct fstore *fs, const char *origin, const char *ip,
	const char *helo, const char *trap, char *err, size_t errsz);
/*
 * Rewrite FILE without the records of origin (case-insensitive) and drop
 * it from the index.  *removed counts the records dropped.
 */
int  fstore_clear(struct fstore *fs, const char *origin, long *removed,
	char *err, size_t errsz);
/* Rebuild the index from the text file (latest time per origin). */
int  fstore_rebuild(struct fstore *fs, long *count, char *err, size_t errsz);
/* Look origin up in the index: 1 found (time in when), 0 not, -1 error. */
int  fstore_check(const char *path, const char *origin, char *when,
	size_t whensz, char *err, size_t errsz);

/* A field is safe: 1..FLUSHOT_FIELD_MAX bytes, no TAB, CR, LF or NUL. */
int  fstore_field_ok(const char *s);

#endif
