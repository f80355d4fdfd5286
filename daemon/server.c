/*
 * server.c: the WebSocket and HTTP server.  One libwebsockets context and
 * one protocol, "advisor.v1", which is also protocols[0] so that clients
 * offering no subprotocol land here too.  It serves the web widget's files,
 * /healthz and /metrics, and the WebSocket at /ws.
 *
 * Rules kept here (see STYLE.md): fragments are reassembled with a cap;
 * output goes through a bounded per-connection queue, one lws_write per
 * WRITEABLE callback; strict durability holds a frame until the log has
 * resolved its row; the loop never waits on the disk; every sul is
 * cancelled before its holder goes away.
 *
 * The loop is libev's (epoll), lent to libwebsockets as a foreign loop:
 * lws' own poll() walks every descriptor on every wake-up, which at 100
 * connections cost more than the answer itself.  `event_loop = poll`
 * keeps lws' own loop, and a missing libev plugin falls back to it.
 */
#include <libwebsockets.h>
#include <ev.h>
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "daemon/clock.h"
#include "daemon/closeframe.h"
#include "daemon/content.h"
#include "daemon/htab.h"
#include "daemon/loader.h"
#include "daemon/log.h"
#include "daemon/metrics.h"
#include "daemon/origin.h"
#include "daemon/outq.h"
#include "daemon/protocol.h"
#include "daemon/ratelimit.h"
#include "daemon/server.h"
#include "daemon/slice.h"
#include "daemon/throttle.h"
#include "daemon/utf8.h"

#ifndef ADVISOR_VERSION
#define ADVISOR_VERSION "0"
#endif

/* the event loop's scheduler slice (see slice.h) */
#define LOOP_SLICE_US	100
#define PROTOCOL_NAME	"advisor.v1"	/* the one WebSocket subprotocol */
#define HTTP_TOO_MANY_REQUESTS	429	/* lws 4.1.6 has no name for it */
#define REFUSALS_LOGGED	5	/* log lines about refusals a second */

/* What only a bridge's WebSocket needs, kept apart so that the many
 * visitors' connections do not carry it. */
struct bridge_link {
	char		 name[64];
	char		 token_hash[AUTH_HASH_HEX + 1];
	bool		 revoked;	/* its token left the file: close */
	/* how the WebSocket ended, for its log line: the close code (0:
	 * none was sent) and reason (closeframe_reason's), and whether we
	 * sent them */
	int		 close_code;
	char		 close_why[64];
	bool		 closed_by_us;
};

/* Per connection: HTTP requests and WebSockets share it. */
struct pss {
	struct lws	*wsi;
	struct pss	*prev, *next;	/* every open WebSocket */
	struct session	*sess;
	struct bridge_link *br;		/* an authenticated bridge's, or NULL */
	char		 ip[64];
	bool		 kill;		/* not reading: close at once */
	struct outq	*q;		/* frames waiting to be written */
	char		*rx;		/* message being reassembled */
	size_t		 rxlen, rxcap;
	struct utf8_check utf8;		/* the message's UTF-8 so far */
	struct bucket	 bucket;
	/* HTTP: the dynamic body to send */
	char		*body;
	size_t		 bodylen;
};

struct ipcount {
	char		ip[64];
	unsigned	n;
};

static struct {
	const struct config	*cfg;		/* &conf */
	struct config		 conf;
	int			 argc;
	char			**argv;
	struct advisor		*adv;
	struct store		*store;
	struct bridge_tokens	*tokens;
	struct lws_context	*cx;
	/* what lws listens on: the host's address, or an interface's name */
	char			 iface[sizeof(((struct config *)0)->host)];
	struct ev_loop		*loop;		/* NULL: lws' own poll loop */
	struct pss		*conns;
	struct htab		*perip;		/* address -> struct ipcount */
	struct htab		*bywsi;		/* wsi -> struct wsiip */
	struct ipcount		**byfd;		/* accepted, no wsi yet */
	size_t			 nbyfd;
	int64_t			 started_us;
	lws_sorted_usec_list_t	 sul_sweep, sul_watchdog;
	lws_sorted_usec_list_t	 sul_flush;	/* the stop's deadline */
	bool			 flush_over;	/* it came */
	struct throttle		 refusals;	/* their log lines */
	struct throttle		 closes;	/* close_with's log lines */
	uint64_t		 watchdog_us;
	unsigned long		 unread;	/* frames that came while stopping */
	struct loader		*loading;	/* the content reload under way */
	bool			 reload_again;	/* a SIGHUP came during it */
	bool			 jit_lost;	/* JIT asked for, not to be had */
	volatile sig_atomic_t	 stop, reload;
} S;

void
server_wake(void *arg)
{
	(void)arg;
	if (S.cx != NULL)
		lws_cancel_service(S.cx);
}

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		S.reload = 1;
	else
		S.stop = 1;
	if (S.cx != NULL)
		lws_cancel_service(S.cx);
}

static void
lws_log_emit(int level, const char *line)
{
	enum log_level l = LOG_LVL_DEBUG;

	if (level & LLL_ERR)
		l = LOG_LVL_ERR;
	else if (level & LLL_WARN)
		l = LOG_LVL_WARN;
	else if (level & (LLL_NOTICE | LLL_USER))
		l = LOG_LVL_INFO;
	log_line(l, line);
}

/* ---- output queue ---- */

/* The sink the advisor writes into: queue, or drop a client whose queue
 * is full (it is not reading). */
static void
emit(void *arg, const char *data, size_t len, uint64_t seq)
{
	struct pss *p = arg;

	if (p->q == NULL || p->kill)
		return;
	if (!S.cfg->strict && !store_backlogged(S.store))
		seq = 0;
	if (outq_push(p->q, data, len, seq) == -1) {
		log_info("%s: output queue full, dropping the connection",
		    p->ip);
		metrics.slow_clients_dropped++;
		p->kill = true;
		lws_set_timeout(p->wsi, PENDING_TIMEOUT_KILLED_BY_PARENT,
		    LWS_TO_KILL_ASYNC);
		return;
	}
	if (seq != 0 && seq > store_resolved(S.store))
		metrics.replies_held++;
	lws_callback_on_writable(p->wsi);
}

