/*
 * main.c: advisor-bridge.  An HTTP server for team chat webhooks and slash
 * commands and one authenticated WebSocket client to advisord, in a single
 * libwebsockets context.  Each verified POST becomes a frame on the
 * WebSocket; the reply with the matching in_reply_to answers the POST.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libwebsockets.h>
#include <systemd/sd-daemon.h>

#include "bridge/chat.h"
#include "bridge/convmap.h"
#include "bridge/journal.h"
#include "bridge/late.h"
#include "bridge/payload.h"
#include "bridge/poster.h"
#include "bridge/relay.h"
#include "bridge/resolver.h"
#include "bridge/respurl.h"
#include "bridge/verify.h"
#include "daemon/closeframe.h"
#include "daemon/throttle.h"

#ifndef ADVISOR_VERSION
#define ADVISOR_VERSION "0.1"
#endif

#define MAX_FRAME	(1024 * 1024)	/* one frame from advisord */
#define SWEEP_US	(100 * LWS_US_PER_MS)
#define SAVE_US		(5 * LWS_USEC_PER_SEC)	/* options saved this often */
#define BACKOFF_MIN_MS	100
#define BACKOFF_MAX_MS	3000
#define REFUSED_MAX_MS	30000	/* retrying a refused token: slower */
#define ADVISOR_LOOKUP_S 5	/* advisord's name not found by then: retried */
#define DRAIN_GRACE_US	(1 * LWS_USEC_PER_SEC)	/* see begin_stop() */
#define DRAIN_MAX_US	(3 * LWS_USEC_PER_SEC)	/* within TimeoutStopSec */
/* Requests with advisord at a time, on the one connection: advisord drops
 * a connection with more than outq_max (64) replies waiting to be
 * written, and a burst of chat users filled that in one read. */
#define REFUSALS_LOGGED	5	/* log lines about refusals a second */
#define WINDOW		32
/* Requests answered before advisord did, kept for their late answer */
#define LATE_MAX	256
/* Hosts not in response_url_hosts named once each in the log */
#define UNLISTED	16

/* The WebSocket to advisord, as said in the log (once per change). */
enum link {
	LINK_CONNECTING,	/* not tried yet */
	LINK_UP,
	LINK_AWAY,		/* unreachable, or the connection dropped */
	LINK_REFUSED		/* advisord refused the token (401/403) */
};

/* Every setting with its built-in default. */
struct bconf {
	char	listen_host[64];	/* "127.0.0.1" */
	int	listen_port;		/* 8090 */
	char	advisor[256];		/* ws://127.0.0.1:8080/ws */
	char	token_file[256];	/* bearer token for advisord */
	char	webhook_token[256];	/* the team chat's verification token */
	char	signing_secret[256];	/* Slack signing secret */
	char	secrets_file[256];	/* the two above, kept apart, or "" */
	int	timeout_ms;		/* answer waiting requests after this */
	int	max_body;		/* bytes of one POST body */
	int	log_level;		/* 0 error .. 3 debug */
	char	state_file[256];	/* options kept across restarts, or "" */
	enum chat chat;			/* the chat posting here (CHAT_AUTO:
					 * told by each request's fields) */
	char	response_url_hosts[1024]; /* hosts a late answer may be
					 * posted to ("hooks.slack.com") */
	char	response_url_ca[256];	/* CA certificates they are checked
					 * against (Debian's bundle) */
};

/* One HTTP request from the team chat, while it waits for its answer. */
struct req {
	struct lws	*wsi;
	struct req	*next, **prevp;	/* waiting list, when waiting */
	char		*body;
	size_t		 len;
	int		 too_big;
	char		 reqid[32];
	char		*frame;		/* to send to advisord */
	int		 sent;
	lws_usec_t	 deadline;
	int		 status;	/* answer ready when != 0 */
	char		*answer;
	/* whom an answer posted into the channel is addressed to, or "" */
	char		 mention[PAYLOAD_FIELD];
	enum chat	 chat;		/* whose markup the answer is in */
	/* where a late answer may go (https, an allowed host), or "" */
	char		 url[RESPURL_MAX];
	lws_usec_t	 arrived;
};

static struct {
	struct bconf		 cfg;
	char			 bearer[520];
	char			 ahost[128], apath[128];
	int			 aport;
	struct lws_context	*cx;
	struct lws		*ws;
	int			 up;
	enum link		 link;
	int			 refused_status; /* 401 or 403, when refused */
	int			 close_code;	/* advisord's close frame, or 0 */
	char			 close_why[124];
	int			 backoff_ms;
	lws_sorted_usec_list_t	 sul_connect, sul_sweep, sul_drain;
	/* advisord's host looked up off the loop (resolver.h) */
	struct resolver		*res;
	unsigned long		 lookups;	/* lookups asked */
	unsigned long		 lookup;	/* the one awaited, or 0 */
	lws_sorted_usec_list_t	 sul_lookup;	/* its deadline */
	struct resolved		 addrs;		/* its answer */
	int			 next_addr;	/* the next of them to try */
	const char		*config;	/* -c, or NULL; for SIGHUP */
	int			 argc;
	char			**argv;
	int			 nreqs;		/* HTTP requests not yet answered */
	lws_usec_t		 stop_at;	/* when the stop began, or 0 */
	int			 drained;	/* waited long enough: exit */
	int			 bye;		/* close the WebSocket (1001) */
	int			 posts_said;	/* the wait for late answers'
						 * posts is logged */
	char			 unlisted[UNLISTED][RESPURL_HOST];
	size_t			 unlisted_said;	/* response_url hosts not
						 * listed, named in the log */
	struct req		*waiting;	/* oldest first */
	struct req		**tailp;	/* the last one's next */
	struct convmap		*map;
	struct late		*late;		/* timed out, their answer may
						 * still go to their response_url */
	int			 posting;	/* late answers are posted: the
						 * CA file was read */
	unsigned long		 saved;		/* map's changes when saved */
	pid_t			 saver;		/* the child saving them, or 0 */
	unsigned long		 saving;	/* the changes it writes */
	lws_usec_t		 save_due;	/* next periodic save */
	unsigned long		 seq;
	int			 inflight;	/* frames sent on this connection
						 * and not answered yet */
	char			*rx;
	size_t			 rxlen;
	int			 journal;	/* stderr is the journal */
	struct throttle		 refusals;	/* their log lines */
	int			 lfd;		/* the listening socket systemd
						 * passed, or -1: lws' own */
	struct lws		*lwsi;		/* lfd in the loop, or NULL */
	int			 accept_held;	/* accept() failed: lfd not
						 * polled until the next sweep */
	volatile sig_atomic_t	 stop, reload;
} S;

static const char *const level_names[] = { "error", "warning", "info",
    "debug" };

