/*
 * test_fnv.c: the FNV-1a hash behind advisord's and the bridge's tables.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon/fnv.h"

/* The 64-bit FNV-1a values the FNV specification gives: the empty string
 * is the offset basis itself (the copy htab.c had was a digit short of
 * it). */
static void
t_vectors(void **state)
{
	(void)state;
	assert_true(fnv1a("") == 0xcbf29ce484222325ULL);
	assert_true(fnv1a("") == 14695981039346656037ULL);
	assert_true(fnv1a("a") == 0xaf63dc4c8601ec8cULL);
	assert_true(fnv1a("foobar") == 0x85944171f73967e8ULL);
}

/* Bytes past 0x7f count as themselves, not as negative chars. */
static void
t_high_bytes(void **state)
{
	uint64_t want = (0xcbf29ce484222325ULL ^ 0xe9) * 1099511628211ULL;

	(void)state;
	assert_true(fnv1a("\xe9") == want);
	assert_true(fnv1a("caf\xc3\xa9") != fnv1a("cafe"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_vectors),
		cmocka_unit_test(t_high_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
