/*
 * test_utf8.c: UTF-8 validation in pieces, as WebSocket text arrives.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "daemon/utf8.h"

/* Whether S (N bytes) is UTF-8, fed in pieces of STEP bytes. */
static bool
valid(const char *s, size_t n, size_t step)
{
	struct utf8_check u;
	size_t i;

	memset(&u, 0, sizeof(u));
	for (i = 0; i < n; i += step)
		if (utf8_check_feed(&u, s + i, n - i < step ? n - i : step) ==
		    -1)
			return false;
	return utf8_check_done(&u);
}

/* ASCII, 2-, 3- and 4-byte characters, at the edges of their ranges,
 * whole or split anywhere. */
static void
t_valid(void **state)
{
	static const char s[] = "kpo caf\xc3\xa9 \xc2\x80 \xdf\xbf \xe0\xa0\x80"
	    " \xe2\x82\xac \xef\xbf\xbf \xf0\x90\x80\x80 \xf4\x8f\xbf\xbf";
	size_t step;

	(void)state;
	for (step = 1; step <= sizeof(s); step++)
		assert_true(valid(s, sizeof(s) - 1, step));
	assert_true(valid("", 0, 1));
}

/* Bytes that are never UTF-8, overlong forms, surrogates, past U+10FFFF,
 * a lead byte without its continuation, a stray continuation. */
static void
t_invalid(void **state)
{
	static const char *const bad[] = { "\xff", "\xfe", "a\xff" "b",
	    "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf",
	    "\xed\xa0\x80", "\xed\xbf\xbf", "\xf4\x90\x80\x80", "\xf8\x88\x80"
	    "\x80\x80", "\xc3\x28", "\x80", "\xe2\x82\x28" };
	size_t i, step;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (step = 1; step <= strlen(bad[i]); step++)
			assert_false(valid(bad[i], strlen(bad[i]), step));
}

/* A message that ends inside a character is not done, though no piece
 * was wrong: the end of the message decides. */
static void
t_cut_short(void **state)
{
	struct utf8_check u;

	(void)state;
	memset(&u, 0, sizeof(u));
	assert_int_equal(utf8_check_feed(&u, "caf\xc3", 4), 0);
	assert_false(utf8_check_done(&u));
	assert_int_equal(utf8_check_feed(&u, "\xa9", 1), 0);
	assert_true(utf8_check_done(&u));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_valid),
		cmocka_unit_test(t_invalid),
		cmocka_unit_test(t_cut_short),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
