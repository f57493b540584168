/*
 * listen.c - the daemon parent; see listen.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "listen.h"
#include "log.h"
#include "smtpd.h"
#include "spool.h"

struct child {
	pid_t pid;
	int   session;                 /* 1 session, 0 a 421 refuser */
	char  key[ADDR_TEXT_MAX + 4];  /* client address, IPv6 per /64 */
};

static int lsn_fds[LSN_SOCKETS_MAX];
static int lsn_n;
static struct child children[LSN_CHILDREN_MAX];
static size_t nchildren;
static long nsessions;
static long nrefusers;                 /* live 421 answerers */

static volatile sig_atomic_t got_chld, got_hup, got_term;

/* accept() out of descriptors or memory: a pause, not a busy loop. */
static long accept_paused_until;   /* monotonic ms; 0: accepting */
static long accept_failures;       /* in the current streak */

static void on_chld(int sig) { (void)sig; got_chld = 1; }
static void on_hup(int sig)  { (void)sig; got_hup = 1; }
static void on_term(int sig) { (void)sig; got_term = 1; }

int
lsn_count(void)
{
	return lsn_n;
}

static int
lsn_bind_one(const struct addrinfo *ai)
{
	int fd, on = 1;

	if (lsn_n >= LSN_SOCKETS_MAX)
		return -1;
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	/* IPv4 clients arrive on the IPv4 socket as plain dotted quads. */
	if (ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
	    listen(fd, (int)smtpd_opts.backlog) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	lsn_fds[lsn_n++] = fd;
	return 0;
}

static int
lsn_open_addr(const char *host)
{
	struct addrinfo hints, *res, *ai;
	int rc, bound = 0;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = smtpd_opts.family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV | (host ? AI_NUMERICHOST : 0);
	if ((rc = getaddrinfo(host, smtpd_opts.port, &hints, &res)) != 0) {
		fprintf(stderr, "smtpserver: listen address %s port %s: %s\n",
		    host ? host : "*", smtpd_opts.port, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		if (lsn_bind_one(ai) < 0) {
			char h[NI_MAXHOST] = "?";

			getnameinfo(ai->ai_addr, ai->ai_addrlen, h, sizeof h,
			    NULL, 0, NI_NUMERICHOST);
			/* Without -a, a missing IPv6 stack is not fatal. */
			if (host == NULL && ai->ai_family == AF_INET6 &&
			    errno == EAFNOSUPPORT)
				continue;
			fprintf(stderr, "smtpserver: cannot listen on [%s]:%s: %s\n",
			    h, smtpd_opts.port, strerror(errno));
			freeaddrinfo(res);
			return -1;
		}
		bound++;
	}
	freeaddrinfo(res);
	return bound > 0 ? 0 : -1;
}

int
lsn_open(void)
{
	size_t i;

	if (smtpd_opts.nlisten == 0)
		return lsn_open_addr(NULL);
	for (i = 0; i < smtpd_opts.nlisten; i++)
		if (lsn_open_addr(smtpd_opts.listen[i]) < 0)
			return -1;
	return 0;
}

static long
lsn_same_key(const char *key)
{
	size_t i;
	long n = 0;

	for (i = 0; i < nchildren; i++)
		if (children[i].session && strcmp(children[i].key, key) == 0)
			n++;
	return n;
}

/* A session that did not end by itself may have left its spool file. */
static void
lsn_session_died(pid_t pid, int status)
{
	int n;

	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	n = spool_cleanup(smtpd_opts.postoffice, pid);
	if (n < 0)
		log_msg(LOG_ERR, "pid=%ld event=cleanup %s=%d result=fail error=\"%s\"",
		    (long)pid, WIFSIGNALED(status) ? "signal" : "exit",
		    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
		    strerror(errno));
	else
		log_msg(LOG_WARNING, "pid=%ld event=cleanup %s=%d removed=%d",
		    (long)pid, WIFSIGNALED(status) ? "signal" : "exit",
		    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), n);
}

static void
lsn_reap(void)
{
	pid_t pid;
	size_t i;
	int status;

	got_chld = 0;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < nchildren; i++) {
			if (children[i].pid != pid)
				continue;
			if (children[i].session) {
				nsessions--;
				lsn_session_died(pid, status);
			} else
				nrefusers--;
			children[i] = children[--nchildren];
			break;
		}
	}
}

