/*
 * slice.h: ask the kernel for a short scheduler slice for the calling
 * thread, so that when it wakes it runs at once instead of waiting for
 * another thread of the same core to use up its slice.  The event loop
 * asks for one; the log's threads keep the default.
 */
#ifndef ADVISOR_SLICE_H
#define ADVISOR_SLICE_H

/* The kernel's bounds on a custom slice. */
#define SLICE_MIN_US	100
#define SLICE_MAX_US	100000

/* Ask for a slice of US microseconds, SLICE_MIN_US .. SLICE_MAX_US; the
 * thread's policy and nice value stay as they are.  0 when the kernel took
 * it; -1 with errno: EINVAL (US out of bounds, or a real-time thread),
 * EPERM (a seccomp filter) or ENOSYS, or EOPNOTSUPP when the kernel
 * accepted the call but keeps its own slice (Linux before 6.12). */
int	slice_request(unsigned us);
/* The calling thread's slice in microseconds, or 0 when the kernel does
 * not say. */
unsigned slice_current(void);

#endif
