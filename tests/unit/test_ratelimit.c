/*
 * test_ratelimit.c: the token bucket, with time passed in.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon/ratelimit.h"

static void
t_burst_then_refill(void **state)
{
	struct bucket b;
	int64_t t = 1000000;
	int i;

	(void)state;
	bucket_init(&b, 5, t);
	for (i = 0; i < 10; i++)		/* burst: twice the rate */
		assert_true(bucket_take(&b, 5, t));
	assert_false(bucket_take(&b, 5, t));
	assert_false(bucket_take(&b, 5, t + 100000));	/* half a token */
	assert_true(bucket_take(&b, 5, t + 200000));	/* one whole */
	assert_false(bucket_take(&b, 5, t + 200000));
	/* a long pause refills only up to the burst */
	t += 100 * 1000000LL;
	for (i = 0; i < 10; i++)
		assert_true(bucket_take(&b, 5, t));
	assert_false(bucket_take(&b, 5, t));
	/* time going backwards neither refills nor breaks it */
	assert_false(bucket_take(&b, 5, t - 5000000));
}

static void
t_off(void **state)
{
	struct bucket b;
	int i;

	(void)state;
	bucket_init(&b, 0, 0);
	for (i = 0; i < 100000; i++)
		assert_true(bucket_take(&b, 0, 0));
}

static void
t_rate_one(void **state)
{
	struct bucket b;

	(void)state;
	bucket_init(&b, 1, 0);
	assert_true(bucket_take(&b, 1, 0));
	assert_true(bucket_take(&b, 1, 0));
	assert_false(bucket_take(&b, 1, 0));
	assert_true(bucket_take(&b, 1, 1000000));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_burst_then_refill),
		cmocka_unit_test(t_off),
		cmocka_unit_test(t_rate_one),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