static void
lsn_reload(void)
{
	struct smtpconf c;
	char err[PATH_TEXT_MAX + 128];

	got_hup = 0;
	if (conf_load(&c, smtpd_opts.conffile, err, sizeof err) < 0) {
		log_msg(LOG_ERR, "event=reload result=fail error=\"%s\" (old configuration kept)",
		    err);
		return;
	}
	conf_free(&smtpd_conf);
	smtpd_conf = c;
	log_msg(LOG_INFO, "event=reload result=ok conf=%s patterns=%zu",
	    smtpd_opts.conffile, smtpd_conf.npat);
}

/* What every child does first: drop the parent's sockets and handlers. */
static void
lsn_child_setup(void)
{
	int i;

	for (i = 0; i < lsn_n; i++)
		close(lsn_fds[i]);
	/* The pidfile lock must die with the parent, not with a session. */
	if (smtpd_pidfd >= 0)
		close(smtpd_pidfd);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
}

/* Room for one more 421 answerer (else the connection is just closed). */
static int
lsn_can_refuse(void)
{
	return nchildren < LSN_CHILDREN_MAX && nrefusers < LSN_REFUSERS_MAX;
}

/* A child that only writes one reply line and exits; the caller checked
 * lsn_can_refuse(). */
static void
lsn_refuse(int fd, const char *key, const char *reply)
{
	pid_t pid;

	if (!lsn_can_refuse()) {
		close(fd);     /* never an untracked child */
		return;
	}
	pid = fork();
	if (pid == 0) {
		lsn_child_setup();
		/* ps and /proc tell it from a session */
		prctl(PR_SET_NAME, "smtpserver-421", 0, 0, 0);
		if (write(fd, reply, strlen(reply)) < 0) {
			/* the client is gone: nothing to do */
		}
		shutdown(fd, SHUT_WR);
		_exit(0);
	}
	close(fd);
	if (pid > 0) {
		children[nchildren].pid = pid;
		children[nchildren].session = 0;
		snprintf(children[nchildren].key, sizeof children[0].key, "%s", key);
		nchildren++;
		nrefusers++;
	} else
		log_msg(LOG_ERR, "client=[%s] event=fork result=fail error=\"%s\"",
		    key, strerror(errno));
}

static long
lsn_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The pending connection stays in the listen queue while the parent has
 * no descriptor (EMFILE, ENFILE) or memory (ENOBUFS, ENOMEM) to take it:
 * poll() would report it again at once, so stop polling the listeners for
 * SMTP_ACCEPT_PAUSE_MS.  One log line when a streak starts, one when
 * accept() works again.
 */
static void
lsn_accept_failed(int e)
{
	if (e != EMFILE && e != ENFILE && e != ENOBUFS && e != ENOMEM)
		return;      /* ECONNABORTED, EINTR, EAGAIN ...: nothing to wait for */
	if (accept_failures++ == 0)
		log_msg(LOG_ERR, "event=accept result=fail error=\"%s\" action=pause pause_ms=%d",
		    strerror(e), SMTP_ACCEPT_PAUSE_MS);
	accept_paused_until = lsn_now_ms() + SMTP_ACCEPT_PAUSE_MS;
}

