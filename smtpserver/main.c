/*
 * main.c - smtpserver: options, configuration, then the daemon or one
 * session on stdin/stdout (-i).
 *
 * Order: the command line is read once to find -Z; zmailer.conf is
 * loaded; SMTPOPTIONS is applied as if it came first, then the command
 * line again (it wins).  Exit codes: 64 usage, 78 configuration error
 * (the message names the file and the variable), 75 pidfile held by a
 * running daemon, 71 system error (cannot listen, cannot drop
 * privileges).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "listen.h"
#include "log.h"
#include "smtpd.h"
#include "util.h"

#define EX_USAGE_    64
#define EX_OSERR_    71
#define EX_TEMPFAIL_ 75
#define EX_CONFIG_   78
#define SMTPOPT_WORDS_MAX 64

struct srvopts  smtpd_opts;
struct smtpconf smtpd_conf;
struct zconf   *smtpd_zconf;
char            smtpd_hostname[256];
int             smtpd_pidfd = -1;

static char test_ip_buf[ADDR_TEXT_MAX];
static const char optstring[] = "46a:C:dgI:iL:l:Mm:P:p:R:s:T:VZ:";

static void
usage(const char *why)
{
	if (why)
		fprintf(stderr, "smtpserver: %s\n", why);
	fprintf(stderr,
	    "usage: smtpserver [-46dgiMV] [-a addr]... [-p port] [-m num] [-L num]\n"
	    "                  [-s flags] [-C smtpserver.conf] [-P postoffice]\n"
	    "                  [-R router] [-l file|SYSLOG] [-T '[ip]'] [-I pidfile]\n"
	    "                  [-Z zmailer.conf]\n");
	exit(EX_USAGE_);
}

/* -T '[ip]' (or ip, or [IPv6:ip]) into a plain address; -1 if invalid. */
static int
parse_test_ip(const char *arg)
{
	char tmp[ADDR_TEXT_MAX];
	unsigned char bin[16];
	size_t n = strlen(arg);

	if (n >= 2 && arg[0] == '[' && arg[n - 1] == ']') {
		arg++;
		n -= 2;
	}
	if (n > 5 && strncasecmp(arg, "IPv6:", 5) == 0) {
		arg += 5;
		n -= 5;
	}
	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, arg, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET, tmp, bin) != 1 && inet_pton(AF_INET6, tmp, bin) != 1)
		return -1;
	strcpy(test_ip_buf, tmp);
	return 0;
}

/* Apply options from argv; from_conf: they came from SMTPOPTIONS. */
static void
parse_opts(int argc, char **argv, int from_conf)
{
	int c, cmdline_a = 0;
	long v;

	optind = 0;   /* glibc: full re-initialisation */
	opterr = 0;
	while ((c = getopt(argc, argv, optstring)) != -1) {
		switch (c) {
		case '4': smtpd_opts.family = AF_INET; break;
		case '6': smtpd_opts.family = AF_INET6; break;
		case 'a':
			if (!from_conf && !cmdline_a) {
				smtpd_opts.nlisten = 0;   /* the command line wins */
				cmdline_a = 1;
			}
			if (smtpd_opts.nlisten >= LISTEN_ADDRS_MAX)
				usage("too many -a addresses");
			smtpd_opts.listen[smtpd_opts.nlisten++] = optarg;
			break;
		case 'C': smtpd_opts.conffile = optarg; break;
		case 'd': smtpd_opts.debug = 1; break;
		case 'g': smtpd_opts.gullible = 1; break;
		case 'I': smtpd_opts.pidfile = optarg; break;
		case 'i': smtpd_opts.interactive = 1; break;
		case 'L':
			if (util_parse_long(optarg, 1, 65535, &v) < 0)
				usage("-L: a number 1..65535 expected");
			smtpd_opts.backlog = v;
			break;
		case 'l': smtpd_opts.transcript = optarg; break;
		case 'M': smtpd_opts.excess421 = 1; break;
		case 'm':
			if (util_parse_long(optarg, 1, LSN_CHILDREN_MAX, &v) < 0)
				usage("-m: a number 1..4096 expected");
			smtpd_opts.maxsess = v;
			break;
		case 'P': smtpd_opts.postoffice = optarg; break;
		case 'p':
			if (util_parse_long(optarg, 1, 65535, &v) < 0)
				usage("-p: a port number expected");
			smtpd_opts.port = optarg;
			break;
		case 'R': smtpd_opts.router = optarg; break;
		case 's':
			if (strlen(optarg) > STYLE_MAX ||
			    strspn(optarg, "ftvehRS-") != strlen(optarg))
				usage("-s: flags are letters of \"ftvehRS-\"");
			strcpy(smtpd_opts.style, optarg);
			break;
		case 'T':
			if (parse_test_ip(optarg) < 0)
				usage("-T: an address such as '[192.0.2.7]' expected");
			smtpd_opts.test_ip = test_ip_buf;
			break;
		case 'V':
			printf("%s\n", SMTPD_VERSION);
			exit(0);
		case 'Z': smtpd_opts.zconfig = optarg; break;
		default:
			usage(from_conf ? "bad option in SMTPOPTIONS" : "bad option");
		}
	}
	if (optind != argc)
		usage(from_conf ? "stray argument in SMTPOPTIONS" : "stray argument");
}

