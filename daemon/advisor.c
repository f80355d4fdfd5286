/*
 * advisor.c: conversations and the handling of protocol frames.
 *
 * Each conversation has an internal key that is also its id in the log:
 * "w-<start><random>" for a web visitor (see web_key),
 * "b-<bridge>:<conversation>" for a
 * bridge, so that a bridge finds its users' conversations again after it
 * reconnects or the daemon restarts (bridge names hold no colon, so the
 * keys of two bridges never collide).  A visitor comes back with the resume
 * token instead; only the token's SHA-256 is kept.  The last messages of a
 * conversation are held in memory for the history frame, since the log may
 * not have committed them yet when a page reloads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/advisor.h"
#include "daemon/auth.h"
#include "daemon/clock.h"
#include "daemon/htab.h"
#include "daemon/jbuf.h"
#include "daemon/log.h"
#include "daemon/metrics.h"
#include "daemon/protocol.h"
#include "daemon/ratelimit.h"

#define HIST_MAX	24	/* messages kept for a history frame */
#define REPLY_IDS	32	/* recent reply ids that may get feedback */
#define KEY_MAX		(PROTO_ID_MAX + 80)
#define DETACHED_BYTES	(64u << 20)	/* and the memory they may hold */
#define EVICT_S		60	/* seconds detached before it is forgotten */
#define BRIDGE_IDLE_S	1800	/* seconds a bridge holds an idle one */
#define STATE_EVERY_US	(10 * 1000000LL)	/* defer_state: log moved
						   states this often */
#define MIGRATE_PER_SWEEP 64	/* states a sweep moves to new content */

struct hist {
	char		 dir;		/* 'i' person, 'o' advisor */
	int64_t		 id;
	char		*text;		/* one allocation: text, intent, node */
	size_t		 size;		/* its bytes */
	/* of a reply, so that a history says which are answers (the widget
	 * rates those only) and how the person rated it */
	const char	*intent;
	const char	*node;
	signed char	 helpful;	/* 1, 0, or -1 not rated */
};

/*
 * The dialogue trees of one content load, kept after a reload for as
 * long as a conversation's state has not been moved on from them.  A
 * reload used to move every conversation at once, on the loop (8,000
 * took 0.4-0.66 s, nobody answered meanwhile); now each moves at its
 * next use, or in the sweep's slices, through every load since its own
 * in turn, so that it ends as the eager move left it.
 */
struct gen {
	struct dialogues	*dl;
	size_t			 nconvs;	/* conversations on it */
	struct gen		*next;		/* the load after it */
};

struct conv {
	char			 key[KEY_MAX];	/* log id */
	char			 cid[PROTO_ID_MAX + 1];	/* client's name */
	bool			 bridge;
	char			 user[PROTO_ID_MAX + 1];
	char			 token[AUTH_TOKEN_HEX + 1];
	char			 hash[AUTH_HASH_HEX + 1];
	struct dialogue_state	*st;	/* on gen's trees */
	struct gen		*gen;
	struct session		*owner;
	struct conv		*sprev, *snext;	/* owner's list */
	int64_t			 last_us;
	struct bucket		 bucket;
	struct hist		 hist[HIST_MAX];
	size_t			 hhead, hcount;
	int64_t			 replies[REPLY_IDS];
	size_t			 nreplies;
	char			*labels[DIALOGUE_MAX_OPTIONS]; /* last reply's */
	char			*options[DIALOGUE_MAX_OPTIONS];
	char			*optmem;	/* holds options and labels */
	size_t			 optcap;	/* its bytes */
	size_t			 noptions;
	bool			 dirty;	/* state moved since last logged */
	int64_t			 dirty_us;	/* since when */
	size_t			 bytes;	/* memory held: the struct and its
					   history's texts */
};

/* Per-message scratch: the event loop handles one frame at a time, so
 * one per advisor saves an allocation of ~9 KB for every message.  The
 * reply is not cleared first: the dialogue engine sets every field of it
 * that is read (render() does, on every path that answers). */
struct match_work {
	struct intent_result	r;
	struct dialogue_reply	d;
};

struct advisor {
	struct match_work	 work;
	/* when the frame at hand arrived, on the monotonic clock: for reply
	 * latency and the rate limit, which a wall clock set back stalled */
	int64_t			 t0_us;
	size_t			 attached;	/* conversations a session holds */
	struct intents		*in;
	struct dialogues	*dl;		/* gen's */
	struct gen		*gen, *oldest;	/* the load served, the
						   oldest one kept */
	struct advisor_opts	 o;
	struct htab		*by_key, *by_hash;
	char			 version[40];
	struct jbuf		 out;		/* frame being built */
	struct jbuf		 aux;		/* rewrites JSON */
	struct jbuf		 why;		/* match explanation JSON */
};

struct session {
	struct advisor	*a;
	bool		 is_bridge;
	char		 bridge[64];
	struct conv	*convs;
	size_t		 nconvs;
};

/* What options left at 0 mean. */
static void
set_defaults(struct advisor_opts *o)
{
	if (o->idle_evict_s == 0)
		o->idle_evict_s = EVICT_S;
	if (o->bridge_idle_s == 0)
		o->bridge_idle_s = BRIDGE_IDLE_S;
	if (o->detached_bytes_max == 0)
		o->detached_bytes_max = DETACHED_BYTES;
}

/* Take the version of the content now served, and log that it was
 * loaded: review's "current content" is this one from now on, before
 * any question has been matched by it. */