static void logmsg(int, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
logmsg(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > S.cfg.log_level)
		return;
	/* the journal takes "<3>" as the line's priority; a terminal or a
	 * file would show it */
	if (S.journal)
		fprintf(stderr, "<%d>", level == 0 ? 3 : level == 1 ? 4 :
		    level == 2 ? 6 : 7);
	fprintf(stderr, "advisor-bridge: %s: ", level_names[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A warning about a refused request: each costs its sender one request,
 * and one client could write thousands a second, past journald's rate
 * limit, which then dropped the bridge's every line, its real warnings
 * too; S.refusals lets REFUSALS_LOGGED a second through, the next saying
 * how many were held back (as advisord's refused connections do). */
static void
refusal_line(const char *line)
{
	logmsg(1, "%s", line);
}

static void
lws_emit(int level, const char *line)
{
	size_t n = strlen(line);

	while (n > 0 && line[n - 1] == '\n')
		n--;
	/* a refused upgrade is said once, in our words (see link_refused);
	 * lws' own line would repeat on every retry */
	if (strstr(line, "got bad HTTP response") != NULL)
		level = LLL_DEBUG;
	logmsg(level == LLL_ERR ? 0 : level == LLL_WARN ? 1 : 3, "lws: %.*s",
	    (int)n, line);
}

static void
defaults(struct bconf *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->listen_host, "127.0.0.1");
	c->listen_port = 8090;
	strcpy(c->advisor, "ws://127.0.0.1:8080/ws");
	/* below the 3 s Slack waits, after which it shows the person its own
	 * error and drops the answer */
	c->timeout_ms = 2500;
	/* advisord's 2,000 characters %-encoded, 9 bytes each for a CJK one,
	 * and the chat's other fields */
	c->max_body = 32768;
	c->log_level = 2;
	strcpy(c->response_url_hosts, "hooks.slack.com");
	strcpy(c->response_url_ca, "/etc/ssl/certs/ca-certificates.crt");
}

static int
parse_level(const char *s)
{
	int i;

	for (i = 0; i < 4; i++)
		if (strcasecmp(s, level_names[i]) == 0)
			return i;
	if (strcasecmp(s, "warn") == 0)
		return 1;
	return -1;
}

static int
parse_listen(struct bconf *c, const char *v)
{
	const char *colon = strrchr(v, ':');
	char *end;
	long p;

	if (colon == NULL || (size_t)(colon - v) >= sizeof(c->listen_host))
		return -1;
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p < 0 || p > 65535)
		return -1;
	memcpy(c->listen_host, v, (size_t)(colon - v));
	c->listen_host[colon - v] = '\0';
	if (c->listen_host[0] == '\0')
		strcpy(c->listen_host, "0.0.0.0");
	c->listen_port = (int)p;
	return 0;
}

static int
copy_setting(char *dst, size_t cap, const char *v)
{
	if (strlen(v) >= cap)
		return -1;
	strcpy(dst, v);
	return 0;
}

/* Apply one setting by its config file name; 0 or -1. */
static int
set_key(struct bconf *c, const char *key, const char *v)
{
	char *end;
	long n;

	if (strcmp(key, "listen") == 0)
		return parse_listen(c, v);
	if (strcmp(key, "advisor") == 0)
		return copy_setting(c->advisor, sizeof(c->advisor), v);
	if (strcmp(key, "token_file") == 0)
		return copy_setting(c->token_file, sizeof(c->token_file), v);
	if (strcmp(key, "state_file") == 0)
		return copy_setting(c->state_file, sizeof(c->state_file), v);
	if (strcmp(key, "secrets_file") == 0)
		return copy_setting(c->secrets_file, sizeof(c->secrets_file),
		    v);
	if (strcmp(key, "response_url_hosts") == 0)
		return copy_setting(c->response_url_hosts,
		    sizeof(c->response_url_hosts), v);
	if (strcmp(key, "response_url_ca") == 0)
		return copy_setting(c->response_url_ca,
		    sizeof(c->response_url_ca), v);
	if (strcmp(key, "webhook_token") == 0)
		return copy_setting(c->webhook_token,
		    sizeof(c->webhook_token), v);
	if (strcmp(key, "signing_secret") == 0)
		return copy_setting(c->signing_secret,
		    sizeof(c->signing_secret), v);
	if (strcmp(key, "chat") == 0) {
		if ((n = chat_parse(v)) < 0)
			return -1;
		c->chat = (enum chat)n;
		return 0;
	}
	if (strcmp(key, "log_level") == 0) {
		/* a bad one leaves the level as it was: at -1 even the error
		 * saying so went unprinted */
		if ((n = parse_level(v)) < 0)
			return -1;
		c->log_level = (int)n;
		return 0;
	}
	if (strcmp(key, "timeout") == 0 || strcmp(key, "max_body") == 0) {
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno || *end != '\0' || n < 1 || n > 100000000)
			return -1;
		if (key[0] == 't')
			c->timeout_ms = (int)n;
		else
			c->max_body = (int)n;
		return 0;
	}
	return -1;
}

/* Whether KEY is a setting of the config file. */
static int
known_key(const char *key)
{
	static const char *const keys[] = { "listen", "advisor", "token_file",
	    "state_file", "secrets_file", "webhook_token", "signing_secret",
	    "log_level", "timeout", "max_body", "chat", "response_url_hosts",
	    "response_url_ca" };
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(key, keys[i]) == 0)
			return 1;
	return 0;
}

/* Whether KEY is one of the team chat's secrets. */
static int
is_secret(const char *key)
{
	return strcmp(key, "webhook_token") == 0 ||
	    strcmp(key, "signing_secret") == 0;
}

/* VALUE of KEY as an error may show it: never a secret, which fails only
 * by being too long and would land in the journal whole. */
static const char *
shown(const char *key, const char *value)
{
	if (is_secret(key))
		return "(secret, not shown: longer than 255 bytes)";
	return value;
}

/* Warn when F (PATH, the bridge's WHAT) can be read by other users than
 * its owner; FIX says what to do about it (NULL: chmod 600). */
static void
warn_if_open(FILE *f, const char *path, const char *what, const char *fix)
{
	struct stat st;

	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077) != 0)
		logmsg(1, "%s: the %s is open to other users (mode %04o); %s%s",
		    path, what, (unsigned)(st.st_mode & 07777), fix ? fix :
		    "make it readable only by the bridge: chmod 600 ",
		    fix ? "" : path);
}

/* Settings from PATH into C; with SECRETS, PATH is a secrets file, which
 * holds webhook_token and signing_secret only.  0 or -1, said. */
static int
load_config(struct bconf *c, const char *path, int secrets)
{
	char line[1024], *k, *v, *e;
	const char *why = "expected key = value";
	int lineno = 0, rc = -1, held = 0;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		logmsg(0, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* the chat's secrets let anyone who reads them speak as the chat
	 * (systemd's credentials folder gives the copy mode 0400) */
	if (secrets)
		warn_if_open(f, path, "secrets file", NULL);
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		for (k = line; *k == ' ' || *k == '\t'; k++)
			;
		if (*k == '#' || *k == '\n' || *k == '\0')
			continue;
		if ((v = strchr(k, '=')) == NULL)
			goto bad;
		for (e = v; e > k && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		*e = '\0';
		for (v++; *v == ' ' || *v == '\t'; v++)
			;
		/* a value ends at a comment or the line's end */
		if (*v == '"') {
			if ((e = strchr(++v, '"')) == NULL) {
				why = "a quote that does not end";
				goto bad;
			}
		} else
			for (e = v; *e && *e != '#' && *e != '\n'; e++)
				;
		while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		*e = '\0';
		if (!known_key(k)) {
			logmsg(0, "%s:%d: unknown setting \"%s\"", path, lineno,
			    k);
			goto out;
		}
		if (secrets && !is_secret(k)) {
			logmsg(0, "%s:%d: %s does not belong in a secrets file "
			    "(webhook_token and signing_secret do)", path,
			    lineno, k);
			goto out;
		}
		held |= is_secret(k) && *v != '\0';
		if (set_key(c, k, v) == -1) {
			logmsg(0, "%s:%d: bad value \"%s\" for %s", path,
			    lineno, shown(k, v), k);
			goto out;
		}
	}
	rc = 0;
	/* 0644 is right for the settings, and lets everyone read a secret
	 * among them; 0600 would lock out the unit's dynamic user */
	if (held && !secrets)
		warn_if_open(f, path, "config file holds a secret and", "put "
		    "webhook_token and signing_secret in a secrets file of "
		    "mode 0600 (secrets_file, --secrets-file) instead");
	goto out;
bad:
	logmsg(0, "%s:%d: %s", path, lineno, why);
out:
	fclose(f);
	return rc;
}

/* Split ws://HOST:PORT/PATH. */
static int
parse_advisor(const char *url)
{
	const char *h, *slash, *colon;
	size_t hl;

	if (strncmp(url, "ws://", 5) != 0)
		return -1;
	h = url + 5;
	slash = strchr(h, '/');
	if (slash == NULL)
		slash = h + strlen(h);
	colon = memchr(h, ':', (size_t)(slash - h));
	hl = (size_t)((colon ? colon : slash) - h);
	if (hl == 0 || hl >= sizeof(S.ahost) ||
	    strlen(slash) >= sizeof(S.apath))
		return -1;
	memcpy(S.ahost, h, hl);
	S.ahost[hl] = '\0';
	S.aport = colon ? atoi(colon + 1) : 80;
	if (S.aport <= 0 || S.aport > 65535)
		return -1;
	strcpy(S.apath, *slash ? slash : "/");
	return 0;
}

/* The token in PATH as an Authorization value, into BEARER (sizeof
 * S.bearer); 0 or -1, said. */
static int
read_token(const char *path, char *bearer)
{
	char buf[512];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		logmsg(0, "token file %s (--token-file, advisord's bearer "
		    "token): %s", path, strerror(errno));
		return -1;
	}
	/* the token is a password: anyone who reads it can be the bridge
	 * (systemd's credentials folder gives it mode 0400) */
	warn_if_open(f, path, "token file", NULL);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
	    buf[n - 1] == ' '))
		buf[--n] = '\0';
	if (n == 0 || strchr(buf, '\n') != NULL) {
		logmsg(0, "token file %s: expected one token on one line",
		    path);
		return -1;
	}
	snprintf(bearer, sizeof(S.bearer), "Bearer %s", buf);
	return 0;
}

/* --- answers to the team chat --- */

