/*
 * poster.c: POST late answers to response_urls (see poster.h).  A post is
 * its host name looked up by the resolver's threads, then one HTTPS/1.1
 * connection to its addresses in turn; whatever its end (an answer, an
 * error, the connection gone once the body went) it is over, and never
 * sent again: a second post could show the person the same answer twice.
 * The connection is made to the address, with the name as its host: lws
 * 4.1.6 takes the name of the certificate check and of SNI from the host
 * (lws_ssl_client_bio_create, the port cut off), not from the address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "bridge/poster.h"
#include "bridge/resolver.h"

enum { FREE, QUEUED, LOOKUP, POSTING };

struct job {
	int		 state;
	unsigned long	 seq;		/* queued in this order; its lookup's
					 * id */
	struct respurl	 u;
	char		 hosthdr[RESPURL_HOST + 8];	/* Host: */
	char		 reqid[32];
	char		*body;
	size_t		 len;
	struct resolved	 addrs;		/* the host's, once looked up */
	int		 next;		/* the address to try next */
	int		 called_back;	/* its connection failed, said in a
					 * callback */
	lws_sorted_usec_list_t sul;	/* the lookup's deadline; the next
					 * address */
	int		 sent;		/* the body is written */
	int		 status;	/* the server's, or 0 */
};