/* SMTPOPTIONS split at blanks, applied before the command line. */
static void
apply_smtpoptions(const char *val)
{
	static char copy[ZCONF_LINE_MAX + 1];
	char *words[SMTPOPT_WORDS_MAX + 2], *p, *save = NULL;
	int n = 0;

	if (val == NULL || strlen(val) > ZCONF_LINE_MAX)
		return;
	strcpy(copy, val);
	words[n++] = (char *)"smtpserver";
	for (p = strtok_r(copy, " \t", &save); p; p = strtok_r(NULL, " \t", &save)) {
		if (n > SMTPOPT_WORDS_MAX)
			usage("SMTPOPTIONS: too many words");
		words[n++] = p;
	}
	words[n] = NULL;
	parse_opts(n, words, 1);
}

static void
defaults(void)
{
	memset(&smtpd_opts, 0, sizeof smtpd_opts);
	smtpd_opts.port = "25";
	smtpd_opts.family = AF_UNSPEC;
	smtpd_opts.backlog = 5;
	strcpy(smtpd_opts.style, "ve");
	smtpd_opts.transcript_fd = -1;
}

/* $VAR/suffix from zmailer.conf, or exit 78 naming file and variable. */
static const char *
zpath(const char *var, const char *suffix)
{
	const char *v = zconf_get(smtpd_zconf, var);
	char *out;

	if (v == NULL || *v == '\0') {
		fprintf(stderr, "smtpserver: %s: variable %s is not set\n",
		    smtpd_opts.zconfig, var);
		exit(EX_CONFIG_);
	}
	if (suffix == NULL)
		return v;
	if (asprintf(&out, "%s/%s", v, suffix) < 0)
		exit(EX_OSERR_);
	return out;
}

static void
load_config(int argc, char **argv)
{
	char err[PATH_TEXT_MAX + 128];
	const char *z;

	defaults();
	parse_opts(argc, argv, 0);           /* for -Z (and -V, usage) */
	z = zconf_path(smtpd_opts.zconfig);
	if (zconf_load(&smtpd_zconf, z, err, sizeof err) < 0) {
		fprintf(stderr, "smtpserver: %s\n", err);
		exit(EX_CONFIG_);
	}
	defaults();
	apply_smtpoptions(zconf_get(smtpd_zconf, "SMTPOPTIONS"));
	parse_opts(argc, argv, 0);
	smtpd_opts.zconfig = z;
	if (smtpd_opts.test_ip && !smtpd_opts.interactive)
		usage("-T needs -i");
	if (smtpd_opts.conffile == NULL)
		smtpd_opts.conffile = zpath("MAILSHARE", "smtpserver.conf");
	if (smtpd_opts.postoffice == NULL)
		smtpd_opts.postoffice = zpath("POSTOFFICE", NULL);
	if (smtpd_opts.router == NULL)
		smtpd_opts.router = zpath("MAILBIN", "router");
	if (smtpd_opts.pidfile == NULL && asprintf((char **)&smtpd_opts.pidfile,
	    "%s/.pid.smtpserver", smtpd_opts.postoffice) < 0)
		exit(EX_OSERR_);
	smtpd_opts.smtpuser = zconf_get(smtpd_zconf, "SMTPUSER");
	if (smtpd_opts.smtpuser == NULL || *smtpd_opts.smtpuser == '\0')
		smtpd_opts.smtpuser = "daemon";
	smtpd_opts.resolver = zconf_get(smtpd_zconf, "RESOLVER");
	if (smtpd_opts.resolver == NULL)
		smtpd_opts.resolver = getenv("RESOLVER");
	if (conf_load(&smtpd_conf, smtpd_opts.conffile, err, sizeof err) < 0) {
		fprintf(stderr, "smtpserver: %s\n", err);
		exit(EX_CONFIG_);
	}
	if (smtpd_conf.hostname != NULL) {
		if (!addr_domain_ok(smtpd_conf.hostname, strlen(smtpd_conf.hostname)) ||
		    strlen(smtpd_conf.hostname) >= sizeof smtpd_hostname) {
			fprintf(stderr, "smtpserver: %s: PARAM hostname: not a domain name\n",
			    smtpd_opts.conffile);
			exit(EX_CONFIG_);
		}
		strcpy(smtpd_hostname, smtpd_conf.hostname);
	} else if (gethostname(smtpd_hostname, sizeof smtpd_hostname - 1) < 0 ||
	    !addr_domain_ok(smtpd_hostname, strlen(smtpd_hostname)))
		strcpy(smtpd_hostname, "localhost");
}

