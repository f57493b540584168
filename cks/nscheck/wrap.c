/*
 * wrap.c - would the SMTP gate refuse this nameserver?  The only file of
 * nscheck that includes tcpd.h.
 *
 * hosts_ctl(daemon, name, addr, "unknown") with libwrap's tables pointed
 * at -a/-D (or $TCPWRAP_ALLOW/$TCPWRAP_DENY, or the system's), exactly as
 * tcpdmatch(8) evaluates them.  Options run in libwrap's verification
 * mode (dry_run), so spawn, twist, user, group and the socket options of
 * a matching rule do nothing here; setenv does set our own environment,
 * which is how a rule's OPTREJECT is seen.  The verdict:
 *   - hosts_ctl refuses: refused;
 *   - the rule would twist (libwrap clears dry_run to say so): refused,
 *     since the SMTP service is replaced by the command;
 *   - hosts_ctl allows but the rule sets OPTREJECT=perm or temp: refused,
 *     since smtpserver then refuses every MAIL FROM (DESIGN.md section 5);
 *   - otherwise allowed.
 * A name of STRING_LENGTH (128) characters or more cannot be judged
 * (libwrap would cut it and a suffix pattern would miss): could not tell.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "nscheck.h"
#include "util.h"

#ifndef ZM_NO_LIBWRAP
#include <tcpd.h>

/* libwrap's own log levels, which its tables may change (severity). */
int allow_severity = LOG_INFO;
int deny_severity = LOG_WARNING;

static char allow_path[NSC_TABLE_PATH_MAX];
static char deny_path[NSC_TABLE_PATH_MAX];

/* A table that exists but cannot be read would make libwrap guess. */
static int
table_ok(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno == ENOENT ? 0 : -1;
}

int
wrap_tables(const char *allow, const char *deny, const char **why)
{
	if (allow != NULL) {
		if (util_strlcpy(allow_path, allow, sizeof allow_path) < 0) {
			*why = "hosts.allow path too long";
			return -1;
		}
		hosts_allow_table = allow_path;
	}
	if (deny != NULL) {
		if (util_strlcpy(deny_path, deny, sizeof deny_path) < 0) {
			*why = "hosts.deny path too long";
			return -1;
		}
		hosts_deny_table = deny_path;
	}
	if (table_ok(hosts_allow_table) < 0) {
		*why = "cannot read the hosts.allow table";
		return -1;
	}
	if (table_ok(hosts_deny_table) < 0) {
		*why = "cannot read the hosts.deny table";
		return -1;
	}
	return 0;
}

int
wrap_check(const char *daemon, const char *name, const char *addr,
    const char **how)
{
	char d[STRING_LENGTH], n[STRING_LENGTH], a[STRING_LENGTH];
	char u[] = STRING_UNKNOWN;
	const char *opt;
	int ok;

	if (util_strlcpy(n, name, sizeof n) < 0) {
		*how = "cannot tell (name too long for libwrap)";
		return -1;
	}
	if (util_strlcpy(d, daemon, sizeof d) < 0 ||
	    util_strlcpy(a, addr, sizeof a) < 0) {
		*how = "cannot tell";
		return -1;
	}
	unsetenv("OPTREJECT");
	dry_run = 1;
	ok = hosts_ctl(d, n, a, u);
	if (dry_run == 0) {
		dry_run = 1;
		*how = "refused (twist)";
		return 0;
	}
	if (!ok) {
		*how = "refused";
		return 0;
	}
	opt = getenv("OPTREJECT");
	if (opt != NULL && strcmp(opt, "perm") == 0) {
		*how = "refused (OPTREJECT=perm)";
		return 0;
	}
	if (opt != NULL && strcmp(opt, "temp") == 0) {
		*how = "refused (OPTREJECT=temp)";
		return 0;
	}
	*how = "allowed";
	return 1;
}

const char *
wrap_table(int deny)
{
	return deny ? hosts_deny_table : hosts_allow_table;
}

#else /* ZM_NO_LIBWRAP */

const char *
wrap_table(int deny)
{
	(void)deny;
	return NULL;
}

int
wrap_tables(const char *allow, const char *deny, const char **why)
{
	(void)allow;
	(void)deny;
	*why = "built without libwrap (NOWRAP=1): cannot judge";
	return -1;
}

int
wrap_check(const char *daemon, const char *name, const char *addr,
    const char **how)
{
	(void)daemon;
	(void)name;
	(void)addr;
	*how = "cannot tell (built without libwrap)";
	return -1;
}

#endif