/* One frame per WRITEABLE callback; strict frames wait for their row. */
static int
write_one(struct pss *p)
{
	unsigned char *data;
	size_t len;

	if ((data = outq_head(p->q, store_resolved(S.store), &len)) == NULL)
		return 0;
	if (lws_write(p->wsi, data, len, LWS_WRITE_TEXT) < (int)len)
		return -1;
	outq_pop(p->q);
	if (outq_head(p->q, store_resolved(S.store), &len) != NULL)
		lws_callback_on_writable(p->wsi);
	return 0;
}

/* ---- request headers ---- */

/* Whether ITEM is one of the words of LIST (spaces, tabs or commas
 * between). */
static bool
in_list(const char *list, const char *item)
{
	const char *p, *e;
	size_t n, len = strlen(item);

	for (p = list; *p; p = e) {
		p += strspn(p, " \t,");
		e = p + strcspn(p, " \t,");
		n = (size_t)(e - p);
		if (n > 0 && n == len && strncmp(p, item, n) == 0)
			return true;
	}
	return false;
}

/* Header TOK into BUF: 1 copied, 0 absent (or empty), -1 there but longer
 * than BUF.  A header too long to read is not an absent one: an Origin of
 * 256 bytes and more (a long host name) passed as "not a browser". */
static int
header(struct lws *wsi, enum lws_token_indexes tok, char *buf, int len)
{
	int n = lws_hdr_copy(wsi, buf, len, tok);

	if (n > 0)
		return 1;
	buf[0] = '\0';
	return n == 0 && lws_hdr_total_length(wsi, tok) == 0 ? 0 : -1;
}

/* ---- refusals ---- */

/* A log line about a refused connection: each costs its sender no more
 * than a connection, and one client wrote 2,000 of them a second, past
 * journald's rate limit (10,000 in 30 s), which then dropped advisord's
 * every line, warnings too; S.refusals lets REFUSALS_LOGGED a second
 * through, the next saying how many were held back, and
 * connections_refused counts them all. */
static void
refusal_line(const char *line)
{
	log_info("%s", line);
}

/* ---- per-address connection count ----
 *
 * Counted when the TCP connection is accepted, before any byte of it is
 * read, so that a slow handshake counts too; but a connection from one of
 * trusted_proxies is counted at its upgrade, under the client's address
 * (proxied_take).  The count moves from the
 * accepted descriptor to the wsi once lws has made one, and is given back
 * when that wsi is destroyed (by then its descriptor is already closed).
 */

struct wsiip {
	char		 key[32];	/* the wsi's address, printed */
	struct ipcount	*c;
};

static struct ipcount *
ip_take(const char *ip)
{
	struct ipcount *c = htab_get(S.perip, ip);

	if (c == NULL) {
		if ((c = calloc(1, sizeof(*c))) == NULL)
			return NULL;
		snprintf(c->ip, sizeof(c->ip), "%s", ip);
		if (htab_put(S.perip, c->ip, c) == -1) {
			free(c);
			return NULL;
		}
	}
	if (c->n >= S.cfg->max_conns_per_ip)
		return NULL;
	c->n++;
	return c;
}

static void
ip_give(struct ipcount *c)
{
	if (c != NULL && --c->n == 0) {
		htab_del(S.perip, c->ip);
		free(c);
	}
}

/* A new TCP connection from ARGS' address: 0 keep, 1 refuse. */
static int
accept_filter(const struct lws_filter_network_conn_args *args)
{
	const struct sockaddr *sa = (const struct sockaddr *)&args->cli_addr;
	char ip[64] = "?";
	struct ipcount *c;
	size_t fd = (size_t)args->accept_fd;

	if (S.stop)
		return 1;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr, ip, sizeof(ip));
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr, ip, sizeof(ip));
	if (fd >= S.nbyfd) {
		size_t n = fd + 64;
		struct ipcount **v = realloc(S.byfd, n * sizeof(*v));

		if (v == NULL)
			return 1;
		memset(v + S.nbyfd, 0, (n - S.nbyfd) * sizeof(*v));
		S.byfd = v;
		S.nbyfd = n;
	}
	ip_give(S.byfd[fd]);	/* a count left behind by a failed accept */
	S.byfd[fd] = NULL;
	/* a proxy speaks for many: each client behind it is counted at its
	 * upgrade, by the address the proxy names (client_ip) */
	if (in_list(S.cfg->trusted_proxies, ip))
		return 0;
	if ((c = ip_take(ip)) == NULL) {
		throttle_log(&S.refusals, "%s: too many "
		    "connections from this address", ip);
		metrics.connections_refused++;
		return 1;
	}
	S.byfd[fd] = c;
	return 0;
}

