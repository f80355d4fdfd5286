/*
 * fuzz_content.c: libFuzzer harness for the content loaders.  The first
 * byte picks the loader (intent catalog or dialogue trees); the rest is
 * written as the one JSON file of a fresh folder and loaded, checked and
 * freed.  Loading must either succeed or fail with a message, never crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dialogues/dialogue.h"
#include "intents/intents.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

/* The folder goes when the fuzzer exits (a run's end, or a crash's report
 * done by exit); only a hard kill leaves it. */
static void
remove_dir(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/content.json", dir);
	unlink(path);
	rmdir(dir);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[128], err[512];
	FILE *f;

	if (size < 1)
		return 0;
	if (dir[0] == '\0') {
		strcpy(dir, "/tmp/advisord-fuzz-XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
		atexit(remove_dir);
	}
	snprintf(path, sizeof(path), "%s/content.json", dir);
	if ((f = fopen(path, "wb")) == NULL)
		abort();
	fwrite(data + 1, 1, size - 1, f);
	fclose(f);

	err[0] = '\0';
	if (data[0] & 1) {
		struct dialogues *d = dialogues_load(dir, err, sizeof(err));
		if (d != NULL) {
			FILE *null = fopen("/dev/null", "w");
			dialogues_check(d, NULL, 0, null);
			fclose(null);
			dialogues_free(d);
		} else if (err[0] == '\0')
			abort();	/* a failure must say why */
	} else {
		struct intents *c = intents_load(dir, false, err, sizeof(err));
		if (c != NULL) {
			FILE *null = fopen("/dev/null", "w");
			intents_check(c, null);
			fclose(null);
			intents_free(c);
		} else if (err[0] == '\0')
			abort();
	}
	return 0;
}
