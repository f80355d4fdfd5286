/*
 * test_metrics.c: the counters and their Prometheus text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/jbuf.h"
#include "daemon/metrics.h"

/* The value of the sample line starting with NAME (labels included). */
static double
sample(const char *text, const char *name)
{
	const char *p;

	for (p = text; (p = strstr(p, name)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[strlen(name)] == ' ')
			return strtod(p + strlen(name) + 1, NULL);
	fail_msg("no sample %s", name);
	return -1;
}

static void
t_counters(void **state)
{
	struct store_stats st = { .queued = 3, .committed = 10, .dropped = 1,
	    .write_errors = 2 };
	struct jbuf b;
	const char *t;

	(void)state;
	metrics_reset();
	metrics_reply("define_kpo", 40);
	metrics_reply("define_kpo", 3000);
	metrics_reply("fallback", 2000000);
	metrics_error("bad_request");
	metrics_error("bad_request");
	metrics_error("rate_limited");
	metrics.connections_open = 2;
	metrics.frames_in[MF_MESSAGE] = 5;
	metrics.frames_out[MF_REPLY] = 3;
	metrics.reload_failures = 1;
	metrics.settings_reload_failures = 2;
	metrics.replies_held = 4;
	metrics.conversations_unmoved = 6;
	jbuf_init(&b, 0);
	metrics_write(&b, &st);
	t = jbuf_data(&b);
	assert_true(sample(t, "advisord_connections_open") == 2);
	assert_true(sample(t, "advisord_frames_in_total{type=\"message\"}") ==
	    5);
	assert_true(sample(t, "advisord_frames_out_total{type=\"reply\"}") ==
	    3);
	assert_true(sample(t, "advisord_replies_total{intent=\"define_kpo\"}")
	    == 2);
	assert_true(sample(t, "advisord_replies_total{intent=\"fallback\"}")
	    == 1);
	assert_true(sample(t, "advisord_fallbacks_total") == 1);
	assert_true(sample(t, "advisord_errors_total{code=\"bad_request\"}")
	    == 2);
	assert_true(sample(t, "advisord_errors_total{code=\"rate_limited\"}")
	    == 1);
	/* histogram buckets are cumulative; +Inf holds every reply */
	assert_true(sample(t, "advisord_reply_latency_seconds_bucket"
	    "{le=\"5e-05\"}") == 1);
	assert_true(sample(t, "advisord_reply_latency_seconds_bucket"
	    "{le=\"0.005\"}") == 2);
	assert_true(sample(t, "advisord_reply_latency_seconds_bucket"
	    "{le=\"1\"}") == 2);
	assert_true(sample(t, "advisord_reply_latency_seconds_bucket"
	    "{le=\"+Inf\"}") == 3);
	assert_true(sample(t, "advisord_reply_latency_seconds_count") == 3);
	assert_true(sample(t, "advisord_log_queue_depth") == 3);
	assert_true(sample(t, "advisord_log_rows_dropped_total") == 1);
	assert_true(sample(t, "advisord_log_write_errors_total") == 2);
	assert_true(sample(t, "advisord_content_reload_failures_total") == 1);
	assert_true(sample(t, "advisord_settings_reload_failures_total") == 2);
	assert_true(sample(t, "advisord_replies_held_total") == 4);
	assert_true(sample(t, "advisord_conversations_unmoved") == 6);
	assert_non_null(strstr(t, "# HELP advisord_conversations_unmoved "));
	assert_non_null(strstr(t, "# TYPE advisord_conversations_unmoved "
	    "gauge\n"));
	/* every sample has its TYPE line */
	assert_non_null(strstr(t, "# TYPE advisord_reply_latency_seconds "
	    "histogram\n"));
	assert_non_null(strstr(t, "# TYPE advisord_connections_open gauge\n"));
	assert_int_equal(t[b.len - 1], '\n');
	jbuf_free(&b);

	/* closes by the daemon, by code: each one listed, 0 or not; a code
	 * advisord does not send is not counted */
	metrics_reset();
	metrics_close(1009);
	metrics_close(1009);
	metrics_close(1007);
	metrics_close(1000);
	jbuf_init(&b, 0);
	metrics_write(&b, NULL);
	t = jbuf_data(&b);
	assert_true(sample(t, "advisord_closes_total{code=\"1009\"}") == 2);
	assert_true(sample(t, "advisord_closes_total{code=\"1007\"}") == 1);
	assert_true(sample(t, "advisord_closes_total{code=\"1003\"}") == 0);
	assert_null(strstr(t, "code=\"1000\""));
	assert_non_null(strstr(t, "# TYPE advisord_closes_total counter\n"));
	jbuf_free(&b);

	/* without store statistics the log lines are left out */
	jbuf_init(&b, 0);
	metrics_write(&b, NULL);
	assert_null(strstr(jbuf_data(&b), "advisord_log_queue_depth"));
	jbuf_free(&b);
	metrics_reset();
}

/* The latency sum keeps every microsecond however large it grows. */
static void
t_latency_sum(void **state)
{
	struct jbuf b;
	double sum;
	int i;

	(void)state;
	metrics_reset();
	/* 1,000 slow replies of 1.2345 s and one of 1 us: 1,234.500001 s */
	for (i = 0; i < 1000; i++)
		metrics_reply("define_kpo", 1234500);
	metrics_reply("define_kpo", 1);
	jbuf_init(&b, 0);
	metrics_write(&b, NULL);
	sum = sample(jbuf_data(&b), "advisord_reply_latency_seconds_sum");
	assert_true(sum > 1234.500000 && sum < 1234.500002);
	jbuf_free(&b);
	metrics_reset();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_counters),
		cmocka_unit_test(t_latency_sum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
