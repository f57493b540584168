/*
 * main.c - router: the zmsh interpreter's command line.
 *
 *   router -I smtpserver [-Z conf]   serve smtpserver (docs/wire.md)
 *   router -i [-f FILE] [-Z conf]    interactive shell over the scripts
 *   router -n [-v] FILE...           syntax check (-v: print the tree)
 *   router -f FILE [ARG...]          run FILE instead of router.cf
 *
 * Without -f the router loads $MAILSHARE/router.cf after reading
 * zmailer.conf (-Z, else $ZCONFIG, else /etc/zmailer.conf), whose
 * variables become script variables.  Exit: 64 usage, 78 configuration
 * or load error, else the script's status.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileperm.h"
#include "interp.h"
#include "log.h"
#include "wire.h"
#include "zconf.h"

extern char **environ;

/*
 * The interpreter, and the script path when it was built here: kept
 * reachable until exit (volatile: the stores must stay) so that the paths
 * that return early, and a -I smtpserver router, which exits without
 * freeing its scripts, leave nothing a leak checker would count.
 */
static struct interp *volatile the_interp;
static char *volatile owned_file;

static void
usage(void)
{
	fprintf(stderr, "usage: router -I smtpserver [-Z conf]\n"
	    "       router -i [-f file] [-Z conf]\n"
	    "       router -n [-v] file...\n"
	    "       router -f file [-Z conf] [arg...]\n");
	exit(64);
}