/* Become SMTPUSER if we are root. */
static void
drop_privileges(void)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return;
	if ((pw = getpwnam(smtpd_opts.smtpuser)) == NULL) {
		fprintf(stderr, "smtpserver: %s: SMTPUSER %s: no such user\n",
		    smtpd_opts.zconfig, smtpd_opts.smtpuser);
		exit(EX_CONFIG_);
	}
	if (pw->pw_uid == 0) {
		fprintf(stderr, "smtpserver: %s: SMTPUSER must not be root\n",
		    smtpd_opts.zconfig);
		exit(EX_CONFIG_);
	}
	if (setgroups(1, &pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0 || setuid(0) == 0) {
		fprintf(stderr, "smtpserver: cannot become %s: %s\n",
		    smtpd_opts.smtpuser, strerror(errno));
		exit(EX_OSERR_);
	}
}

static void
open_transcript(void)
{
	int fd;

	if (smtpd_opts.transcript == NULL)
		return;
	if (strcmp(smtpd_opts.transcript, "SYSLOG") == 0) {
		smtpd_opts.transcript_fd = -2;
		return;
	}
	fd = open(smtpd_opts.transcript, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0640);
	if (fd < 0) {
		fprintf(stderr, "smtpserver: -l %s: %s\n", smtpd_opts.transcript,
		    strerror(errno));
		exit(EX_CONFIG_);
	}
	smtpd_opts.transcript_fd = fd;
}

/* Lock the pidfile (another daemon holds it: exit 75). */
static int
lock_pidfile(void)
{
	int fd = open(smtpd_opts.pidfile, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0) {
		fprintf(stderr, "smtpserver: pidfile %s: %s\n", smtpd_opts.pidfile,
		    strerror(errno));
		exit(EX_CONFIG_);
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		fprintf(stderr, "smtpserver: pidfile %s is locked: another smtpserver runs\n",
		    smtpd_opts.pidfile);
		exit(EX_TEMPFAIL_);
	}
	return fd;
}

static void
write_pidfile(int fd)
{
	char pid[32];
	int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n)
		fprintf(stderr, "smtpserver: cannot write pidfile %s\n",
		    smtpd_opts.pidfile);
}

static void
daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		exit(EX_OSERR_);
	if (pid > 0)
		_exit(0);
	setsid();
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

int
main(int argc, char **argv)
{
	int pidfd, rc;

	load_config(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	/* Only hosts.allow/deny may set these for a session. */
	unsetenv("OPTREJECT");
	unsetenv("OPTMSG");
	if (smtpd_opts.debug)
		setenv("ZM_LOG_STDERR", "1", 1);
	log_init("smtpserver", LOG_MAIL, smtpd_opts.debug ? LOG_TO_STDERR : 0);
#ifdef ZM_NO_LIBWRAP
	log_msg(LOG_WARNING, "event=start gate=compiled-out (built with NOWRAP=1: no TCP Wrappers)");
#endif
	open_transcript();

	if (smtpd_opts.interactive) {
		drop_privileges();
		sess_run(0, 1, NULL, 0, smtpd_opts.test_ip != NULL);
		return 0;
	}
	if (lsn_open() < 0)
		return EX_OSERR_;
	pidfd = smtpd_pidfd = lock_pidfile();
	if (!smtpd_opts.debug)
		daemonize();
	write_pidfile(pidfd);
	drop_privileges();
	rc = lsn_serve();
	if (ftruncate(pidfd, 0) < 0 || unlink(smtpd_opts.pidfile) < 0) {
		/* best effort after dropping privileges */
	}
	return rc;
}