static void
lsn_accept(int lfd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char key[ADDR_TEXT_MAX + 4], reply[400];
	pid_t pid;
	int fd, polite;

	fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
	if (fd < 0) {
		lsn_accept_failed(errno);
		return;
	}
	if (accept_failures > 0) {
		log_msg(LOG_NOTICE, "event=accept result=resumed failures=%ld",
		    accept_failures);
		accept_failures = 0;
	}
	if (got_chld)
		lsn_reap();
	addr_client_key((struct sockaddr *)&ss, key, sizeof key);
	if ((smtpd_opts.maxsess > 0 && nsessions >= smtpd_opts.maxsess) ||
	    nchildren >= LSN_CHILDREN_MAX) {
		polite = smtpd_opts.excess421 && lsn_can_refuse();
		log_msg(LOG_NOTICE, "client=[%s] event=refuse rule=maxsessions sessions=%ld limit=%ld action=%s",
		    key, nsessions, smtpd_opts.maxsess, polite ? "421" : "close");
		if (polite) {
			snprintf(reply, sizeof reply,
			    "421 4.3.2 %s too many connections, try again later\r\n",
			    smtpd_hostname);
			lsn_refuse(fd, key, reply);
		} else
			close(fd);
		return;
	}
	if (smtpd_conf.maxsameip > 0 && lsn_same_key(key) >= smtpd_conf.maxsameip) {
		log_msg(LOG_NOTICE, "client=[%s] event=refuse rule=MaxSameIpSource limit=%ld action=%s",
		    key, smtpd_conf.maxsameip, lsn_can_refuse() ? "421" : "close");
		snprintf(reply, sizeof reply,
		    "421 4.7.0 %s too many connections from your address, try again later\r\n",
		    smtpd_hostname);
		/* lsn_refuse() only forks while there is room (else: close). */
		lsn_refuse(fd, key, reply);
		return;
	}
	pid = fork();
	if (pid < 0) {
		log_msg(LOG_ERR, "client=[%s] event=fork result=fail error=\"%s\"",
		    key, strerror(errno));
		close(fd);
		return;
	}
	if (pid == 0) {
		lsn_child_setup();
		sess_run(fd, fd, (struct sockaddr *)&ss, sl, 0);
		_exit(0);
	}
	close(fd);
	children[nchildren].pid = pid;
	children[nchildren].session = 1;
	snprintf(children[nchildren].key, sizeof children[0].key, "%s", key);
	nchildren++;
	nsessions++;
}

static void
lsn_drain(void)
{
	long end = time(NULL) + smtpd_conf.drain_timeout;
	size_t i;
	int k;

	for (k = 0; k < lsn_n; k++)
		close(lsn_fds[k]);
	lsn_n = 0;
	log_msg(LOG_INFO, "event=shutdown sessions=%ld drain=%ld", nsessions,
	    smtpd_conf.drain_timeout);
	while (nchildren > 0 && time(NULL) < end) {
		lsn_reap();
		if (nchildren > 0)
			usleep(100000);
	}
	for (i = 0; i < nchildren; i++)
		kill(children[i].pid, SIGTERM);
	for (k = 0; k < 20 && nchildren > 0; k++) {
		lsn_reap();
		if (nchildren > 0)
			usleep(100000);
	}
	for (i = 0; i < nchildren; i++)
		kill(children[i].pid, SIGKILL);
	/* SIGKILL is not instant either: reap (and clean up after) them. */
	for (k = 0; k < 20 && nchildren > 0; k++) {
		lsn_reap();
		if (nchildren > 0)
			usleep(100000);
	}
}

int
lsn_serve(void)
{
	struct pollfd pfd[LSN_SOCKETS_MAX];
	struct sigaction sa;
	int i, rc;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_chld;
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_flags = 0;
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	log_msg(LOG_INFO, "event=start version=\"%s\" port=%s sockets=%d maxsessions=%ld backlog=%ld",
	    SMTPD_VERSION, smtpd_opts.port, lsn_n, smtpd_opts.maxsess,
	    smtpd_opts.backlog);
	while (!got_term) {
		if (got_hup)
			lsn_reload();
		if (got_chld)
			lsn_reap();
		if (accept_paused_until != 0) {
			long left = accept_paused_until - lsn_now_ms();

			if (left > 0) {
				poll(NULL, 0, (int)left);   /* a signal ends it early */
				continue;
			}
			accept_paused_until = 0;
		}
		for (i = 0; i < lsn_n; i++) {
			pfd[i].fd = lsn_fds[i];
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		rc = poll(pfd, (nfds_t)lsn_n, 1000);
		if (rc <= 0)
			continue;
		for (i = 0; i < lsn_n && !got_term; i++)
			if (pfd[i].revents & POLLIN)
				lsn_accept(pfd[i].fd);
	}
	lsn_drain();
	log_msg(LOG_INFO, "event=stop");
	return 0;
}
