/*
 * poster.h: late answers POSTed to a chat's response_url over HTTPS, from
 * the bridge's libwebsockets loop: a bounded queue, a few at once, each
 * posted once, redirects not followed, the server's certificate verified
 * (against the context's client CA file, and for the URL's host name);
 * the host name looked up off the loop (resolver.h), given up after
 * POSTER_LOOKUP_S; every outcome logged.
 */
#ifndef BRIDGE_POSTER_H
#define BRIDGE_POSTER_H

#include <stddef.h>

#include <libwebsockets.h>

#include "bridge/respurl.h"

#define POSTER_QUEUE	32	/* posts waiting or under way */
#define POSTER_AT_ONCE	4	/* connections at a time */
#define POSTER_LOOKUP_S	5	/* a host name not found by then: given up */
#define POSTER_RESOLVERS 2	/* lookup threads */

/* Post through CX (its default vhost, whose client TLS context verifies
 * the server), saying what happens through LOG (level 0 error .. 3
 * debug, as the bridge's log).  -1 when the lookup threads cannot be
 * had (said). */
int	poster_init(struct lws_context *cx,
	    void (*log)(int level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3))));
/* Queue BODY (JSON, copied) for U, the late answer to request REQID.
 * 0, or -1 when the queue is full or memory short (said). */
int	poster_post(const struct respurl *u, const char *reqid,
	    const char *body);
/* The protocol callback of the connections poster_post makes (named
 * POSTER_PROTOCOL in the context's protocols). */
int	poster_callback(struct lws *wsi, enum lws_callback_reasons reason,
	    void *user, void *in, size_t len);
#define POSTER_PROTOCOL	"response-url"
/* How many late answers are queued or under way. */
int	poster_busy(void);
/* Give up every late answer not yet posted (each said), before the
 * context goes; how many. */
int	poster_stop(void);

#endif
