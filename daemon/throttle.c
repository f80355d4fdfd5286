/*
 * throttle.c: a token bucket for log lines, counting the lines it holds
 * back so that the next one to pass can say how many there were.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "daemon/clock.h"
#include "daemon/throttle.h"

bool
throttle_pass(struct throttle *t, unsigned long *held)
{
	int64_t now_us = mono_us();

	if (!t->started) {
		bucket_init(&t->b, t->rate, now_us);
		t->started = true;
	}
	if (!bucket_take(&t->b, t->rate, now_us)) {
		t->held++;
		return false;
	}
	*held = t->held;
	t->held = 0;
	return true;
}

void
throttle_log(struct throttle *t, const char *fmt, ...)
{
	char line[THROTTLE_LINE_MAX], tail[96];
	unsigned long held;
	size_t at, tl;
	va_list ap;
	int n;

	if (!throttle_pass(t, &held))
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (held > 0) {
		/* the count goes in whole, at the cost of the text's end */
		tl = (size_t)snprintf(tail, sizeof(tail),
		    " (%lu %s before it not logged)", held, t->what);
		if (tl >= sizeof(tail))
			tl = sizeof(tail) - 1;
		at = n < 0 ? 0 : (size_t)n;
		if (at + tl >= sizeof(line))
			at = sizeof(line) - 1 - tl;
		memcpy(line + at, tail, tl + 1);
	}
	t->emit(line);
}
