/*
 * smtpd.h - what the smtpserver modules share: the daemon's options and
 * the per-session state.  One struct each, passed explicitly.
 *
 * Module prefixes: opt_ (main.c), lsn_ (listen.c), wrap_ (gate.c),
 * sess_ (session.c), cmd_ (cmds.c), sio_ (sio.c), rtr_ (rtrclient.c),
 * spool_ (spool.c), conf_ (conf.c), addr_ (addr.c), data_ (data.c),
 * rdns_ (rdns.c).
 */
#ifndef SMTPD_H
#define SMTPD_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "buf.h"
#include "conf.h"
#include "limits.h"
#include "rtrclient.h"
#include "sio.h"
#include "zconf.h"

#define SMTPD_VERSION     "zmailer-gw smtpserver 0.1"
#define LISTEN_ADDRS_MAX  SMTP_LISTEN_MAX
#define STYLE_MAX         CONF_FLAGS_MAX
#define ADDR_TEXT_MAX     64     /* a printable IP address */
#define SESSION_ID_MAX    24

/* Options (command line over SMTPOPTIONS) and what zmailer.conf gave. */
struct srvopts {
	const char *port;                 /* -p */
	int         family;               /* -4/-6: AF_INET/AF_INET6, else AF_UNSPEC */
	long        maxsess;              /* -m; 0 = no limit */
	int         excess421;            /* -M */
	long        backlog;              /* -L */
	char        style[STYLE_MAX + 1]; /* -s */
	const char *conffile;             /* -C */
	const char *postoffice;           /* -P or POSTOFFICE */
	const char *router;               /* -R or $MAILBIN/router */
	const char *transcript;           /* -l */
	int         interactive;          /* -i */
	const char *test_ip;              /* -T, without brackets */
	int         debug;                /* -d */
	int         gullible;             /* -g */
	const char *pidfile;              /* -I */
	const char *zconfig;              /* zmailer.conf in use */
	const char *listen[LISTEN_ADDRS_MAX];   /* -a */
	size_t      nlisten;
	const char *smtpuser;             /* SMTPUSER */
	const char *resolver;             /* RESOLVER */
	int         transcript_fd;        /* -1 none, -2 syslog */
};

/* The daemon-wide configuration, loaded once (re-read on SIGHUP). */
extern struct srvopts   smtpd_opts;
extern struct smtpconf  smtpd_conf;
extern struct zconf    *smtpd_zconf;
extern char             smtpd_hostname[256];
extern int              smtpd_pidfd;      /* children close it */

enum sess_state { ST_HELO, ST_MAIL, ST_RCPT, ST_QUIT };

/* Gate decision, as seen by the session. */
struct gate_result {
	int  allowed;        /* 1 allowed, 0 refused */
	int  optreject;      /* REJ_* from OPTREJECT */
	char optmsg[256];    /* OPTMSG, printable, maybe empty */
};
#define REJ_UNSET 0
#define REJ_PERM  1
#define REJ_TEMP  2
#define REJ_NONE  3

struct session {
	char            id[SESSION_ID_MAX];
	struct sio      io;
	int             network;          /* a real or -T client */
	int             testmode;         /* -T: nothing is spooled */
	char            ip[ADDR_TEXT_MAX];     /* "192.0.2.7", "2001:db8::1" */
	char            port[8];
	char            rhost[300];       /* reverse name or [ip] */
	char            style[STYLE_MAX + 1];  /* flags in force */
	enum sess_state state;
	int             esmtp;
	int             helo_seen;
	char            helo[SMTP_HELO_MAX + 1];
	char            helo_verb[5];     /* "HELO" or "EHLO" */
	struct gate_result gate;
	int             errors;           /* bad commands so far */
	long            deadline;         /* session end, monotonic seconds */
	/* transaction */
	int             have_from;
	char            from[SMTP_ADDR_MAX + 1];
	struct buf      rcpts;            /* "<addr>\n" per recipient */
	long            nrcpt;
	int             body8bit;
	/* router */
	struct rtr      router;
};

/* session.c */
void sess_run(int infd, int outfd, const struct sockaddr *peer,
    socklen_t peerlen, int testmode);
void sess_reply(struct session *s, const char *line);
void sess_replyf(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sess_transcript(struct session *s, char dir, const char *p, size_t n);
long sess_now(void);

/* cmds.c: one command line (without CRLF); returns 0, or -1 to end. */
int  cmd_dispatch(struct session *s, const char *line);
void cmd_reset(struct session *s);

/* gate.c */
void wrap_check(struct session *s, int fd);
void wrap_test(struct session *s);

/* rdns.c: reverse name of ip into out, or "[ip]" (bounded time). */
void rdns_lookup(const char *ip, char *out, size_t outsz);

#endif
