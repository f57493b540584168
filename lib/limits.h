/*
 * limits.h - every named limit of the project, in one place.
 *
 * Each input the programs read has a ceiling here.  Code compares against
 * these names, never against bare numbers, so that docs/security.md and
 * the code cannot disagree.  Module-specific limits live in the module's
 * own section below; add new ones here, not in .c files.
 */
#ifndef ZM_LIMITS_H
#define ZM_LIMITS_H

/* ---- shared ---------------------------------------------------------- */
#define ZCONF_LINE_MAX       4096   /* one line of zmailer.conf */
#define ZCONF_VARS_MAX       512    /* variables in zmailer.conf */
#define PATH_TEXT_MAX        1024   /* a path taken from configuration */
#define LOG_LINE_MAX         2048   /* one log line, after escaping */
#define LOG_TEXT_MAX         256    /* untrusted text quoted into a log line */
#define DNS_TIMEOUT_DEFAULT  5      /* seconds per resolver attempt */

/* ---- smtpserver ------------------------------------------------------ */
#define SMTP_CMD_RFC_MAX     512    /* RFC 5321 command line */
#define SMTP_CMD_MAX         2048   /* what we accept; longer: 500 5.5.2 */
#define SMTP_TEXT_LINE_MAX   1000   /* 998 + CRLF in DATA */
#define SMTP_RCPT_DEFAULT    100    /* recipients per message */
#define SMTP_ERRORS_MAX      10     /* bad commands before 421 */
#define SMTP_CMD_TIMEOUT     300    /* seconds waiting for a command */
#define SMTP_DATA_TIMEOUT    180    /* seconds waiting for a data block */
#define SMTP_HELO_MAX        255    /* HELO/EHLO argument */
#define SMTP_ADDR_MAX        512    /* a path inside <...> */
#define SMTPCONF_LINE_MAX    1024   /* a line of smtpserver.conf */
#define SMTPCONF_PATTERNS_MAX 1000  /* HELO pattern lines */
#define SMTP_LISTEN_MAX      16     /* -a listen addresses */
#define SMTP_CHILDREN_MAX    4096   /* live children the parent tracks (-m ceiling) */
#define SMTP_ACCEPT_PAUSE_MS 1000   /* accept() out of descriptors/memory: stop accepting this long */
#define SMTP_PARAMS_MAX      8      /* ESMTP parameters on one MAIL/RCPT */
#define SMTP_FLAGS_MAX       16     /* letters in a flags field (-s, smtpserver.conf) */
#define SMTP_REPLY_BUF_MAX   65536  /* replies queued for the client */
#define SMTP_RTR_LINE_MAX    512    /* one router reply line, as smtpserver reads it */
#define SMTP_RTR_FAILURES_MAX 3     /* router failures in a session before 421 */
#define SMTP_REFUSERS_MAX    64     /* live 421-answering children (-M, MaxSameIpSource) */
#define SMTP_LINGER_MS       2000   /* after the last reply: read leftover input, ms */
#define SMTP_LINGER_MAX      (1024L * 1024) /* ... and at most this many bytes */

/* ---- router wire protocol -------------------------------------------- */
#define WIRE_REQUEST_MAX     4096   /* one request line */
#define WIRE_ARGS_MAX        16     /* arguments in one request */
#define WIRE_REPLY_MAX       8192   /* one whole reply */
#define WIRE_REPLY_LINES_MAX 32     /* lines in one reply */
#define WIRE_TIMEOUT_DEFAULT 30     /* seconds, PARAM router-timeout */

/* ---- router relations (router/rel*.c) -------------------------------- */
#define REL_NAME_MAX         64     /* a relation's name */
#define REL_LINE_MAX         4096   /* one line of a relation text file */
#define REL_KEY_MAX          1024   /* a key, in a file or looked up */
#define REL_VALUE_MAX        2048   /* a value, in a file or returned */
#define REL_FILE_MAX         (1024L * 1024 * 1024) /* ordered/lmdb file (mapped) */
#define REL_LOAD_MAX         (256L * 1024 * 1024)  /* unordered/cidr file (loaded) */
#define REL_ENTRIES_MAX      (16L * 1024 * 1024)   /* entries of a loaded file */
#define REL_INCORE_MAX       100000 /* entries of an incore relation */
#define REL_REPORT_MAX       20     /* bad lines logged per load (then a count) */
#define REL_CACHE_DEFAULT    16     /* -s default: cached lookups */
#define REL_CACHE_MAX        4096   /* -s ceiling */
#define REL_TTL_MAX          604800 /* -e ceiling, seconds */
#define REL_DEFER_MAX        256    /* the $defer text of one relation */
#define REL_DNS_ANSWER_MAX   4096   /* one DNS answer, bytes */
#define REL_DNS_TIMEOUT      3      /* seconds per try of a bind lookup */
#define REL_DNS_TRIES        2      /* tries of a bind lookup */
#define REL_OUT_MAX          (64L * 1024 * 1024) /* `db print` output */