/* Count C goes with WSI until it is destroyed; -1 when out of memory. */
static int
bind_count(struct lws *wsi, struct ipcount *c)
{
	char key[32];
	struct wsiip *w;

	/* counted at accept, from a peer that a reload has since made a
	 * trusted proxy: the count moves to the client's address, or the
	 * proxy's would never be given back */
	snprintf(key, sizeof(key), "%p", (void *)wsi);
	if ((w = htab_get(S.bywsi, key)) != NULL) {
		ip_give(w->c);
		w->c = c;
		return 0;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	snprintf(w->key, sizeof(w->key), "%s", key);
	w->c = c;
	if (htab_put(S.bywsi, w->key, w) == -1) {
		free(w);
		return -1;
	}
	return 0;
}

/* lws made a wsi for an accepted descriptor: the count follows it. */
static void
accept_bind(struct lws *wsi)
{
	int fd = lws_get_socket_fd(wsi);

	if (fd < 0 || (size_t)fd >= S.nbyfd || S.byfd[fd] == NULL)
		return;
	if (bind_count(wsi, S.byfd[fd]) == 0)
		S.byfd[fd] = NULL;
}

/*
 * The address of WSI's client into OUT: its peer's, or, when the peer is
 * one of trusted_proxies, the address that proxy put last in
 * X-Forwarded-For (the entries before it are the client's own claim).
 * Whether the peer is a trusted proxy.
 */
static bool
client_ip(struct lws *wsi, char *out, size_t len)
{
	char xff[4096], *last;
	unsigned char bin[sizeof(struct in6_addr)];

	lws_get_peer_simple(wsi, out, len);
	if (!in_list(S.cfg->trusted_proxies, out))
		return false;
	if (header(wsi, WSI_TOKEN_X_FORWARDED_FOR, xff, sizeof(xff)) != 1)
		return true;
	last = strrchr(xff, ',');
	last = last != NULL ? last + 1 : xff;
	last += strspn(last, " \t");
	last[strcspn(last, " \t")] = '\0';
	if ((inet_pton(AF_INET, last, bin) == 1 || inet_pton(AF_INET6, last,
	    bin) == 1) && strlen(last) < len)
		memcpy(out, last, strlen(last) + 1);
	return true;
}

static void
accept_release(struct lws *wsi)
{
	char key[32];
	struct wsiip *w;

	snprintf(key, sizeof(key), "%p", (void *)wsi);
	if ((w = htab_get(S.bywsi, key)) == NULL)
		return;
	htab_del(S.bywsi, key);
	ip_give(w->c);
	free(w);
}

/* ---- upgrade checks ---- */

static enum origin_verdict
origin_ok(struct lws *wsi)
{
	char origin[256], host[256], peer[64];
	int r = header(wsi, WSI_TOKEN_ORIGIN, origin, sizeof(origin));

	if (r == 0)
		return ORIGIN_OK;	/* not a browser: nothing to protect */
	if (r == -1)
		return ORIGIN_FOREIGN;	/* no allowed Origin is that long */
	if (S.cfg->origins[0] != '\0')
		return in_list(S.cfg->origins, origin) ? ORIGIN_OK :
		    ORIGIN_FOREIGN;
	/* default: the page must come from this very host, and the host
	 * be one that a DNS-rebinding page cannot be of (origin.h) */
	if (lws_hdr_copy(wsi, host, sizeof(host), WSI_TOKEN_HOST) <= 0)
		return ORIGIN_FOREIGN;
	return origin_same_host(origin, host, client_ip(wsi, peer,
	    sizeof(peer)));
}

/* 1 authenticated (name in OUT, the token's hash in HASH), 0 anonymous,
 * -1 bad credentials. */
static int
bridge_auth(struct lws *wsi, char *out, size_t outlen, char *hash)
{
	char auth[512];
	const char *who;
	int n;

	/* too long to be a bearer token of ours: refused, not anonymous */
	if ((n = header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION, auth,
	    sizeof(auth))) <= 0)
		return n;
	if (strncasecmp(auth, "Bearer ", 7) != 0 || auth[7] == '\0')
		return -1;
	auth_sha256_hex(auth + 7, strlen(auth + 7), hash);
	who = bridge_tokens_find(S.tokens, hash);
	if (who == NULL)
		return -1;
	snprintf(out, outlen, "%s", who);
	return 1;
}

/* Whether the client offers no subprotocol, or ours among those it
 * offers ("a, advisor.v1"): libwebsockets drops any other without an
 * answer, so it is refused here first, with one. */
static bool
subprotocol_ok(struct lws *wsi)
{
	char offer[256];
	int n = header(wsi, WSI_TOKEN_PROTOCOL, offer, sizeof(offer));

	return n <= 0 ? n == 0 : in_list(offer, PROTOCOL_NAME);
}

/* Why an upgrade must be refused: 0 (none; the bridge's name, if any, in
 * BRIDGE and its token's hash in HASH), or the HTTP status to refuse it
 * with, and in *WHY the reason, for the log. */
static unsigned
upgrade_refusal(struct lws *wsi, char *bridge, size_t len, char *hash,
    const char **why)
{
	char path[128];
	enum origin_verdict o;
	int r;

	*why = "not at /ws";
	if (lws_hdr_copy(wsi, path, sizeof(path), WSI_TOKEN_GET_URI) <= 0 ||
	    strcmp(path, "/ws") != 0)
		return HTTP_STATUS_NOT_FOUND;
	*why = "no subprotocol " PROTOCOL_NAME " among those offered";
	if (!subprotocol_ok(wsi))
		return HTTP_STATUS_BAD_REQUEST;
	*why = "bad bridge token";
	if ((r = bridge_auth(wsi, bridge, len, hash)) == -1)
		return HTTP_STATUS_UNAUTHORIZED;
	*why = "foreign Origin";
	if (r == 0 && (o = origin_ok(wsi)) != ORIGIN_OK) {
		/* the operator's page under its name, or a rebinding page:
		 * only the operator can tell them apart */
		if (o == ORIGIN_NAMED)
			*why = "a page of a host name, with no origins set "
			    "(a DNS-rebinding page looks the same): list "
			    "the page's origin in origins";
		return HTTP_STATUS_FORBIDDEN;
	}
	*why = NULL;
	return 0;
}

/* A client behind a trusted proxy is counted here, by its own address,
 * for as long as its WebSocket lasts; at accept every connection of the
 * proxy's would have counted under the proxy's one address, and 64 of
 * them from anyone held every visitor out.  0 counted (or not proxied),
 * -1 that address has all it may have. */
static int
proxied_take(struct lws *wsi)
{
	char ip[64] = "?";
	struct ipcount *c;

	if (!client_ip(wsi, ip, sizeof(ip)))
		return 0;
	if ((c = ip_take(ip)) == NULL) {
		throttle_log(&S.refusals, "%s: too many "
		    "connections from this address (through a proxy)", ip);
		return -1;
	}
	if (bind_count(wsi, c) == -1) {
		ip_give(c);
		return -1;
	}
	return 0;
}

/* The Origin header of a refused upgrade for its log line, as
 * ': "..."': the page's owner needs it to know what to list in
 * origins.  Its sender chose it, so it is cut to ORIGIN_LOGGED bytes and
 * its control characters shown as '?' (closeframe_reason). */
#define ORIGIN_LOGGED	96
static void
origin_for_log(struct lws *wsi, char *out, size_t len)
{
	char origin[256], shown[ORIGIN_LOGGED + 1];
	int r = header(wsi, WSI_TOKEN_ORIGIN, origin, sizeof(origin));

	if (r == -1) {
		snprintf(out, len, ": one of %d bytes",
		    lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN));
		return;
	}
	closeframe_reason(shown, sizeof(shown), origin, strlen(origin));
	snprintf(out, len, ": \"%s%s\"", shown,
	    strlen(origin) > ORIGIN_LOGGED ? "..." : "");
}

