/*
 * sandbox.c - what the router harnesses (fuzz_zmsheval, fuzz_rel) may do
 * to the machine while fuzz input runs.  Linked with -Wl,--wrap=NAME for
 * each function below (tests/fuzz/fuzz.mk, FUZZ_WRAP), so every call the
 * code under test makes to these comes here instead; the harness turns
 * the sandbox on around the code under test only (libFuzzer itself
 * writes its corpus and artifacts with the real calls).
 *
 * While on: no program is ever run (fork fails with EAGAIN, execve
 * traps), no file is created, written, renamed, removed or changed
 * (open for writing is allowed for /dev/null alone), a file is opened
 * for reading only when it is a regular file outside /proc, /sys and
 * /dev (nothing that blocks or never ends; directories as O_PATH
 * handles), no signal is sent, no DNS
 * query leaves (res_nquery fails with TRY_AGAIN), nothing sleeps, and
 * syslog messages are formatted (the format checked) and dropped.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <resolv.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "sandbox.h"

int sandbox_on;

int __real_open(const char *path, int flags, ...);
int __real_openat(int dirfd, const char *path, int flags, ...);
pid_t __wrap_fork(void);
int __wrap_execve(const char *path, char *const argv[], char *const envp[]);
int __wrap_open(const char *path, int flags, ...);
int __wrap_openat(int dirfd, const char *path, int flags, ...);
int __wrap_mkstemp(char *tmpl);
int __wrap_rename(const char *a, const char *b);
int __wrap_unlink(const char *path);
int __wrap_fchmod(int fd, mode_t mode);
int __wrap_fchown(int fd, uid_t uid, gid_t gid);
int __wrap_kill(pid_t pid, int sig);
int __wrap_res_nquery(res_state st, const char *dname, int class, int type,
    unsigned char *answer, int anslen);
int __wrap_usleep(useconds_t us);
int __wrap_nanosleep(const struct timespec *req, struct timespec *rem);
void __wrap_vsyslog(int prio, const char *fmt, va_list ap);

pid_t
__wrap_fork(void)
{
	errno = EAGAIN;
	return -1;
}

int
__wrap_execve(const char *path, char *const argv[], char *const envp[])
{
	(void)path; (void)argv; (void)envp;
	__builtin_trap();       /* fork never succeeds: cannot get here */
}

/* May the code under test open path (relative to dirfd) with flags? */
static int
allowed(int dirfd, const char *path, int flags)
{
	char full[PATH_MAX], real[PATH_MAX];
	struct stat st;

	if (!sandbox_on)
		return 1;
	if (strcmp(path, "/dev/null") == 0)
		return 1;
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)))
		return 0;
	if (path[0] != '/' && dirfd != AT_FDCWD)
		snprintf(full, sizeof(full), "/proc/self/fd/%d/%s", dirfd, path);
	else
		snprintf(full, sizeof(full), "%s", path);
	if (realpath(full, real) == NULL || stat(real, &st) != 0)
		return 0;
	if (strncmp(real, "/proc/", 6) == 0 || strncmp(real, "/sys/", 5) == 0 ||
	    strncmp(real, "/dev/", 5) == 0)
		return 0;
	/* Regular files; directories only as O_PATH handles (fileperm.c). */
	return S_ISREG(st.st_mode) ||
	    (S_ISDIR(st.st_mode) && (flags & O_PATH));
}

int
__wrap_open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	if (!allowed(AT_FDCWD, path, flags)) {
		errno = EACCES;
		return -1;
	}
	return __real_open(path, flags, mode);
}

int
__wrap_openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	if (!allowed(dirfd, path, flags)) {
		errno = EACCES;
		return -1;
	}
	return __real_openat(dirfd, path, flags, mode);
}

#define DENY(ret) do { if (sandbox_on) { errno = EACCES; return ret; } } while (0)

int __real_mkstemp(char *tmpl);
int __real_rename(const char *a, const char *b);
int __real_unlink(const char *path);
int __real_fchmod(int fd, mode_t mode);
int __real_fchown(int fd, uid_t uid, gid_t gid);
int __real_kill(pid_t pid, int sig);
int __real_res_nquery(res_state st, const char *dname, int class, int type,
    unsigned char *answer, int anslen);
int __real_usleep(useconds_t us);
int __real_nanosleep(const struct timespec *req, struct timespec *rem);
void __real_vsyslog(int prio, const char *fmt, va_list ap);

int
__wrap_mkstemp(char *tmpl)
{
	DENY(-1);
	return __real_mkstemp(tmpl);
}

int
__wrap_rename(const char *a, const char *b)
{
	DENY(-1);
	return __real_rename(a, b);
}

int
__wrap_unlink(const char *path)
{
	DENY(-1);
	return __real_unlink(path);
}

int
__wrap_fchmod(int fd, mode_t mode)
{
	DENY(-1);
	return __real_fchmod(fd, mode);
}

int
__wrap_fchown(int fd, uid_t uid, gid_t gid)
{
	DENY(-1);
	return __real_fchown(fd, uid, gid);
}

int
__wrap_kill(pid_t pid, int sig)
{
	DENY(-1);
	return __real_kill(pid, sig);
}

int
__wrap_res_nquery(res_state st, const char *dname, int class, int type,
    unsigned char *answer, int anslen)
{
	if (sandbox_on) {
		h_errno = TRY_AGAIN;
		return -1;
	}
	return __real_res_nquery(st, dname, class, type, answer, anslen);
}

int
__wrap_usleep(useconds_t us)
{
	return sandbox_on ? 0 : __real_usleep(us);
}

int
__wrap_nanosleep(const struct timespec *req, struct timespec *rem)
{
	return sandbox_on ? 0 : __real_nanosleep(req, rem);
}

void
__wrap_vsyslog(int prio, const char *fmt, va_list ap)
{
	char msg[4096];

	(void)prio;
	vsnprintf(msg, sizeof(msg), fmt, ap);
}
