/*
 * test_slice.c: the event loop's scheduler slice: out-of-bounds requests
 * are refused without a system call, a request the kernel takes is read
 * back, and the thread's nice value survives it.  On a kernel without
 * custom slices (before Linux 6.12) the read-back cases are skipped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <sys/resource.h>
#include <unistd.h>

#include "daemon/slice.h"

static void
test_bounds(void **state)
{
	unsigned before = slice_current();

	(void)state;
	errno = 0;
	assert_int_equal(slice_request(SLICE_MIN_US - 1), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(slice_request(SLICE_MAX_US + 1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(slice_current(), before);
}

/* Skip unless this kernel keeps a custom slice. */
static void
request_or_skip(unsigned us)
{
	if (slice_request(us) == -1) {
		if (errno == EOPNOTSUPP || errno == ENOSYS || errno == EPERM)
			skip();
		fail_msg("slice_request(%u): errno %d", us, errno);
	}
}

static void
test_read_back(void **state)
{
	(void)state;
	request_or_skip(250);
	assert_int_equal(slice_current(), 250);
	request_or_skip(SLICE_MIN_US);
	assert_int_equal(slice_current(), SLICE_MIN_US);
}

static void
test_keeps_nice(void **state)
{
	(void)state;
	/* lowering one's own priority needs no privilege */
	assert_int_equal(setpriority(PRIO_PROCESS, (id_t)gettid(), 7), 0);
	request_or_skip(400);
	assert_int_equal(slice_current(), 400);
	errno = 0;
	assert_int_equal(getpriority(PRIO_PROCESS, (id_t)gettid()), 7);
	assert_int_equal(errno, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_read_back),
		cmocka_unit_test(test_keeps_nice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