/* Read path ("-": stdin) whole; err gets "path: reason" on failure. */
static int
read_all(const char *path, struct buf *b, char *err, size_t errsz)
{
	FILE *f = stdin;
	char tmp[8192];
	struct stat st;
	size_t n;

	if (strcmp(path, "-") != 0) {
		/* the same trust check as when the router loads it */
		int fd = fileperm_open(path, O_RDONLY, &st, err, errsz);

		if (fd < 0)
			return -1;
		if ((f = fdopen(fd, "r")) == NULL) {
			snprintf(err, errsz, "%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
	}
	snprintf(err, errsz, "%s: larger than %ld bytes", path,
	    (long)ZMSH_SCRIPT_MAX);
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		if (buf_append(b, tmp, n) < 0) {
			if (f != stdin)
				fclose(f);
			return -1;
		}
	if (ferror(f)) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		if (f != stdin)
			fclose(f);
		return -1;
	}
	if (f != stdin)
		fclose(f);
	return 0;
}

static int
check_files(int argc, char **argv, int dump)
{
	int i, bad = 0;

	for (i = 0; i < argc; i++) {
		struct buf b;
		char err[1024];
		struct unit *u;

		buf_init(&b, ZMSH_SCRIPT_MAX);
		if (read_all(argv[i], &b, err, sizeof err) < 0) {
			fprintf(stderr, "%s\n", err);
			buf_free(&b);
			bad = 1;
			continue;
		}
		u = parse_unit(argv[i], b.data ? b.data : "", b.len, 1, err,
		    sizeof(err));
		buf_free(&b);
		if (u == NULL) {
			fprintf(stderr, "%s\n", err);
			bad = 1;
			continue;
		}
		if (dump) {
			struct buf out;
			buf_init(&out, 64L * 1024 * 1024);
			ast_dump(&out, u->root, 0);
			fwrite(out.data ? out.data : "", 1, out.len, stdout);
			buf_free(&out);
		}
		unit_unref(u);
	}
	return bad;
}

struct loadarg {
	const char *path;
	int      status;
	int      notfound;
};

static void
load_script(struct interp *in, void *arg)
{
	struct loadarg *la = arg;

	la->notfound = eval_file(in, la->path, &la->status);
}

static int
load_conf(struct interp *in, const char *override, int required)
{
	const char *path = zconf_path(override);
	struct zconf *zc;
	char err[512];
	size_t i;

	if (!required && override == NULL && getenv("ZCONFIG") == NULL &&
	    access(path, F_OK) != 0)
		return 0;
	if (zconf_load(&zc, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "router: %s\n", err);
		log_msg(LOG_ERR, "%s", err);
		return -1;
	}
	for (i = 0; i < zconf_count(zc); i++) {
		const char *n, *v;
		zconf_entry(zc, i, &n, &v);
		var_set_global(in, n, v, 0);
	}
	if (var_get(in, "ZCONFIG") == NULL)
		var_set_global(in, "ZCONFIG", path, 0);
	zconf_free(zc);
	return 0;
}

struct lineargs {
	struct unit *u;
};

static void
run_unit(struct interp *in, void *arg)
{
	struct lineargs *la = arg;

	eval_unit(in, la->u);
}

static int
interactive(struct interp *in)
{
	struct buf text, line;
	int tty = isatty(0);

	buf_init(&text, ZMSH_SCRIPT_MAX);
	buf_init(&line, ZMSH_LINE_MAX);
	for (;;) {
		int r, incomplete;
		char err[1024];
		struct unit *u;
		struct lineargs la;

		if (tty)
			fputs(text.len ? "> " : "z$ ", stderr);
		in->fd[0].kind = VF_REAL;
		in->fd[0].fd = 0;
		r = io_readline(in, 0, &line);
		if (r == 0)
			break;
		if (r < 0 || buf_append(&text, line.data ? line.data : "",
		    line.len) < 0 || buf_putc(&text, '\n') < 0) {
			fprintf(stderr, "router: line too long\n");
			buf_reset(&text);
			continue;
		}
		u = parse_unit_partial("stdin", text.data, text.len, err,
		    sizeof(err), &incomplete);
		if (u == NULL) {
			if (incomplete)
				continue;
			fprintf(stderr, "%s\n", err);
			buf_reset(&text);
			continue;
		}
		buf_reset(&text);
		la.u = u;
		interp_reset_request(in);
		if (interp_protect(in, run_unit, &la) < 0)
			fprintf(stderr, "%s\n", in->err);
		io_flush_log(in);
		if (in->ctl == CTL_EXIT)
			break;
	}
	buf_free(&text);
	buf_free(&line);
	return in->ctl == CTL_EXIT ? in->exit_status : in->status;
}

int
main(int argc, char **argv)
{
	const char *conf = NULL, *file = NULL, *mode = NULL;
	int c, opt_i = 0, opt_n = 0, opt_v = 0, st;
	struct interp *in;
	struct loadarg la;
	char err[512];

	while ((c = getopt(argc, argv, "+I:if:nvZ:")) != -1) {
		switch (c) {
		case 'I':
			mode = optarg;
			break;
		case 'i':
			opt_i = 1;
			break;
		case 'f':
			file = optarg;
			break;
		case 'n':
			opt_n = 1;
			break;
		case 'v':
			opt_v = 1;
			break;
		case 'Z':
			conf = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (opt_n) {
		if (argc == 0)
			usage();
		return check_files(argc, argv, opt_v);
	}
	if (mode != NULL && strcmp(mode, "smtpserver") != 0) {
		fprintf(stderr, "router: -I %s: only 'smtpserver' is supported\n",
		    mode);
		return 64;
	}
	if (mode == NULL && !opt_i && file == NULL)
		usage();
	log_init("router", LOG_MAIL, mode != NULL ? 0 : LOG_TO_STDERR);
	in = the_interp = xcalloc(1, sizeof(*in));
	interp_init(in, environ);
	in->wire = mode != NULL;
	in->opt_i = opt_i || mode != NULL;
	if (load_conf(in, conf, file == NULL) < 0)
		return 78;
	if (file == NULL) {
		const char *share = var_str(in, "MAILSHARE");
		size_t l;
		char *p;

		if (share == NULL || *share == '\0') {
			fprintf(stderr, "router: %s: MAILSHARE is not set\n",
			    zconf_path(conf));
			log_msg(LOG_ERR, "%s: MAILSHARE is not set", zconf_path(conf));
			return 78;
		}
		l = strlen(share);
		p = xmalloc(l + 12);
		memcpy(p, share, l);
		memcpy(p + l, "/router.cf", 11);
		file = owned_file = p;
	} else {
		if (strchr(file, '/') == NULL) {
			size_t l = strlen(file);
			char *p = xmalloc(l + 3);
			memcpy(p, "./", 2);
			memcpy(p + 2, file, l + 1);
			file = owned_file = p;
		}
		in->arg0 = file;
		if (argc > 0) {
			struct val **pv = xcalloc((size_t)argc, sizeof(*pv));
			int i;
			for (i = 0; i < argc; i++)
				pv[i] = val_cstr(in, argv[i]);
			pos_set(in, argc, pv);
			free(pv);
		}
	}
	if (mode != NULL) {
		/* nothing reaches smtpserver before the first request */
		in->fd[1].kind = VF_LOG;
		in->fd[0].nullprog = 1;
	}
	memset(&la, 0, sizeof(la));
	la.path = file;
	if (interp_protect(in, load_script, &la) < 0) {
		io_flush_log(in);
		if (mode != NULL)
			log_msg(LOG_ERR, "%s", in->err);
		else
			fprintf(stderr, "%s\n", in->err);
		return mode != NULL || opt_i ? 78 : 2;
	}
	io_flush_log(in);
	if (la.notfound) {
		fprintf(stderr, "router: %s\n", in->err);
		log_msg(LOG_ERR, "%s", in->err);
		return 78;
	}
	if (bi_is_module_missing(in, err, sizeof(err))) {
		fprintf(stderr, "router: %s: %s\n", file, err);
		log_msg(LOG_ERR, "%s: %s", file, err);
		return 78;
	}
	st = la.status;
	if (in->ctl == CTL_EXIT) {
		st = in->exit_status;
		if (mode == NULL && !opt_i)
			return st;
		in->ctl = CTL_NONE;
	}
	if (mode != NULL) {
		in->fd[1].kind = VF_REAL;
		in->fd[1].fd = 1;
		st = wire_serve(in);
		/*
		 * The session is over and the process exits: freeing every
		 * script, relation and regex one by one would only cost time
		 * (a tenth of a router's instructions); the_interp keeps it
		 * reachable.
		 */
		fflush(stdout);
		return st;
	} else if (opt_i)
		st = interactive(in);
	fflush(stdout);
	interp_free(in);
	free(in);
	the_interp = NULL;
	free(owned_file);
	owned_file = NULL;
	return st;
}