static void
set_version(struct advisor *a)
{
	snprintf(a->version, sizeof(a->version), "%.8s-%.8s",
	    intents_version(a->in), dialogues_version(a->dl));
	if (a->o.store != NULL)
		store_put_content(a->o.store, a->version, wall_us());
}

struct advisor *
advisor_new(struct intents *in, struct dialogues *dl,
    const struct advisor_opts *o)
{
	struct advisor *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->in = in;
	a->dl = dl;
	a->o = *o;
	set_defaults(&a->o);
	a->by_key = htab_new();
	a->by_hash = htab_new();
	a->gen = a->oldest = calloc(1, sizeof(*a->gen));
	if (a->by_key == NULL || a->by_hash == NULL || a->gen == NULL) {
		htab_free(a->by_key);
		htab_free(a->by_hash);
		free(a->gen);
		free(a);
		return NULL;
	}
	a->gen->dl = dl;
	jbuf_init(&a->out, 0);
	jbuf_init(&a->aux, 0);
	jbuf_init(&a->why, 0);
	set_version(a);
	return a;
}

/* Keep the options of reply D (NULL: forget them), so that the log and the
 * history show the label a person clicked rather than its id. */
static void
remember_options(struct conv *c, const struct dialogue_reply *d)
{
	size_t i, len = 0, o = 0, n = d != NULL ? d->noptions : 0;
	size_t idlen[DIALOGUE_MAX_OPTIONS], lablen[DIALOGUE_MAX_OPTIONS];
	const char *id[DIALOGUE_MAX_OPTIONS], *label[DIALOGUE_MAX_OPTIONS];

	/* one block for every id and label of the reply, not two strdups
	 * per option, kept for the next reply when it is large enough; each
	 * length taken once */
	c->noptions = 0;
	for (i = 0; i < n; i++) {
		id[i] = d->options[i].id ? d->options[i].id : "";
		label[i] = d->options[i].label ? d->options[i].label : "";
		idlen[i] = strlen(id[i]) + 1;
		lablen[i] = strlen(label[i]) + 1;
		len += idlen[i] + lablen[i];
	}
	if (len == 0 || len > c->optcap) {
		free(c->optmem);
		c->optmem = NULL;
		c->optcap = 0;
		if (len == 0 || (c->optmem = malloc(len)) == NULL)
			return;
		c->optcap = len;
	}
	for (i = 0; i < n; i++) {
		c->options[i] = memcpy(c->optmem + o, id[i], idlen[i]);
		o += idlen[i];
		c->labels[i] = memcpy(c->optmem + o, label[i], lablen[i]);
		o += lablen[i];
	}
	c->noptions = n;
}

static const char *
option_label(const struct conv *c, const char *id)
{
	size_t i;

	for (i = 0; i < c->noptions; i++)
		if (strcmp(c->options[i], id) == 0)
			return c->labels[i];
	return id;
}

/* Let go of the oldest loads no conversation stands on. */
static void
retire(struct advisor *a)
{
	struct gen *g;

	while ((g = a->oldest) != a->gen && g->nconvs == 0) {
		a->oldest = g->next;
		dialogues_free(g->dl);
		free(g);
	}
}

/* The gauge of conversations still to move, after a change to it. */
static void
count_unmoved(const struct advisor *a)
{
	metrics.conversations_unmoved = advisor_unmoved(a);
}

/* Move C's state through every load since its own to the one served,
 * each as a reload did: saved, and loaded against the next load's trees
 * (a node gone sends it back to the root, saying so). */
static void
migrate(struct advisor *a, struct conv *c)
{
	struct gen *g;

	for (g = c->gen->next; g != NULL; g = g->next) {
		char *js = dialogue_state_save(c->st);
		struct dialogue_state *st;

		if (js == NULL)
			continue;
		st = dialogue_state_load(g->dl, js, strlen(js));
		free(js);
		if (st != NULL) {
			dialogue_state_free(c->st);
			c->st = st;
		}
	}
	c->gen->nconvs--;
	c->gen = a->gen;
	a->gen->nconvs++;
	retire(a);
	count_unmoved(a);
}

/* C's state, on the content served: before anything reads it. */
static inline void
fresh(struct advisor *a, struct conv *c)
{
	if (c->gen != a->gen)
		migrate(a, c);
}

/* Log C's dialogue state now; its sequence number, or 0. */
static uint64_t
save_state(struct advisor *a, struct conv *c, int64_t now_us)
{
	char *state;
	uint64_t seq = 0;

	fresh(a, c);
	c->dirty = false;
	if ((state = dialogue_state_save(c->st)) != NULL) {
		seq = store_put_state(a->o.store, c->key, state, now_us);
		free(state);
	}
	return seq;
}

static void
conv_free(struct advisor *a, struct conv *c)
{
	size_t i;

	if (c->dirty)
		save_state(a, c, c->last_us);
	htab_del(a->by_key, c->key);
	if (htab_get(a->by_hash, c->hash) == c)
		htab_del(a->by_hash, c->hash);
	for (i = 0; i < HIST_MAX; i++)
		free(c->hist[i].text);
	remember_options(c, NULL);
	dialogue_state_free(c->st);
	c->gen->nconvs--;
	retire(a);
	free(c);
	metrics.conversations--;
	count_unmoved(a);
}

