/*
 * fuzz_intents.c: libFuzzer harness for the intent matcher.  Loads the
 * shipped catalog once and matches every input against it, with and
 * without a conversation context, so normalisation, spelling correction and
 * the PCRE2 limits all see hostile bytes, and so does the search for a
 * second question.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intents/intents.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct intents *catalog;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct intent_result res;
	static const char *const ctx[] = { "q_work", "define_bpo" };
	char err[512];

	if (catalog == NULL) {
		catalog = intents_load(ADVISOR_CONTENT_DIR "/intents", true,
		    err, sizeof(err));
		if (catalog == NULL) {
			fprintf(stderr, "fuzz_intents: %s\n", err);
			abort();
		}
	}
	const char *also;

	intents_match(catalog, (const char *)data, size, NULL, 0, &res);
	if (res.intent == NULL)
		abort();
	/* the second question, if any, is never the winner itself */
	also = intents_also(catalog, (const char *)data, size, NULL, 0,
	    res.intent);
	if (also != NULL && strcmp(also, res.intent) == 0)
		abort();
	intents_match(catalog, (const char *)data, size, ctx, 2, &res);
	if (res.intent == NULL)
		abort();
	return 0;
}
