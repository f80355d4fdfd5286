/*
 * test_late.c: the book of requests whose late answer may still go to
 * their response_url: taken once, not after the window, bounded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bridge/late.h"

static struct late_entry
entry(const char *reqid, long long until)
{
	struct late_entry e;

	memset(&e, 0, sizeof(e));
	snprintf(e.reqid, sizeof(e.reqid), "%s", reqid);
	snprintf(e.url, sizeof(e.url), "https://hooks.slack.com/%s", reqid);
	snprintf(e.mention, sizeof(e.mention), "ann");
	e.chat = CHAT_MATTERMOST;
	e.until = until;
	return e;
}

static void
test_once(void **state)
{
	struct late *l = late_new(4);
	struct late_entry e = entry("b1", 100), got;

	(void)state;
	assert_non_null(l);
	assert_int_equal(late_add(l, &e), 0);
	assert_true(late_has(l, "b1", 50));
	assert_false(late_has(l, "b2", 50));
	assert_int_equal(late_take(l, "b1", 50, &got), 1);
	assert_string_equal(got.url, "https://hooks.slack.com/b1");
	assert_string_equal(got.mention, "ann");
	assert_int_equal(got.chat, CHAT_MATTERMOST);
	/* a second answer to the same request: nothing */
	assert_int_equal(late_take(l, "b1", 51, &got), 0);
	assert_false(late_has(l, "b1", 51));
	assert_int_equal(late_count(l), 0);
	late_free(l);
}

static void
test_window(void **state)
{
	struct late *l = late_new(4);
	struct late_entry e = entry("b1", 100), got;

	(void)state;
	late_add(l, &e);
	e = entry("b2", 200);
	late_add(l, &e);
	/* at its end the window is over: not taken, and forgotten */
	assert_false(late_has(l, "b1", 100));
	assert_int_equal(late_take(l, "b1", 100, &got), 0);
	assert_false(late_has(l, "b1", 99));
	assert_int_equal(late_count(l), 1);
	/* the sweep forgets what is over */
	e = entry("b3", 300);
	late_add(l, &e);
	assert_int_equal(late_expire(l, 250), 1);
	assert_int_equal(late_count(l), 1);
	assert_false(late_has(l, "b2", 150));
	assert_true(late_has(l, "b3", 250));
	assert_int_equal(late_take(l, "b3", 299, &got), 1);
	assert_int_equal(late_expire(l, 1000), 0);
	late_free(l);
}

static void
test_bounded(void **state)
{
	struct late *l = late_new(3);
	struct late_entry e, got;
	char id[16];
	int i;

	(void)state;
	for (i = 1; i <= 3; i++) {
		snprintf(id, sizeof(id), "b%d", i);
		e = entry(id, 100 + i);
		assert_int_equal(late_add(l, &e), 0);
	}
	/* full: the oldest goes, and the caller hears it */
	e = entry("b4", 104);
	assert_int_equal(late_add(l, &e), 1);
	assert_int_equal(late_count(l), 3);
	assert_false(late_has(l, "b1", 0));
	assert_true(late_has(l, "b2", 0) && late_has(l, "b4", 0));
	/* one taken from the middle leaves room without a loss */
	assert_int_equal(late_take(l, "b3", 0, &got), 1);
	e = entry("b5", 105);
	assert_int_equal(late_add(l, &e), 0);
	e = entry("b6", 106);
	assert_int_equal(late_add(l, &e), 1);	/* b2 went */
	assert_true(late_has(l, "b4", 0) && late_has(l, "b5", 0) &&
	    late_has(l, "b6", 0));
	assert_int_equal(late_count(l), 3);
	assert_null(late_new(0));
	late_free(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_once),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
