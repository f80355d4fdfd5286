/*
 * clock.h: time in microseconds.  wall_us, since the epoch, is the unit
 * every stored timestamp uses; mono_us, from an arbitrary start, is for
 * durations, rates and deadlines: the wall clock can be stepped (an NTP
 * correction, an operator's `date -s`), and a rate measured on it stalls
 * for as long as the clock went back.
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

static inline int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

#endif
