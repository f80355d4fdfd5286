/*
 * poster.c: POST late answers to response_urls (see poster.h).  A post is
 * one HTTPS/1.1 connection; whatever its end (an answer, an error, the
 * connection gone) it is over, and never sent again: a second post could
 * show the person the same answer twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "bridge/poster.h"

enum { FREE, QUEUED, POSTING };

struct job {
	int		 state;
	unsigned long	 seq;		/* queued in this order */
	struct respurl	 u;
	char		 hosthdr[RESPURL_HOST + 8];	/* Host: */
	char		 reqid[32];
	char		*body;
	size_t		 len;
	int		 sent;		/* the body is written */
	int		 status;	/* the server's, or 0 */
};

static struct {
	struct lws_context	*cx;
	void			(*log)(int, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
	struct job		 jobs[POSTER_QUEUE];
	unsigned long		 seq;
	int			 posting;
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

/* J is over: WHY says how it failed, NULL when the server answered. */
static void
finish(struct lws *wsi, struct job *j, const char *why)
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
	if (wsi != NULL)
		lws_set_opaque_user_data(wsi, NULL);
	free(j->body);
	memset(j, 0, sizeof(*j));
	P.posting--;
	schedule();
}

static void
start(struct job *j)
{
	struct lws_client_connect_info ci;

	memset(&ci, 0, sizeof(ci));
	ci.context = P.cx;
	ci.address = j->u.host;
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
	P.posting++;
	P.log(3, "request %s: posting its late answer to %s:%d", j->reqid,
	    j->u.host, j->u.port);
	/* a failure may have been called back already, and J is over */
	if (lws_client_connect_via_info(&ci) == NULL && j->state == POSTING)
		finish(NULL, j, "cannot connect");
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

void
poster_init(struct lws_context *cx, void (*log)(int, const char *, ...))
{
	memset(&P, 0, sizeof(P));
	P.cx = cx;
	P.log = log;
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
	struct job *j = lws_get_opaque_user_data(wsi);
	char clen[24], buf[LWS_PRE + 1024], *px;
	unsigned char **p, *end, *out;
	int n;

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
		if (j != NULL)
			finish(wsi, j, NULL);
		return -1;	/* one post a connection */
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (j != NULL)
			finish(wsi, j, in != NULL ? (const char *)in :
			    "the connection failed");
		return 0;
	case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
		if (j != NULL)
			finish(wsi, j, j->sent ? "the connection closed before "
			    "an answer" : "the connection closed before the "
			    "post");
		return 0;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

int
poster_stop(void)
{
	int n = 0;
	size_t i;

	P.stopped = 1;
	if (P.cx != NULL)
		lws_sul_cancel(&P.sul);
	for (i = 0; i < POSTER_QUEUE; i++)
		if (P.jobs[i].state == QUEUED) {
			free(P.jobs[i].body);
			memset(&P.jobs[i], 0, sizeof(P.jobs[i]));
			n++;
		}
	return n + P.posting;
}