static void
req_unlink(struct req *r)
{
	if (r->prevp == NULL)
		return;
	*r->prevp = r->next;
	if (r->next)
		r->next->prevp = r->prevp;
	else
		S.tailp = r->prevp;
	r->next = NULL;
	r->prevp = NULL;
}

/* BODY, an answer (taken over), in CHAT's markup and addressed to MENTION
 * (or ""). */
static char *
dressed(char *body, enum chat chat, const char *mention)
{
	if (chat != CHAT_AUTO)
		body = relay_markup(body, chat);
	/* an outgoing webhook's answer is the channel's: name whom it
	 * answers, among the people talking there at once */
	if (mention[0] != '\0')
		body = relay_address(body, mention);
	return body;
}

/* Answer R with STATUS and BODY (taken over; NULL: a plain text body). */
static void
req_answer(struct req *r, int status, char *body)
{
	req_unlink(r);
	if (status == 200)
		body = dressed(body, r->chat, r->mention);
	free(r->answer);
	r->answer = body;
	r->status = status;
	lws_callback_on_writable(r->wsi);
}

static void
req_answer_text(struct req *r, int status, const char *text)
{
	req_answer(r, status, relay_answer(text));
}

static struct req *
find_waiting(const char *reqid)
{
	struct req *r;

	for (r = S.waiting; r != NULL; r = r->next)
		if (strcmp(r->reqid, reqid) == 0)
			return r;
	return NULL;
}

/* A save of the options is over: ERR 0 when it worked, else its errno. */
static void
options_saved(int err)
{
	static int failing;	/* said once, not every 5 s */

	if (err != 0) {
		if (!failing)
			logmsg(1, "%s: cannot save the options (%s); a restart "
			    "will forget them", S.cfg.state_file,
			    strerror(err));
		failing = 1;
	} else {
		if (failing)
			logmsg(2, "%s: options saved again", S.cfg.state_file);
		failing = 0;
		S.saved = S.saving;
	}
}

/* Whether no saver child is at work (WAIT: once it is done); the end of
 * one that was goes to options_saved(). */
static int
saver_done(int wait)
{
	pid_t r;
	int st;

	if (S.saver == 0)
		return 1;
	/* a signal in the stop's wait is no end of the child, which still
	 * writes the temporary file the last save would write too */
	while ((r = waitpid(S.saver, &st, wait ? 0 : WNOHANG)) == -1 &&
	    errno == EINTR)
		;
	if (r == 0)
		return 0;
	S.saver = 0;
	options_saved(r == -1 ? errno : !WIFEXITED(st) ? EINTR :
	    WEXITSTATUS(st));
	return 1;
}

/*
 * Write the options down, if they changed since the last time.  A child
 * process writes them, from its copy of the map as it is now, and the
 * loop goes on: with 50,000 people a save held every request up for 0.1
 * to 0.2 s, every 5 s while options changed, and longer on a slow disk.
 * The last save (STOPPING) is made here, once a child's is over.
 */
static void
save_options(int stopping)
{
	pid_t pid = -1;
	int err;

	if (!saver_done(stopping))
		return;		/* the next sweep's, then */
	if (S.cfg.state_file[0] == '\0' || convmap_changes(S.map) == S.saved)
		return;
	S.saving = convmap_changes(S.map);
	if (!stopping && (pid = fork()) == 0) {
		/* the child holds no copy of the bridge's sockets: a chat's
		 * connection the bridge closes meanwhile, or advisord's,
		 * would stay open until the save ended */
		close_range(3, ~0U, 0);
		err = convmap_save(S.map, S.cfg.state_file) == -1 ? errno : 0;
		_exit(err > 0 && err < 256 ? err : err != 0 ? EIO : 0);
	}
	if (pid > 0) {
		S.saver = pid;
		return;
	}
	/* stopping, or no child to be had */
	options_saved(convmap_save(S.map, S.cfg.state_file) == -1 ? errno :
	    0);
}

/* What a person is told when advisord cannot answer them. */
static const char *
unavailable_words(void)
{
	if (S.stop)
		return "The advisor is restarting; please try again in a "
		    "moment.";
	/* refused, or just revoked: advisord closes with 1008 only then */
	if (S.link == LINK_REFUSED || S.close_code == 1008)
		return "The advisor cannot be reached from this chat: it "
		    "does not accept this chat bridge's credentials. Please "
		    "tell whoever runs the bridge.";
	return "The advisor is not reachable right now. Please try again in "
	    "a minute.";
}

/* Answer with unavailable_words() every waiting request not yet sent to
 * advisord (SENT 0: it will not be sent soon enough), or every one sent
 * (SENT 1, when the connection ended: advisord answers on the connection
 * a request came on, and that one is gone). */
static void
answer_waiting(int sent)
{
	struct req *r, *next;

	for (r = S.waiting; r != NULL; r = next) {
		next = r->next;
		if (r->sent != sent)
			continue;
		if (sent)
			logmsg(1, "request %s: the connection to advisord ended "
			    "before its answer", r->reqid);
		req_answer_text(r, 200, unavailable_words());
	}
}

/* R is answered before advisord did: keep it for its late answer, when
 * it has a response_url to post that to; 1 if kept. */
static int
keep_late(const struct req *r)
{
	struct late_entry e;

	if (r->url[0] == '\0' || !S.posting)
		return 0;
	memset(&e, 0, sizeof(e));
	snprintf(e.reqid, sizeof(e.reqid), "%s", r->reqid);
	snprintf(e.url, sizeof(e.url), "%s", r->url);
	snprintf(e.mention, sizeof(e.mention), "%s", r->mention);
	e.chat = r->chat;
	/* the window is the chat's, from when it sent the request */
	e.until = r->arrived / LWS_US_PER_SEC + LATE_VALID_S;
	if (late_add(S.late, &e))
		logmsg(1, "%d requests wait for a late answer; the oldest one's "
		    "will not be posted", LATE_MAX);
	return 1;
}

static void
sweep(lws_sorted_usec_list_t *sul)
{
	lws_usec_t now = lws_now_usecs();
	struct req *r, *next;

	(void)sul;
	for (r = S.waiting; r != NULL; r = next) {
		next = r->next;
		/* stopping: a request already with advisord gets a moment
		 * for its reply, then the restart answer */
		if (now >= r->deadline || (S.stop_at != 0 &&
		    now >= S.stop_at + DRAIN_GRACE_US)) {
			logmsg(1, "request %s: no answer from advisord in "
			    "time%s", r->reqid, S.stop ? " (stopping)" : "");
			/* with advisord, which is slow, not away: the chat
			 * is about to show the person an error of its own */
			if (r->sent && S.up && !S.stop && keep_late(r))
				req_answer_text(r, 200, "The advisor is taking "
				    "longer than usual; the answer will follow "
				    "here in a moment.");
			else
				req_answer_text(r, 200, r->sent && S.up &&
				    !S.stop ? "The advisor is taking too long to "
				    "answer right now. Please ask again in a "
				    "moment." : unavailable_words());
		}
	}
	late_expire(S.late, now / LWS_US_PER_SEC);
	if (S.accept_held && S.lwsi != NULL) {
		S.accept_held = 0;
		lws_rx_flow_control(S.lwsi, 1);
	}
	/* a crash then forgets at most the last few seconds' options */
	if (now >= S.save_due) {
		save_options(0);
		S.save_due = now + SAVE_US;
	} else
		saver_done(0);
	lws_sul_schedule(S.cx, 0, &S.sul_sweep, sweep, SWEEP_US);
}

/* --- the WebSocket to advisord --- */

static void connect_advisor(lws_sorted_usec_list_t *);

static void
schedule_reconnect(void)
{
	int max = S.link == LINK_REFUSED ? REFUSED_MAX_MS : BACKOFF_MAX_MS;

	if (S.stop)
		return;
	/* said once when the state changed (see link_*); each retry only
	 * at debug level */
	logmsg(3, "reconnecting to advisord in %d ms", S.backoff_ms);
	lws_sul_schedule(S.cx, 0, &S.sul_connect, connect_advisor,
	    (lws_usec_t)S.backoff_ms * LWS_US_PER_MS);
	S.backoff_ms *= 2;
	if (S.backoff_ms > max)
		S.backoff_ms = max;
}

/* advisord refused the upgrade with STATUS: the token is wrong, revoked,
 * or not (yet) in advisord's bridge token file.  Retrying recovers once
 * either file is fixed, but nobody is helped by a line every retry. */
static void
link_refused(int status)
{
	if (S.link != LINK_REFUSED || S.refused_status != status)
		logmsg(0, "advisord refused the bridge token (HTTP %d); check "
		    "--token-file %s against advisord's bridge token file "
		    "(then `kill -HUP` the bridge, or reload advisord); "
		    "retrying every %d s at most", status, S.cfg.token_file,
		    REFUSED_MAX_MS / 1000);
	S.link = LINK_REFUSED;
	S.refused_status = status;
	/* they would wait out the timeout only to hear the same */
	answer_waiting(0);
}

