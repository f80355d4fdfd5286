/*
 * prefilter.h: a literal prefilter for the intent patterns.  Each pattern
 * is analysed for a set of literal strings of which every match must
 * contain at least one; one scan of the message then marks the patterns
 * worth running, so matching cost grows with what the message says rather
 * than with the size of the catalog.  Patterns without such a set always run.
 */
#ifndef ADVISOR_PREFILTER_H
#define ADVISOR_PREFILTER_H

#include <stddef.h>
#include <stdint.h>

struct prefilter;

struct prefilter *prefilter_new(void);
void		 prefilter_free(struct prefilter *);

/*
 * Register pattern PID (its source after concept expansion, as compiled).
 * Returns 1 when the pattern is filtered by literals, 0 when it must
 * always run, -1 when out of memory.
 */
int		 prefilter_add(struct prefilter *, const char *re, size_t pid);

/*
 * Scan the lower-case TEXT (LEN bytes): for each literal found, call
 * HIT(ARG, pid) for every pattern it stands for (a pattern may be reported
 * more than once).  No allocation.
 */
void		 prefilter_scan(const struct prefilter *, const char *text,
		    size_t len, void (*hit)(void *, size_t), void *arg);

/* Number of distinct literals indexed (for tests and the benchmark). */
size_t		 prefilter_literals(const struct prefilter *);

#endif
