/*
 * cmdparse.h - the pure parts of the SMTP command handlers (cmds.c): no
 * session, no I/O, so tests/fuzz/fuzz_smtpcmd.c can drive them alone.
 */
#ifndef SMTPD_CMDPARSE_H
#define SMTPD_CMDPARSE_H

#include <stddef.h>

#include "addr.h"

/*
 * Split a command line at its first space: the verb is line[0..*vlen),
 * the argument (returned) what follows that space, "" without one.
 */
const char *cmd_split(const char *line, size_t *vlen);

/*
 * The path of a MAIL ("FROM:") or RCPT ("TO:") argument: what follows
 * the keyword (case ignored), or NULL when the keyword is missing.
 */
const char *cmd_path_arg(const char *arg, int mail);

/* cmd_mail_params() results besides 0 (accepted). */
#define CMD_PARAM_ERROR   1     /* a syntax error: counts as a bad command */
#define CMD_PARAM_REFUSE  2     /* a refusal (552): does not */

/*
 * The ESMTP parameters of MAIL FROM: SIZE=n (at most maxsize) and
 * BODY=7BIT|8BITMIME, only after EHLO.  0 with *body8bit set; else the
 * reply to send in *reply.
 */
int cmd_mail_params(const struct addr_path *ap, int esmtp, long maxsize,
    int *body8bit, const char **reply);

/*
 * The rule a router reply names for the log, its last "[rule]": at most
 * 40 characters, anything but letters, digits, '-', '_', '.' made '_';
 * "router" when there is none.
 */
void cmd_rule(const char *text, char *rule, size_t rulesz);

#endif