static int
upgrade_check(struct lws *wsi)
{
	char bridge[64], hash[AUTH_HASH_HEX + 1], ip[64] = "?";
	char origin[ORIGIN_LOGGED + 32] = "";
	const char *why;
	unsigned status = upgrade_refusal(wsi, bridge, sizeof(bridge), hash,
	    &why);

	if (status == 0 && proxied_take(wsi) == -1) {
		metrics.connections_refused++;
		if (lws_return_http_status(wsi, HTTP_TOO_MANY_REQUESTS, NULL))
			return -1;
		return 1;
	}
	if (status == 0)
		return 0;
	metrics.connections_refused++;
	client_ip(wsi, ip, sizeof(ip));
	if (status == HTTP_STATUS_FORBIDDEN)
		origin_for_log(wsi, origin, sizeof(origin));
	throttle_log(&S.refusals, "refused a WebSocket upgrade "
	    "from %s: %s%s", ip, why, origin);
	if (lws_return_http_status(wsi, status, NULL))
		return -1;
	return 1;
}

/* ---- HTTP ---- */

static int
http_reply(struct lws *wsi, struct pss *p, unsigned status,
    const char *type, struct jbuf *body)
{
	unsigned char hdr[LWS_PRE + 1024], *start = hdr + LWS_PRE, *q = start,
	    *end = hdr + sizeof(hdr) - 1;

	free(p->body);
	p->body = malloc(LWS_PRE + body->len + 1);
	if (p->body == NULL)
		return -1;
	memcpy(p->body + LWS_PRE, jbuf_data(body), body->len);
	p->bodylen = body->len;
	if (lws_add_http_common_headers(wsi, status, type, body->len, &q,
	    end) || lws_add_http_header_by_name(wsi, (const unsigned char *)
	    "cache-control:", (const unsigned char *)"no-store", 8, &q, end) ||
	    lws_finalize_write_http_header(wsi, start, &q, end))
		return 1;
	lws_callback_on_writable(wsi);
	return 0;
}

static int
http_request(struct lws *wsi, struct pss *p, const char *path)
{
	struct store_stats st;
	struct jbuf b;
	char num[64];
	int rc;

	jbuf_init(&b, 0);
	if (strcmp(path, "/healthz") == 0) {
		jbuf_lit(&b, "{\"status\":\"ok\",\"version\":");
		jbuf_cstr(&b, ADVISOR_VERSION);
		snprintf(num, sizeof(num), ",\"uptime\":%lld",
		    (long long)((mono_us() - S.started_us) / 1000000));
		jbuf_lit(&b, num);
		jbuf_lit(&b, ",\"content_version\":");
		jbuf_cstr(&b, advisor_content_version(S.adv));
		jbuf_lit(&b, "}\n");
		rc = http_reply(wsi, p, HTTP_STATUS_OK, "application/json", &b);
	} else if (strcmp(path, "/metrics") == 0) {
		store_get_stats(S.store, &st);
		metrics_write(&b, &st);
		rc = http_reply(wsi, p, HTTP_STATUS_OK,
		    "text/plain; version=0.0.4", &b);
	} else {
		jbuf_lit(&b, "not found\n");
		rc = http_reply(wsi, p, HTTP_STATUS_NOT_FOUND, "text/plain",
		    &b);
	}
	jbuf_free(&b);
	return rc;
}

/* ---- WebSocket ---- */

static void
note_close(struct pss *p, int code, const char *why, size_t n, bool ours)
{
	struct bridge_link *b = p != NULL ? p->br : NULL;

	if (b == NULL || b->close_code != 0)
		return;		/* the first close frame is the one that counts */
	b->close_code = code;
	closeframe_reason(b->close_why, sizeof(b->close_why), why, n);
	b->closed_by_us = ours;
}

/* Close the WebSocket with CODE and WHY: counted by code in /metrics,
 * and logged (rate-limited, as refusals are: the client chose to send
 * what closed it) but for the 1001s of a stop. */
static int
close_with(struct lws *wsi, enum lws_close_status code, const char *why)
{
	struct pss *p = lws_wsi_user(wsi);
	const char *bridge = p != NULL && p->br != NULL ? p->br->name : NULL;

	metrics_close((int)code);
	if (code != LWS_CLOSE_STATUS_GOINGAWAY)
		throttle_log(&S.closes, "closed a WebSocket from %s%s%s%s "
		    "with %d: %s", p != NULL ? p->ip : "?", bridge ?
		    " (bridge " : "", bridge ? bridge : "", bridge ? ")" : "",
		    (int)code, why);
	note_close(p, (int)code, why, strlen(why), true);
	lws_close_reason(wsi, code, (unsigned char *)(uintptr_t)why,
	    strlen(why));
	return -1;
}

/* The close frame the peer sent; -1 when its reason is not UTF-8, which
 * ends the connection at once (as VALIDATE_UTF8 made libwebsockets do:
 * the check is ours now, receive()). */
static int
peer_close(struct pss *p, const void *in, size_t len)
{
	char why[sizeof(p->br->close_why)];
	struct utf8_check u = { 0, 0, 0 };
	int code;

	if (len > 2 && (utf8_check_feed(&u, (const char *)in + 2, len - 2) ==
	    -1 || !utf8_check_done(&u)))
		return -1;
	if ((code = closeframe_parse(in, len, why, sizeof(why))) != 0)
		note_close(p, code, why, strlen(why), false);
	return 0;
}

/* A bridge carries many people: say when one comes and goes, and why it
 * went, so that an operator sees which of them is down. */
static void
log_bridge_closed(const struct pss *p)
{
	const struct bridge_link *b = p->br;
	const char *why = b->close_why;	/* one printable line (note_close) */

	if (b->close_code == 0) {
		log_info("bridge %s (%s) disconnected (no close code)",
		    b->name, p->ip);
		return;
	}
	log_info("bridge %s (%s) disconnected: close %d%s%s%s, sent by %s",
	    b->name, p->ip, b->close_code, why[0] ? " \"" : "", why,
	    why[0] ? "\"" : "", b->closed_by_us ? "advisord" : "the bridge");
}

/* A bridge carries many people, so its connection gets a rate of its own
 * (each of its conversations still gets the visitor's rate); with the
 * rate limit off, both are off. */
