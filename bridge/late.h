/*
 * late.h: the requests the bridge answered "the advisor is slow" while
 * advisord still had them, kept for a while with the chat's response_url,
 * so that advisord's late answer reaches the person after all: taken at
 * most once, and not after the URL's validity window.  Pure: no sockets,
 * no libwebsockets; the caller gives the time.
 */
#ifndef BRIDGE_LATE_H
#define BRIDGE_LATE_H

#include <stddef.h>

#include "bridge/chat.h"
#include "bridge/respurl.h"

#define LATE_ID		32	/* a request id's bytes, NUL included */
#define LATE_MENTION	256	/* whom the answer is addressed to */
/* Slack takes a response_url's messages for 30 minutes; a minute less
 * leaves the post time to get there */
#define LATE_VALID_S	(29 * 60)

/* One request whose answer may still come. */
struct late_entry {
	char	reqid[LATE_ID];
	char	url[RESPURL_MAX];	/* its response_url */
	enum chat chat;			/* whose markup the answer is in */
	char	mention[LATE_MENTION];	/* whom it is addressed to, or "" */
	long long until;		/* posted only before this time */
};

struct late;

/* A book of at most CAP requests (CAP > 0); NULL on allocation failure. */
struct late *late_new(size_t cap);
void	late_free(struct late *);
/* Keep E (copied); when the book is full the oldest goes, and 1 says so;
 * else 0. */
int	late_add(struct late *, const struct late_entry *e);
/* Whether REQID is kept and still valid at NOW. */
int	late_has(const struct late *, const char *reqid, long long now);
/* Take REQID's entry into OUT: 1 when it was kept and is valid at NOW,
 * else 0.  Either way it is no longer kept: a second answer to the same
 * request finds nothing. */
int	late_take(struct late *, const char *reqid, long long now,
	    struct late_entry *out);
/* Forget the entries no longer valid at NOW; how many went. */
size_t	late_expire(struct late *, long long now);
/* How many are kept. */
size_t	late_count(const struct late *);

#endif
