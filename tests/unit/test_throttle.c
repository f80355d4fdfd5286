/*
 * test_throttle.c: log lines about refusals.  The throttle reads the
 * clock itself; this binary's clock_gettime stands in for the C
 * library's, so that the test sets both clocks, and steps one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "daemon/throttle.h"

/* What the clocks read, microseconds. */
static int64_t wall_now = 1780000000LL * 1000000, mono_now = 5000000;

int
clock_gettime(clockid_t id, struct timespec *ts)
{
	int64_t us = id == CLOCK_REALTIME ? wall_now : mono_now;

	ts->tv_sec = (time_t)(us / 1000000);
	ts->tv_nsec = (long)(us % 1000000 * 1000);
	return 0;
}

/* Both clocks move on by US, as they do when nobody sets one. */
static void
pass_us(int64_t us)
{
	wall_now += us;
	mono_now += us;
}

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
		assert_true(throttle_pass(&t, &held));
		assert_int_equal(held, 0);
	}
	pass_us(1000);
	for (i = 0; i < 1000; i++)
		assert_false(throttle_pass(&t, &held));
	pass_us(199000);
	assert_true(throttle_pass(&t, &held));
	assert_int_equal(held, 1000);
	assert_false(throttle_pass(&t, &held));
	pass_us(200000);
	assert_true(throttle_pass(&t, &held));
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
		throttle_log(&t, "refused: %s %d", "token", i);
		snprintf(want, sizeof(want), "refused: token %d", i);
		assert_string_equal(last, want);
	}
	for (i = 0; i < 7; i++)
		throttle_log(&t, "refused: %d", i);
	assert_int_equal(emitted, 10);
	pass_us(200000);
	throttle_log(&t, "refused: %s", "signature");
	assert_int_equal(emitted, 11);
	assert_string_equal(last,
	    "refused: signature (7 refusals before it not logged)");
	throttle_log(&t, "x");
	assert_int_equal(emitted, 11);
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	pass_us(200000);
	throttle_log(&t, "%s", longer);
	assert_int_equal(emitted, 12);
	assert_int_equal(strlen(last), THROTTLE_LINE_MAX - 1);
	assert_string_equal(last + strlen(last) - strlen(tail), tail);
	assert_int_equal(strspn(last, "a"), strlen(last) - strlen(tail));
}

/* The wall clock set back an hour (an NTP step, `date -s`) holds no line
 * back: on it, the bucket refilled only once the clock had caught up
 * again, and for that hour no refusal was logged.  Set forward an hour,
 * it does not refill the bucket either: no burst of lines. */
static void
t_clock_step(void **state)
{
	struct throttle t = { .rate = 5, .what = "refusals", .emit = collect };
	unsigned long held;
	int i;

	(void)state;
	for (i = 0; i < 10; i++)
		assert_true(throttle_pass(&t, &held));
	assert_false(throttle_pass(&t, &held));
	wall_now -= 3600LL * 1000000;
	pass_us(200000);
	assert_true(throttle_pass(&t, &held));
	assert_int_equal(held, 1);
	pass_us(200000);
	emitted = 0;
	throttle_log(&t, "refused: after the step");
	assert_int_equal(emitted, 1);
	assert_string_equal(last, "refused: after the step");

	wall_now += 2 * 3600LL * 1000000;
	assert_false(throttle_pass(&t, &held));
	pass_us(200000);
	assert_true(throttle_pass(&t, &held));
	assert_int_equal(held, 1);
	assert_false(throttle_pass(&t, &held));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_throttle),
		cmocka_unit_test(t_log),
		cmocka_unit_test(t_clock_step),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
