/*
 * fuzz_protocol.c: libFuzzer harness for the protocol handler.  Every input
 * is a frame from a client: it is parsed, and then handled by a real
 * session (shipped content, an in-memory log), so the whole path from bytes
 * to reply frames is exercised.  Every output frame must be valid JSON.
 */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "daemon/advisor.h"
#include "daemon/content.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct advisor *adv;
static struct store *store;
static struct session *sess;

static void
check_frame(void *arg, const char *frame, size_t len, uint64_t seq)
{
	cJSON *j = cJSON_ParseWithLength(frame, len);

	(void)arg;
	(void)seq;
	if (j == NULL || !cJSON_IsString(cJSON_GetObjectItem(j, "type")))
		abort();	/* we must never send a broken frame */
	cJSON_Delete(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sink k = { check_frame, NULL };
	static int64_t now = 1700000000000000;
	static unsigned n;

	if (adv == NULL) {
		struct store_opts so = { .path = ":memory:", .redact = true,
		    .queue_max = 4096 };
		struct advisor_opts ao = { .max_text_chars = 2000,
		    .max_conversations = 8 };
		struct intents *in;
		struct dialogues *dl;
		char err[256];

		if (content_load(ADVISOR_CONTENT_DIR, true, stderr, &in, &dl)
		    == -1 || (store = store_open(&so, err, sizeof(err))) ==
		    NULL)
			abort();
		ao.store = store;
		adv = advisor_new(in, dl, &ao);
	}
	/* a fresh connection now and then, alternating visitor and bridge */
	if (sess == NULL || ++n % 64 == 0) {
		session_free(sess);
		sess = session_new(adv, (n / 64) % 2 ? "fuzzbridge" : NULL);
	}
	now += 1000;
	session_handle(sess, (const char *)data, size, now, &k);
	return 0;
}
