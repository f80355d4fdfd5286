/*
 * slice.c: a custom slice through sched_setattr(2).  Since Linux 6.12 a
 * SCHED_OTHER thread may set sched_runtime, its EEVDF slice; a waking
 * thread with a shorter slice than the running one preempts it at once.
 * Older kernels ignore the field, and glibc has no wrapper, hence the raw
 * system call.
 */
#include <errno.h>
#include <linux/sched.h>
#include <linux/sched/types.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "daemon/slice.h"

static int
get_attr(struct sched_attr *a)
{
	memset(a, 0, sizeof(*a));
	return (int)syscall(SYS_sched_getattr, 0, a, sizeof(*a), 0);
}

unsigned
slice_current(void)
{
	struct sched_attr a;

	if (get_attr(&a) == -1)
		return 0;
	return (unsigned)(a.sched_runtime / 1000);
}

int
slice_request(unsigned us)
{
	struct sched_attr a;

	if (us < SLICE_MIN_US || us > SLICE_MAX_US) {
		errno = EINVAL;
		return -1;
	}
	if (get_attr(&a) == -1)
		return -1;
	/* a real-time or deadline thread has no such slice */
	if (a.sched_policy != SCHED_NORMAL && a.sched_policy != SCHED_BATCH) {
		errno = EINVAL;
		return -1;
	}
	/* keep policy and nice as they are; only the slice changes */
	a.size = sizeof(a);
	a.sched_flags = 0;
	a.sched_runtime = (__u64)us * 1000;
	if (syscall(SYS_sched_setattr, 0, &a, 0) == -1)
		return -1;
	if (slice_current() != us) {
		errno = EOPNOTSUPP;
		return -1;
	}
	return 0;
}
