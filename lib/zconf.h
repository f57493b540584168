/*
 * zconf.h - reading zmailer.conf (NAME=value lines) the way C programs do.
 *
 * Format: blank lines and lines whose first non-blank is '#' are ignored;
 * every other line is NAME=value, NAME being [A-Za-z_][A-Za-z0-9_]*.
 * The value is taken literally up to the end of the line, except that
 * one pair of enclosing double or single quotes is removed.  A later
 * line for the same NAME replaces the earlier one.  Lines longer than
 * ZCONF_LINE_MAX and more than ZCONF_VARS_MAX names are errors.
 */
#ifndef ZM_ZCONF_H
#define ZM_ZCONF_H

#include <stddef.h>

struct zconf;

/* The file to read: override (-Z) if given, else $ZCONFIG, else
 * /etc/zmailer.conf. */
const char *zconf_path(const char *override);

/*
 * Load path.  0 on success (*out set); -1 on error with a message in err
 * of the form "file:line: what" or "file: strerror".
 */
int zconf_load(struct zconf **out, const char *path, char *err, size_t errsz);
/* The value of name, or NULL when the file does not set it. */
const char *zconf_get(const struct zconf *zc, const char *name);
/* Number of variables, and the i-th name/value (for exporting them). */
size_t zconf_count(const struct zconf *zc);
void zconf_entry(const struct zconf *zc, size_t i, const char **name,
    const char **value);
void zconf_free(struct zconf *zc);

#endif
