/*
 * fileperm.h - open the router's configuration (cf scripts, list files)
 * only when nobody but its owner and root can have changed it.
 */
#ifndef ZM_FILEPERM_H
#define ZM_FILEPERM_H

#include <stddef.h>
#include <sys/stat.h>

/*
 * Open path with flags (O_CLOEXEC added) and check, on the open
 * descriptors (fstat, no window between check and use):
 *   the file:      owned by root or by our effective uid, and not
 *                  writable by group or others (mode & 022);
 *   its directory: owned by root or by our effective uid, and not
 *                  writable by group or others unless the sticky bit
 *                  is set (as /tmp: then nobody may replace our file).
 * Returns the descriptor and fills *st; or -1 with errno set and
 * "path: reason" in err (reason strerror(errno), or
 * "refusing: writable by group/others (mode 0664)",
 * "refusing: owned by uid 1000 (not root or uid 1)",
 * "refusing: its directory is writable by group/others (mode 0777)" ...
 * with errno EPERM).
 */
int fileperm_open(const char *path, int flags, struct stat *st, char *err,
    size_t errsz);

#endif
