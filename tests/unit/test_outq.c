/*
 * test_outq.c: the bounded output queue: order, headroom, the bound, and
 * frames held back until the log resolves their row.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "daemon/outq.h"

static void
t_fifo_and_bound(void **state)
{
	struct outq *q = outq_new(3, 16);
	unsigned char *d;
	char s[16];
	size_t len = 0;
	int i;

	(void)state;
	assert_non_null(q);
	assert_null(outq_head(q, 0, &len));
	for (i = 0; i < 3; i++) {
		snprintf(s, sizeof(s), "f%d", i);
		assert_int_equal(outq_push(q, s, strlen(s), 0), 0);
	}
	assert_true(outq_full(q));
	assert_int_equal(outq_push(q, "x", 1, 0), -1);	/* bounded */
	assert_int_equal(outq_len(q), 3);
	for (i = 0; i < 3; i++) {
		assert_non_null(d = outq_head(q, 0, &len));
		snprintf(s, sizeof(s), "f%d", i);
		assert_int_equal(len, strlen(s));
		assert_memory_equal(d, s, len);
		memset(d - 16, 0xab, 16);	/* the headroom is ours */
		outq_pop(q);
		/* wrap around: room again for one more */
		if (i == 0)
			assert_int_equal(outq_push(q, "f3", 2, 0), 0);
	}
	assert_non_null(d = outq_head(q, 0, &len));
	assert_memory_equal(d, "f3", 2);
	outq_pop(q);
	assert_int_equal(outq_len(q), 0);
	outq_pop(q);			/* popping empty is harmless */
	outq_free(q);
	outq_free(NULL);
	assert_null(outq_new(0, 16));
}

static void
t_strict_hold(void **state)
{
	struct outq *q = outq_new(4, 0);
	size_t len;

	(void)state;
	assert_int_equal(outq_push(q, "a", 1, 5), 0);
	assert_int_equal(outq_push(q, "b", 1, 0), 0);
	assert_int_equal(outq_head_seq(q), 5);
	assert_null(outq_head(q, 4, &len));	/* row 5 not resolved */
	assert_non_null(outq_head(q, 5, &len));
	outq_pop(q);
	assert_non_null(outq_head(q, 0, &len));	/* order is kept */
	assert_int_equal(outq_head_seq(q), 0);
	/* frames still queued are freed with the queue */
	outq_free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_fifo_and_bound),
		cmocka_unit_test(t_strict_hold),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
