/*
 * ratelimit.c: token bucket.  The burst is twice the rate (at least 1), so
 * a person who types two quick messages is never refused at normal rates.
 */
#include "daemon/ratelimit.h"

static double
burst(unsigned rate)
{
	return rate ? 2.0 * rate : 1.0;
}

void
bucket_init(struct bucket *b, unsigned rate, int64_t now_us)
{
	b->tokens = burst(rate);
	b->last_us = now_us;
}

bool
bucket_take(struct bucket *b, unsigned rate, int64_t now_us)
{
	if (rate == 0)
		return true;
	if (now_us > b->last_us) {
		b->tokens += (double)(now_us - b->last_us) * rate / 1e6;
		if (b->tokens > burst(rate))
			b->tokens = burst(rate);
		b->last_us = now_us;
	}
	if (b->tokens < 1.0)
		return false;
	b->tokens -= 1.0;
	return true;
}
