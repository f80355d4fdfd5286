/*
 * test_resolver.c: host names looked up by threads of their own: a lookup
 * that hangs holds neither the asker nor the other lookups; an answer
 * given up is never taken; the places are bounded; a failure says why.
 * The lookups are a stand-in that hangs on "hang" until the test lets it
 * go; the waits are for events, not for time.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bridge/resolver.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int hanging;	/* lookups now stuck in "hang" */
static int released;	/* "hang" may return */
static int wakes;	/* WAKE calls */

static int
lookup(const char *host, struct resolved *out)
{
	if (strcmp(host, "hang") == 0) {
		pthread_mutex_lock(&mu);
		hanging++;
		pthread_cond_broadcast(&cv);
		while (!released)
			pthread_cond_wait(&cv, &mu);
		hanging--;
		pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&mu);
	}
	if (strcmp(host, "bad") == 0) {
		snprintf(out->error, sizeof(out->error), "no such name");
		return -1;
	}
	/* the name's length, as an address of the documentation's */
	snprintf(out->addr[0], RESOLVER_ADDR, "192.0.2.%zu", strlen(host));
	snprintf(out->addr[1], RESOLVER_ADDR, "2001:db8::%zu", strlen(host));
	out->naddr = 2;
	return 0;
}

/* (called from a lookup thread: no cmocka assertion there) */
static void
wake(void *arg)
{
	pthread_mutex_lock(&mu);
	*(int *)arg += 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

static void
reset(void)
{
	pthread_mutex_lock(&mu);
	hanging = released = wakes = 0;
	pthread_mutex_unlock(&mu);
}

/* Wait until N lookups hang in "hang". */
static void
wait_hanging(int n)
{
	pthread_mutex_lock(&mu);
	while (hanging < n)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
}

/* Wait for the next answer, into OUT (MU is not held in resolver_take:
 * WAKE takes it under the resolver's own). */
static void
wait_answer(struct resolver *rs, struct resolved *out)
{
	int seen;

	for (;;) {
		pthread_mutex_lock(&mu);
		seen = wakes;
		pthread_mutex_unlock(&mu);
		if (resolver_take(rs, out))
			return;
		pthread_mutex_lock(&mu);
		while (wakes == seen)
			pthread_cond_wait(&cv, &mu);
		pthread_mutex_unlock(&mu);
	}
}

/* "hang" may return; wait until every hanging lookup has (the next test
 * starts from none). */
static void
release(void)
{
	pthread_mutex_lock(&mu);
	released = 1;
	pthread_cond_broadcast(&cv);
	while (hanging > 0)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
}

static void
test_hang_holds_nobody(void **state)
{
	struct resolver *rs;
	struct resolved r;

	(void)state;
	reset();
	assert_non_null(rs = resolver_new(2, 4, lookup, wake, &wakes));
	/* resolver_ask returns while its lookup hangs */
	assert_int_equal(resolver_ask(rs, 1, "hang"), 0);
	wait_hanging(1);
	assert_false(resolver_take(rs, &r));
	/* the other thread answers the next name meanwhile */
	assert_int_equal(resolver_ask(rs, 2, "chat.example.org"), 0);
	wait_answer(rs, &r);
	assert_int_equal(r.id, 2);
	assert_int_equal(r.naddr, 2);
	assert_string_equal(r.addr[0], "192.0.2.16");
	assert_string_equal(r.addr[1], "2001:db8::16");
	pthread_mutex_lock(&mu);
	assert_int_equal(hanging, 1);
	pthread_mutex_unlock(&mu);
	/* given up: its answer, when it comes, is dropped */
	resolver_forget(rs, 1);
	release();
	assert_int_equal(resolver_ask(rs, 3, "hooks.slack.com"), 0);
	wait_answer(rs, &r);
	assert_int_equal(r.id, 3);
	assert_false(resolver_take(rs, &r));
	resolver_free(rs);
}

static void
test_bounded(void **state)
{
	struct resolver *rs;
	struct resolved r;
	char longname[RESOLVER_HOST + 1];

	(void)state;
	reset();
	assert_non_null(rs = resolver_new(1, 2, lookup, wake, &wakes));
	assert_int_equal(resolver_ask(rs, 1, "hang"), 0);
	wait_hanging(1);
	assert_int_equal(resolver_ask(rs, 2, "a.example"), 0);
	/* two asked, none taken: the third has no place */
	assert_int_equal(resolver_ask(rs, 3, "b.example"), -1);
	/* 2 waits behind the stuck one; forgotten, it frees its place */
	resolver_forget(rs, 2);
	assert_int_equal(resolver_ask(rs, 3, "b.example"), 0);
	/* 1, given up while stuck, keeps its place until it ends */
	resolver_forget(rs, 1);
	assert_int_equal(resolver_ask(rs, 4, "c.example"), -1);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	release();
	wait_answer(rs, &r);
	assert_int_equal(r.id, 3);
	assert_int_equal(resolver_ask(rs, 4, longname), -1);
	resolver_free(rs);
	assert_null(resolver_new(0, 2, lookup, wake, &wakes));
	assert_null(resolver_new(1, 0, lookup, wake, &wakes));
}

static void
test_failure_said(void **state)
{
	struct resolver *rs;
	struct resolved r;

	(void)state;
	reset();
	assert_non_null(rs = resolver_new(1, 2, lookup, wake, &wakes));
	assert_int_equal(resolver_ask(rs, 7, "bad"), 0);
	wait_answer(rs, &r);
	assert_int_equal(r.id, 7);
	assert_int_equal(r.naddr, 0);
	assert_string_equal(r.error, "no such name");
	pthread_mutex_lock(&mu);
	assert_int_equal(wakes, 1);
	pthread_mutex_unlock(&mu);
	resolver_free(rs);
}

/* Freed with a lookup stuck: the thread frees the rest once it ends (the
 * sanitizer build sees a use after free or a leak, if not). */
static void
test_free_while_stuck(void **state)
{
	struct resolver *rs;

	(void)state;
	reset();
	assert_non_null(rs = resolver_new(1, 2, lookup, wake, &wakes));
	assert_int_equal(resolver_ask(rs, 1, "hang"), 0);
	wait_hanging(1);
	resolver_free(rs);
	release();
}

/* The real lookup, on an address (no DNS asked). */
static void
test_getaddrinfo(void **state)
{
	struct resolved r;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(resolver_getaddrinfo("127.0.0.1", &r), 0);
	assert_true(r.naddr >= 1);
	assert_string_equal(r.addr[0], "127.0.0.1");
	memset(&r, 0, sizeof(r));
	assert_int_equal(resolver_getaddrinfo("::1", &r), 0);
	assert_string_equal(r.addr[0], "::1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hang_holds_nobody),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_failure_said),
		cmocka_unit_test(test_getaddrinfo),
		cmocka_unit_test(test_free_while_stuck),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
