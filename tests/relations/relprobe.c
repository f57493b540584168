/*
 * relprobe - drive one relation from the command line, for tests.
 *
 *   relprobe RELATION-OPTIONS... NAME -- KEY...
 *   relprobe RELATION-OPTIONS... NAME --          (keys from stdin)
 *
 * Defines the relation exactly as the `relation` builtin would and looks
 * each key up, printing one line per key: "KEY<TAB>STATUS<TAB>TEXT" with
 * STATUS 0 (found, TEXT the value), 1 (not found) or 75 (could not tell,
 * TEXT the $defer reason).  A stdin line "db SUBCOMMAND [ARGS]" runs the
 * `db` builtin on the relation instead and prints "db<TAB>STATUS<TAB>ERROR",
 * its output, and a line ".".  stdout is flushed after every answer so a test
 * can talk to a long-lived process.  Exit 64 when the definition fails.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "limits.h"
#include "log.h"
#include "../../router/rel.h"

static struct rel *probe_rel;

static struct rel *
probe_find(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, rel_name(probe_rel)) == 0 ? probe_rel : NULL;
}

static void
probe_each(void *ctx, void (*fn)(struct rel *, void *), void *arg)
{
	(void)ctx;
	fn(probe_rel, arg);
}

static void
probe(const char *key, struct buf *val)
{
	int rc = rel_lookup(probe_rel, key, val);

	printf("%s\t%d\t%s\n", key, rc == REL_FOUND ? 0 : rc == REL_NOTFOUND ? 1 : 75,
	    rc == REL_FOUND ? buf_cstr(val) : rc == REL_DEFER ?
	    rel_defer_reason(probe_rel) : "");
	fflush(stdout);
}

static void
probe_db(char *line, struct buf *out)
{
	char *argv[8], *p, err[512];
	int argc = 0, st;

	for (p = strtok(line, " "); p && argc < 7; p = strtok(NULL, " "))
		argv[argc++] = p;
	argv[argc] = NULL;
	buf_reset(out);
	st = rel_db(argc, argv, out, err, sizeof err, probe_find, probe_each, NULL);
	printf("db\t%d\t%s\n%s", st, st ? err : "", buf_cstr(out));
	if (out->len && out->data[out->len - 1] != '\n')
		putchar('\n');
	printf(".\n");
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	char err[512], line[REL_KEY_MAX + 64];
	struct buf val, out;
	int i, sep = -1;

	log_init("relprobe", LOG_MAIL, LOG_TO_STDERR);
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			sep = i;
			break;
		}
	if (sep < 2) {
		fputs("usage: relprobe RELATION-OPTIONS... NAME -- [KEY...]\n", stderr);
		return 64;
	}
	argv[0] = "relation";
	argv[sep] = NULL;
	if (rel_define(sep, argv, &probe_rel, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return 64;
	}
	buf_init(&val, REL_VALUE_MAX + REL_KEY_MAX);
	buf_init(&out, REL_OUT_MAX);
	if (sep + 1 < argc) {
		for (i = sep + 1; i < argc; i++)
			probe(argv[i], &val);
	} else {
		while (fgets(line, sizeof line, stdin)) {
			line[strcspn(line, "\n")] = '\0';
			if (strncmp(line, "db ", 3) == 0)
				probe_db(line, &out);
			else
				probe(line, &val);
		}
	}
	buf_free(&val);
	buf_free(&out);
	rel_free(probe_rel);
	return 0;
}
