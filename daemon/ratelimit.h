/*
 * ratelimit.h: a token bucket.  RATE tokens a second, up to BURST; each
 * message takes one.  Time is passed in, so the bucket is testable.  (A
 * bucket for log lines is in throttle.h.)
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

#endif
