/*
 * throttle.h: log lines about refusals, at most so many a second.  One
 * client's refused requests or connections cost it nothing but wrote a
 * line each, and thousands a second took journald past its rate limit,
 * which then dropped the program's every line, warnings too.  The line
 * that passes says how many were held back before it.  Shared by
 * advisord and advisor-bridge.  Time is the monotonic clock's (clock.h):
 * on the wall clock, set back an hour, the bucket refilled only an hour
 * later, and no refusal was logged meanwhile.
 */
#ifndef ADVISOR_THROTTLE_H
#define ADVISOR_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/ratelimit.h"

#define THROTTLE_LINE_MAX	512	/* a line's bytes, the NUL counted */

struct throttle {
	unsigned	 rate;		/* lines a second; the burst is twice */
	const char	*what;		/* the lines' subject, for the count:
					   "refused connections" */
	void		(*emit)(const char *line);	/* writes one line */
	struct bucket	 b;
	bool		 started;	/* b is initialised */
	unsigned long	 held;		/* lines held back since the last */
};

/* Whether a line may be written now (a throttle whose bucket is not
 * started starts full).  When it may, *HELD is the number held back
 * before it, for the line to say. */
bool	throttle_pass(struct throttle *, unsigned long *held);

/* FMT's line to the throttle's emit, unless it is held back; with
 * " (N WHAT before it not logged)" after it when N were, the count kept
 * whole when the line is too long. */
void	throttle_log(struct throttle *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
