/*
 * htab.c: separate chaining, power-of-two bucket counts, FNV-1a hashing
 * (fnv.h), doubling when the load passes one entry per bucket.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/fnv.h"
#include "daemon/htab.h"

struct hent {
	const char	*key;
	void		*value;
	uint64_t	 hash;
	struct hent	*next;
};

struct htab {
	struct hent	**b;
	size_t		  nb, n;
};

struct htab *
htab_new(void)
{
	struct htab *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->nb = 64;
	if ((t->b = calloc(t->nb, sizeof(*t->b))) == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

void
htab_free(struct htab *t)
{
	size_t i;
	struct hent *e, *nx;

	if (t == NULL)
		return;
	for (i = 0; i < t->nb; i++)
		for (e = t->b[i]; e; e = nx) {
			nx = e->next;
			free(e);
		}
	free(t->b);
	free(t);
}

static struct hent **
slot(const struct htab *t, const char *key, uint64_t h)
{
	struct hent **p = &t->b[h & (t->nb - 1)];

	while (*p && ((*p)->hash != h || strcmp((*p)->key, key) != 0))
		p = &(*p)->next;
	return p;
}

void *
htab_get(const struct htab *t, const char *key)
{
	struct hent **p = slot(t, key, fnv1a(key));

	return *p ? (*p)->value : NULL;
}

static void
resize(struct htab *t)
{
	struct hent **nb, *e, *nx;
	size_t i, n = t->nb * 2;

	if ((nb = calloc(n, sizeof(*nb))) == NULL)
		return;	/* keep working with longer chains */
	for (i = 0; i < t->nb; i++)
		for (e = t->b[i]; e; e = nx) {
			nx = e->next;
			e->next = nb[e->hash & (n - 1)];
			nb[e->hash & (n - 1)] = e;
		}
	free(t->b);
	t->b = nb;
	t->nb = n;
}

int
htab_put(struct htab *t, const char *key, void *value)
{
	uint64_t h = fnv1a(key);
	struct hent **p = slot(t, key, h), *e;

	if (*p) {
		(*p)->key = key;
		(*p)->value = value;
		return 0;
	}
	if ((e = malloc(sizeof(*e))) == NULL)
		return -1;
	e->key = key;
	e->value = value;
	e->hash = h;
	e->next = NULL;
	*p = e;
	if (++t->n > t->nb)
		resize(t);
	return 0;
}

void
htab_del(struct htab *t, const char *key)
{
	struct hent **p = slot(t, key, fnv1a(key)), *e = *p;

	if (e == NULL)
		return;
	*p = e->next;
	free(e);
	t->n--;
}

size_t
htab_count(const struct htab *t)
{
	return t->n;
}

void
htab_each(const struct htab *t, void (*fn)(void *, void *), void *arg)
{
	size_t i;
	struct hent *e, *nx;

	for (i = 0; i < t->nb; i++)
		for (e = t->b[i]; e; e = nx) {
			nx = e->next;
			fn(e->value, arg);
		}
}
