/*
 * late.c: the book of requests answered before advisord did, whose late
 * answer may still go to their response_url (see late.h).  A ring, oldest
 * first: entries are added in time order, all with the same validity, so
 * the ones that expire are always at its head; one taken from the middle
 * closes its gap.
 */
#include <stdlib.h>
#include <string.h>

#include "bridge/late.h"

struct late {
	struct late_entry *e;
	size_t	cap, head, n;
};

struct late *
late_new(size_t cap)
{
	struct late *l;

	if (cap == 0 || (l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	if ((l->e = calloc(cap, sizeof(*l->e))) == NULL) {
		free(l);
		return NULL;
	}
	l->cap = cap;
	return l;
}

void
late_free(struct late *l)
{
	if (l == NULL)
		return;
	free(l->e);
	free(l);
}

static struct late_entry *
at(const struct late *l, size_t i)
{
	return &l->e[(l->head + i) % l->cap];
}

static void
drop_head(struct late *l)
{
	memset(at(l, 0), 0, sizeof(struct late_entry));
	l->head = (l->head + 1) % l->cap;
	l->n--;
}

int
late_add(struct late *l, const struct late_entry *e)
{
	int full = l->n == l->cap;

	if (full)
		drop_head(l);
	*at(l, l->n) = *e;
	l->n++;
	return full;
}

/* The index of REQID's entry, or l->n. */
static size_t
find(const struct late *l, const char *reqid)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(at(l, i)->reqid, reqid) == 0)
			break;
	return i;
}

int
late_has(const struct late *l, const char *reqid, long long now)
{
	size_t i = find(l, reqid);

	return i < l->n && now < at(l, i)->until;
}

int
late_take(struct late *l, const char *reqid, long long now,
    struct late_entry *out)
{
	size_t i = find(l, reqid);
	int valid;

	if (i == l->n)
		return 0;
	valid = now < at(l, i)->until;
	if (valid)
		*out = *at(l, i);
	/* the later ones move up, oldest first still (late answers are
	 * rare: the copies cost nothing that counts) */
	for (; i + 1 < l->n; i++)
		*at(l, i) = *at(l, i + 1);
	memset(at(l, l->n - 1), 0, sizeof(struct late_entry));
	l->n--;
	return valid;
}

size_t
late_expire(struct late *l, long long now)
{
	size_t gone = 0;

	while (l->n > 0 && now >= at(l, 0)->until) {
		drop_head(l);
		gone++;
	}
	return gone;
}

size_t
late_count(const struct late *l)
{
	return l->n;
}