/* ---- router: the zmsh interpreter (router/, not rel*) --------------- */
#define ZMSH_SCRIPT_MAX      (4L * 1024 * 1024) /* one script file or eval text */
#define ZMSH_TOKEN_MAX       65536  /* one word as written in a script */
#define ZMSH_NEST_MAX        200    /* syntactic nesting of one script */
#define ZMSH_EVAL_DEPTH_MAX  2000   /* nested evaluation (C stack guard) */
#define ZMSH_CALL_DEPTH_MAX  200    /* function calls in progress */
#define ZMSH_LIST_MAX        100000 /* members of one list */
#define ZMSH_VALUE_MAX       (1024L * 1024) /* one string value */
#define ZMSH_SUBST_MAX       (1024L * 1024) /* output of one $(...) */
#define ZMSH_SUBJECT_MAX     65536  /* subject of one ssift/tsift test */
#define ZMSH_SIFT_TESTS_MAX  9999   /* pattern tests of one sift statement */
#define ZMSH_TSIFT_STEPS_MAX 1000000 /* backtracking steps of one tsift test */
#define ZMSH_REGEX_MAX       1024   /* one ssift pattern, bytes */
#define ZMSH_REGEX_COST_MAX  2000   /* ssift pattern size, repetitions expanded */
#define ZMSH_TOKENS_MAX      4096   /* RFC 822 tokens of one tsift subject */
#define ZMSH_ARENA_MAX       (64L * 1024 * 1024) /* temporaries of one request */
#define ZMSH_HEAP_MAX        (256L * 1024 * 1024) /* text held by variables */
#define ZMSH_STEPS_MAX       1000000L  /* commands run by one request */
#define ZMSH_CPU_MAX         10     /* seconds of CPU time of one request */
#define ZMSH_ARGS_MAX        10000  /* words of one command after expansion */
#define ZMSH_VARS_MAX        100000 /* variables of one router */
#define ZMSH_FUNCS_MAX       10000  /* functions of one router */
#define ZMSH_RELS_MAX        1000   /* relations of one router */
#define ZMSH_FDS_MAX         10     /* redirectable descriptors 0..9 */
#define ZMSH_LINE_MAX        65536  /* a line for `read` or `router -i` */
#define ZMSH_PROG_TIME_DEFAULT 30   /* seconds a program may run ($PROGRAM_TIMEOUT) */
#define ZMSH_PROG_TIME_MAX   3600   /* ceiling of $PROGRAM_TIMEOUT */
#define ZMSH_PROG_OUT_MAX    (1024L * 1024) /* captured output of one program */
#define ZMSH_PROG_ARGS_MAX   (256L * 1024) /* bytes of argv+envp of one program */
#define ZMSH_MODULES_MAX     1000   /* provide/require names */

/* ---- cks/nscheck ---------------------------------------------------- */
#define NSC_TIMEOUT_DEFAULT  10     /* -t default: seconds for the whole run */
#define NSC_TIMEOUT_MAX      300    /* -t ceiling */
#define NSC_ANSWER_MAX       65536  /* one DNS answer, bytes (TCP's own ceiling) */
#define NSC_NS_MAX           64     /* nameservers of one zone; more: cannot tell */
#define NSC_ADDRS_MAX        64     /* addresses of one nameserver; more: cannot tell */
#define NSC_WALK_MAX         128    /* names asked for NS walking up to the zone */
#define NSC_CNAME_MAX        8      /* CNAME links followed inside one answer */
#define NSC_TABLE_PATH_MAX   PATH_TEXT_MAX /* -a/-D/$TCPWRAP_* path */
#define NSC_CACHE_TTL_MAX    300    /* -c: seconds a cached verdict lives at most */
#define NSC_CACHE_MAP        (16L * 1024 * 1024) /* -c: cache file size; full: emptied */
#define NSC_CACHE_REC_MAX    2048   /* -c: one cached record, bytes */
#define DNSMSG_NAME_WIRE_MAX 255    /* a domain name in wire form (RFC 1035) */
#define DNSMSG_LABEL_MAX     63     /* one label */
#define DNSMSG_PTR_MAX       128    /* compression pointers followed in one name */
#define DNSMSG_NAME_TEXT_MAX (DNSMSG_NAME_WIRE_MAX * 4 + 2) /* text form: every octet \DDD */

#endif
