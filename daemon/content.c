/*
 * content.c: content loading with all checks, so that nothing half-valid
 * ever reaches a conversation.
 */
#include <stdio.h>

#include "daemon/content.h"

int
content_load(const char *dir, bool jit, FILE *report, struct intents **inp,
    struct dialogues **dlp)
{
	const char *ids[1024];
	struct intents *in = NULL;
	struct dialogues *dl = NULL;
	char path[4096], err[1024];
	size_t i, n;
	int errors = 0;

	*inp = NULL;
	*dlp = NULL;
	snprintf(path, sizeof(path), "%s/intents", dir);
	if ((in = intents_load(path, jit, err, sizeof(err))) == NULL) {
		fprintf(report, "%s\n", err);
		errors++;
	}
	snprintf(path, sizeof(path), "%s/dialogues", dir);
	if ((dl = dialogues_load(path, err, sizeof(err))) == NULL) {
		fprintf(report, "%s\n", err);
		errors++;
	}
	if (in != NULL)
		errors += intents_check(in, report);
	if (in != NULL && dl != NULL) {
		n = intents_count(in);
		if (n > sizeof(ids) / sizeof(ids[0]))
			n = sizeof(ids) / sizeof(ids[0]);
		for (i = 0; i < n; i++)
			ids[i] = intents_id(in, i);
		errors += dialogues_check(dl, ids, n, report);
	}
	if (errors > 0) {
		intents_free(in);
		dialogues_free(dl);
		return -1;
	}
	*inp = in;
	*dlp = dl;
	return 0;
}
