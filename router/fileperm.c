/*
 * fileperm.c - the router's trust check of the files it takes orders
 * from (fileperm.h): router.cf and every sourced file, and the list
 * files of relations.  A file that someone other than its owner and root
 * could have written is refused, so the unprivileged router never runs a
 * script or reads a list that another local user planted.  Only the
 * directory that holds the name is checked, not its ancestors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fileperm.h"
#include "limits.h"

/* The refusal text; isdir: the complaint is about the file's directory. */
static int
refuse(char *err, size_t errsz, const char *path, int isdir, int owner,
    const struct stat *st)
{
	const char *whose = isdir ? "its directory is " : "";

	if (owner)
		snprintf(err, errsz, "%s: refusing: %sowned by uid %lu (not root or uid %lu)",
		    path, whose, (unsigned long)st->st_uid, (unsigned long)geteuid());
	else
		snprintf(err, errsz, "%s: refusing: %swritable by group/others (mode %04o)",
		    path, whose, (unsigned)(st->st_mode & 07777));
	errno = EPERM;
	return -1;
}

static int
trusted_owner(const struct stat *st)
{
	return st->st_uid == 0 || st->st_uid == geteuid();
}

int
fileperm_open(const char *path, int flags, struct stat *st, char *err,
    size_t errsz)
{
	char dir[PATH_TEXT_MAX];
	const char *slash = strrchr(path, '/'), *base;
	struct stat dst;
	int dfd, fd, e;

	if (slash == NULL) {
		strcpy(dir, ".");
		base = path;
	} else if ((size_t)(slash - path) >= sizeof dir) {
		errno = ENAMETOOLONG;
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	} else {
		size_t n = slash == path ? 1 : (size_t)(slash - path);

		memcpy(dir, path, n);
		dir[n] = '\0';
		base = slash + 1;
	}
	if ((dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		e = errno;
		snprintf(err, errsz, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	if (fstat(dfd, &dst) < 0) {
		e = errno;
		close(dfd);
		snprintf(err, errsz, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	if (!trusted_owner(&dst)) {
		close(dfd);
		return refuse(err, errsz, path, 1, 1, &dst);
	}
	if ((dst.st_mode & 022) != 0 && (dst.st_mode & S_ISVTX) == 0) {
		close(dfd);
		return refuse(err, errsz, path, 1, 0, &dst);
	}
	fd = openat(dfd, base, flags | O_CLOEXEC);
	e = errno;
	close(dfd);
	if (fd < 0) {
		snprintf(err, errsz, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	if (fstat(fd, st) < 0) {
		e = errno;
		close(fd);
		snprintf(err, errsz, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	if (!trusted_owner(st)) {
		close(fd);
		return refuse(err, errsz, path, 0, 1, st);
	}
	if ((st->st_mode & 022) != 0) {
		close(fd);
		return refuse(err, errsz, path, 0, 0, st);
	}
	return fd;
}