/* advisord could not be reached, or the connection dropped. */
static void
link_away(const char *why)
{
	if (S.stop)
		logmsg(2, "closed the connection to advisord");
	else if (S.link == LINK_UP) {
		if (S.close_code != 0)
			logmsg(1, "advisord closed the connection: %d \"%s\"; "
			    "reconnecting", S.close_code, S.close_why);
		else
			logmsg(1, "lost the connection to advisord (%s); "
			    "reconnecting", why);
	} else if (S.link != LINK_AWAY)
		logmsg(1, "cannot connect to advisord at %s: %s; retrying "
		    "every %d s at most", S.cfg.advisor, why,
		    BACKOFF_MAX_MS / 1000);
	else
		logmsg(3, "cannot connect to advisord: %s", why);
	if (S.link == LINK_REFUSED)
		S.backoff_ms = BACKOFF_MIN_MS;
	S.link = LINK_AWAY;
}

/* The status of advisord's answer to a failed upgrade, or 0. */
static int
refusal_status(struct lws *wsi, const char *why)
{
	int st = wsi ? (int)lws_http_client_http_response(wsi) : 0;

	if (st == 401 || st == 403)
		return st;
	/* 4.1.6 says it in words and may have dropped the status */
	if (why != NULL && strstr(why, "unauthorized") != NULL)
		return 401;
	if (why != NULL && strstr(why, "forbidden") != NULL)
		return 403;
	return 0;
}

/* Why the connection to advisord failed, in WHY (LEN bytes), from lws'
 * IN: an HTTP answer other than the upgrade, which lws says only as "ws
 * upgrade response not 101", is named with its status and the path
 * asked for, the likely mistake (--advisor ws://HOST:PORT without
 * advisord's /ws). */
static const char *
upgrade_error(struct lws *wsi, const char *in, char *why, size_t len)
{
	int st = wsi ? (int)lws_http_client_http_response(wsi) : 0;

	if (st == 0 || st == 101)
		return in != NULL ? in : "?";
	snprintf(why, len, "HTTP %d at %s, no WebSocket there (advisord's "
	    "is at /ws)", st, S.apath);
	return why;
}

/* Connect to the next address found for advisord's host (the Host header
 * its name); past the last, retry after the backoff. */
static void
connect_next(lws_sorted_usec_list_t *sul)
{
	struct lws_client_connect_info ci;

	(void)sul;
	if (S.next_addr >= S.addrs.naddr) {
		schedule_reconnect();
		return;
	}
	memset(&ci, 0, sizeof(ci));
	ci.context = S.cx;
	ci.address = S.addrs.addr[S.next_addr++];
	ci.port = S.aport;
	ci.path = S.apath;
	ci.host = S.ahost;
	ci.protocol = "advisor.v1";
	ci.local_protocol_name = "advisor-client";
	ci.pwsi = &S.ws;
	/* the next from the loop, not from here: lws may have said the
	 * error to cb_client already, which asked for the same */
	if (lws_client_connect_via_info(&ci) == NULL) {
		S.ws = NULL;
		lws_sul_schedule(S.cx, 0, &S.sul_connect, connect_next, 1);
	}
}

/* advisord's host was not found in time: its lookup thread may be stuck
 * (a dead DNS server), but the loop goes on and the next retry asks
 * again. */
static void
lookup_late(lws_sorted_usec_list_t *sul)
{
	char why[64];

	(void)sul;
	resolver_forget(S.res, S.lookup);
	S.lookup = 0;
	snprintf(why, sizeof(why), "its name was not found within %d s",
	    ADVISOR_LOOKUP_S);
	link_away(why);
	schedule_reconnect();
}

/* The lookup of advisord's host answered (the loop was woken): connect
 * to what it found. */
static void
looked_up(void)
{
	struct resolved r;
	char why[160];

	while (resolver_take(S.res, &r)) {
		if (r.id != S.lookup)
			continue;	/* given up already */
		lws_sul_cancel(&S.sul_lookup);
		S.lookup = 0;
		if (S.stop)
			continue;
		if (r.naddr == 0) {
			snprintf(why, sizeof(why), "cannot look its name up: %s",
			    r.error);
			link_away(why);
			schedule_reconnect();
			continue;
		}
		S.addrs = r;
		S.next_addr = 0;
		connect_next(NULL);
	}
}

/* Connect to advisord: its host is looked up first, off the loop (a name
 * looked up by libwebsockets held the whole loop for as long as a dead
 * DNS server took, at every retry); not while a lookup or a connection
 * is under way. */
static void
connect_advisor(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	if (S.stop || S.lookup != 0 || S.ws != NULL)
		return;
	S.lookup = ++S.lookups;
	if (resolver_ask(S.res, S.lookup, S.ahost) == -1) {
		S.lookup = 0;
		link_away("its name is being looked up too often");
		schedule_reconnect();
		return;
	}
	lws_sul_schedule(S.cx, 0, &S.sul_lookup, lookup_late,
	    (lws_usec_t)ADVISOR_LOOKUP_S * LWS_US_PER_SEC);
}

/* A lookup thread has an answer: the loop is told (the only lws call
 * another thread may make). */
static void
wake_loop(void *cx)
{
	lws_cancel_service(cx);
}

/* Whether a frame waits to be sent and the window lets it go. */
static int
pending_frames(void)
{
	struct req *r;

	if (S.inflight >= WINDOW)
		return 0;
	for (r = S.waiting; r != NULL; r = r->next)
		if (!r->sent)
			return 1;
	return 0;
}

/* Whether the request REQID still waits for its answer, or its late
 * answer is still to be posted to its response_url: either way the
 * person sees its options. */
static int
awaited(const char *reqid)
{
	return find_waiting(reqid) != NULL || late_has(S.late, reqid,
	    lws_now_usecs() / LWS_US_PER_SEC);
}

/* ANSWER (taken over), advisord's late answer to the request REQID, to
 * that request's response_url, if it had one and its window is open: 1
 * when it did (what became of the post is said), else 0. */
static int
post_late(const char *reqid, char *answer)
{
	struct late_entry e;
	struct respurl u;
	int rc = 0;

	if (!late_take(S.late, reqid, lws_now_usecs() / LWS_US_PER_SEC, &e))
		goto out;
	rc = 1;
	answer = dressed(answer, e.chat, e.mention);
	/* checked again: a SIGHUP may have taken the host off the list */
	if (respurl_parse(e.url, &u) != RESPURL_OK ||
	    !respurl_allowed(S.cfg.response_url_hosts, u.host)) {
		logmsg(1, "request %s: its late answer is dropped: %s is no "
		    "longer in response_url_hosts", reqid, u.host);
		goto out;
	}
	logmsg(2, "request %s: advisord answered after the timeout; posting "
	    "the answer to its response_url at %s", reqid, u.host);
	if (answer != NULL)
		(void)poster_post(&u, reqid, answer);
out:
	free(answer);
	return rc;
}

static void
on_frame(const char *frame, size_t n)
{
	struct relay_reply rr;
	struct req *r;

	/* a late reply's options are not the person's: they never saw them */
	if (relay_reply(S.map, awaited, frame, n, &rr) == -1) {
		logmsg(3, "ignored frame from advisord: %.*s", (int)n, frame);
		return;
	}
	/* a reply or an error: one of ours is answered, also one whose
	 * person was answered already (the sweep) */
	if (S.inflight > 0 && S.inflight-- == WINDOW && pending_frames())
		lws_callback_on_writable(S.ws);
	if ((r = find_waiting(rr.in_reply_to)) == NULL) {
		if (!post_late(rr.in_reply_to, rr.answer))
			logmsg(2, "answer for %s came after its request was "
			    "gone", rr.in_reply_to[0] ? rr.in_reply_to :
			    "(none)");
		return;
	}
	req_answer(r, 200, rr.answer);
}

