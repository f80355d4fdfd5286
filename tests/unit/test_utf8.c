/*
 * test_utf8.c: UTF-8 validation in pieces, as WebSocket text arrives.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "daemon/jbuf.h"
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
	    " \xe2\x82\xac \xef\xbf\xbf \xf0\x90\x80\x80 \xf4\x8f\xbf\xbf"
	    " and a long ASCII run, read a word at a time \xc3\xa9 its end";
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
	    "\x80\x80", "\xc3\x28", "\x80", "\xe2\x82\x28",
	    "sixteen bytes ok\xff", "eight by\xc3\xa9tes ascii\x80 after",
	    "a word at a time\xe2\x82" };
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

/* One character's length, by the rules the message check keeps: each
 * character of t_valid's edges whole, and 0 for what t_invalid refuses,
 * for a character cut short and for nothing at all. */
static void
t_char_len(void **state)
{
	static const struct { const char *s; size_t len; } ok[] = {
	    { "k", 1 }, { "\x7f", 1 }, { "\xc2\x80", 2 }, { "\xdf\xbf", 2 },
	    { "\xe0\xa0\x80", 3 }, { "\xef\xbf\xbf", 3 },
	    { "\xf0\x90\x80\x80", 4 }, { "\xf4\x8f\xbf\xbf", 4 },
	    { "\xc3\xa9tail", 2 } };
	static const char *const bad[] = { "\xff", "\xfe", "\xc0\xaf",
	    "\xc1\xbf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf", "\xed\xa0\x80",
	    "\xed\xbf\xbf", "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80",
	    "\xc3\x28", "\x80", "\xe2\x82\x28", "\xe2\x82", "\xf0\x90\x80" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		assert_int_equal(utf8_char_len(ok[i].s, strlen(ok[i].s)),
		    ok[i].len);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(utf8_char_len(bad[i], strlen(bad[i])), 0);
	/* the length given is the end: a whole character past it is not
	 * read */
	assert_int_equal(utf8_char_len("\xc3\xa9", 1), 0);
	assert_int_equal(utf8_char_len("", 0), 0);
}

/* jbuf's JSON strings keep each whole character and put U+FFFD for each
 * byte that starts none (a surrogate is three of them). */
static void
t_jbuf_str(void **state)
{
	static const char in[] = "caf\xc3\xa9 \xf0\x9f\x99\x82 \xff\xed\xa0\x80"
	    " \xe2\x82";
	struct jbuf b;

	(void)state;
	jbuf_init(&b, 0);
	jbuf_str(&b, in, sizeof(in) - 1);
	assert_string_equal(jbuf_data(&b), "\"caf\xc3\xa9 \xf0\x9f\x99\x82 "
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
	    "\xef\xbf\xbd\xef\xbf\xbd\"");
	jbuf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_valid),
		cmocka_unit_test(t_invalid),
		cmocka_unit_test(t_cut_short),
		cmocka_unit_test(t_char_len),
		cmocka_unit_test(t_jbuf_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
