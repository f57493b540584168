/*
 * spool.c - the Zmailer submission file; see spool.h.
 *
 * Envelope, one "keyword value" line each, in this order:
 *   external                      (network sessions)
 *   rcvdfrom RHOST ([ip]:port "EHLO name")
 *   with SMTP | ESMTP
 *   from <addr>   |   channel error      (MAIL FROM:<>)
 *   to <addr>                            (per recipient)
 *   env-end
 * then our Received: header, then the message (LF line ends, unstuffed).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "smtpd.h"
#include "spool.h"

static unsigned long spool_seq;

static void
spool_date(char *out, size_t outsz)
{
	time_t now = time(NULL);
	struct tm tm;

	if (localtime_r(&now, &tm) == NULL ||
	    strftime(out, outsz, "%a, %d %b %Y %H:%M:%S %z", &tm) == 0)
		snprintf(out, outsz, "%ld", (long)now);
}

static int
spool_envelope(struct spool *sp, struct session *s)
{
	FILE *fp = sp->fp;
	char date[64];
	const char *proto = s->esmtp ? "ESMTP" : "SMTP";

	if (s->network) {
		fprintf(fp, "external\n");
		fprintf(fp, "rcvdfrom %s ([%s]:%s \"%s %s\")\n", s->rhost,
		    s->ip, s->port, s->helo_seen ? s->helo_verb : "",
		    s->helo_seen ? s->helo : "");
	}
	fprintf(fp, "with %s\n", proto);
	if (s->from[0])
		fprintf(fp, "from <%s>\n", s->from);
	else
		fprintf(fp, "channel error\n");
	/* rcpts holds "<addr>\n" per recipient */
	fprintf(fp, "%s", buf_cstr(&s->rcpts));
	fprintf(fp, "env-end\n");
	spool_date(date, sizeof date);
	if (s->network)
		fprintf(fp, "Received: from %s (%s [%s])\n",
		    s->helo_seen ? s->helo : s->rhost,
		    s->rhost[0] == '[' ? "unknown" : s->rhost, s->ip);
	else
		fprintf(fp, "Received: from %s (local input)\n",
		    s->helo_seen ? s->helo : "localhost");
	fprintf(fp, "\tby %s (%s) with %s id %lu;\n\t%s\n", smtpd_hostname,
	    SMTPD_VERSION, proto, (unsigned long)sp->ino, date);
	return ferror(fp) ? -1 : 0;
}

int
spool_open(struct spool *sp, const char *postoffice, struct session *s)
{
	struct stat st;
	int fd, n, e;

	memset(sp, 0, sizeof *sp);
	if (strlen(postoffice) > PATH_TEXT_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sp->dir, postoffice);
	n = snprintf(sp->pubname, sizeof sp->pubname, "%s/public/smtp.%ld.%lu",
	    postoffice, (long)getpid(), ++spool_seq);
	if (n < 0 || (size_t)n >= sizeof sp->pubname) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(sp->pubname, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || (sp->fp = fdopen(fd, "w")) == NULL) {
		e = errno;
		close(fd);
		unlink(sp->pubname);
		errno = e;
		return -1;
	}
	sp->ino = st.st_ino;
	if (spool_envelope(sp, s) < 0) {
		e = errno ? errno : EIO;
		spool_abort(sp);
		errno = e;
		return -1;
	}
	return 0;
}

int
spool_body(void *arg, const char *p, size_t n)
{
	struct spool *sp = arg;

	if (sp->err)
		return 0;    /* keep reading to the end; refuse then */
	if (fwrite(p, 1, n, sp->fp) != n)
		sp->err = errno ? errno : EIO;
	return 0;
}

void
spool_abort(struct spool *sp)
{
	if (sp->fp != NULL) {
		fclose(sp->fp);
		sp->fp = NULL;
		unlink(sp->pubname);
	}
}

static int
spool_fsync_dir(const char *dir)
{
	int fd, rc;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
spool_commit(struct spool *sp, char *id, size_t idsz)
{
	char rname[PATH_TEXT_MAX + 64], rdir[PATH_TEXT_MAX + 16];
	int e, fd;

	if (sp->err) {
		e = sp->err;
		goto fail;
	}
	fd = fileno(sp->fp);
	if (fflush(sp->fp) != 0 || fsync(fd) != 0) {
		e = errno ? errno : EIO;
		goto fail;
	}
	if (fclose(sp->fp) != 0) {
		sp->fp = NULL;
		e = errno ? errno : EIO;
		unlink(sp->pubname);
		errno = e;
		return -1;
	}
	sp->fp = NULL;
	snprintf(rdir, sizeof rdir, "%s/router", sp->dir);
	snprintf(rname, sizeof rname, "%s/%lu", rdir, (unsigned long)sp->ino);
	if (link(sp->pubname, rname) != 0) {
		e = errno;
		unlink(sp->pubname);
		errno = e;
		return -1;
	}
	unlink(sp->pubname);
	if (spool_fsync_dir(rdir) != 0) {
		e = errno;
		unlink(rname);
		errno = e;
		return -1;
	}
	snprintf(id, idsz, "%lu", (unsigned long)sp->ino);
	return 0;
fail:
	spool_abort(sp);
	errno = e;
	return -1;
}

int
spool_cleanup(const char *postoffice, pid_t pid)
{
	char dir[PATH_TEXT_MAX + 16], prefix[40], path[PATH_TEXT_MAX + 300];
	struct dirent *de;
	size_t plen;
	DIR *dp;
	int n = 0, e = 0;

	if (strlen(postoffice) > PATH_TEXT_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(dir, sizeof dir, "%s/public", postoffice);
	snprintf(prefix, sizeof prefix, "smtp.%ld.", (long)pid);
	plen = strlen(prefix);
	if ((dp = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(dp)) != NULL) {
		const char *seq = de->d_name + plen;

		if (strncmp(de->d_name, prefix, plen) != 0 || *seq == '\0' ||
		    strspn(seq, "0123456789") != strlen(seq))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (unlink(path) == 0)
			n++;
		else if (errno != ENOENT)
			e = errno;
	}
	closedir(dp);
	if (n == 0 && e != 0) {
		errno = e;
		return -1;
	}
	return n;
}
