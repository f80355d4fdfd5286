/*
 * test_verify.c: verification tokens and Slack request signatures: good,
 * bad, stale, tampered.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bridge/verify.h"

/* A vector computed independently (Python's hmac module). */
#define SECRET	"our-secret-4c1f"
#define TS	"1764000000"
#define BODY	"token=abc&team_id=T9&channel_id=C7&user_id=U5&user_name=rosa" \
	"&command=%2Fadvisor&text=which+one+fits+us%3F"
#define SIG	"v0=60d69785a279a25887f60a593342e0fb5a716ee52701885052bb4179e44bb5f9"
#define T0	1764000000

static void
test_token(void **state)
{
	(void)state;
	assert_true(verify_token("abc", "abc"));
	assert_false(verify_token("abd", "abc"));
	assert_false(verify_token("ab", "abc"));
	assert_false(verify_token("abcd", "abc"));
	assert_false(verify_token("", "abc"));
	assert_false(verify_token("", ""));
}

static void
test_slack(void **state)
{
	char sig[80];
	time_t now = T0 + 10;

	(void)state;
	assert_int_equal(verify_slack_sign(SECRET, TS, BODY, strlen(BODY),
	    sig, sizeof(sig)), 0);
	assert_string_equal(sig, SIG);
	assert_int_equal(verify_slack(SECRET, TS, SIG, BODY, strlen(BODY),
	    now), 1);
	/* bad: another secret, a changed body, a changed signature */
	assert_int_equal(verify_slack("other", TS, SIG, BODY, strlen(BODY),
	    now), 0);
	assert_int_equal(verify_slack(SECRET, TS, SIG, BODY,
	    strlen(BODY) - 1, now), 0);
	assert_int_equal(verify_slack(SECRET, TS, "v0=00", BODY,
	    strlen(BODY), now), 0);
	assert_int_equal(verify_slack(SECRET, TS, "", BODY, strlen(BODY),
	    now), 0);
	/* stale or from the future, or no usable timestamp */
	assert_int_equal(verify_slack(SECRET, TS, SIG, BODY, strlen(BODY),
	    T0 + 301), -1);
	assert_int_equal(verify_slack(SECRET, TS, SIG, BODY, strlen(BODY),
	    T0 - 301), -1);
	assert_int_equal(verify_slack(SECRET, TS, SIG, BODY, strlen(BODY),
	    T0 + 300), 1);
	assert_int_equal(verify_slack(SECRET, "15x", SIG, BODY, strlen(BODY),
	    now), -1);
	assert_int_equal(verify_slack(SECRET, "", SIG, BODY, strlen(BODY),
	    now), -1);
	assert_int_equal(verify_slack(SECRET, NULL, SIG, BODY, strlen(BODY),
	    now), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token),
		cmocka_unit_test(test_slack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