static unsigned
conn_rate(const struct pss *p)
{
	if (S.cfg->rate_limit == 0)
		return 0;
	return p->br != NULL ? S.cfg->bridge_rate_limit : S.cfg->rate_limit;
}

static int
receive(struct lws *wsi, struct pss *p, const void *in, size_t len)
{
	struct sink k = { emit, p };
	int64_t t0;

	if (lws_frame_is_binary(wsi))
		return close_with(wsi, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE,
		    "text frames only");
	/*
	 * UTF-8 is checked here, not by LWS_SERVER_OPTION_VALIDATE_UTF8:
	 * libwebsockets 4.1.6 queues its 1007 and then goes on checking the
	 * rest of the frame, already read from the socket (a frame longer
	 * than the 4,096 bytes of one read); a second failure before the
	 * close frame is written kills the connection without it, so that
	 * a text frame of 4,089 bytes of \xff and more was dropped with no
	 * close frame.  After our 1007 lws passes us no more of the frame.
	 */
	if (utf8_check_feed(&p->utf8, in, len) == -1 ||
	    (lws_is_final_fragment(wsi) && !utf8_check_done(&p->utf8)))
		return close_with(wsi, LWS_CLOSE_STATUS_INVALID_PAYLOAD,
		    "bad utf8");
	if (p->rxlen + len > S.cfg->max_message_bytes)
		return close_with(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
		    "message too large");
	if (p->rxlen + len > p->rxcap) {
		size_t cap = p->rxcap ? p->rxcap : 1024;
		char *n;

		while (cap < p->rxlen + len)
			cap *= 2;
		if ((n = realloc(p->rx, cap)) == NULL)
			return close_with(wsi, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION,
			    "out of memory");
		p->rx = n;
		p->rxcap = cap;
	}
	memcpy(p->rx + p->rxlen, in, len);
	p->rxlen += len;
	if (!lws_is_final_fragment(wsi))
		return 0;
	/* one reading for the connection's rate and the advisor's (and
	 * the reply's latency) */
	t0 = mono_us();
	if (!bucket_take(&p->bucket, conn_rate(p), t0)) {
		session_error(p->sess, p->rx, p->rxlen, E_RATE_LIMITED,
		    "too many messages; slow down", &k);
		p->rxlen = 0;
		return 0;
	}
	session_handle_at(p->sess, p->rx, p->rxlen, wall_us(), t0, &k);
	p->rxlen = 0;
	if (p->rxcap > 65536) {	/* do not keep a big buffer for idle talk */
		free(p->rx);
		p->rx = NULL;
		p->rxcap = 0;
	}
	return 0;
}

static void
conn_close(struct pss *p)
{
	if (p->sess == NULL)
		return;
	session_free(p->sess);
	p->sess = NULL;
	outq_free(p->q);
	p->q = NULL;
	free(p->rx);
	p->rx = NULL;
	if (p->prev)
		p->prev->next = p->next;
	else
		S.conns = p->next;
	if (p->next)
		p->next->prev = p->prev;
	metrics.connections_open--;
}

static void
release_held(void)
{
	struct pss *p;
	uint64_t done = store_resolved(S.store);

	for (p = S.conns; p; p = p->next)
		if (outq_len(p->q) > 0 && outq_head_seq(p->q) <= done)
			lws_callback_on_writable(p->wsi);
}

static int
callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct pss *p = user;
	char path[128];
	int r;

	switch (reason) {
	case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
		return accept_filter(user);

	case LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED:
		accept_bind(wsi);
		break;

	case LWS_CALLBACK_HTTP:
		if (lws_hdr_copy(wsi, path, sizeof(path), WSI_TOKEN_GET_URI) <= 0)
			snprintf(path, sizeof(path), "/");
		return http_request(wsi, p, path);

	case LWS_CALLBACK_HTTP_WRITEABLE:
		if (p == NULL || p->body == NULL)
			break;
		r = lws_write(wsi, (unsigned char *)p->body + LWS_PRE,
		    p->bodylen, LWS_WRITE_HTTP_FINAL);
		free(p->body);
		p->body = NULL;
		if (r < 0)
			return -1;
		if (lws_http_transaction_completed(wsi))
			return -1;
		break;

	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		if (p != NULL) {
			free(p->body);
			p->body = NULL;
		}
		break;

	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		/* refuse with a status a client can act on; `in` is not
		 * touched here (CVE-2025-11677) */
		return upgrade_check(wsi);

	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		/* the same checks again, now to keep the bridge's name in the
		 * WebSocket's own session data */
	{
		/* bridge_auth names only a bridge */
		char name[sizeof(p->br->name)] = "", hash[AUTH_HASH_HEX + 1];
		const char *why;

		if (upgrade_refusal(wsi, name, sizeof(name), hash, &why) != 0)
			return 1;
		if (name[0] != '\0') {
			if ((p->br = calloc(1, sizeof(*p->br))) == NULL)
				return 1;
			memcpy(p->br->name, name, sizeof(name));
			memcpy(p->br->token_hash, hash, sizeof(hash));
		}
		client_ip(wsi, p->ip, sizeof(p->ip));
		break;
	}

	case LWS_CALLBACK_ESTABLISHED:
		p->wsi = wsi;
		p->q = outq_new(S.cfg->outq_max, LWS_PRE);
		p->sess = session_new(S.adv, p->br != NULL ? p->br->name : NULL);
		if (p->q == NULL || p->sess == NULL) {
			outq_free(p->q);
			p->q = NULL;
			session_free(p->sess);
			p->sess = NULL;
			return -1;
		}
		bucket_init(&p->bucket, conn_rate(p), mono_us());
		p->next = S.conns;
		if (S.conns)
			S.conns->prev = p;
		S.conns = p;
		metrics.connections_open++;
		metrics.connections_total++;
		if (p->br != NULL)
			log_info("bridge %s connected from %s", p->br->name,
			    p->ip);
		break;

	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (peer_close(p, in, len) == -1)
			return -1;
		break;

	case LWS_CALLBACK_RECEIVE:
		if (p->sess == NULL || p->kill)
			return -1;
		/* stopping, no frame is taken in: handled, it was logged and
		 * its reply queued on a connection that the flush's deadline
		 * may cut (a bridge's person's question went unanswered);
		 * untaken, the bridge tells its person to try again and the
		 * widget gives it back */
		if (S.stop) {
			p->rxlen = 0;
			S.unread++;
			return 0;
		}
		if (p->br != NULL && p->br->revoked)
			return close_with(wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION,
			    "bridge token revoked");
		return receive(wsi, p, in, len);

	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (p->sess == NULL || p->kill)
			return -1;
		if (p->br != NULL && p->br->revoked)
			return close_with(wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION,
			    "bridge token revoked");
		/* on the way out, once its replies have left: a client told
		 * 1001 knows the daemon went, not the network */
		if (S.stop && outq_len(p->q) == 0)
			return close_with(wsi, LWS_CLOSE_STATUS_GOINGAWAY,
			    "advisord stopping");
		return write_one(p);

	case LWS_CALLBACK_CLOSED:
		if (p->sess != NULL && p->br != NULL)
			log_bridge_closed(p);
		conn_close(p);
		break;

	case LWS_CALLBACK_WSI_DESTROY:
		accept_release(wsi);
		if (p != NULL) {
			conn_close(p);
			free(p->br);
			p->br = NULL;
		}
		break;

	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		release_held();
		break;

	default:
		break;
	}
	/* lws' own HTTP handling: without it a file served from the mount
	 * never completes its transaction, and the next request on the same
	 * keep-alive connection gets headers and no body */
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static void
sweep(lws_sorted_usec_list_t *sul)
{
	advisor_sweep(S.adv, wall_us());
	lws_sul_schedule(S.cx, 0, sul, sweep, LWS_US_PER_SEC);
}

