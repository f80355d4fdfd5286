/*
 * resolver.c: host names looked up by threads of their own (see
 * resolver.h).  The lookups asked wait in CAP places; a thread takes the
 * oldest, looks it up with the mutex let go, and leaves the answer in its
 * place for resolver_take.  The threads are detached: one may be stuck in
 * a lookup for as long as the DNS server takes, so nobody waits for them;
 * the last one of them, or the owner, frees the struct.
 */
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bridge/resolver.h"

enum { FREE, WAITING, LOOKING, READY, DROPPED };

struct place {
	int		 state;
	unsigned long	 order;		/* asked, then answered, in this
					 * order */
	char		 host[RESOLVER_HOST];
	struct resolved	 r;		/* r.id is the asker's */
};

struct resolver {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;		/* a lookup waits, or the end */
	struct place	*places;
	size_t		 cap;
	unsigned long	 order;
	int		 closing;
	size_t		 refs;		/* the threads and the owner */
	resolver_fn	 lookup;
	void		(*wake)(void *);
	void		*arg;
};

/* The oldest place in STATE, or NULL. */
static struct place *
oldest(struct resolver *rs, int state)
{
	struct place *best = NULL;
	size_t i;

	for (i = 0; i < rs->cap; i++)
		if (rs->places[i].state == state && (best == NULL ||
		    rs->places[i].order < best->order))
			best = &rs->places[i];
	return best;
}

/* One reference less, the mutex held (and let go here). */
static void
unref(struct resolver *rs)
{
	int last = --rs->refs == 0;

	pthread_mutex_unlock(&rs->mu);
	if (!last)
		return;
	pthread_mutex_destroy(&rs->mu);
	pthread_cond_destroy(&rs->cv);
	free(rs->places);
	free(rs);
}

static void *
worker(void *arg)
{
	struct resolver *rs = arg;
	struct place *p;
	struct resolved r;
	char host[RESOLVER_HOST];

	pthread_mutex_lock(&rs->mu);
	for (;;) {
		p = NULL;
		while (!rs->closing && (p = oldest(rs, WAITING)) == NULL)
			pthread_cond_wait(&rs->cv, &rs->mu);
		if (rs->closing || p == NULL)
			break;
		p->state = LOOKING;
		memcpy(host, p->host, sizeof(host));
		memset(&r, 0, sizeof(r));
		r.id = p->r.id;
		pthread_mutex_unlock(&rs->mu);
		if (rs->lookup(host, &r) != 0 || r.naddr <= 0) {
			r.naddr = 0;
			if (r.error[0] == '\0')
				snprintf(r.error, sizeof(r.error), "no address");
		}
		pthread_mutex_lock(&rs->mu);
		if (p->state == DROPPED || rs->closing) {
			p->state = FREE;
			continue;
		}
		p->r = r;
		p->state = READY;
		p->order = ++rs->order;
		/* under the mutex: resolver_free, which takes it, then
		 * knows that no thread is in WAKE nor will be */
		rs->wake(rs->arg);
	}
	unref(rs);
	return NULL;
}

struct resolver *
resolver_new(size_t threads, size_t cap, resolver_fn lookup,
    void (*wake)(void *), void *arg)
{
	struct resolver *rs;
	pthread_attr_t attr;
	pthread_t t;
	sigset_t all, was;
	size_t i;

	if (threads == 0 || cap == 0 || (rs = calloc(1, sizeof(*rs))) == NULL)
		return NULL;
	if ((rs->places = calloc(cap, sizeof(*rs->places))) == NULL) {
		free(rs);
		return NULL;
	}
	rs->cap = cap;
	rs->lookup = lookup != NULL ? lookup : resolver_getaddrinfo;
	rs->wake = wake;
	rs->arg = arg;
	rs->refs = 1;
	pthread_mutex_init(&rs->mu, NULL);
	pthread_cond_init(&rs->cv, NULL);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* the threads take no signal: the loop's thread handles them */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &was);
	pthread_mutex_lock(&rs->mu);
	for (i = 0; i < threads; i++) {
		if (pthread_create(&t, &attr, worker, rs) != 0)
			break;
		rs->refs++;
	}
	pthread_mutex_unlock(&rs->mu);
	pthread_sigmask(SIG_SETMASK, &was, NULL);
	pthread_attr_destroy(&attr);
	if (i == 0) {
		resolver_free(rs);
		return NULL;
	}
	return rs;
}

void
resolver_free(struct resolver *rs)
{
	if (rs == NULL)
		return;
	pthread_mutex_lock(&rs->mu);
	rs->closing = 1;
	pthread_cond_broadcast(&rs->cv);
	unref(rs);
}

int
resolver_ask(struct resolver *rs, unsigned long id, const char *host)
{
	struct place *p;

	if (strlen(host) >= RESOLVER_HOST)
		return -1;
	pthread_mutex_lock(&rs->mu);
	if ((p = oldest(rs, FREE)) != NULL) {
		memset(p, 0, sizeof(*p));
		snprintf(p->host, sizeof(p->host), "%s", host);
		p->r.id = id;
		p->order = ++rs->order;
		p->state = WAITING;
		pthread_cond_signal(&rs->cv);
	}
	pthread_mutex_unlock(&rs->mu);
	return p != NULL ? 0 : -1;
}

int
resolver_take(struct resolver *rs, struct resolved *out)
{
	struct place *p;

	pthread_mutex_lock(&rs->mu);
	if ((p = oldest(rs, READY)) != NULL) {
		*out = p->r;
		p->state = FREE;
	}
	pthread_mutex_unlock(&rs->mu);
	return p != NULL;
}

void
resolver_forget(struct resolver *rs, unsigned long id)
{
	size_t i;

	pthread_mutex_lock(&rs->mu);
	for (i = 0; i < rs->cap; i++) {
		struct place *p = &rs->places[i];

		if (p->state == FREE || p->state == DROPPED || p->r.id != id)
			continue;
		p->state = p->state == LOOKING ? DROPPED : FREE;
	}
	pthread_mutex_unlock(&rs->mu);
}

int
resolver_getaddrinfo(const char *host, struct resolved *out)
{
	struct addrinfo hints, *res, *ai;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, NULL, &hints, &res)) != 0) {
		snprintf(out->error, sizeof(out->error), "%s",
		    gai_strerror(rc));
		return -1;
	}
	out->naddr = 0;
	for (ai = res; ai != NULL && out->naddr < RESOLVER_ADDRS;
	    ai = ai->ai_next)
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen,
		    out->addr[out->naddr], RESOLVER_ADDR, NULL, 0,
		    NI_NUMERICHOST) == 0)
			out->naddr++;
	freeaddrinfo(res);
	if (out->naddr == 0) {
		snprintf(out->error, sizeof(out->error), "no address");
		return -1;
	}
	return 0;
}
