/*
 * test_heldout.c: scores the shipped intent catalog against held-out
 * paraphrases (tests/heldout/intents.tsv, lines that appear nowhere in the
 * catalog).  At least 95% must land on the expected intent overall, and at
 * least 90% of the off-topic lines must land on fallback.  Prints the score
 * and every miss, so a reviewer sees what the catalog does not understand.
 * A line two intents answer equally well names both, "compare|key_takeaways":
 * either counts as right.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "intents/intents.h"

#define CTX_MAX	4

/* Whether ID is one of the '|'-separated intents of EXPECT; each of them
 * must be an intent of C (a typo in the file is an error, not a miss). */
static int
expected(struct intents *c, const char *expect, const char *id)
{
	char one[128];
	const char *p = expect, *e;
	int hit = 0;

	for (;;) {
		size_t n;

		e = strchr(p, '|');
		n = e ? (size_t)(e - p) : strlen(p);
		assert_true(n > 0 && n < sizeof(one));
		memcpy(one, p, n);
		one[n] = '\0';
		if (!intents_has(c, one))
			fail_msg("held-out label \"%s\" is no intent", one);
		if (strcmp(one, id) == 0)
			hit = 1;
		if (e == NULL)
			return hit;
		p = e + 1;
	}
}

static void
test_heldout_score(void **state)
{
	static struct intent_result res;
	struct intents *c;
	char err[512], line[1024];
	FILE *f;
	size_t total = 0, right = 0, off = 0, offright = 0;

	(void)state;
	c = intents_load(ADVISOR_CONTENT_DIR "/intents", true, err,
	    sizeof(err));
	if (c == NULL)
		fail_msg("catalog: %s", err);
	f = fopen(ADVISOR_CONTENT_DIR "/tests/heldout/intents.tsv", "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *expect, *ctxs, *text = NULL, *save = NULL, *tok;
		const char *ctx[CTX_MAX];
		size_t nctx = 0;

		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		expect = line;
		if ((ctxs = strchr(expect, '\t')) == NULL ||
		    (text = strchr(ctxs + 1, '\t')) == NULL)
			fail_msg("malformed held-out line: %s", line);
		*ctxs++ = '\0';
		*text++ = '\0';
		if (strcmp(ctxs, "-") != 0)
			for (tok = strtok_r(ctxs, ",", &save);
			    tok != NULL && nctx < CTX_MAX;
			    tok = strtok_r(NULL, ",", &save))
				ctx[nctx++] = tok;
		assert_int_equal(intents_match(c, text, strlen(text), ctx,
		    nctx, &res), 0);
		total++;
		if (strcmp(expect, "fallback") == 0)
			off++;
		if (expected(c, expect, res.intent)) {
			right++;
			if (strcmp(expect, "fallback") == 0)
				offright++;
		} else
			printf("  miss: \"%s\" [%s] -> %s (normalised \"%s\")"
			    ", expected %s\n", text, nctx ? ctx[0] : "-",
			    res.intent, res.normalized, expect);
	}
	fclose(f);
	intents_free(c);
	printf("held-out: %zu/%zu correct (%.1f%%), off-topic on fallback "
	    "%zu/%zu (%.1f%%)\n", right, total, 100.0 * (double)right /
	    (double)total, offright, off, off ? 100.0 * (double)offright /
	    (double)off : 100.0);
	assert_true(total >= 150);
	assert_true(off > 0);
	assert_true(right * 100 >= total * 95);
	assert_true(offright * 100 >= off * 90);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heldout_score),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