/* The stop's flush is over, whatever is still queued: the wake-up a
 * reader that does not read never gives. */
static void
flush_over(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	S.flush_over = true;
}

static void
watchdog(lws_sorted_usec_list_t *sul)
{
	sd_notify(0, "WATCHDOG=1");
	lws_sul_schedule(S.cx, 0, sul, watchdog, (lws_usec_t)S.watchdog_us / 2);
}

static void
set_lws_log(enum log_level level)
{
	int mask = LLL_ERR | LLL_WARN;

	if (level >= LOG_LVL_DEBUG)
		mask |= LLL_NOTICE;
	lws_set_log_level(mask, lws_log_emit);
}

/* Bridges connected with a token the reloaded file no longer holds (or
 * holds under another name) are let go: a revoked token must not keep
 * working for as long as its connection lasts. */
static void
revoke_bridges(void)
{
	const char *who;
	struct pss *p;

	for (p = S.conns; p != NULL; p = p->next) {
		if (p->br == NULL || p->br->revoked)
			continue;
		who = bridge_tokens_find(S.tokens, p->br->token_hash);
		if (who != NULL && strcmp(who, p->br->name) == 0)
			continue;
		log_info("bridge %s: its token is no longer in the bridge token "
		    "file; closing its connection", p->br->name);
		p->br->revoked = true;
		lws_callback_on_writable(p->wsi);
	}
}

/* Settings again, from the same command line and config file.  Only what
 * can change under running connections is taken; the rest waits for a
 * restart. */
static void
reload_settings(void)
{
	struct bridge_tokens *t = NULL;
	struct advisor_opts ao;
	struct config n;
	char err[1024];

	if (config_parse_args(&n, S.argc, S.argv, err, sizeof(err)) == -1 ||
	    (n.bridge_tokens[0] != '\0' && (t = bridge_tokens_load(
	    n.bridge_tokens, err, sizeof(err))) == NULL)) {
		metrics.settings_reload_failures++;
		log_warnx("settings not reloaded: %s", err);
		return;
	}
	if (strcmp(n.host, S.conf.host) != 0 || n.port != S.conf.port ||
	    strcmp(n.db, S.conf.db) != 0 || n.strict != S.conf.strict ||
	    n.redact != S.conf.redact || strcmp(n.web_dir, S.conf.web_dir) ||
	    n.idle_timeout != S.conf.idle_timeout ||
	    n.outq_max != S.conf.outq_max || n.poll_loop != S.conf.poll_loop)
		log_warnx("host, port, db, durability, redact, web_dir, "
		    "idle_timeout, outq_max and event_loop change only with a "
		    "restart");
	memcpy(n.host, S.conf.host, sizeof(n.host));
	n.port = S.conf.port;
	memcpy(n.db, S.conf.db, sizeof(n.db));
	n.strict = S.conf.strict;
	n.redact = S.conf.redact;
	memcpy(n.web_dir, S.conf.web_dir, sizeof(n.web_dir));
	n.idle_timeout = S.conf.idle_timeout;
	n.outq_max = S.conf.outq_max;
	n.poll_loop = S.conf.poll_loop;
	bridge_tokens_free(S.tokens);
	S.tokens = t;
	revoke_bridges();
	S.conf = n;
	log_init(n.log_level);
	set_lws_log(n.log_level);
	ao.store = NULL;	/* advisor_set_opts keeps its own */
	config_advisor_opts(&n, &ao);
	advisor_set_opts(S.adv, &ao);
}

/*
 * Say when the content's patterns run without the JIT asked for: under
 * the unit's MemoryDenyWriteExecute=yes (or any W^X policy) PCRE2 cannot
 * map its code and intents_load falls back to the interpreter, and
 * nothing said so; the start line read "JIT on when available".  Info,
 * not a warning: the shipped unit chooses this (docs/operations.md).
 * Logged at the start and again only when a reload changes it, LOST
 * being whether it is now so.
 */
static void
jit_report(bool lost)
{
	if (lost && !S.jit_lost)
		log_info("PCRE2's JIT is unavailable here (a W^X policy such "
		    "as MemoryDenyWriteExecute=yes): patterns are matched by "
		    "the interpreter, with the same results and a few "
		    "microseconds more per message; jit = no says so and "
		    "skips the attempt");
	else if (!lost && S.jit_lost)
		log_info("PCRE2's JIT is in use again");
	S.jit_lost = lost;
}

/* The content reload started by reload() is over: swap it in, or keep
 * the old. */
static void
reload_done(void)
{
	struct intents *in;
	struct dialogues *dl;
	char *report = NULL;

	if (loader_finish(S.loading, &in, &dl, &report) == 0) {
		jit_report(S.cfg->jit && !intents_jit(in));
		advisor_set_content(S.adv, in, dl);
		metrics.reloads++;
		log_info("content reloaded, version %s",
		    advisor_content_version(S.adv));
	} else {
		metrics.reload_failures++;
		log_warnx("content reload refused, keeping version %s: %s",
		    advisor_content_version(S.adv), report ? report :
		    "out of memory");
	}
	S.loading = NULL;
	free(report);
	sd_notify(0, "READY=1");
}

