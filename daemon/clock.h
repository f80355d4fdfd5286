/*
 * clock.h: wall-clock time in microseconds since the epoch, the unit every
 * stored timestamp uses.
 */
#ifndef ADVISOR_CLOCK_H
#define ADVISOR_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t
wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

#endif
