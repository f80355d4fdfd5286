/*
 * test_log.c: the log module's lines as journald reads them.  stderr goes
 * to a temporary file that each test reads back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/log.h"

static char out[8192];

/* Empty stderr's file before a test. */
static int
setup(void **state)
{
	(void)state;
	fflush(stderr);
	return ftruncate(fileno(stderr), 0) == 0 && fseek(stderr, 0,
	    SEEK_SET) == 0 ? 0 : -1;
}

/* What was logged since setup(). */
static const char *
logged(void)
{
	FILE *f;
	size_t n;

	fflush(stderr);
	f = fopen(getenv("TEST_LOG_FILE"), "r");
	assert_non_null(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	fclose(f);
	return out;
}

/* Under the journal every line of a multi-line warning carries <4>: the
 * report of a refused reload listed its later problems at the default
 * priority, and an empty line after them. */
static void
t_every_line_prefixed(void **state)
{
	(void)state;
	log_warnx("content reload refused: %s",
	    "topics.json: a: bad\ntopics.json: b: bad\n");
	assert_string_equal(logged(),
	    "<4>advisord: content reload refused: topics.json: a: bad\n"
	    "<4>advisord: topics.json: b: bad\n");
}

/* strerror ends the last line; blank lines inside are dropped. */
static void
t_strerror_on_last_line(void **state)
{
	(void)state;
	errno = ENOENT;
	log_warn("first\n\nsecond");
	assert_string_equal(logged(),
	    "<4>advisord: first\n"
	    "<4>advisord: second: No such file or directory\n");
}

/* libwebsockets' lines come through log_line: same rule, at their level. */
static void
t_log_line(void **state)
{
	(void)state;
	log_line(LOG_LVL_ERR, "one\ntwo \n");
	log_line(LOG_LVL_DEBUG, "hidden\n");
	assert_string_equal(logged(), "<3>advisord: one\n<3>advisord: two\n");
}

/* A message past the log's own buffer is not cut: a refused reload with
 * many problems listed them all. */
static void
t_long_report(void **state)
{
	char report[3000], *p = report;
	const char *got;
	int i;

	(void)state;
	for (i = 0; i < 100; i++)
		p += sprintf(p, "topics.json: node_%03d: bad\n", i);
	log_warnx("refused: %s", report);
	got = logged();
	assert_non_null(strstr(got, "<4>advisord: refused: topics.json: "
	    "node_000: bad\n"));
	assert_non_null(strstr(got, "<4>advisord: topics.json: node_099: "
	    "bad\n"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(t_every_line_prefixed, setup),
		cmocka_unit_test_setup(t_strerror_on_last_line, setup),
		cmocka_unit_test_setup(t_log_line, setup),
		cmocka_unit_test_setup(t_long_report, setup),
	};
	char path[] = "/tmp/test_log.XXXXXX";
	int fd, err, rc;

	/* cmocka prints to stdout; stderr is ours to read */
	if ((fd = mkstemp(path)) == -1)
		return 1;
	setenv("TEST_LOG_FILE", path, 1);
	setenv("JOURNAL_STREAM", "8:1", 1);
	err = dup(2);
	dup2(fd, 2);
	close(fd);
	log_init(LOG_LVL_INFO);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	fflush(stderr);
	dup2(err, 2);
	unlink(path);
	return rc;
}
