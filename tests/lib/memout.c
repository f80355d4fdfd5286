/*
 * memout.c: a FILE that writes into memory (open_memstream), and what it
 * holds when it is closed.
 */
#include <stdio.h>

#include "tests/lib/memout.h"

FILE *
memout_open(struct memout *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	return m->f;
}

char *
memout_close(struct memout *m)
{
	fclose(m->f);
	return m->buf;
}
