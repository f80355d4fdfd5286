/*
 * test_explain.c: advisord --explain on the shipped content, with no
 * context and at a dialogue node (--at), as a content author tries a fix
 * for a question the log says was typed there.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/content.h"
#include "daemon/explain.h"

static struct intents *in;
static struct dialogues *dl;

static int
setup(void **state)
{
	(void)state;
	return content_load(ADVISOR_CONTENT_DIR, false, stderr, &in, &dl);
}

static int
teardown(void **state)
{
	(void)state;
	intents_free(in);
	dialogues_free(dl);
	return 0;
}

/* The explanation of TEXT at AT (NULL: none); the caller frees it. */
static char *
explained(const char *text, const char *at)
{
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (explain_text(f, in, dl, text, at, err, sizeof(err)) != 0)
		fail_msg("explain: %s", err);
	fclose(f);
	return buf;
}

/* A questionnaire answer is understood only at its question: out of
 * context, as --explain matched every text, it is a fallback, and an
 * author checking a question typed at q_work was told the wrong thing. */
static void
t_at_node(void **state)
{
	char *s;

	(void)state;
	s = explained("mostly routine", NULL);
	assert_non_null(strstr(s, "intent:     fallback\n"));
	assert_null(strstr(s, "at node:"));
	free(s);
	s = explained("mostly routine", "q_work");
	assert_non_null(strstr(s, "at node:    q_work\n"));
	assert_non_null(strstr(s, "intent:     answer_routine"));
	assert_non_null(strstr(s, "json:       {\"normalized\":\"mostly "
	    "routine\",\"intent\":\"answer_routine\""));
	free(s);
	/* a topic question is the same anywhere */
	s = explained("what is kpo", "q_work");
	assert_non_null(strstr(s, "intent:     define_kpo\n"));
	free(s);
}

static void
t_unknown_node(void **state)
{
	char err[256] = "";
	FILE *f = fopen("/dev/null", "w");

	(void)state;
	assert_non_null(f);
	assert_int_equal(explain_text(f, in, dl, "mostly routine", "q_nope",
	    err, sizeof(err)), -1);
	assert_string_equal(err, "no dialogue node \"q_nope\" in the content");
	/* "root" is a node, and the state a vanished node would fall back
	 * to: it is not taken for every unknown one */
	assert_int_equal(explain_text(f, in, dl, "hi", "root", err,
	    sizeof(err)), 0);
	assert_int_equal(explain_text(f, in, dl, "hi", "", err, sizeof(err)),
	    -1);
	fclose(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_at_node),
		cmocka_unit_test(t_unknown_node),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
