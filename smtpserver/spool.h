/*
 * spool.h - writing an accepted message into $POSTOFFICE (DESIGN 9).
 *
 * spool_open() creates public/smtp.<pid>.<n> (0600, O_EXCL) and writes
 * the Zmailer envelope and our Received: header; spool_body() is the
 * data_feed() emit function; spool_commit() fsyncs the file, links it
 * into router/<inode>, unlinks the public name and fsyncs router/ --
 * only after that may the session answer 250.  spool_abort() (and any
 * failing step) removes every trace: nothing partial is ever in router/
 * and nothing is left in public/.
 *
 * spool_cleanup() is for the daemon parent: a session child killed before
 * it could clean up (SIGKILL, a crash, the session's hard alarm) may leave
 * public/smtp.<pid>.<n>; the parent removes those names when it reaps the
 * child.  They never reached router/.
 */
#ifndef SMTPD_SPOOL_H
#define SMTPD_SPOOL_H

#include <stdio.h>
#include <sys/types.h>

#include "limits.h"

struct session;

struct spool {
	FILE  *fp;
	char   pubname[PATH_TEXT_MAX + 64];
	char   dir[PATH_TEXT_MAX + 1];
	ino_t  ino;
	int    err;        /* errno of the first write failure, 0 if none */
};

/* 0, or -1 with errno (nothing left behind). */
int  spool_open(struct spool *sp, const char *postoffice, struct session *s);
int  spool_body(void *sp, const char *p, size_t n);
/* 0 and the id (the inode number) in id; -1 with errno, nothing left. */
int  spool_commit(struct spool *sp, char *id, size_t idsz);
void spool_abort(struct spool *sp);
/* Unlink public/smtp.<pid>.* ; the number removed, or -1 with errno. */
int  spool_cleanup(const char *postoffice, pid_t pid);

#endif
