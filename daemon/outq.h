/*
 * outq.h: a bounded queue of outgoing frames for one connection.  Each
 * frame owns its bytes and keeps free headroom in front of them (the
 * server asks for LWS_PRE, which libwebsockets writes its header into).
 * A frame may wait for a log sequence number (strict durability): it
 * leaves the queue only once the log has resolved that row.  Pure: no
 * sockets.
 */
#ifndef ADVISOR_OUTQ_H
#define ADVISOR_OUTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct outq;

/* A queue of at most MAX frames, each with PRE bytes of headroom. */
struct outq	*outq_new(size_t max, size_t pre);
void		 outq_free(struct outq *);

/* Copy LEN bytes of DATA in as a new frame that waits for SEQ (0: none).
 * 0, or -1 when the queue is full or memory ran out (nothing queued). */
int		 outq_push(struct outq *, const char *data, size_t len,
		    uint64_t seq);
size_t		 outq_len(const struct outq *);
bool		 outq_full(const struct outq *);

/* The oldest frame's bytes (headroom in front of them is writable) and
 * length, if it may leave now that the log resolved RESOLVED; else NULL. */
unsigned char	*outq_head(const struct outq *, uint64_t resolved,
		    size_t *len);
/* The sequence number the oldest frame waits for (0 if empty or none). */
uint64_t	 outq_head_seq(const struct outq *);
/* Drop the oldest frame (after it was written). */
void		 outq_pop(struct outq *);

#endif