/* SIGHUP: the settings at once, the content on a thread (loader.h), the
 * loop serving meanwhile; reload_done() takes it.  A SIGHUP during a load
 * waits for it to end and reloads again then, so that the files as they
 * are now are the ones read. */
static void
reload(void)
{
	if (S.loading != NULL) {
		S.reload_again = true;
		return;
	}
	S.reload_again = false;
	sd_notify(0, "RELOADING=1");
	reload_settings();
	if ((S.loading = loader_start(S.cfg->content, S.cfg->jit, server_wake,
	    NULL)) == NULL) {
		metrics.reload_failures++;
		log_warnx("content reload refused, keeping version %s: cannot "
		    "start its thread", advisor_content_version(S.adv));
		sd_notify(0, "READY=1");
	}
}

static void
free_value(void *v, void *arg)
{
	(void)arg;
	free(v);
}

static const struct lws_protocols protocols[] = {
	{ PROTOCOL_NAME, callback, sizeof(struct pss), 4096, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

/*
 * The context, on a libev loop of our own when EV (lws drives it as a
 * foreign loop; we run it), else on lws' poll loop.  Debian ships lws'
 * libev support as a plugin package of its own: without it the context
 * cannot be made on libev, and the poll loop serves instead.
 */
static struct lws_context *
create_context(struct lws_context_creation_info *info, bool ev)
{
	static void *loops[1];
	struct lws_context *cx;
	bool fell_back = false;

	if (ev && (S.loop = ev_loop_new(EVFLAG_AUTO)) != NULL) {
		loops[0] = S.loop;
		info->foreign_loops = loops;
		info->options |= LWS_SERVER_OPTION_LIBEV;
		if ((cx = lws_create_context(info)) != NULL)
			return cx;
		ev_loop_destroy(S.loop);
		S.loop = NULL;
		info->foreign_loops = NULL;
		info->options &= ~(uint64_t)LWS_SERVER_OPTION_LIBEV;
		fell_back = true;
	}
	cx = lws_create_context(info);
	/* blame libev only when the poll loop works: when neither does (a
	 * port in use, say), the loop was not the cause */
	if (cx != NULL && fell_back)
		log_warnx("libwebsockets cannot use libev here (is the "
		    "libwebsockets-evlib-ev package installed?); using its "
		    "poll loop");
	return cx;
}

/*
 * Where to listen for HOST:PORT, into S.iface, and whether it can be
 * listened on, tried with a socket of our own before the context is made.
 * libwebsockets 4.1.6 takes an interface's name or an IPv4 address only:
 * for a host name ("localhost") it logged "DOESN'T EXIST" and the daemon
 * then "cannot listen", giving no reason.  So a network interface's name
 * is passed on as it is (libwebsockets reads it); anything else is looked
 * up once, here at the start, and its first IPv4 address is listened on.
 * For a port in use libwebsockets logged its raw "ERROR on binding fd 6 to
 * port 8080 (-1 98)" twice (once per loop tried) and gave no reason
 * either.  -1 with the reason logged, else 0.  SO_REUSEADDR as
 * libwebsockets sets it, so that a port left in TIME_WAIT is not taken
 * for one in use.
 */
static int
listen_probe(const char *host, int port)
{
	struct addrinfo hints, *ai;
	char serv[8];
	int e, fd, one = 1, rc = 0;

	snprintf(S.iface, sizeof(S.iface), "%s", host);
	if (strlen(host) < IF_NAMESIZE && if_nametoindex(host) != 0)
		return 0;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;	/* LWS_SERVER_OPTION_DISABLE_IPV6 */
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(serv, sizeof(serv), "%d", port);
	if ((e = getaddrinfo(host, serv, &hints, &ai)) != 0) {
		log_warnx("cannot listen on %s:%d: %s is no IPv4 address, no "
		    "host name with one (%s) and no network interface; give "
		    "--host an address of this machine (127.0.0.1, 0.0.0.0 "
		    "for all)", host, port, host, e == EAI_SYSTEM ?
		    strerror(errno) : gai_strerror(e));
		return -1;
	}
	inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)ai->ai_addr)->
	    sin_addr, S.iface, sizeof(S.iface));
	if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) != -1) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
			rc = -1;
			if (errno == EADDRINUSE)
				log_warnx("cannot listen on %s:%d: the port is "
				    "in use by another program (ss -ltnp "
				    "'sport = :%d' names it)", host, port,
				    port);
			else if (strcmp(host, S.iface) == 0)
				log_warn("cannot listen on %s:%d", host, port);
			else
				log_warn("cannot listen on %s:%d (at %s)",
				    host, port, S.iface);
		}
		close(fd);
	}
	freeaddrinfo(ai);
	return rc;
}

/* Wait for and handle what is ready: a signal, a wake-up from the log
 * writer (lws_cancel_service) or a timer ends the wait.  Below 0: the
 * context is gone. */
static int
service(void)
{
	if (S.loop == NULL)
		return lws_service(S.cx, 0);
	ev_run(S.loop, EVRUN_ONCE);
	return 0;
}