static int
cb_client(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	unsigned char **p, *end, buf[LWS_PRE + RELAY_FRAME_MAX];
	struct req *r;
	size_t n;
	char *t, why[256];

	(void)user;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		p = (unsigned char **)in;
		end = *p + len;
		if (lws_add_http_header_by_token(wsi,
		    WSI_TOKEN_HTTP_AUTHORIZATION,
		    (const unsigned char *)S.bearer, (int)strlen(S.bearer),
		    p, end))
			return -1;
		break;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		logmsg(2, "connected to advisord at %s%s", S.cfg.advisor,
		    S.link == LINK_REFUSED ? " (the token is accepted now)" :
		    "");
		S.up = 1;
		S.inflight = 0;
		S.link = LINK_UP;
		S.close_code = 0;
		S.backoff_ms = BACKOFF_MIN_MS;
		if (pending_frames())
			lws_callback_on_writable(wsi);
		break;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		/* kept for link_away() */
		S.close_code = closeframe_parse(in, len, S.close_why,
		    sizeof(S.close_why));
		break;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (wsi != S.ws && S.ws != NULL)
			break;
		/* another address of advisord's host is tried at once when
		 * this one could not be reached (::1 first for localhost,
		 * say, with advisord on 127.0.0.1) */
		if (reason == LWS_CALLBACK_CLIENT_CONNECTION_ERROR &&
		    S.next_addr < S.addrs.naddr && !S.stop &&
		    (wsi == NULL || lws_http_client_http_response(wsi) == 0)) {
			logmsg(3, "cannot connect to advisord at %s: %s; trying "
			    "%s", S.addrs.addr[S.next_addr - 1], in ? (char *)in
			    : "?", S.addrs.addr[S.next_addr]);
			S.ws = NULL;
			lws_sul_schedule(S.cx, 0, &S.sul_connect, connect_next,
			    1);
			break;
		}
		if (reason == LWS_CALLBACK_CLIENT_CONNECTION_ERROR &&
		    (n = (size_t)refusal_status(wsi, in)) != 0)
			link_refused((int)n);
		else if (reason == LWS_CALLBACK_CLIENT_CONNECTION_ERROR)
			link_away(upgrade_error(wsi, in, why, sizeof(why)));
		else
			link_away("closed without a close code");
		S.ws = NULL;
		S.up = 0;
		answer_waiting(1);
		S.close_code = 0;
		free(S.rx);
		S.rx = NULL;
		S.rxlen = 0;
		schedule_reconnect();
		break;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		if (S.res != NULL)
			looked_up();
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (S.rxlen + len > MAX_FRAME)
			return -1;
		if ((t = realloc(S.rx, S.rxlen + len + 1)) == NULL)
			return -1;
		S.rx = t;
		memcpy(S.rx + S.rxlen, in, len);
		S.rxlen += len;
		if (!lws_is_final_fragment(wsi))
			break;
		on_frame(S.rx, S.rxlen);
		S.rxlen = 0;
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (S.bye) {
			/* so that advisord's log says why the bridge left */
			lws_close_reason(wsi, LWS_CLOSE_STATUS_GOINGAWAY,
			    (unsigned char *)(uintptr_t)"bridge stopping", 15);
			return -1;
		}
		for (r = S.waiting; r != NULL && r->sent; r = r->next)
			;
		if (r == NULL || S.inflight >= WINDOW)
			break;
		n = strlen(r->frame);
		if (n > sizeof(buf) - LWS_PRE) {	/* handle_post keeps out */
			req_answer(r, 200, relay_error("too_large"));
			break;
		}
		memcpy(buf + LWS_PRE, r->frame, n);
		if (lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_TEXT) <
		    (int)n)
			return -1;
		r->sent = 1;
		if (++S.inflight == WINDOW)
			logmsg(3, "%d requests with advisord; the next wait for "
			    "a reply", WINDOW);
		if (pending_frames())
			lws_callback_on_writable(wsi);
		break;
	default:
		break;
	}
	return 0;
}

/* --- the HTTP side --- */

static int
header(struct lws *wsi, const char *custom, enum lws_token_indexes tok,
    char *buf, int len)
{
	int n;

	buf[0] = '\0';
	if (custom != NULL)
		n = lws_hdr_custom_copy(wsi, buf, len, custom,
		    (int)strlen(custom));
	else
		n = lws_hdr_copy(wsi, buf, len, tok);
	if (n < 0)
		buf[0] = '\0';
	return n;
}

/* Is the request genuine?  0, or the HTTP status to refuse it with. */
static int
authenticate(struct lws *wsi, struct req *r, const struct payload *p)
{
	char sig[128], ts[32];
	int v;

	header(wsi, "x-slack-signature:", 0, sig, sizeof(sig));
	header(wsi, "x-slack-request-timestamp:", 0, ts, sizeof(ts));
	if (S.cfg.signing_secret[0] != '\0' && sig[0] != '\0') {
		v = verify_slack(S.cfg.signing_secret, ts, sig, r->body,
		    r->len, time(NULL));
		if (v == 1) {
			r->chat = CHAT_SLACK;	/* only Slack signs */
			return 0;
		}
		throttle_log(&S.refusals, "refused: %s signature",
		    v == 0 ? "bad" : "stale");
		return 401;
	}
	if (S.cfg.webhook_token[0] != '\0') {
		if (verify_token(p->token, S.cfg.webhook_token))
			return 0;
		throttle_log(&S.refusals, "refused: %s verification token",
		    p->token[0] == '\0' ? "no" : "wrong");
		return 403;
	}
	throttle_log(&S.refusals, "refused: unsigned request");
	return 401;
}

/* Whether HOST is a host not in response_url_hosts that the log has not
 * named yet (since the start, or the last SIGHUP); the first UNLISTED
 * are remembered, any past them named each time. */
static int
first_unlisted(const char *host)
{
	size_t i;

	for (i = 0; i < UNLISTED && i < S.unlisted_said; i++)
		if (strcmp(S.unlisted[i], host) == 0)
			return 0;
	if (S.unlisted_said < UNLISTED)
		snprintf(S.unlisted[S.unlisted_said], RESPURL_HOST, "%s", host);
	S.unlisted_said++;
	return 1;
}

/* P's response_url into R, when a late answer may go there: https, to a
 * host of response_url_hosts.  P is authenticated: a request that is not
 * never gets this far, and its URL is never contacted. */
static void
take_response_url(struct req *r, const struct payload *p)
{
	struct respurl u;
	int rc, first;

	r->url[0] = '\0';
	if (p->response_url[0] == '\0' || !S.posting)
		return;
	if ((rc = respurl_parse(p->response_url, &u)) != RESPURL_OK)
		logmsg(1, "request %s: its response_url is not used: %s",
		    r->reqid, respurl_error(rc));
	else if (!respurl_allowed(S.cfg.response_url_hosts, u.host)) {
		/* every slash command of a chat not listed (a Mattermost
		 * server left at the default) carries its URL: the first
		 * one's is a warning, the rest only at debug level */
		first = first_unlisted(u.host);
		logmsg(first ? 1 : 3, "request %s: its response_url is not "
		    "used: %s is not in response_url_hosts%s", r->reqid, u.host,
		    first ? " (said once a host; add it there for its late "
		    "answers)" : "");
	} else
		snprintf(r->url, sizeof(r->url), "%s", p->response_url);
}

