/*
 * htab.h: a string-keyed hash table of pointers.  Keys are not copied: the
 * caller keeps each key alive while its entry exists (typically the key is
 * a field of the value).
 */
#ifndef ADVISOR_HTAB_H
#define ADVISOR_HTAB_H

#include <stddef.h>

struct htab;

struct htab	*htab_new(void);
void		 htab_free(struct htab *);
void		*htab_get(const struct htab *, const char *key);
/* Insert or replace; 0, or -1 on no memory. */
int		 htab_put(struct htab *, const char *key, void *value);
void		 htab_del(struct htab *, const char *key);
size_t		 htab_count(const struct htab *);
/* Visit every entry (no changes to the table from inside FN). */
void		 htab_each(const struct htab *, void (*fn)(void *value,
		    void *arg), void *arg);

#endif