int
server_run(const struct config *cfg, int argc, char **argv,
    struct advisor *adv, struct store *store, struct bridge_tokens *tokens,
    bool jit)
{
	struct lws_context_creation_info info;
	struct lws_http_mount m_root, m_health, m_metrics;
	static lws_retry_bo_t idle;
	struct sigaction sa;
	uint64_t wd = 0;

	memset(&S, 0, sizeof(S));
	S.conf = *cfg;
	S.cfg = &S.conf;
	S.argc = argc;
	S.argv = argv;
	S.adv = adv;
	S.store = store;
	S.tokens = tokens;
	S.started_us = mono_us();
	S.refusals.rate = REFUSALS_LOGGED;
	S.refusals.what = "refused connections";
	S.refusals.emit = refusal_line;
	S.closes.rate = REFUSALS_LOGGED;
	S.closes.what = "closes";
	S.closes.emit = refusal_line;
	if ((S.perip = htab_new()) == NULL || (S.bywsi = htab_new()) == NULL)
		fatalx("out of memory");

	set_lws_log(cfg->log_level);

	memset(&m_root, 0, sizeof(m_root));
	m_root.mountpoint = "/";
	m_root.mountpoint_len = 1;
	m_root.origin = cfg->web_dir;
	m_root.def = "index.html";
	m_root.origin_protocol = LWSMPRO_FILE;
	m_health = m_root;
	m_health.mount_next = &m_root;
	m_health.mountpoint = "/healthz";
	m_health.mountpoint_len = 8;
	m_health.origin = PROTOCOL_NAME;
	m_health.def = NULL;
	m_health.origin_protocol = LWSMPRO_CALLBACK;
	m_metrics = m_health;
	m_metrics.mount_next = &m_health;
	m_metrics.mountpoint = "/metrics";

	memset(&info, 0, sizeof(info));
	info.port = cfg->port;
	info.iface = S.iface;		/* set by listen_probe() */
	info.protocols = protocols;
	info.mounts = &m_metrics;
	/* the best-practice headers include a strict Content-Security-Policy
	 * (no inline script or style), nosniff and frame denial */
	/* no LWS_SERVER_OPTION_VALIDATE_UTF8: receive() and peer_close()
	 * check UTF-8 themselves (see receive()) */
	info.options =
	    LWS_SERVER_OPTION_HTTP_HEADERS_SECURITY_BEST_PRACTICES_ENFORCE |
	    LWS_SERVER_OPTION_DISABLE_IPV6 |
	    LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND;
	info.timeout_secs = 10;		/* handshakes that dawdle */
	info.max_http_header_data = 4096;
	info.fd_limit_per_thread = 0;
	if (cfg->idle_timeout > 0) {
		idle.secs_since_valid_ping = (uint16_t)(cfg->idle_timeout / 2 ?
		    cfg->idle_timeout / 2 : 1);
		idle.secs_since_valid_hangup = (uint16_t)cfg->idle_timeout;
		info.retry_and_idle_policy = &idle;
	}
	if (listen_probe(cfg->host, cfg->port) == 0 &&
	    (S.cx = create_context(&info, !cfg->poll_loop)) == NULL)
		log_warnx("cannot listen on %s:%d", cfg->host, cfg->port);
	if (S.cx == NULL) {
		htab_free(S.perip);
		htab_free(S.bywsi);
		bridge_tokens_free(S.tokens);
		return 1;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	lws_sul_schedule(S.cx, 0, &S.sul_sweep, sweep, LWS_US_PER_SEC);
	if (sd_watchdog_enabled(0, &wd) > 0 && wd > 0) {
		S.watchdog_us = wd;
		lws_sul_schedule(S.cx, 0, &S.sul_watchdog, watchdog,
		    (lws_usec_t)wd / 2);
	}
	jit_report(cfg->jit && !jit);
	log_info("listening on http://%s:%d/ (%s%sWebSocket at /ws), content "
	    "%s, durability %s, PCRE2 JIT %s, %s loop", cfg->host, cfg->port,
	    strcmp(S.iface, cfg->host) != 0 ? S.iface : "",
	    strcmp(S.iface, cfg->host) != 0 ? ", " : "",
	    advisor_content_version(adv), cfg->strict ? "strict" : "fast",
	    jit ? "on" : cfg->jit ? "unavailable (interpreted)" : "off",
	    S.loop ? "libev" : "poll");
	/*
	 * The loop runs on this thread and sleeps between messages.  With the
	 * kernel's slice (1.4 ms here) it woke to find a log thread of the
	 * same core protected until the end of that thread's slice, and the
	 * reply waited: open loop p99 1.7 ms with the log in memory, 0.15 ms
	 * with this 100 us slice (docs/performance.md).
	 */
	if (slice_request(LOOP_SLICE_US) == -1)
		log_debug("scheduler slice unchanged (%s)", strerror(errno));
	sd_notify(0, "READY=1");

	while (!S.stop && service() >= 0) {
		if (S.reload) {
			S.reload = 0;
			reload();
		}
		if (S.loading != NULL && loader_done(S.loading)) {
			reload_done();
			if (S.reload_again)
				reload();
		}
	}

	sd_notify(0, "STOPPING=1");
	log_info("stopping: flushing replies and the log");
	/*
	 * Give queued replies up to a second to leave, each WebSocket closed
	 * with 1001 behind its last one.  Dropped by lws_context_destroy, they
	 * ended with no close frame at all (1006 to the client), as a crash
	 * or a cut cable does, and a bridge logged a lost connection.  The
	 * deadline is a timer: with only a reader that does not read left,
	 * nothing else woke the loop until the sweep's next second, and the
	 * stop took up to two.
	 */
	lws_sul_schedule(S.cx, 0, &S.sul_flush, flush_over, LWS_US_PER_SEC);
	while (S.conns != NULL && !S.flush_over) {
		struct pss *p;

		for (p = S.conns; p; p = p->next)
			lws_callback_on_writable(p->wsi);
		if (service() < 0)
			break;
	}
	lws_sul_cancel(&S.sul_flush);
	if (S.conns != NULL) {
		struct pss *p;
		unsigned n = 0;

		for (p = S.conns; p; p = p->next)
			n++;
		log_info("stopping: the flush's second is over, %u "
		    "connection%s not flushed", n, n == 1 ? "" : "s");
	}
	if (S.unread > 0)
		log_info("stopping: %lu frames that came meanwhile not read",
		    S.unread);
	if (S.loading != NULL) {
		if (!loader_done(S.loading))
			log_info("stopping: waiting for the content reload "
			    "under way");
		loader_cancel(S.loading);
		S.loading = NULL;
	}
	lws_sul_cancel(&S.sul_sweep);
	lws_sul_cancel(&S.sul_watchdog);
	lws_context_destroy(S.cx);
	S.cx = NULL;
	if (S.loop != NULL)
		ev_loop_destroy(S.loop);
	S.loop = NULL;
	bridge_tokens_free(S.tokens);
	S.tokens = NULL;
	htab_each(S.bywsi, free_value, NULL);
	htab_free(S.bywsi);
	htab_each(S.perip, free_value, NULL);
	htab_free(S.perip);
	free(S.byfd);
	return 0;
}