static void
handle_post(struct lws *wsi, struct req *r)
{
	char ctype[128], conv[CONV_ID_MAX + 1];
	struct payload *p;
	const char *text;
	size_t n;
	long k;
	int st;

	if (r->too_big) {
		throttle_log(&S.refusals, "refused: body over max_body (%d "
		    "bytes)", S.cfg.max_body);
		req_answer_text(r, 413, "Request too large.");
		return;
	}
	if ((p = malloc(sizeof(*p))) == NULL) {
		req_answer_text(r, 500, "Out of memory.");
		return;
	}
	header(wsi, NULL, WSI_TOKEN_HTTP_CONTENT_TYPE, ctype, sizeof(ctype));
	if (payload_parse(ctype, r->body ? r->body : "", r->len, p) == -1) {
		throttle_log(&S.refusals, "refused: malformed request");
		req_answer_text(r, 400, "Malformed request.");
		goto out;
	}
	if ((st = authenticate(wsi, r, p)) != 0) {
		req_answer_text(r, st, "Not authorized.");
		goto out;
	}
	if (p->ssl_check) {
		req_answer_text(r, 200, "");
		goto out;
	}
	/* the answer in the markup of the chat it goes to: the one set,
	 * else the one the request's fields name, else Slack's (as
	 * advisord writes it) */
	if (S.cfg.chat != CHAT_AUTO)
		r->chat = S.cfg.chat;
	else if (r->chat == CHAT_AUTO)
		r->chat = p->chat != CHAT_AUTO ? p->chat : CHAT_SLACK;
	if (p->in_channel)
		snprintf(r->mention, sizeof(r->mention), "%s", p->user_name);
	text = payload_message(p);
	if (p->text_too_long) {
		req_answer(r, 200, relay_error("too_large"));
		goto out;
	}
	if (text[0] == '\0') {
		req_answer_text(r, 200, "Ask me about BPO or KPO, for "
		    "example: what is KPO?");
		goto out;
	}
	conv_id(p->team, p->channel, p->user, conv);
	/* a number that is none of the options on screen: say which are,
	 * rather than send advisord a "9" it can only fall back on */
	k = convmap_number(text);
	if (k >= 0 && (n = convmap_noptions(S.map, conv)) > 0 &&
	    (k == 0 || (size_t)k > n)) {
		char hint[96];

		if (n == 1)
			snprintf(hint, sizeof(hint), "Pick 1, or type your "
			    "question.");
		else
			snprintf(hint, sizeof(hint), "Pick a number from 1 to "
			    "%zu, or type your question.", n);
		req_answer_text(r, 200, hint);
		goto out;
	}
	/* known not to get through: say so now, not after the timeout */
	if (S.stop || S.link == LINK_REFUSED) {
		req_answer_text(r, 200, unavailable_words());
		goto out;
	}
	snprintf(r->reqid, sizeof(r->reqid), "b%lu", ++S.seq);
	take_response_url(r, p);
	if ((r->frame = relay_request(conv, r->reqid, p->user_name[0] ?
	    p->user_name : p->user, text, convmap_option(S.map, conv,
	    k))) == NULL) {
		req_answer_text(r, 500, "Out of memory.");
		goto out;
	}
	/* short enough for the person, but escaped (a control character
	 * takes six bytes) too long for advisord's frame limit */
	if (strlen(r->frame) > RELAY_FRAME_MAX) {
		req_answer(r, 200, relay_error("too_large"));
		goto out;
	}
	r->arrived = lws_now_usecs();
	r->deadline = r->arrived + (lws_usec_t)S.cfg.timeout_ms *
	    LWS_US_PER_MS;
	/* appended, so that one person's messages go out in their order */
	r->next = NULL;
	r->prevp = S.tailp;
	*S.tailp = r;
	S.tailp = &r->next;
	/* answered by the reply, or by the sweep; never lws' own timer */
	lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
	if (S.up && S.ws)
		lws_callback_on_writable(S.ws);
out:
	free(p);
}

static int
write_answer(struct lws *wsi, struct req *r)
{
	static const char plain[] = "{\"text\":\"error\"}";
	unsigned char head[LWS_PRE + 512], *start = head + LWS_PRE, *pp,
	    *end = head + sizeof(head);
	const char *body = r->answer ? r->answer : plain;
	size_t n = strlen(body);
	unsigned char *out;
	int rc;

	pp = start;
	if (lws_add_http_common_headers(wsi, (unsigned)r->status,
	    "application/json", n, &pp, end) ||
	    lws_add_http_header_by_name(wsi, (const unsigned char *)
	    "connection:", (const unsigned char *)"close", 5, &pp, end) ||
	    lws_finalize_write_http_header(wsi, start, &pp, end))
		return -1;
	if ((out = malloc(LWS_PRE + n)) == NULL)
		return -1;
	memcpy(out + LWS_PRE, body, n);
	rc = lws_write(wsi, out + LWS_PRE, n, LWS_WRITE_HTTP_FINAL);
	free(out);
	return rc < (int)n ? -1 : 0;
}

static void
req_reset(struct req *r)
{
	if (r->wsi != NULL)
		S.nreqs--;
	req_unlink(r);
	free(r->body);
	free(r->frame);
	free(r->answer);
	memset(r, 0, sizeof(*r));
}

static int
cb_http(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct req *r = user;
	char *t, health[128];

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		/*
		 * A second request pipelined on a connection whose first one
		 * still waits for advisord: we answer one at a time, so drop
		 * the connection rather than lose track of the first (this
		 * used to spin).  Team chats send one request per connection.
		 */
		if (r->wsi != NULL && (r->prevp != NULL || r->body != NULL ||
		    r->status != 0))
			return -1;
		req_reset(r);
		r->wsi = wsi;
		S.nreqs++;
		if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0) {
			logmsg(3, "a POST from the chat; %d open", S.nreqs);
			return 0;	/* the body follows */
		}
		if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0 &&
		    in != NULL && strcmp(in, "/healthz") == 0) {
			snprintf(health, sizeof(health), "{\"status\":\"ok\","
			    "\"version\":\"%s\",\"advisor\":\"%s\"}",
			    ADVISOR_VERSION, S.up ? "connected" :
			    S.link == LINK_REFUSED ? "refused" : "away");
			req_answer(r, 200, strdup(health));
			return 0;
		}
		req_answer_text(r, 404, "Not found; POST team chat "
		    "requests here.");
		return 0;
	case LWS_CALLBACK_HTTP_BODY:
		if (r->too_big)
			return 0;
		if (r->len + len > (size_t)S.cfg.max_body) {
			r->too_big = 1;
			return 0;
		}
		if ((t = realloc(r->body, r->len + len + 1)) == NULL)
			return -1;
		r->body = t;
		memcpy(r->body + r->len, in, len);
		r->len += len;
		r->body[r->len] = '\0';
		return 0;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		handle_post(wsi, r);
		return 0;
	case LWS_CALLBACK_HTTP_WRITEABLE:
		if (r->status == 0)
			return 0;
		if (write_answer(wsi, r) == -1)
			return -1;
		/* one request per connection (see LWS_CALLBACK_HTTP) */
		req_reset(r);
		return -1;
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		if (r != NULL)
			req_reset(r);
		return 0;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

/*
 * The listening socket systemd passed (advisor-bridge.socket), which lws
 * 4.1.6 cannot take as its own listener: it sits in the loop as a file,
 * each connection accepted here is handed to lws as if its listener had
 * accepted it.  Between a stop and the next start the socket stays open
 * in systemd, so the chat's requests wait in its queue, not refused.
 */
static int
cb_listen(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	int fd;

	(void)user;
	(void)in;
	(void)len;
	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		while ((fd = accept4(S.lfd, NULL, NULL, SOCK_NONBLOCK |
		    SOCK_CLOEXEC)) >= 0)
			if (lws_adopt_socket_vhost(lws_get_vhost(wsi), fd) ==
			    NULL)
				logmsg(1, "cannot take a connection from the "
				    "chat");
		if (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR || errno == ECONNABORTED)
			return 0;
		/* EMFILE and the like: polled again at once, it would spin;
		 * the next sweep tries again */
		throttle_log(&S.refusals, "cannot accept a connection: %s",
		    strerror(errno));
		S.accept_held = 1;
		lws_rx_flow_control(wsi, 0);
		return 0;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		S.lwsi = NULL;
		return 0;
	default:
		return 0;
	}
}

/* The listening socket systemd passed: its fd, -1 for none (lws listens
 * itself), -2 when it is unusable (said). */
static int
activated_socket(void)
{
	int n = sd_listen_fds(1);

	if (n <= 0)
		return -1;
	if (n > 1 || sd_is_socket(SD_LISTEN_FDS_START, AF_UNSPEC,
	    SOCK_STREAM, 1) <= 0) {
		logmsg(0, "systemd passed %d socket%s; expected one listening "
		    "TCP socket (ListenStream= in advisor-bridge.socket)", n,
		    n == 1 ? " that is not one" : "s");
		return -2;
	}
	if (fcntl(SD_LISTEN_FDS_START, F_SETFL, O_NONBLOCK |
	    fcntl(SD_LISTEN_FDS_START, F_GETFL)) == -1) {
		logmsg(0, "the socket systemd passed: %s", strerror(errno));
		return -2;
	}
	return SD_LISTEN_FDS_START;
}