static void
collect(void *v, void *arg)
{
	struct conv ***p = arg;

	*(*p)++ = v;
}

/* All conversations, in a malloc'd array of htab_count() entries. */
static struct conv **
all_convs(struct advisor *a, size_t *n)
{
	struct conv **v, **p;

	*n = htab_count(a->by_key);
	if ((v = calloc(*n + 1, sizeof(*v))) == NULL)
		return NULL;
	p = v;
	htab_each(a->by_key, collect, &p);
	return v;
}

void
advisor_free(struct advisor *a)
{
	struct conv **v;
	struct gen *g;
	size_t i, n;

	if (a == NULL)
		return;
	if ((v = all_convs(a, &n)) != NULL) {
		for (i = 0; i < n; i++)
			conv_free(a, v[i]);
		free(v);
	}
	htab_free(a->by_key);
	htab_free(a->by_hash);
	jbuf_free(&a->out);
	jbuf_free(&a->aux);
	jbuf_free(&a->why);
	intents_free(a->in);
	while ((g = a->oldest) != NULL) {
		a->oldest = g->next;
		dialogues_free(g->dl);
		free(g);
	}
	free(a);
}

void
advisor_set_content(struct advisor *a, struct intents *in,
    struct dialogues *dl)
{
	struct gen *g;

	/* each conversation's state is carried over at its next use (or
	 * by the sweep): nothing here grows with their number */
	if ((g = calloc(1, sizeof(*g))) == NULL) {
		log_warnx("out of memory: content %.8s-%.8s not swapped in",
		    intents_version(in), dialogues_version(dl));
		intents_free(in);
		dialogues_free(dl);
		return;
	}
	g->dl = dl;
	a->gen->next = g;
	a->gen = g;
	retire(a);
	intents_free(a->in);
	a->in = in;
	a->dl = dl;
	set_version(a);
	count_unmoved(a);
}

size_t
advisor_unmoved(const struct advisor *a)
{
	return htab_count(a->by_key) - a->gen->nconvs;
}

void
advisor_set_opts(struct advisor *a, const struct advisor_opts *o)
{
	struct store *store = a->o.store;
	bool defer = a->o.defer_state;

	a->o = *o;
	a->o.store = store;
	a->o.defer_state = defer;
	set_defaults(&a->o);
}

const char *
advisor_content_version(const struct advisor *a)
{
	return a->version;
}

static void
detach(struct conv *c, int64_t now_us, struct store *store)
{
	struct session *s = c->owner;

	if (s == NULL)
		return;
	if (c->sprev)
		c->sprev->snext = c->snext;
	else
		s->convs = c->snext;
	if (c->snext)
		c->snext->sprev = c->sprev;
	c->sprev = c->snext = NULL;
	c->owner = NULL;
	s->nconvs--;
	s->a->attached--;
	c->last_us = now_us;
	if (c->dirty)
		save_state(s->a, c, now_us);
	store_end_conversation(store, c->key, now_us);
}

static void
attach(struct session *s, struct conv *c, int64_t now_us)
{
	if (c->owner == s)
		return;
	detach(c, now_us, s->a->o.store);
	c->owner = s;
	c->snext = s->convs;
	if (s->convs)
		s->convs->sprev = c;
	s->convs = c;
	s->nconvs++;
	s->a->attached++;
}

static int
by_age(const void *x, const void *y)
{
	const struct conv *a = *(struct conv *const *)x;
	const struct conv *b = *(struct conv *const *)y;

	return (a->last_us > b->last_us) - (a->last_us < b->last_us);
}

/* Conversations held in memory that no connection holds. */
static size_t
detached(const struct advisor *a)
{
	return htab_count(a->by_key) - a->attached;
}

/* Whether the detached conversations, holding HELD bytes, are more than
 * may be kept. */
static bool
too_many(const struct advisor *a, size_t held)
{
	return detached(a) > ADVISOR_DETACHED_MAX ||
	    held > a->o.detached_bytes_max;
}

void
advisor_sweep(struct advisor *a, int64_t now_us)
{
	struct conv **v;
	size_t i, n, held = 0, moved = 0;

	if ((v = all_convs(a, &n)) == NULL)
		return;
	for (i = 0; i < n; i++) {
		/* a few at a time, so that a reload's old trees go once the
		 * conversations nobody is using have moved on from them */
		if (v[i]->gen != a->gen && moved++ < MIGRATE_PER_SWEEP)
			migrate(a, v[i]);
		/* each conversation on its own clock, so that the state rows
		 * of many conversations do not all come in one burst */
		if (v[i]->dirty && now_us - v[i]->dirty_us >= STATE_EVERY_US)
			save_state(a, v[i], now_us);
		/* held for as long as the bridge's connection, its people's
		 * conversations added up to max_conversations, and from then
		 * on everyone new was refused; named again, one comes back
		 * from memory or the log, as after a reconnect */
		if (v[i]->owner != NULL && v[i]->bridge && now_us -
		    v[i]->last_us > (int64_t)a->o.bridge_idle_s * 1000000)
			detach(v[i], now_us, a->o.store);
	}
	/* A cap on their number alone let 10,000 conversations of long
	 * texts hold 900 MB: a visitor's every start leaves one behind. */
	for (i = 0; i < n; i++)
		if (v[i]->owner == NULL)
			held += v[i]->bytes;
	/* oldest first, so a cap on memory drops the stalest ones; after
	 * the bridge's idle ones are let go, which may be what takes the
	 * detached past the cap (and which detach() makes the newest) */
	if (too_many(a, held))
		qsort(v, n, sizeof(*v), by_age);
	for (i = 0; i < n; i++) {
		if (v[i]->owner != NULL)
			continue;
		if (now_us - v[i]->last_us > (int64_t)a->o.idle_evict_s *
		    1000000 || too_many(a, held)) {
			held -= v[i]->bytes;
			conv_free(a, v[i]);
		}
	}
	free(v);
}

