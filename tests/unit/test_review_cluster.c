/*
 * test_review_cluster.c: unmatched's similarity clusters alone: which
 * texts go together (content words, not the words of asking), the counts
 * they add up to, and the order (largest first, then first come).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "storage/review_cluster.h"

/* The clusters of the N texts T with counts C, as compact JSON text; the
 * caller frees it. */
static char *
clusters(const char *const *t, const int *c, int n)
{
	struct cluster *cl = cluster_new();
	cJSON *doc;
	char *s;
	int i;

	assert_non_null(cl);
	for (i = 0; i < n; i++)
		assert_int_equal(cluster_add(cl, t[i], c[i]), 0);
	doc = cluster_take(cl);
	s = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	return s;
}

static void
test_together(void **state)
{
	/* "how much does rpa cost" shares "rpa" and "cost" with the first,
	 * whose content words are those two; "what is ito" and "what is lpo"
	 * share only how they ask, and stay apart */
	static const char *const t[] = { "what does rpa cost", "what is lpo",
	    "how much does rpa cost", "what is ito" };
	static const int c[] = { 3, 4, 2, 1 };
	char *s = clusters(t, c, 4);

	(void)state;
	assert_string_equal(s, "[{\"count\":5,\"texts\":[\"what does rpa "
	    "cost\",\"how much does rpa cost\"]},{\"count\":4,\"texts\":"
	    "[\"what is lpo\"]},{\"count\":1,\"texts\":[\"what is ito\"]}]");
	free(s);
}

static void
test_order(void **state)
{
	/* a cluster that grew after it began comes before a larger first
	 * text; equal counts keep the order their first texts came in */
	static const char *const t[] = { "alpha beta", "gamma", "delta",
	    "alpha beta gamma" };
	static const int c[] = { 2, 3, 2, 2 };
	char *s = clusters(t, c, 4);

	(void)state;
	assert_string_equal(s, "[{\"count\":4,\"texts\":[\"alpha beta\","
	    "\"alpha beta gamma\"]},{\"count\":3,\"texts\":[\"gamma\"]},"
	    "{\"count\":2,\"texts\":[\"delta\"]}]");
	free(s);
}

static void
test_no_words(void **state)
{
	/* texts with no content words ("???", "what is it") share nothing
	 * with any text, and each is a cluster of its own */
	static const char *const t[] = { "???", "what is it", "???" };
	static const int c[] = { 1, 1, 1 };
	char *s = clusters(t, c, 3);
	cJSON *doc = cJSON_Parse(s);

	(void)state;
	assert_int_equal(cJSON_GetArraySize(doc), 3);
	cJSON_Delete(doc);
	free(s);
	/* none at all */
	s = clusters(NULL, NULL, 0);
	assert_string_equal(s, "[]");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_together),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_no_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
