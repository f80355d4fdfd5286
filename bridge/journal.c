/*
 * journal.c: tell systemd's journal stream from any other stderr by the
 * device and inode JOURNAL_STREAM names (systemd.exec(5)).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "bridge/journal.h"

/* The decimal number at *S, up to a ':' or the end; -1 on anything else. */
static int
number(const char **s, int last, unsigned long long *out)
{
	char *end;

	if (!isdigit((unsigned char)**s))
		return -1;
	errno = 0;
	*out = strtoull(*s, &end, 10);
	if (errno != 0 || *end != (last ? '\0' : ':'))
		return -1;
	*s = end + (last ? 0 : 1);
	return 0;
}

int
journal_is_stderr(const char *env, unsigned long long dev,
    unsigned long long ino)
{
	unsigned long long d, i;

	if (env == NULL || number(&env, 0, &d) == -1 ||
	    number(&env, 1, &i) == -1)
		return 0;
	return d == dev && i == ino;
}
