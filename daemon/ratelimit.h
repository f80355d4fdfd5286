/*
 * ratelimit.h: a token bucket.  RATE tokens a second, up to BURST; each
 * message takes one.  Time is passed in, so the bucket is testable.  A
 * throttle is a bucket for log lines that counts the ones it holds back.
 */
#ifndef ADVISOR_RATELIMIT_H
#define ADVISOR_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct bucket {
	double		tokens;
	int64_t		last_us;
};

/* Start full.  RATE 0 means unlimited. */
void	bucket_init(struct bucket *, unsigned rate, int64_t now_us);
/* Take a token at NOW_US; false when the bucket is empty. */
bool	bucket_take(struct bucket *, unsigned rate, int64_t now_us);

struct throttle {
	struct bucket	b;
	bool		started;	/* b is initialised */
	unsigned long	held;		/* lines held back since the last */
};

/* Whether a line may be written at NOW_US (RATE a second, burst twice
 * that; a zeroed throttle starts full).  When it may, *HELD is the number
 * held back before it, for the line to say. */
bool	throttle_pass(struct throttle *, unsigned rate, int64_t now_us,
	    unsigned long *held);

#endif
