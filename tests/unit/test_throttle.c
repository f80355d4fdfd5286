/*
 * test_throttle.c: log lines about refusals, with time passed in.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "daemon/throttle.h"

/* The lines emitted, and the last of them. */
static int emitted;
static char last[THROTTLE_LINE_MAX];

static void
collect(const char *line)
{
	emitted++;
	snprintf(last, sizeof(last), "%s", line);
}

/* A burst, then the rate; the next line that passes says how many were
 * held back. */
static void
t_throttle(void **state)
{
	struct throttle t = { .rate = 5 };
	unsigned long held = 99;
	int i;

	(void)state;
	for (i = 0; i < 10; i++) {
		assert_true(throttle_pass(&t, 0, &held));
		assert_int_equal(held, 0);
	}
	for (i = 0; i < 1000; i++)
		assert_false(throttle_pass(&t, 1000, &held));
	assert_true(throttle_pass(&t, 200000, &held));
	assert_int_equal(held, 1000);
	assert_false(throttle_pass(&t, 200000, &held));
	assert_true(throttle_pass(&t, 400000, &held));
	assert_int_equal(held, 1);
}

/* The lines written: the text as it came, then the count of those held
 * back before it, the count kept whole when the text is too long. */
static void
t_log(void **state)
{
	struct throttle t = { .rate = 5, .what = "refusals", .emit = collect };
	char want[64], longer[THROTTLE_LINE_MAX + 100];
	const char *tail = " (1 refusals before it not logged)";
	int i;

	(void)state;
	emitted = 0;
	for (i = 0; i < 10; i++) {
		throttle_log(&t, 0, "refused: %s %d", "token", i);
		snprintf(want, sizeof(want), "refused: token %d", i);
		assert_string_equal(last, want);
	}
	for (i = 0; i < 7; i++)
		throttle_log(&t, 0, "refused: %d", i);
	assert_int_equal(emitted, 10);
	throttle_log(&t, 200000, "refused: %s", "signature");
	assert_int_equal(emitted, 11);
	assert_string_equal(last,
	    "refused: signature (7 refusals before it not logged)");
	throttle_log(&t, 200000, "x");
	assert_int_equal(emitted, 11);
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	throttle_log(&t, 400000, "%s", longer);
	assert_int_equal(emitted, 12);
	assert_int_equal(strlen(last), THROTTLE_LINE_MAX - 1);
	assert_string_equal(last + strlen(last) - strlen(tail), tail);
	assert_int_equal(strspn(last, "a"), strlen(last) - strlen(tail));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_throttle),
		cmocka_unit_test(t_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