static struct {
	struct lws_context	*cx;
	void			(*log)(int, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
	struct job		 jobs[POSTER_QUEUE];
	struct resolver		*res;
	unsigned long		 seq;
	int			 posting;	/* looked up or posting */
	int			 stopped;
	lws_sorted_usec_list_t	 sul;
} P;

static void kick(lws_sorted_usec_list_t *);

/* Start the next posts on the loop, not in the callback that ended one
 * (lws_client_connect_via_info may call back at once). */
static void
schedule(void)
{
	if (!P.stopped)
		lws_sul_schedule(P.cx, 0, &P.sul, kick, 1);
}

/* J is over, and its place free again: its lookup forgotten, its timer
 * cancelled.  Its connection, if any, is the caller's to let go of (a
 * callback of one whose job is FREE does nothing). */
static void
release(struct job *j)
{
	if (j->state == LOOKUP)
		resolver_forget(P.res, j->seq);
	lws_sul_cancel(&j->sul);
	if (j->state == LOOKUP || j->state == POSTING)
		P.posting--;
	free(j->body);
	memset(j, 0, sizeof(*j));
}

/* J is over: WHY says how it failed, NULL when the server answered. */
static void
finish(struct job *j, const char *why)
{
	if (why != NULL)
		P.log(1, "request %s: cannot post its late answer to %s: %s",
		    j->reqid, j->u.host, why);
	else if (j->status >= 200 && j->status < 300)
		P.log(2, "request %s: its late answer went to %s (HTTP %d)",
		    j->reqid, j->u.host, j->status);
	else
		P.log(1, "request %s: %s answered the late answer with HTTP "
		    "%d%s; not posted again", j->reqid, j->u.host, j->status,
		    j->status >= 300 && j->status < 400 ? " (a redirect, not "
		    "followed)" : "");
	release(j);
	schedule();
}

static void next_address(lws_sorted_usec_list_t *);

/* J's connection failed (WHY): before its body went and with another
 * address of its host, that one next, else J is over. */
static void
failed(struct job *j, const char *why)
{
	if (j->sent || j->next >= j->addrs.naddr) {
		finish(j, why);
		return;
	}
	P.log(3, "request %s: %s (%s): %s; trying its next address",
	    j->reqid, j->u.host, j->addrs.addr[j->next - 1], why);
	lws_sul_schedule(P.cx, 0, &j->sul, next_address, 1);
}

/* Connect J to its next address. */
static void
connect_next(struct job *j)
{
	struct lws_client_connect_info ci;
	const char *addr = j->addrs.addr[j->next++];

	memset(&ci, 0, sizeof(ci));
	ci.context = P.cx;
	/* an address, which lws looks up without asking the DNS; the name
	 * is the host, whose certificate is checked */
	ci.address = addr;
	ci.port = j->u.port;
	ci.path = j->u.path;
	/* Host: names the port when it is not https' own (RFC 9110 7.2),
	 * as a proxy in front of a chat on another port wants it */
	if (j->u.port == 443)
		snprintf(j->hosthdr, sizeof(j->hosthdr), "%s", j->u.host);
	else
		snprintf(j->hosthdr, sizeof(j->hosthdr), "%s:%d", j->u.host,
		    j->u.port);
	ci.host = j->hosthdr;
	ci.method = "POST";
	/* verified (no ALLOW_* flag), and a redirect is the server's
	 * answer, not an address to post to next */
	ci.ssl_connection = LCCSCF_USE_SSL | LCCSCF_HTTP_NO_FOLLOW_REDIRECT;
	ci.alpn = "http/1.1";
	ci.local_protocol_name = POSTER_PROTOCOL;
	ci.opaque_user_data = j;
	j->state = POSTING;
	j->status = 0;
	j->called_back = 0;
	P.log(3, "request %s: posting its late answer to %s (%s) port %d",
	    j->reqid, j->u.host, addr, j->u.port);
	/* a failure may have been called back already (J over, or on to its
	 * next address) */
	if (lws_client_connect_via_info(&ci) == NULL && j->state == POSTING &&
	    !j->called_back)
		failed(j, "cannot connect");
}

/* J's connection to one address failed before its body went: the next
 * address, from the loop (not inside the callback of the failed one). */
static void
next_address(lws_sorted_usec_list_t *sul)
{
	connect_next(lws_container_of(sul, struct job, sul));
}

/* J's host name was not found in time: its thread may be stuck in the
 * lookup, but the post is given up and its place free for the next. */
static void
lookup_late(lws_sorted_usec_list_t *sul)
{
	struct job *j = lws_container_of(sul, struct job, sul);
	char why[64];

	snprintf(why, sizeof(why), "its name was not found within %d s; "
	    "given up", POSTER_LOOKUP_S);
	finish(j, why);
}

static void
start(struct job *j)
{
	j->state = LOOKUP;
	P.posting++;
	P.log(3, "request %s: looking %s up for its late answer", j->reqid,
	    j->u.host);
	if (resolver_ask(P.res, j->seq, j->u.host) == -1) {
		finish(j, "too many names being looked up");
		return;
	}
	lws_sul_schedule(P.cx, 0, &j->sul, lookup_late,
	    (lws_usec_t)POSTER_LOOKUP_S * LWS_USEC_PER_SEC);
}

/* The lookups done: each job connects to its host's first address. */
static void
looked_up(void)
{
	struct resolved r;
	char why[128];
	size_t i;

	while (resolver_take(P.res, &r))
		for (i = 0; i < POSTER_QUEUE; i++) {
			struct job *j = &P.jobs[i];

			if (j->state != LOOKUP || j->seq != r.id)
				continue;
			lws_sul_cancel(&j->sul);
			if (r.naddr == 0) {
				snprintf(why, sizeof(why), "cannot look its "
				    "name up: %s", r.error);
				finish(j, why);
			} else {
				j->addrs = r;
				j->next = 0;
				connect_next(j);
			}
			break;
		}
}

static void
kick(lws_sorted_usec_list_t *sul)
{
	struct job *next;
	size_t i;

	(void)sul;
	while (!P.stopped && P.posting < POSTER_AT_ONCE) {
		next = NULL;
		for (i = 0; i < POSTER_QUEUE; i++)
			if (P.jobs[i].state == QUEUED && (next == NULL ||
			    P.jobs[i].seq < next->seq))
				next = &P.jobs[i];
		if (next == NULL)
			return;
		start(next);
	}
}

/* A lookup thread has an answer: the loop is told (the only lws call
 * another thread may make). */
static void
wake(void *cx)
{
	lws_cancel_service(cx);
}

int
poster_init(struct lws_context *cx, void (*log)(int, const char *, ...))
{
	memset(&P, 0, sizeof(P));
	P.cx = cx;
	P.log = log;
	if ((P.res = resolver_new(POSTER_RESOLVERS, POSTER_AT_ONCE +
	    POSTER_RESOLVERS, NULL, wake, cx)) == NULL) {
		log(0, "cannot start the threads that look up response_url "
		    "hosts");
		return -1;
	}
	return 0;
}

int
poster_post(const struct respurl *u, const char *reqid, const char *body)
{
	struct job *j = NULL;
	size_t i;

	for (i = 0; i < POSTER_QUEUE && j == NULL; i++)
		if (P.jobs[i].state == FREE)
			j = &P.jobs[i];
	if (P.stopped || j == NULL) {
		P.log(1, "request %s: its late answer is dropped: %d late "
		    "answers are already waiting to be posted", reqid,
		    POSTER_QUEUE);
		return -1;
	}
	if ((j->body = strdup(body)) == NULL) {
		P.log(1, "request %s: its late answer is dropped: out of "
		    "memory", reqid);
		return -1;
	}
	j->len = strlen(body);
	j->u = *u;
	snprintf(j->reqid, sizeof(j->reqid), "%s", reqid);
	j->seq = ++P.seq;
	j->state = QUEUED;
	schedule();
	return 0;
}

int
poster_callback(struct lws *wsi, enum lws_callback_reasons reason,
    void *user, void *in, size_t len)
{
	struct job *j;
	char clen[24], buf[LWS_PRE + 1024], *px;
	unsigned char **p, *end, *out;
	int n;

	/* the loop was woken, perhaps by a lookup thread (a fake wsi) */
	if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED) {
		if (P.res != NULL)
			looked_up();
		return 0;
	}
	/* a job given up (a stop) leaves its place FREE */
	if ((j = lws_get_opaque_user_data(wsi)) != NULL && j->state != POSTING)
		j = NULL;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		if (j == NULL)
			return -1;
		p = (unsigned char **)in;
		end = *p + len;
		n = snprintf(clen, sizeof(clen), "%zu", j->len);
		if (lws_add_http_header_by_token(wsi,
		    WSI_TOKEN_HTTP_CONTENT_TYPE, (const unsigned char *)
		    "application/json", 16, p, end) ||
		    lws_add_http_header_by_token(wsi,
		    WSI_TOKEN_HTTP_CONTENT_LENGTH, (unsigned char *)clen, n,
		    p, end))
			return -1;
		lws_client_http_body_pending(wsi, 1);
		lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_CLIENT_HTTP_WRITEABLE:
		if (j == NULL || j->sent)
			return 0;
		if ((out = malloc(LWS_PRE + j->len)) == NULL)
			return -1;
		memcpy(out + LWS_PRE, j->body, j->len);
		n = lws_write(wsi, out + LWS_PRE, j->len, LWS_WRITE_HTTP_FINAL);
		free(out);
		if (n < (int)j->len)
			return -1;
		j->sent = 1;
		/* a server that takes it and never answers: lws' own wait
		 * for the answer (5 s) ends the connection */
		lws_client_http_body_pending(wsi, 0);
		return 0;
	case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
		if (j != NULL)
			j->status = (int)lws_http_client_http_response(wsi);
		return 0;
	case LWS_CALLBACK_RECEIVE_CLIENT_HTTP:
		/* the answer's body is read and dropped */
		px = buf + LWS_PRE;
		n = (int)sizeof(buf) - LWS_PRE;
		return lws_http_client_read(wsi, &px, &n) < 0 ? -1 : 0;
	case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
		return 0;
	case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
		if (j != NULL) {
			lws_set_opaque_user_data(wsi, NULL);
			finish(j, NULL);
		}
		return -1;	/* one post a connection */
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (j != NULL) {
			lws_set_opaque_user_data(wsi, NULL);
			j->called_back = 1;
			failed(j, in != NULL ? (const char *)in :
			    "the connection failed");
		}
		return 0;
	case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
		if (j != NULL) {
			lws_set_opaque_user_data(wsi, NULL);
			j->called_back = 1;
			failed(j, j->sent ? "the connection closed before an "
			    "answer" : "the connection closed before the post");
		}
		return 0;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

int
poster_busy(void)
{
	int n = 0;
	size_t i;

	for (i = 0; i < POSTER_QUEUE; i++)
		n += P.jobs[i].state != FREE;
	return n;
}

int
poster_stop(void)
{
	static const char *const how[] = { "", "before it was posted",
	    "while its host name was looked up", "while it was being posted" };
	int n = 0;
	size_t i;

	P.stopped = 1;
	if (P.cx != NULL)
		lws_sul_cancel(&P.sul);
	for (i = 0; i < POSTER_QUEUE; i++) {
		struct job *j = &P.jobs[i];

		if (j->state == FREE)
			continue;
		P.log(1, "request %s: its late answer to %s is not posted: the "
		    "bridge stopped %s", j->reqid, j->u.host, how[j->state]);
		release(j);
		n++;
	}
	/* a thread stuck in a lookup frees the rest when it ends */
	resolver_free(P.res);
	P.res = NULL;
	return n;
}