/* A, B and C in one allocation of *SIZE bytes; *PB and *PC point at the
 * copies of B and C (at "" when out of memory, and the result is NULL,
 * *SIZE 0). */
static char *
pack3(const char *a, const char *b, const char *c, const char **pb,
    const char **pc, size_t *size)
{
	size_t la = strlen(a) + 1, lb = strlen(b) + 1, lc = strlen(c) + 1;
	char *p = malloc(la + lb + lc);

	*pb = *pc = "";
	*size = 0;
	if (p == NULL)
		return NULL;
	memcpy(p, a, la);
	*pb = memcpy(p + la, b, lb);
	*pc = memcpy(p + la + lb, c, lc);
	*size = la + lb + lc;
	return p;
}

static void
hist_push(struct conv *c, char dir, int64_t id, const char *text,
    const char *intent, const char *node)
{
	struct hist *h = &c->hist[(c->hhead + c->hcount) % HIST_MAX];

	if (c->hcount == HIST_MAX) {
		h = &c->hist[c->hhead];
		c->hhead = (c->hhead + 1) % HIST_MAX;
	} else
		c->hcount++;
	free(h->text);
	c->bytes -= h->size;
	h->dir = dir;
	h->id = id;
	h->text = pack3(text, intent ? intent : "", node ? node : "",
	    &h->intent, &h->node, &h->size);
	c->bytes += h->size;
	h->helpful = -1;
}

static void
new_token(struct conv *c)
{
	if (auth_random_token(c->token) == -1)
		fatal("getrandom");
	auth_sha256_hex(c->token, strlen(c->token), c->hash);
}

static void
log_conv(struct advisor *a, const struct conv *c, int64_t now_us)
{
	struct store_conv sc = {
		.id = c->key, .channel = c->bridge ? "bridge" : "web",
		.user = c->user[0] ? c->user : NULL, .resume_hash = c->hash,
		.content_version = a->version, .started_us = now_us,
	};

	store_put_conversation(a->o.store, &sc);
}

/* Attribute the conversation to USER (bridges name the person). */
static void
set_user(struct advisor *a, struct conv *c, const char *user, int64_t now_us)
{
	if (user == NULL || strcmp(user, c->user) == 0)
		return;
	snprintf(c->user, sizeof(c->user), "%s", user);
	log_conv(a, c, now_us);
}

/* Whether bridge conversation C is one of bridge NAME's. */
static bool
owned_by(const struct conv *c, const char *name)
{
	size_t n = strlen(name);

	return strncmp(c->key, "b-", 2) == 0 && strncmp(c->key + 2, name,
	    n) == 0 && c->key[2 + n] == ':';
}

static struct conv *
conv_new(struct advisor *a, const char *key, const char *cid, bool bridge,
    int64_t now_us)
{
	struct conv *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	snprintf(c->key, sizeof(c->key), "%s", key);
	snprintf(c->cid, sizeof(c->cid), "%s", cid);
	c->bridge = bridge;
	c->last_us = now_us;
	c->bytes = sizeof(*c);
	bucket_init(&c->bucket, a->o.rate_limit, a->t0_us);
	new_token(c);
	if ((c->st = dialogue_state_new()) == NULL ||
	    htab_put(a->by_key, c->key, c) == -1) {
		dialogue_state_free(c->st);
		free(c);
		return NULL;
	}
	htab_put(a->by_hash, c->hash, c);
	c->gen = a->gen;
	a->gen->nconvs++;
	metrics.conversations++;
	return c;
}

/* Bring a conversation back from the log.  TOKEN is the resume token when
 * the person presented one; otherwise a fresh one is issued. */
static struct conv *
conv_from_log(struct advisor *a, struct store_resume *r, const char *cid,
    const char *token, int64_t now_us)
{
	struct conv *c;
	size_t i;

	if ((c = conv_new(a, r->id, cid, strcmp(r->channel, "bridge") == 0,
	    now_us)) == NULL)
		return NULL;
	if (token != NULL) {
		htab_del(a->by_hash, c->hash);
		snprintf(c->token, sizeof(c->token), "%s", token);
		auth_sha256_hex(c->token, strlen(c->token), c->hash);
		htab_put(a->by_hash, c->hash, c);
	}
	if (r->user)
		snprintf(c->user, sizeof(c->user), "%s", r->user);
	if (r->state_json != NULL) {
		struct dialogue_state *st = dialogue_state_load(a->dl,
		    r->state_json, strlen(r->state_json));
		if (st != NULL) {
			dialogue_state_free(c->st);
			c->st = st;
		}
	}
	for (i = 0; i < r->nmessages; i++) {
		hist_push(c, r->messages[i].direction, r->messages[i].id,
		    r->messages[i].text, r->messages[i].intent,
		    r->messages[i].node);
		c->hist[(c->hhead + c->hcount - 1) % HIST_MAX].helpful =
		    (signed char)r->messages[i].helpful;
		if (r->messages[i].direction == 'o' && c->nreplies < REPLY_IDS)
			c->replies[c->nreplies++] = r->messages[i].id;
	}
	log_conv(a, c, now_us);
	return c;
}

