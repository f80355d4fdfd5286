/*
 * test_loader.c: the content loaded on a thread, for a reload.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/loader.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int woken;

/* The loader's callback, from its thread. */
static void
wake(void *arg)
{
	pthread_mutex_lock(&mu);
	woken += *(int *)arg;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
}

/* Until wake() has been called N times in all. */
static void
wait_woken(int n)
{
	pthread_mutex_lock(&mu);
	while (woken < n)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
}

/* DIR's content through a loader, as the loop takes it: started, then
 * finished once its callback has run, by which time it is done. */
static int
load(const char *dir, bool jit, struct intents **in, struct dialogues **dl,
    char **report)
{
	struct loader *l;
	int one = 1;

	woken = 0;
	assert_non_null(l = loader_start(dir, jit, wake, &one));
	wait_woken(1);
	assert_true(loader_done(l));
	return loader_finish(l, in, dl, report);
}

/* The shipped content, loaded. */
static void
t_load(void **state)
{
	struct intents *in;
	struct dialogues *dl;
	char *report = NULL;

	(void)state;
	assert_int_equal(load(ADVISOR_CONTENT_DIR, false, &in, &dl, &report),
	    0);
	assert_non_null(in);
	assert_non_null(dl);
	assert_true(intents_count(in) > 0);
	assert_true(report == NULL || report[0] == '\0');
	free(report);
	intents_free(in);
	dialogues_free(dl);
}

/* A folder without content: -1, nothing loaded, the report says where. */
static void
t_missing(void **state)
{
	struct intents *in;
	struct dialogues *dl;
	char *report = NULL;

	(void)state;
	assert_int_equal(load("/nonexistent-advisord-content", true, &in, &dl,
	    &report), -1);
	assert_null(in);
	assert_null(dl);
	assert_non_null(report);
	assert_non_null(strstr(report, "/nonexistent-advisord-content/"
	    "intents"));
	free(report);
}

/* Cancelled, a load under way or over is waited for and dropped (the
 * sanitizers' leak check sees that nothing stays behind). */
static void
t_cancel(void **state)
{
	struct loader *l;

	(void)state;
	assert_non_null(l = loader_start(ADVISOR_CONTENT_DIR, false, NULL,
	    NULL));
	loader_cancel(l);
	assert_non_null(l = loader_start("/nonexistent-advisord-content",
	    false, NULL, NULL));
	loader_cancel(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_load),
		cmocka_unit_test(t_missing),
		cmocka_unit_test(t_cancel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
