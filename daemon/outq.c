/*
 * outq.c: the per-connection output queue, a ring of owned frames.  It is
 * bounded so that a client that never reads costs a fixed amount of
 * memory: when the ring is full the server drops the client.
 */
#include <stdlib.h>
#include <string.h>

#include "daemon/outq.h"

struct frame {
	unsigned char	*buf;		/* headroom, then the bytes */
	size_t		 len;
	uint64_t	 seq;
};

struct outq {
	struct frame	*v;
	size_t		 max, pre, head, len;
};

struct outq *
outq_new(size_t max, size_t pre)
{
	struct outq *q;

	if (max == 0 || (q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	if ((q->v = calloc(max, sizeof(*q->v))) == NULL) {
		free(q);
		return NULL;
	}
	q->max = max;
	q->pre = pre;
	return q;
}

void
outq_free(struct outq *q)
{
	if (q == NULL)
		return;
	while (q->len > 0)
		outq_pop(q);
	free(q->v);
	free(q);
}

int
outq_push(struct outq *q, const char *data, size_t len, uint64_t seq)
{
	struct frame *f;

	if (q->len == q->max)
		return -1;
	f = &q->v[(q->head + q->len) % q->max];
	if ((f->buf = malloc(q->pre + len + 1)) == NULL)
		return -1;
	memcpy(f->buf + q->pre, data, len);
	f->buf[q->pre + len] = '\0';
	f->len = len;
	f->seq = seq;
	q->len++;
	return 0;
}

size_t
outq_len(const struct outq *q)
{
	return q->len;
}

bool
outq_full(const struct outq *q)
{
	return q->len == q->max;
}

unsigned char *
outq_head(const struct outq *q, uint64_t resolved, size_t *len)
{
	const struct frame *f;

	if (q->len == 0)
		return NULL;
	f = &q->v[q->head];
	if (f->seq > resolved)
		return NULL;
	*len = f->len;
	return f->buf + q->pre;
}

uint64_t
outq_head_seq(const struct outq *q)
{
	return q->len ? q->v[q->head].seq : 0;
}

void
outq_pop(struct outq *q)
{
	if (q->len == 0)
		return;
	free(q->v[q->head].buf);
	q->v[q->head].buf = NULL;
	q->head = (q->head + 1) % q->max;
	q->len--;
}