static void
emit_frame(struct advisor *a, const struct sink *k, uint64_t seq,
    enum metric_frame type)
{
	if (a->out.oom) {
		log_warnx("out of memory building a frame");
		jbuf_reset(&a->out);
		return;
	}
	k->emit(k->arg, jbuf_data(&a->out), a->out.len, seq);
	metrics.frames_out[type]++;
	jbuf_reset(&a->out);
}

static void
error_frame(struct advisor *a, const char *code, const char *msg,
    const char *in_reply_to, const struct sink *k)
{
	jbuf_reset(&a->out);
	proto_write_error(&a->out, code, msg, in_reply_to);
	metrics_error(code);
	emit_frame(a, k, 0, MF_ERROR);
}

void
session_error(struct session *s, const char *frame, size_t len,
    const char *code, const char *msg, const struct sink *k)
{
	char why[256], idbuf[PROTO_ID_MAX + 1];
	const char *pcode, *irt;
	struct proto_msg m;

	/* only for its id: the frame is refused whatever else it holds */
	(void)proto_parse(frame, len, &m, &pcode, why, sizeof(why), idbuf,
	    &irt);
	error_frame(s->a, code, msg, irt, k);
	proto_msg_free(&m);
}

struct session *
session_new(struct advisor *a, const char *bridge)
{
	struct session *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->a = a;
	if (bridge != NULL) {
		s->is_bridge = true;
		snprintf(s->bridge, sizeof(s->bridge), "%s", bridge);
	}
	return s;
}

void
session_free(struct session *s)
{
	int64_t now = 0;

	if (s == NULL)
		return;
	while (s->convs != NULL) {
		now = s->convs->last_us;
		detach(s->convs, now, s->a->o.store);
	}
	free(s);
}

/*
 * A web conversation's key: "w-", its start second (8 hex digits, so that
 * keys sort by start) and 16 hex digits of TOKEN (64 random bits).  The
 * log's indexes on the conversation (messages, conversations, states) are
 * B-trees in key order; with keys random all through, the conversations
 * talking at a time were spread over the whole index, and each batch
 * dirtied a page of it for nearly each of them.  In start order they are
 * its last pages: bench-advisor, 2,000 conversations of 20 answers each
 * coming and going, the log's threads 42.5 and 41.2 -> 28.3 and 26.2 us
 * per answer.  The key says when the conversation began, which its first
 * log row says anyway; it gives no access (resume takes the token).
 */
static void
web_key(char *key, size_t size, int64_t now_us, const char *token)
{
	snprintf(key, size, "w-%08llx%.16s",
	    (unsigned long long)(now_us / 1000000) & 0xffffffffull, token);
}

/*
 * The conversation a frame addresses.  CID NULL means the connection's
 * default.  With CREATE, a missing one is started.  NULL with *CODE set
 * when the frame may not have it.
 */
static struct conv *
find_conv(struct session *s, const char *cid, bool create, int64_t now_us,
    const char **code, const char **msg)
{
	struct advisor *a = s->a;
	struct store_resume r;
	struct conv *c;
	char key[KEY_MAX], token[AUTH_TOKEN_HEX + 1];
	bool held;

	if (!s->is_bridge) {
		if (s->convs != NULL) {
			if (cid == NULL || strcmp(cid, s->convs->cid) == 0)
				return s->convs;
			*code = E_TOO_MANY;
			*msg = "a web connection holds one conversation";
			return NULL;
		}
		if (!create) {
			*code = E_BAD_REQUEST;
			*msg = "no conversation has been started";
			return NULL;
		}
		if (auth_random_token(token) == -1)
			fatal("getrandom");
		web_key(key, sizeof(key), now_us, token);
		c = conv_new(a, key, cid ? cid : key, false, now_us);
		if (c == NULL)
			goto oom;
		log_conv(a, c, now_us);
		attach(s, c, now_us);
		return c;
	}
	if (cid == NULL)
		cid = "default";
	snprintf(key, sizeof(key), "b-%s:%s", s->bridge, cid);
	c = htab_get(a->by_key, key);
	held = c != NULL;
	if (c == NULL) {
		int found = store_lookup(a->o.store, key, false, HIST_MAX, &r);

		if (found == 1) {
			c = conv_from_log(a, &r, cid, NULL, now_us);
			store_resume_free(&r);
			if (c == NULL)
				goto oom;
		} else if (!create) {
			*code = E_BAD_REQUEST;
			*msg = "no such conversation";
			return NULL;
		}
	}
	if (c != NULL && c->owner == s)
		return c;
	if (s->nconvs >= a->o.max_conversations) {
		*code = E_TOO_MANY;
		*msg = "this connection holds the most conversations allowed";
		return NULL;
	}
	if (c == NULL) {
		if ((c = conv_new(a, key, cid, true, now_us)) == NULL)
			goto oom;
		log_conv(a, c, now_us);
	}
	attach(s, c, now_us);
	/* one held in memory was let go, by the sweep or a connection that
	 * ended, and logged as ended: it is open again */
	if (held)
		log_conv(a, c, now_us);
	return c;
oom:
	*code = E_INTERNAL;
	*msg = "out of memory";
	return NULL;
}

