/*
 * resolver.h: host names looked up off the event loop.  Debian's
 * libwebsockets 4.1.6 has no asynchronous DNS: a client connection to a
 * name calls getaddrinfo inside the loop, and a slow or dead DNS server
 * held every conversation.  Here a few threads of their own do the
 * lookups; the loop asks, is woken (WAKE, from a lookup thread: only
 * lws_cancel_service may be called there) and takes the answers, and
 * then connects to an address.  Pure: no libwebsockets.
 */
#ifndef BRIDGE_RESOLVER_H
#define BRIDGE_RESOLVER_H

#include <stddef.h>

#define RESOLVER_HOST	254	/* a name's bytes, NUL included */
#define RESOLVER_ADDRS	4	/* addresses kept of one name */
#define RESOLVER_ADDR	46	/* a numeric address, NUL included
				 * (INET6_ADDRSTRLEN) */

/* What a lookup found: numeric addresses, in the order to try them, or
 * why there are none. */
struct resolved {
	unsigned long	id;		/* as asked */
	int		naddr;		/* 0: failed, see error */
	char		addr[RESOLVER_ADDRS][RESOLVER_ADDR];
	char		error[96];
};

/* A lookup: HOST's addresses into OUT (its id already set); 0, or -1
 * with OUT->error said.  May block as long as it likes. */
typedef int (*resolver_fn)(const char *host, struct resolved *out);

struct resolver;

/* THREADS lookup threads (> 0), at most CAP lookups asked and not yet
 * taken or forgotten (> 0), each done by LOOKUP (resolver_getaddrinfo
 * when NULL); WAKE(ARG) is called from a lookup thread when an answer is
 * ready.  NULL when memory or threads are short. */
struct resolver *resolver_new(size_t threads, size_t cap, resolver_fn lookup,
	    void (*wake)(void *), void *arg);
/* The end: a lookup still under way is left to its thread, which drops
 * its answer and frees what is left when it ends. */
void	resolver_free(struct resolver *);
/* Look HOST up, the answer to say ID (a number the caller keeps unique
 * among the lookups it has asked): 0, or -1 when CAP are already asked
 * (or HOST is too long). */
int	resolver_ask(struct resolver *, unsigned long id, const char *host);
/* An answer into OUT, the oldest first: 1, or 0 when none is ready. */
int	resolver_take(struct resolver *, struct resolved *out);
/* ID's answer is no longer wanted: a lookup not started is not made, one
 * under way has its answer dropped (its place is free once it ends). */
void	resolver_forget(struct resolver *, unsigned long id);
/* The lookup threads use: getaddrinfo for TCP, IPv4 and IPv6. */
int	resolver_getaddrinfo(const char *host, struct resolved *out);

#endif
