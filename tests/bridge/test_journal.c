/*
 * test_journal.c: the bridge prefixes its log lines with syslog
 * priorities only when stderr is the stream JOURNAL_STREAM names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bridge/journal.h"

static void
test_names_stderr(void **state)
{
	(void)state;
	assert_true(journal_is_stderr("2049:1234567", 2049, 1234567));
	assert_true(journal_is_stderr("0:0", 0, 0));
	assert_true(journal_is_stderr("18446744073709551615:7",
	    18446744073709551615ULL, 7));
}

static void
test_other_stderr(void **state)
{
	(void)state;
	/* unset: a terminal, a file, a pipe */
	assert_false(journal_is_stderr(NULL, 2049, 1234567));
	/* inherited from a service that started this shell: another file */
	assert_false(journal_is_stderr("2049:1234567", 2049, 7654321));
	assert_false(journal_is_stderr("2049:1234567", 2050, 1234567));
}

static void
test_malformed(void **state)
{
	(void)state;
	assert_false(journal_is_stderr("", 0, 0));
	assert_false(journal_is_stderr("1", 1, 0));
	assert_false(journal_is_stderr("1:", 1, 0));
	assert_false(journal_is_stderr(":1", 0, 1));
	assert_false(journal_is_stderr("1:2:3", 1, 2));
	assert_false(journal_is_stderr("1:2 ", 1, 2));
	assert_false(journal_is_stderr("-1:2", (unsigned long long)-1, 2));
	assert_false(journal_is_stderr(" 1:2", 1, 2));
	assert_false(journal_is_stderr("1:+2", 1, 2));
	assert_false(journal_is_stderr("99999999999999999999:2", 0, 2));
	assert_false(journal_is_stderr("yes", 0, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_stderr),
		cmocka_unit_test(test_other_stderr),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