/* The dialogue state moved: log it now (strict) or soon (fast, the
 * sweep).  Returns the sequence number a reply must wait for, or 0. */
static uint64_t
state_moved(struct advisor *a, struct conv *c, int64_t now_us)
{
	if (a->o.defer_state) {
		if (!c->dirty)
			c->dirty_us = now_us;
		c->dirty = true;
		return 0;
	}
	return save_state(a, c, now_us);
}

/* Reply ID may now be rated with feedback. */
static void
note_reply(struct conv *c, int64_t id)
{
	size_t i;

	for (i = 0; i < c->nreplies; i++)
		if (c->replies[i] == id)
			return;
	if (c->nreplies == REPLY_IDS) {
		memmove(c->replies, c->replies + 1,
		    (REPLY_IDS - 1) * sizeof(int64_t));
		c->nreplies--;
	}
	c->replies[c->nreplies++] = id;
}

/* Write and send the reply frame for D as message ID; SEQ is the log row
 * it waits for. */
static void
emit_reply(struct session *s, struct conv *c, const struct dialogue_reply *d,
    int64_t id, const char *in_reply_to, const char *why, int64_t latency_us,
    uint64_t seq, const struct sink *k)
{
	struct advisor *a = s->a;
	struct proto_option opts[DIALOGUE_MAX_OPTIONS];
	struct proto_reply pr;
	size_t i;

	remember_options(c, d);
	for (i = 0; i < d->noptions; i++) {
		opts[i].id = d->options[i].id;
		opts[i].label = d->options[i].label;
	}
	memset(&pr, 0, sizeof(pr));
	pr.conversation = c->cid;
	pr.id = id;
	pr.in_reply_to = in_reply_to;
	pr.text = d->text;
	pr.intent = d->intent;
	pr.node = d->node;
	pr.options = opts;
	pr.noptions = d->noptions;
	pr.resume = c->token;
	pr.why = a->o.debug ? why : NULL;
	pr.max_text_chars = a->o.max_text_chars;
	jbuf_reset(&a->out);
	proto_write_reply(&a->out, &pr);
	metrics_reply(d->intent, latency_us);
	emit_frame(a, k, seq, MF_REPLY);
}

/* Log and send a reply; returns its id.  WHY goes to a debug client,
 * LOGGED_WHY in the reply's row (NULL: none). */
static int64_t
send_reply(struct session *s, struct conv *c, const struct dialogue_reply *d,
    const char *in_reply_to, int64_t now_us, const char *why,
    const char *logged_why, const struct sink *k)
{
	struct advisor *a = s->a;
	struct store_msg m;
	uint64_t seq, s2;

	memset(&m, 0, sizeof(m));
	m.id = store_next_id(a->o.store);
	m.conv = c->key;
	m.direction = 'o';
	m.text = d->text;
	m.intent = d->intent;
	m.node = d->node;
	m.why = logged_why;
	m.latency_us = mono_us() - s->a->t0_us;
	m.time_us = now_us;
	seq = store_put_message(a->o.store, &m);
	if ((s2 = state_moved(a, c, now_us)) > seq)
		seq = s2;
	hist_push(c, 'o', m.id, d->text, d->intent, d->node);
	note_reply(c, m.id);
	c->last_us = now_us;
	emit_reply(s, c, d, m.id, in_reply_to, why, m.latency_us, seq, k);
	return m.id;
}

/* The advisor's last message in C's history, or NULL. */
static const struct hist *
last_said(const struct conv *c)
{
	size_t i;

	for (i = c->hcount; i > 0; i--) {
		const struct hist *h = &c->hist[(c->hhead + i - 1) % HIST_MAX];

		if (h->dir == 'o')
			return h->text != NULL ? h : NULL;
	}
	return NULL;
}

static void
log_incoming(struct advisor *a, struct conv *c, const char *text,
    const char *intent, const char *node, const char *why,
    const char *rewrites, const char *suggestion, int64_t now_us)
{
	struct store_msg m;

	memset(&m, 0, sizeof(m));
	m.id = store_next_id(a->o.store);
	m.conv = c->key;
	m.direction = 'i';
	m.text = text;
	m.intent = intent;
	m.node = node;
	m.why = why;
	m.rewrites = rewrites;
	m.suggestion = suggestion;
	m.time_us = now_us;
	/* the content it was matched by, on the message itself: the
	 * conversation's row says only the version it was last logged under */
	m.content_version = a->version;
	store_put_message(a->o.store, &m);
	hist_push(c, 'i', m.id, text, NULL, NULL);
}

static void
send_history(struct advisor *a, const struct conv *c, const struct sink *k)
{
	size_t i;

	jbuf_reset(&a->out);
	proto_history_begin(&a->out, c->cid);
	for (i = 0; i < c->hcount; i++) {
		const struct hist *h = &c->hist[(c->hhead + i) % HIST_MAX];
		struct proto_hist_item it = { h->dir == 'i', h->text ?
		    h->text : "", h->id, h->intent, h->node, h->helpful };

		proto_history_item(&a->out, &it, i == 0);
	}
	proto_history_end(&a->out);
	emit_frame(a, k, 0, MF_HISTORY);
}

