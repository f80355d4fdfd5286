/*
 * fuzz_config.c: libFuzzer harness for the config file parser.  The input
 * is written as a config file and loaded over the defaults; it must load or
 * fail with a message, and never leave a field unterminated.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

/* The file goes when the fuzzer exits; only a hard kill leaves it. */
static void
remove_file(void)
{
	unlink(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	char err[512];
	FILE *f;

	if (path[0] == '\0') {
		int fd;

		strcpy(path, "/tmp/advisord-fuzz-conf-XXXXXX");
		if ((fd = mkstemp(path)) == -1)
			abort();
		close(fd);
		atexit(remove_file);
	}
	if ((f = fopen(path, "wb")) == NULL)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	config_defaults(&c);
	err[0] = '\0';
	if (config_load_file(&c, path, err, sizeof(err)) == -1) {
		if (err[0] == '\0')
			abort();
	} else if (strnlen(c.host, sizeof(c.host)) == sizeof(c.host) ||
	    strnlen(c.db, sizeof(c.db)) == sizeof(c.db) ||
	    strnlen(c.origins, sizeof(c.origins)) == sizeof(c.origins) ||
	    strnlen(c.trusted_proxies, sizeof(c.trusted_proxies)) ==
	    sizeof(c.trusted_proxies))
		abort();
	return 0;
}
