/*
 * test_htab.c: the string-keyed hash table: insert, replace, delete, and
 * growth past many thousand entries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/htab.h"

#define N	5000

static void
count(void *v, void *arg)
{
	(void)v;
	(*(size_t *)arg)++;
}

static void
t_table(void **state)
{
	static char keys[N][16];
	static int vals[N];
	struct htab *t = htab_new();
	size_t i, seen = 0;

	(void)state;
	assert_non_null(t);
	assert_null(htab_get(t, "absent"));
	for (i = 0; i < N; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%zu", i);
		vals[i] = (int)i;
		assert_int_equal(htab_put(t, keys[i], &vals[i]), 0);
	}
	assert_int_equal(htab_count(t), N);
	for (i = 0; i < N; i++)
		assert_ptr_equal(htab_get(t, keys[i]), &vals[i]);
	/* replace keeps the count */
	assert_int_equal(htab_put(t, keys[7], &vals[8]), 0);
	assert_ptr_equal(htab_get(t, "k7"), &vals[8]);
	assert_int_equal(htab_count(t), N);
	/* delete every other one */
	for (i = 0; i < N; i += 2)
		htab_del(t, keys[i]);
	htab_del(t, "absent");
	assert_int_equal(htab_count(t), N / 2);
	for (i = 0; i < N; i++)
		if (i % 2 == 0)
			assert_null(htab_get(t, keys[i]));
		else if (i != 7)
			assert_ptr_equal(htab_get(t, keys[i]), &vals[i]);
	htab_each(t, count, &seen);
	assert_int_equal(seen, N / 2);
	htab_free(t);
	htab_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