static void
handle_start(struct session *s, const struct proto_msg *m, int64_t now_us,
    const struct sink *k)
{
	struct advisor *a = s->a;
	struct dialogue_reply *d = &a->work.d;
	const char *code = NULL, *msg = NULL;
	const struct hist *h;
	struct conv *c = NULL;

	if (m->resume != NULL) {
		char hash[AUTH_HASH_HEX + 1];
		struct store_resume r;

		auth_sha256_hex(m->resume, strlen(m->resume), hash);
		if ((c = htab_get(a->by_hash, hash)) == NULL &&
		    strlen(m->resume) == AUTH_TOKEN_HEX &&
		    store_lookup(a->o.store, hash, true, HIST_MAX, &r) == 1) {
			/* a token does not live for ever: past its age it
			 * is as unknown as a forged one */
			if (htab_get(a->by_key, r.id) == NULL &&
			    (a->o.resume_max_age_us == 0 || now_us - r.last_us
			    <= a->o.resume_max_age_us))
				c = conv_from_log(a, &r, r.id, m->resume,
				    now_us);
			store_resume_free(&r);
		}
		if (c == NULL) {
			error_frame(a, E_UNKNOWN_RESUME, "no conversation has "
			    "that resume token", m->id, k);
			return;
		}
		if (c->bridge != s->is_bridge || (s->is_bridge &&
		    !owned_by(c, s->bridge))) {
			/* a bridge's conversations stay with that bridge,
			 * and a bridge cannot take a visitor's */
			error_frame(a, E_UNAUTHORIZED, "that conversation "
			    "belongs to another kind of connection", m->id, k);
			return;
		}
		if (!s->is_bridge && s->convs != NULL && s->convs != c)
			detach(s->convs, now_us, a->o.store);
		if (c->owner != s && s->is_bridge &&
		    s->nconvs >= a->o.max_conversations) {
			error_frame(a, E_TOO_MANY, "this connection holds the "
			    "most conversations allowed", m->id, k);
			return;
		}
		attach(s, c, now_us);
		log_conv(a, c, now_us);
		send_history(a, c, k);
	} else {
		/* a visitor's start begins a new conversation */
		if (!s->is_bridge && s->convs != NULL)
			detach(s->convs, now_us, a->o.store);
		if ((c = find_conv(s, m->conversation, true, now_us, &code,
		    &msg)) == NULL) {
			error_frame(a, code, msg, m->id, k);
			return;
		}
	}
	set_user(a, c, m->user, now_us);
	fresh(a, c);
	dialogue_start(a->dl, c->st, d);
	/*
	 * After a resume the current step is said again.  When that is what
	 * the advisor said last, it is the same message, sent again under its
	 * id: logging it anew gave the log, and so the next resume's history,
	 * one more copy at every page reload.
	 */
	if (m->resume != NULL && (h = last_said(c)) != NULL &&
	    strcmp(h->text, d->text) == 0) {
		note_reply(c, h->id);
		c->last_us = now_us;
		emit_reply(s, c, d, h->id, m->id, NULL, mono_us() - s->a->t0_us,
		    state_moved(a, c, now_us), k);
	} else
		send_reply(s, c, d, m->id, now_us, NULL, NULL, k);
}

/* The rewrites of a match as a JSON array, or NULL when there are none. */
static const char *
rewrites_json(struct advisor *a, const struct intent_result *r)
{
	if (r->nrewrites == 0)
		return NULL;
	jbuf_reset(&a->aux);
	intent_rewrites_json(r, &a->aux);
	return a->aux.oom ? NULL : jbuf_data(&a->aux);
}

/* A bridge's conversation gets the rate of one visitor, picking options
 * or typing, so that one person cannot spend the whole bridge's rate;
 * false when the frame was refused.  Measured on the monotonic clock:
 * on the wall clock, set back an hour, it refused the conversation for
 * that hour. */
static bool
conv_rate_ok(struct session *s, struct conv *c, const struct proto_msg *m,
    const struct sink *k)
{
	if (!s->is_bridge || bucket_take(&c->bucket, s->a->o.rate_limit,
	    s->a->t0_us))
		return true;
	error_frame(s->a, E_RATE_LIMITED, "too many messages in this "
	    "conversation; slow down", m->id, k);
	return false;
}

static void
handle_message(struct session *s, const struct proto_msg *m, int64_t now_us,
    const struct sink *k)
{
	struct advisor *a = s->a;
	struct match_work *w = &a->work;
	const char *ctx[DIALOGUE_CONTEXTS], *labels[INTENT_MAX_SUGGEST];
	struct dialogue_slot slots[INTENT_MAX_SLOTS];
	const char *code = NULL, *msg = NULL, *node, *why, *also;
	struct conv *c;
	size_t i, nctx;

	if (proto_utf8_chars(m->text, m->text_len) > a->o.max_text_chars) {
		error_frame(a, E_TOO_LARGE, "the text is longer than allowed",
		    m->id, k);
		return;
	}
	if ((c = find_conv(s, m->conversation, true, now_us, &code, &msg)) ==
	    NULL) {
		error_frame(a, code, msg, m->id, k);
		return;
	}
	if (!conv_rate_ok(s, c, m, k))
		return;
	set_user(a, c, m->user, now_us);
	fresh(a, c);
	nctx = dialogue_context(c->st, ctx);
	node = ctx[0];
	intents_match(a->in, m->text, m->text_len, ctx, nctx, &w->r);
	for (i = 0; i < w->r.nsuggest; i++)
		labels[i] = intents_label(a->in, w->r.suggest[i]);
	for (i = 0; i < w->r.nslots; i++) {
		slots[i].name = w->r.slots[i].name;
		slots[i].value = w->r.slots[i].value;
	}
	jbuf_reset(&a->why);
	why = intent_result_json(&w->r, &a->why) == 0 ? jbuf_data(&a->why) :
	    "null";
	log_incoming(a, c, m->text, w->r.intent, node, why,
	    rewrites_json(a, &w->r), NULL, now_us);
	/* a message that asked two things: the other one, while CTX still
	 * reads the state the message came to (the move changes it) */
	also = intents_also(a->in, m->text, m->text_len, ctx, nctx,
	    w->r.intent);
	dialogue_on_intent(a->dl, c->st, w->r.intent, slots, w->r.nslots,
	    w->r.suggest, labels, w->r.nsuggest, &w->d);
	/* offered as a button when the reply answered the winner */
	if (also != NULL && w->d.intent != NULL &&
	    strcmp(w->d.intent, w->r.intent) == 0)
		dialogue_offer_intent(c->st, &w->d, also,
		    intents_label(a->in, also));
	send_reply(s, c, &w->d, m->id, now_us, why, NULL, k);
}

