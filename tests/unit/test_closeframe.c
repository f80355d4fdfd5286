/*
 * test_closeframe.c: a close frame's code and reason, as advisord and
 * advisor-bridge log them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "daemon/closeframe.h"

/* The code, big-endian, then the reason as it came. */
static void
t_parse(void **state)
{
	char why[64];

	(void)state;
	assert_int_equal(closeframe_parse("\x03\xe9" "advisord stopping", 19,
	    why, sizeof(why)), 1001);
	assert_string_equal(why, "advisord stopping");
	assert_int_equal(closeframe_parse("\x0f\xa0", 2, why, sizeof(why)),
	    4000);
	assert_string_equal(why, "");
}

/* No code: 0, and no reason left from before. */
static void
t_no_code(void **state)
{
	char why[16] = "stale";

	(void)state;
	assert_int_equal(closeframe_parse("\x03", 1, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	memcpy(why, "stale", 6);
	assert_int_equal(closeframe_parse(NULL, 0, why, sizeof(why)), 0);
	assert_string_equal(why, "");
}

/* The peer's text goes into one log line: no newline, escape or DEL gets
 * through; bytes of UTF-8 do. */
static void
t_control(void **state)
{
	char why[64];

	(void)state;
	assert_int_equal(closeframe_parse("\x03\xe8" "a\nb\rc\x1b[2Jd\x7f"
	    "\xc3\xa9", 15, why, sizeof(why)), 1000);
	assert_string_equal(why, "a?b?c?[2Jd?\xc3\xa9");
	/* a NUL in the reason ends nothing early: it is a '?' too */
	closeframe_reason(why, sizeof(why), "x\0y", 3);
	assert_string_equal(why, "x?y");
}

/* Cut to fit, and never inside a character. */
static void
t_cut(void **state)
{
	char why[6];

	(void)state;
	closeframe_reason(why, sizeof(why), "abcdefgh", 8);
	assert_string_equal(why, "abcde");
	/* "abcd" and a 2-byte e-acute: 6 bytes, 5 fit, and the cut would
	 * fall inside the e-acute */
	closeframe_reason(why, sizeof(why), "abcd\xc3\xa9", 6);
	assert_string_equal(why, "abcd");
	/* a 3-byte euro sign at 3..5: all of it goes */
	closeframe_reason(why, sizeof(why), "abc\xe2\x82\xac", 6);
	assert_string_equal(why, "abc");
	/* one that fits is kept */
	closeframe_reason(why, sizeof(why), "ab\xe2\x82\xac", 5);
	assert_string_equal(why, "ab\xe2\x82\xac");
	closeframe_reason(why, 1, "abc", 3);
	assert_string_equal(why, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_parse),
		cmocka_unit_test(t_no_code),
		cmocka_unit_test(t_control),
		cmocka_unit_test(t_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
