/*
 * listen.h - the daemon parent: listening sockets, the accept loop, the
 * session limits (-m, -M, MaxSameIpSource) and the signals.
 *
 * The parent never writes to a client and never blocks on one: over -m
 * it closes the new connection at once (or, with -M, forks a child that
 * answers 421 4.3.2); over MaxSameIpSource (IPv6 counted per /64) a child
 * answers 421 4.7.0.  Such a 421 answerer is named "smtpserver-421"
 * (prctl) and at most LSN_REFUSERS_MAX live at once; past that the
 * connection is closed without a word, as without -M.  SIGCHLD sets a flag; children are reaped with
 * waitpid(WNOHANG) in the loop.  SIGHUP re-reads smtpserver.conf for new
 * sessions; SIGTERM closes the listeners, waits for sessions at most
 * PARAM drain-timeout seconds, then terminates the rest.
 */
#ifndef SMTPD_LISTEN_H
#define SMTPD_LISTEN_H

#include "limits.h"

#define LSN_SOCKETS_MAX   (2 * LISTEN_ADDRS_MAX)
#define LSN_CHILDREN_MAX  SMTP_CHILDREN_MAX
#define LSN_REFUSERS_MAX  SMTP_REFUSERS_MAX

/* Bind every listening socket; 0, or -1 with a message on stderr. */
int lsn_open(void);
/* Fds of the listening sockets (for the caller to keep or close). */
int lsn_count(void);
/* The accept loop; returns the exit status of the daemon. */
int lsn_serve(void);

#endif
