/*
 * flushot - keep the spam-trap records of POLICY.md section 4.
 *
 *   flushot [-Z zmailer.conf] [-f FILE] list
 *   flushot ... add ORIGIN [CLIENT-IP] HELO TRAP-ADDRESS   (the router's)
 *   flushot ... check ORIGIN        prints the trap time; exit 0/1
 *   flushot ... clear ORIGIN        forget every trap record of ORIGIN
 *   flushot ... ban ORIGIN [-b BADSENDERS]   clear, then list it in badsenders
 *   flushot ... rebuild             rebuild FILE.lmdb from FILE
 *
 * FILE defaults to $MAILVAR/db/relay/flushots (zmailer.conf).  Exit: 0
 * done (check: trapped), 1 check: not trapped / clear: nothing to clear,
 * 64 usage, 75 temporary failure (lock, I/O), 78 configuration.
 * Every change happens under the store lock (store.h), so it is safe
 * while smtpserver runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "store.h"
#include "zconf.h"

#define EX_OK_      0
#define EX_NOTFOUND 1
#define EX_USAGE_   64
#define EX_TEMP     75
#define EX_CONFIG   78

static void
usage(void)
{
	fputs("usage: flushot [-Z zmailer.conf] [-f file] list | check ADDR |"
	    " add ORIGIN [IP] HELO TRAP | clear ADDR | ban ADDR [-b badsenders] |"
	    " rebuild\n", stderr);
	exit(EX_USAGE_);
}

static int
cmd_list(struct fstore *fs)
{
	char line[FLUSHOT_LINE_MAX + 2];
	FILE *in;
	int fd;

	if ((fd = dup(fs->fd)) < 0 || lseek(fd, 0, SEEK_SET) < 0 ||
	    (in = fdopen(fd, "r")) == NULL) {
		fprintf(stderr, "flushot: %s: %s\n", fs->path, strerror(errno));
		return EX_TEMP;
	}
	while (fgets(line, sizeof line, in) != NULL)
		if (line[0] != '#' && line[0] != '\n')
			fputs(line, stdout);
	fclose(in);
	return EX_OK_;
}

/* Append "addr<TAB>comment" to the badsenders list, one write. */
static int
append_badsender(const char *path, const char *addr)
{
	struct buf b;
	char date[32];
	time_t now = time(NULL);
	struct tm tm;
	int fd;
	ssize_t n;

	if (localtime_r(&now, &tm) == NULL ||
	    strftime(date, sizeof date, "%Y-%m-%d", &tm) == 0)
		snprintf(date, sizeof date, "%lld", (long long)now);
	buf_init(&b, FLUSHOT_LINE_MAX);
	if (buf_printf(&b, "%s\tbanned-from-flushots %s\n", addr, date) < 0)
		return -1;
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)) < 0) {
		fprintf(stderr, "flushot: %s: %s\n", path, strerror(errno));
		buf_free(&b);
		return -1;
	}
	n = write(fd, b.data, b.len);
	if (n < 0 || (size_t)n != b.len || fsync(fd) < 0) {
		fprintf(stderr, "flushot: %s: write failed\n", path);
		close(fd);
		buf_free(&b);
		return -1;
	}
	close(fd);
	buf_free(&b);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *file = NULL, *zpath = NULL, *badsenders = NULL, *cmd;
	char err[1200], defpath[1100], badpath[1100];
	struct fstore fs;
	int c, rc;

	while ((c = getopt(argc, argv, "+Z:f:b:")) != -1) {
		switch (c) {
		case 'Z': zpath = optarg; break;
		case 'f': file = optarg; break;
		case 'b': badsenders = optarg; break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	cmd = argv[0];
	if (file == NULL) {
		struct zconf *zc;
		const char *mv, *zp = zconf_path(zpath);

		if (zconf_load(&zc, zp, err, sizeof err) < 0) {
			fprintf(stderr, "flushot: %s\n", err);
			return EX_CONFIG;
		}
		if ((mv = zconf_get(zc, "MAILVAR")) == NULL) {
			fprintf(stderr, "flushot: %s: MAILVAR is not set\n", zp);
			zconf_free(zc);
			return EX_CONFIG;
		}
		snprintf(defpath, sizeof defpath, "%s/db/relay/flushots", mv);
		zconf_free(zc);
		file = defpath;
	}

	if (strcmp(cmd, "check") == 0) {
		char when[64];

		if (argc != 2)
			usage();
		rc = fstore_check(file, argv[1], when, sizeof when, err, sizeof err);
		if (rc < 0) {
			fprintf(stderr, "flushot: %s\n", err);
			return EX_TEMP;
		}
		if (rc == 1)
			printf("%s\n", when);
		return rc == 1 ? EX_OK_ : EX_NOTFOUND;
	}
	if (strcmp(cmd, "list") && strcmp(cmd, "add") && strcmp(cmd, "clear") &&
	    strcmp(cmd, "ban") && strcmp(cmd, "rebuild"))
		usage();
	if ((strcmp(cmd, "list") == 0 || strcmp(cmd, "rebuild") == 0) && argc != 1)
		usage();
	if (strcmp(cmd, "ban") == 0 && argc == 4 && strcmp(argv[2], "-b") == 0) {
		badsenders = argv[3];
		argc = 2;
	}
	if ((strcmp(cmd, "clear") == 0 || strcmp(cmd, "ban") == 0) && argc != 2)
		usage();
	if (strcmp(cmd, "add") == 0 && argc != 4 && argc != 5)
		usage();

	if (fstore_lock(&fs, file, err, sizeof err) < 0) {
		fprintf(stderr, "flushot: %s\n", err);
		return EX_TEMP;
	}
	rc = EX_OK_;
	if (strcmp(cmd, "list") == 0) {
		rc = cmd_list(&fs);
	} else if (strcmp(cmd, "add") == 0) {
		const char *ip = argc == 5 ? argv[2] : "[unknown]";
		const char *helo = argv[argc - 2], *trap = argv[argc - 1];

		if (fstore_add(&fs, argv[1], ip, helo, trap, err, sizeof err) < 0) {
			fprintf(stderr, "flushot: %s\n", err);
			rc = EX_TEMP;
		}
	} else if (strcmp(cmd, "rebuild") == 0) {
		long n = 0;

		if (fstore_rebuild(&fs, &n, err, sizeof err) < 0) {
			fprintf(stderr, "flushot: %s\n", err);
			rc = EX_TEMP;
		} else
			printf("%ld records indexed\n", n);
	} else {
		long n = 0;

		if (!fstore_field_ok(argv[1])) {
			fprintf(stderr, "flushot: bad address\n");
			fstore_unlock(&fs);
			return EX_USAGE_;
		}
		if (fstore_clear(&fs, argv[1], &n, err, sizeof err) < 0) {
			fprintf(stderr, "flushot: %s\n", err);
			rc = EX_TEMP;
		} else {
			printf("%s: %ld record%s cleared\n", argv[1], n, n == 1 ? "" : "s");
			if (strcmp(cmd, "ban") == 0) {
				if (badsenders == NULL) {
					const char *slash = strrchr(file, '/');
					int dl = slash ? (int)(slash - file) : 1;

					snprintf(badpath, sizeof badpath, "%.*s/badsenders",
					    dl, slash ? file : ".");
					badsenders = badpath;
				}
				if (append_badsender(badsenders, argv[1]) < 0)
					rc = EX_TEMP;
				else
					printf("%s: added to %s\n", argv[1], badsenders);
			} else if (n == 0)
				rc = EX_NOTFOUND;
		}
	}
	fstore_unlock(&fs);
	return rc;
}