static void
handle_choose(struct session *s, const struct proto_msg *m, int64_t now_us,
    const struct sink *k)
{
	struct advisor *a = s->a;
	struct dialogue_reply *d = &a->work.d;
	const char *code = NULL, *msg = NULL, *node;
	char before[DIALOGUE_ID_MAX];
	struct conv *c;

	if ((c = find_conv(s, m->conversation, false, now_us, &code, &msg)) ==
	    NULL) {
		error_frame(a, code == NULL || strcmp(code, E_BAD_REQUEST) ?
		    code : E_UNKNOWN_OPTION, msg, m->id, k);
		return;
	}
	if (!conv_rate_ok(s, c, m, k))
		return;
	fresh(a, c);
	/* logged like a typed message: the node the person clicked on, a
	 * copy, since the choice moves the state the pointer reads */
	if ((node = dialogue_node(c->st)) != NULL)
		node = memcpy(before, node, strlen(node) + 1);
	if (dialogue_choose(a->dl, c->st, m->option, d) == -1) {
		error_frame(a, E_UNKNOWN_OPTION, "that option was not offered "
		    "in the last reply", m->id, k);
		return;
	}
	log_incoming(a, c, option_label(c, m->option), "choose", node, NULL,
	    NULL, d->picked_suggestion, now_us);
	/* the reply's row says it answered a click, and which option: its
	 * intent is the topic the option led to, as the reply says, or
	 * "choose" for a node without one (a questionnaire step), which its
	 * node then names */
	jbuf_reset(&a->why);
	JBUF_LIT(&a->why, "{\"choose\":");
	jbuf_cstr(&a->why, m->option);
	JBUF_LIT(&a->why, "}");
	send_reply(s, c, d, m->id, now_us, NULL, jbuf_data(&a->why), k);
}

static void
handle_feedback(struct session *s, const struct proto_msg *m,
    int64_t now_us, const struct sink *k)
{
	struct advisor *a = s->a;
	const char *code = NULL, *msg = NULL;
	struct conv *c;
	size_t i;

	if ((c = find_conv(s, m->conversation, false, now_us, &code, &msg)) ==
	    NULL) {
		error_frame(a, code, msg, m->id, k);
		return;
	}
	for (i = 0; i < c->nreplies; i++)
		if (c->replies[i] == m->message)
			break;
	if (i == c->nreplies) {
		error_frame(a, E_BAD_REQUEST, "\"message\" is not a recent "
		    "reply of this conversation", m->id, k);
		return;
	}
	store_put_feedback(a->o.store, c->key, m->message, m->helpful,
	    m->comment, now_us);
	for (i = 0; i < c->hcount; i++)
		if (c->hist[i].dir == 'o' && c->hist[i].id == m->message)
			c->hist[i].helpful = m->helpful ? 1 : 0;
	jbuf_reset(&a->out);
	proto_write_ack(&a->out, c->cid, m->message, m->id);
	emit_frame(a, k, 0, MF_ACK);
}

void
session_handle_at(struct session *s, const char *frame, size_t len,
    int64_t now_us, int64_t t0_us, const struct sink *k)
{
	struct advisor *a = s->a;
	struct proto_msg m;
	char msg[256], idbuf[PROTO_ID_MAX + 1];
	const char *code, *irt;

	a->t0_us = t0_us;
	if (proto_parse(frame, len, &m, &code, msg, sizeof(msg), idbuf,
	    &irt) == -1) {
		metrics.frames_in[MF_INVALID]++;
		error_frame(a, code, msg, irt, k);
		return;
	}
	metrics.frames_in[m.type]++;
	switch (m.type) {
	case P_START:
		handle_start(s, &m, now_us, k);
		break;
	case P_MESSAGE:
		handle_message(s, &m, now_us, k);
		break;
	case P_CHOOSE:
		handle_choose(s, &m, now_us, k);
		break;
	case P_FEEDBACK:
		handle_feedback(s, &m, now_us, k);
		break;
	case P_PING:
		jbuf_reset(&a->out);
		proto_write_pong(&a->out, m.id);
		emit_frame(a, k, 0, MF_PONG);
		break;
	}
	proto_msg_free(&m);
}

void
session_handle(struct session *s, const char *frame, size_t len,
    int64_t now_us, const struct sink *k)
{
	session_handle_at(s, frame, len, now_us, mono_us(), k);
}
