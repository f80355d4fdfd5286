/*
 * writer_nice.h: the fast-mode log writer's nice value, from how far
 * behind it is.  At nice 10 it never takes the core from a reply while it
 * keeps up (the open loop's tail, where a service lives); once a whole
 * window's rows are queued at a batch's start it is behind, as at
 * saturation, where nice 10 gave it a tenth of the core and the hold
 * then stopped every reply while it caught up (the closed loop's p99),
 * so it runs at nice 0 until less than a quarter of a window is left
 * (docs/performance.md, "The log's threads at nice 0").  Pure.
 */
#ifndef ADVISOR_WRITER_NICE_H
#define ADVISOR_WRITER_NICE_H

#include <stddef.h>

#define WRITER_NICE_IDLE	10	/* keeping up */
#define WRITER_NICE_BEHIND	0	/* a window or more behind */

/* The nice value for a writer at nice CUR that found QUEUED rows at a
 * batch's start, with a window of WINDOW rows. */
static inline int
writer_nice(int cur, size_t queued, size_t window)
{
	if (queued >= window)
		return WRITER_NICE_BEHIND;
	if (queued < window / 4)
		return WRITER_NICE_IDLE;
	return cur;
}

#endif
