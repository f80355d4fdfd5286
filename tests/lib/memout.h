/*
 * memout.h: what a function writes on a FILE, captured in memory, for the
 * tests of the report writers (test_review, test_review_out).
 */
#ifndef ADVISOR_TEST_MEMOUT_H
#define ADVISOR_TEST_MEMOUT_H

#include <stdio.h>

struct memout {
	char	*buf;
	size_t	 len;
	FILE	*f;
};

/* A stream that writes into M; NULL if it cannot be made. */
FILE	*memout_open(struct memout *m);
/* What was written, whole and NUL-terminated: the caller frees it. */
char	*memout_close(struct memout *m);

#endif