static const struct lws_protocols protocols[] = {
	{ "http", cb_http, sizeof(struct req), 0, 0, NULL, 0 },
	{ "advisor-client", cb_client, 0, 65536, 0, NULL, 0 },
	{ "listener", cb_listen, 0, 0, 0, NULL, 0 },
	{ POSTER_PROTOCOL, poster_callback, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		S.reload = 1;
	else
		S.stop = 1;
	if (S.cx)
		lws_cancel_service(S.cx);
}

static void
usage(FILE *f)
{
	fprintf(f,
"usage: advisor-bridge [-c FILE] [--listen ADDR:PORT] [--advisor URL]\n"
"                      [--token-file FILE] [--webhook-token TOKEN]\n"
"                      [--signing-secret SECRET] [--timeout MS]\n"
"                      [--max-body BYTES] [--log-level LEVEL]\n"
"                      [--secrets-file FILE] [--state-file FILE]\n"
"                      [--chat CHAT] [--response-url-hosts HOSTS]\n"
"                      [--response-url-ca FILE]\n"
"                      [--check] [--version] [--help]\n"
"  -c, --config FILE        settings, one `key = value` a line\n"
"      --listen ADDR:PORT   where team chats POST (127.0.0.1:8090)\n"
"      --advisor URL        advisord's WebSocket (ws://127.0.0.1:8080/ws)\n"
"      --token-file FILE    the bridge's bearer token for advisord\n"
"      --webhook-token TOK  the team chat's verification token\n"
"      --signing-secret S   Slack's signing secret\n"
"      --secrets-file FILE  webhook_token and signing_secret lines, kept\n"
"                           out of the config file and of ps (mode 0600)\n"
"      --timeout MS         answer waiting requests after MS (2500)\n"
"      --max-body BYTES     largest accepted request body (32768)\n"
"      --log-level LEVEL    error, warning, info or debug (info)\n"
"      --state-file FILE    keep each person's numbered options here, so\n"
"                           that \"2\" still works after a restart (none)\n"
"      --chat CHAT          slack, mattermost, rocketchat, or auto: each\n"
"                           request's fields tell (auto)\n"
"      --response-url-hosts HOSTS  hosts a late answer may be posted to, as\n"
"                           a slash command's response_url names them\n"
"                           (hooks.slack.com; \"\" for none)\n"
"      --response-url-ca FILE  CA certificates they are verified with\n"
"                           (/etc/ssl/certs/ca-certificates.crt)\n"
"      --check              check the settings, the token and the secrets,\n"
"                           then exit (0: good)\n");
}

static const struct option opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "listen", required_argument, NULL, 'l' },
	{ "advisor", required_argument, NULL, 'a' },
	{ "token-file", required_argument, NULL, 't' },
	{ "webhook-token", required_argument, NULL, 'w' },
	{ "signing-secret", required_argument, NULL, 's' },
	{ "timeout", required_argument, NULL, 'T' },
	{ "max-body", required_argument, NULL, 'B' },
	{ "log-level", required_argument, NULL, 'L' },
	{ "state-file", required_argument, NULL, 'S' },
	{ "secrets-file", required_argument, NULL, 'F' },
	{ "chat", required_argument, NULL, 'C' },
	{ "response-url-hosts", required_argument, NULL, 'H' },
	{ "response-url-ca", required_argument, NULL, 'A' },
	{ "check", no_argument, NULL, 'K' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* The flags' settings into C; 0, or 2 on an error, said. */
static int
apply_flags(struct bconf *c, int argc, char **argv)
{
	static const char *const keys[] = { ['l'] = "listen",
	    ['a'] = "advisor", ['t'] = "token_file", ['w'] = "webhook_token",
	    ['s'] = "signing_secret", ['T'] = "timeout", ['B'] = "max_body",
	    ['L'] = "log_level", ['S'] = "state_file",
	    ['F'] = "secrets_file", ['C'] = "chat",
	    ['H'] = "response_url_hosts", ['A'] = "response_url_ca" };
	int ch, longi = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", opts, &longi)) != -1)
		if (ch != 'c' && ch > 0 && ch < (int)(sizeof(keys) /
		    sizeof(keys[0])) && keys[ch] != NULL &&
		    set_key(c, keys[ch], optarg) == -1) {
			logmsg(0, "bad value for --%s: %s", opts[longi].name,
			    shown(keys[ch], optarg));
			return 2;
		}
	return 0;
}

/* Settings as the config file CONFIG (or NULL), the secrets file and the
 * flags give them, into C; 0, or 1 (a file) or 2 (a flag) on an error,
 * said. */
static int
load_settings(struct bconf *c, const char *config, int argc, char **argv)
{
	defaults(c);
	/* the config file first, so that flags win over it */
	if (config != NULL && load_config(c, config, 0) == -1)
		return 1;
	if (apply_flags(c, argc, argv) != 0)
		return 2;
	if (c->secrets_file[0] == '\0')
		return 0;
	/* the secrets file either of them names wins over the config
	 * file's secrets; the flags, read again, over it */
	if (load_config(c, c->secrets_file, 1) == -1)
		return 1;
	return apply_flags(c, argc, argv);
}

/* Warn when C's timeout outlasts the wait of the chat it serves: the
 * chat shows the person an error of its own and drops the late answer. */
static void
check_timeout(const struct bconf *c)
{
	int wait = chat_wait_ms(c->chat);

	if (wait == 0 || c->timeout_ms < wait)
		return;
	logmsg(1, "timeout %d ms: %s waits %d ms for an answer, so the "
	    "answer to a request advisord is slow with is lost; set timeout "
	    "below %d (the default is 2500)%s", c->timeout_ms,
	    c->chat == CHAT_AUTO ? "Slack" : chat_name(c->chat), wait, wait,
	    c->chat == CHAT_AUTO ? ", or chat to the one chat posting here "
	    "(chat = auto: any request may be Slack's)" : "");
}

/* Whether late answers can be posted: hosts to post to, and the CA file
 * to verify them with (said when it cannot be read: the bridge answers on
 * without them). */
static int
posting_ok(void)
{
	FILE *f;

	if (S.cfg.response_url_hosts[strspn(S.cfg.response_url_hosts,
	    ", \t")] == '\0')
		return 0;
	if ((f = fopen(S.cfg.response_url_ca, "r")) == NULL) {
		logmsg(1, "response_url_ca %s: %s; late answers will not be "
		    "posted to response_url", S.cfg.response_url_ca,
		    strerror(errno));
		return 0;
	}
	fclose(f);
	return 1;
}

static void
set_lws_log(void)
{
	lws_set_log_level(S.cfg.log_level >= 3 ? LLL_ERR | LLL_WARN |
	    LLL_NOTICE : LLL_ERR | LLL_WARN, lws_emit);
}

/*
 * SIGHUP: read the config file, the secrets file and the flags again and
 * take what can change while running (the webhook token and signing
 * secret, secrets_file, timeout, max_body, log_level, token_file,
 * response_url_hosts); read the token file again, used from
 * the next connection on (at once when advisord refused the old one); and
 * save the options.  A bad file keeps every setting as it was.
 */
static void
reload(void)
{
	struct bconf n;
	char bearer[sizeof(S.bearer)];
	const char *config = S.config;

	save_options(0);
	if (load_settings(&n, config, S.argc, S.argv) != 0 ||
	    n.token_file[0] == '\0' || read_token(n.token_file, bearer) == -1) {
		logmsg(0, "reload: keeping the settings in use");
		return;
	}
	if (n.webhook_token[0] == '\0' && n.signing_secret[0] == '\0') {
		logmsg(0, "reload: neither a webhook token nor a signing "
		    "secret; keeping the settings in use");
		return;
	}
	if (strcmp(n.listen_host, S.cfg.listen_host) != 0 ||
	    n.listen_port != S.cfg.listen_port ||
	    strcmp(n.advisor, S.cfg.advisor) != 0 ||
	    strcmp(n.state_file, S.cfg.state_file) != 0 ||
	    strcmp(n.response_url_ca, S.cfg.response_url_ca) != 0)
		logmsg(1, "reload: listen, advisor, state_file and "
		    "response_url_ca change only with a restart; keeping them");
	strcpy(n.listen_host, S.cfg.listen_host);
	n.listen_port = S.cfg.listen_port;
	strcpy(n.advisor, S.cfg.advisor);
	strcpy(n.state_file, S.cfg.state_file);
	strcpy(n.response_url_ca, S.cfg.response_url_ca);
	if (n.timeout_ms != S.cfg.timeout_ms || n.chat != S.cfg.chat)
		check_timeout(&n);
	S.cfg = n;
	S.unlisted_said = 0;
	set_lws_log();
	if (strcmp(bearer, S.bearer) != 0) {
		strcpy(S.bearer, bearer);
		logmsg(2, "reload: a new token from %s, used from the next "
		    "connection on", S.cfg.token_file);
	}
	logmsg(2, "reloaded %s", config ? config : "the flags");
	/* refused, or away: try at once rather than at the end of the
	 * backoff (not while a connection attempt is under way, nor while
	 * stopping: the drain has cancelled the retries for good) */
	if (S.ws == NULL && !S.up && !S.stop) {
		lws_sul_cancel(&S.sul_connect);
		S.backoff_ms = BACKOFF_MIN_MS;
		connect_advisor(NULL);
	}
}

/* Stopping, with every request answered and advisord's connection
 * closed: whether late answers are still being posted, which the loop
 * then waits for (until DRAIN_MAX_US after the stop; poster_stop then
 * says which were not posted). */
static int
posts_awaited(void)
{
	lws_usec_t left = S.stop_at + DRAIN_MAX_US - lws_now_usecs();
	int n = poster_busy();

	if (n > 0 && !S.posts_said) {
		S.posts_said = 1;
		logmsg(2, "stopping; waiting up to %lld ms for %d late answer%s "
		    "being posted", left > 0 ? (long long)(left /
		    LWS_US_PER_MS) : 0, n, n == 1 ? "" : "s");
	}
	return n > 0;
}

static void
drained(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	S.drained = 1;
}

/*
 * SIGTERM or SIGINT: no request is left without an answer.  What has not
 * gone to advisord is told the advisor restarts, now; what has gets
 * DRAIN_GRACE_US for its reply (see sweep()).  The loop goes on until
 * every answer is written and every late answer posted (posts_awaited),
 * or DRAIN_MAX_US at most.
 */
static void
begin_stop(void)
{
	S.stop_at = lws_now_usecs();
	logmsg(2, "stopping; answering %d waiting request%s", S.nreqs,
	    S.nreqs == 1 ? "" : "s");
	lws_sul_cancel(&S.sul_connect);
	lws_sul_cancel(&S.sul_lookup);
	resolver_forget(S.res, S.lookup);
	S.lookup = 0;
	answer_waiting(0);
	/* the next start takes the requests from here on: they wait in
	 * systemd's socket (closing ours leaves it open) */
	if (S.lwsi != NULL)
		lws_set_timeout(S.lwsi, PENDING_TIMEOUT_USER_OK,
		    LWS_TO_KILL_ASYNC);
	lws_sul_schedule(S.cx, 0, &S.sul_drain, drained, DRAIN_MAX_US);
}

int
main(int argc, char **argv)
{
	struct lws_context_creation_info info;
	const char *config = NULL;
	struct sigaction sa;
	struct stat st;
	char where[160];
	int c, rc = 1, check = 0;

	defaults(&S.cfg);
	S.tailp = &S.waiting;
	S.lfd = -1;
	S.refusals.rate = REFUSALS_LOGGED;
	S.refusals.what = "refused requests";
	S.refusals.emit = refusal_line;
	S.journal = fstat(STDERR_FILENO, &st) == 0 && journal_is_stderr(
	    getenv("JOURNAL_STREAM"), (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1)
		if (c == 'c')
			config = optarg;
		else if (c == 'h') {
			usage(stdout);
			return 0;
		} else if (c == 'V') {
			printf("advisor-bridge %s\n", ADVISOR_VERSION);
			return 0;
		} else if (c == 'K')
			check = 1;
		else if (c == '?') {
			usage(stderr);
			return 2;
		}
	if ((c = load_settings(&S.cfg, config, argc, argv)) != 0)
		return c;
	S.config = config;
	S.argc = argc;
	S.argv = argv;
	if (parse_advisor(S.cfg.advisor) == -1) {
		logmsg(0, "advisor: expected ws://HOST:PORT/PATH, got %s",
		    S.cfg.advisor);
		return 1;
	}
	if (S.cfg.token_file[0] == '\0') {
		logmsg(0, "a bearer token for advisord is needed "
		    "(--token-file)");
		return 1;
	}
	if (read_token(S.cfg.token_file, S.bearer) == -1)
		return 1;
	if (S.cfg.webhook_token[0] == '\0' &&
	    S.cfg.signing_secret[0] == '\0') {
		logmsg(0, "refusing to run open: give a webhook_token or a "
		    "signing_secret (--secrets-file, --webhook-token or "
		    "--signing-secret)");
		return 1;
	}
	/* what a start would say of the settings, without listening or
	 * connecting */
	if (check) {
		S.posting = posting_ok();
		check_timeout(&S.cfg);
		logmsg(2, "%s%sthe settings are good: listen %s:%d, advisord "
		    "at %s, chat %s, late answers to %s", config ? config : "",
		    config ? ": " : "", S.cfg.listen_host, S.cfg.listen_port,
		    S.cfg.advisor, chat_name(S.cfg.chat), S.posting ?
		    S.cfg.response_url_hosts : "no response_url");
		return 0;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* a reload, not the default death (which systemd counts as a clean
	 * exit, so Restart=on-failure left the bridge down) */
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	set_lws_log();

	if ((S.map = convmap_new()) == NULL ||
	    (S.late = late_new(LATE_MAX)) == NULL)
		goto fail;
	S.posting = posting_ok();
	if (S.cfg.state_file[0] != '\0') {
		/* a damaged file costs the options, not the bridge */
		if (convmap_load(S.map, S.cfg.state_file) == -1)
			logmsg(1, "%s: cannot read the saved options (%s); "
			    "going on with what was read", S.cfg.state_file,
			    strerror(errno));
		S.saved = convmap_changes(S.map);
		logmsg(2, "%zu conversations' options from %s",
		    convmap_count(S.map), S.cfg.state_file);
	}
	if ((S.lfd = activated_socket()) == -2)
		goto fail;
	memset(&info, 0, sizeof(info));
	info.port = S.lfd >= 0 ? CONTEXT_PORT_NO_LISTEN_SERVER :
	    S.cfg.listen_port;
	info.iface = S.cfg.listen_host;
	info.protocols = protocols;
	/* the client TLS context for late answers, which verifies their
	 * server against the CA file (no server TLS: no certificate) */
	info.options = S.posting ? LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT : 0;
	info.client_ssl_ca_filepath = S.posting ? S.cfg.response_url_ca :
	    NULL;
	if ((S.cx = lws_create_context(&info)) == NULL) {
		logmsg(0, "cannot listen on %s:%d", S.cfg.listen_host,
		    S.cfg.listen_port);
		goto fail;
	}
	snprintf(where, sizeof(where), "%s%s:%d%s", S.lfd >= 0 ? "the "
	    "socket systemd passed (listen " : "", S.cfg.listen_host,
	    S.cfg.listen_port, S.lfd >= 0 ? " not used)" : "");
	if (S.lfd >= 0) {
		lws_sock_file_fd_type u;

		u.filefd = S.lfd;
		if ((S.lwsi = lws_adopt_descriptor_vhost(lws_get_vhost_by_name(
		    S.cx, "default"), LWS_ADOPT_RAW_FILE_DESC, u, "listener",
		    NULL)) == NULL) {
			logmsg(0, "cannot serve the socket systemd passed");
			goto fail;
		}
	}
	logmsg(2, "listening on %s, advisord at %s; answering within %d ms; "
	    "chat %s; late answers to %s", where, S.cfg.advisor,
	    S.cfg.timeout_ms, chat_name(S.cfg.chat), S.posting ?
	    S.cfg.response_url_hosts : "no response_url");
	if (poster_init(S.cx, logmsg) == -1)
		goto fail;
	if ((S.res = resolver_new(1, 2, NULL, wake_loop, S.cx)) == NULL) {
		logmsg(0, "cannot start the thread that looks advisord's host "
		    "up");
		goto fail;
	}
	check_timeout(&S.cfg);
	S.backoff_ms = BACKOFF_MIN_MS;
	connect_advisor(NULL);
	lws_sul_schedule(S.cx, 0, &S.sul_sweep, sweep, SWEEP_US);
	while (!S.drained && lws_service(S.cx, 0) >= 0) {
		if (S.reload) {
			S.reload = 0;
			reload();
		}
		if (S.stop && S.stop_at == 0)
			begin_stop();
		if (S.stop_at == 0 || S.nreqs > 0)
			continue;
		if (S.ws != NULL && S.up) {
			if (!S.bye) {
				S.bye = 1;
				lws_callback_on_writable(S.ws);
			}
			continue;
		}
		if (!posts_awaited())
			break;
	}
	rc = 0;
	if (S.nreqs > 0)
		logmsg(1, "stopped with %d request%s unanswered", S.nreqs,
		    S.nreqs == 1 ? "" : "s");
	save_options(1);
fail:
	if (S.cx) {
		struct lws_context *cx = S.cx;
		sigset_t late;

		/* a signal from here on must not reach the context being
		 * freed through on_signal */
		sigemptyset(&late);
		sigaddset(&late, SIGTERM);
		sigaddset(&late, SIGINT);
		sigaddset(&late, SIGHUP);
		sigprocmask(SIG_BLOCK, &late, NULL);
		if ((c = poster_stop()) > 0)
			logmsg(1, "stopped with %d late answer%s not posted", c,
			    c == 1 ? "" : "s");
		S.cx = NULL;
		lws_sul_cancel(&S.sul_connect);
		lws_sul_cancel(&S.sul_lookup);
		/* before the context goes: a lookup still hanging wakes it
		 * no more */
		resolver_free(S.res);
		S.res = NULL;
		lws_sul_cancel(&S.sul_sweep);
		lws_sul_cancel(&S.sul_drain);
		lws_context_destroy(cx);
	}
	free(S.rx);
	convmap_free(S.map);
	late_free(S.late);
	return rc;
}
