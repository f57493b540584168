/*
 * fuzz_zconf.c - libFuzzer harness for lib/zconf.c (zmailer.conf reader).
 *
 * The input is written to an anonymous memfd and loaded through
 * /proc/self/fd/N, so lib/ needs no in-memory entry point.  Every
 * variable found is read back to touch the stored strings.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <stdio.h>

#include "zconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	char path[64], err[256];
	struct zconf *zc = NULL;
	const char *name, *value;
	size_t i, n;

	if (fd < 0 && (fd = memfd_create("zconf-fuzz", 0)) < 0)
		return 0;
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if (zconf_load(&zc, path, err, sizeof err) != 0)
		return 0;
	n = zconf_count(zc);
	for (i = 0; i < n; i++) {
		zconf_entry(zc, i, &name, &value);
		if (zconf_get(zc, name) == NULL)
			__builtin_trap();      /* a listed name must be found */
		(void)strlen(value);
	}
	(void)zconf_get(zc, "POSTOFFICE");
	zconf_free(zc);
	return 0;
}
