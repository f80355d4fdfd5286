/*
 * test_advisor.c: the glue without a network.  Sessions take frames in and
 * hand frames out through a sink; the shipped content and a real store
 * (in memory, or a temporary file to test a restart) sit behind them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/advisor.h"
#include "daemon/clock.h"
#include "daemon/content.h"
#include "daemon/metrics.h"
#include "daemon/protocol.h"

#define MAXF	16

/* Frames a session sent, parsed. */
struct got {
	cJSON		*f[MAXF];
	uint64_t	 seq[MAXF];
	size_t		 n;
};

static void
collect(void *arg, const char *frame, size_t len, uint64_t seq)
{
	struct got *g = arg;

	assert_true(g->n < MAXF);
	g->seq[g->n] = seq;
	assert_non_null(g->f[g->n++] = cJSON_ParseWithLength(frame, len));
}

static void
got_clear(struct got *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		cJSON_Delete(g->f[i]);
	g->n = 0;
}

static const char *
str(const cJSON *f, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

struct fx {
	struct store	*store;
	struct advisor	*adv;
	struct got	 g;
	struct sink	 k;
	int64_t		 now;
	char		 db[64];
};

static struct advisor *
new_advisor(struct store *store, unsigned rate, unsigned maxconv,
    bool debug)
{
	struct advisor_opts ao = { .store = store, .debug = debug,
	    .max_text_chars = 50, .rate_limit = rate,
	    .max_conversations = maxconv };
	struct intents *in;
	struct dialogues *dl;
	struct advisor *a;

	assert_int_equal(content_load(ADVISOR_CONTENT_DIR, false, stderr, &in,
	    &dl), 0);
	assert_non_null(a = advisor_new(in, dl, &ao));
	return a;
}

static struct store *
open_store(const char *path, enum store_durability d)
{
	struct store_opts so = { .path = path, .durability = d,
	    .redact = true };
	char err[256];
	struct store *s = store_open(&so, err, sizeof(err));

	if (s == NULL)
		fail_msg("store_open: %s", err);
	return s;
}

static int
setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));

	x->store = open_store(":memory:", STORE_FAST);
	x->adv = new_advisor(x->store, 2, 3, true);
	x->k.emit = collect;
	x->k.arg = &x->g;
	x->now = 1700000000LL * 1000000;
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *x = *state;

	got_clear(&x->g);
	advisor_free(x->adv);
	store_close(x->store);
	if (x->db[0])
		store_remove(x->db);
	free(x);
	metrics_reset();
	return 0;
}

/* Send TEXT on S, come at T0_US on the monotonic clock; the frames
 * answering it are in x->g. */
static void
say_at(struct fx *x, struct session *s, const char *text, int64_t t0_us)
{
	got_clear(&x->g);
	x->now += 1000;
	session_handle_at(s, text, strlen(text), x->now, t0_us, &x->k);
	assert_true(x->g.n >= 1);
}

/* Send TEXT on S now. */
static void
say(struct fx *x, struct session *s, const char *text)
{
	say_at(x, s, text, mono_us());
}

/* The type of the first answer, and its error code if it is an error. */
static const char *
code(struct fx *x)
{
	if (strcmp(str(x->g.f[0], "type"), "error") == 0)
		return str(x->g.f[0], "code");
	return str(x->g.f[0], "type");
}

/* A web conversation's id is "w-", its start second in 8 hex digits and
 * 16 random hex digits: ids sort by start (the log's indexes keep the
 * conversations talking now together), and two of the same second
 * differ. */
static void
t_web_ids_by_start(void **state)
{
	struct fx *x = *state;
	struct session *a = session_new(x->adv, NULL), *b, *c;
	char ida[64], idb[64], idc[64];

	x->now = 1700000000LL * 1000000;	/* 0x6553f100 s */
	say(x, a, "{\"type\":\"start\"}");
	snprintf(ida, sizeof(ida), "%s", str(x->g.f[0], "conversation"));
	b = session_new(x->adv, NULL);
	say(x, b, "{\"type\":\"start\"}");
	snprintf(idb, sizeof(idb), "%s", str(x->g.f[0], "conversation"));
	x->now += 2 * 1000000;
	c = session_new(x->adv, NULL);
	say(x, c, "{\"type\":\"start\"}");
	snprintf(idc, sizeof(idc), "%s", str(x->g.f[0], "conversation"));
	assert_int_equal(strlen(ida), 26);
	assert_int_equal(strspn(ida + 2, "0123456789abcdef"), 24);
	assert_memory_equal(ida, "w-6553f100", 10);
	assert_memory_equal(idb, "w-6553f100", 10);
	assert_string_not_equal(ida, idb);
	assert_memory_equal(idc, "w-6553f102", 10);
	assert_true(strcmp(ida, idc) < 0 && strcmp(idb, idc) < 0);
	session_free(a);
	session_free(b);
	session_free(c);
}

static void
t_conversation(void **state)
{
	struct fx *x = *state;
	struct session *s = session_new(x->adv, NULL);
	const cJSON *opts, *r;
	char buf[256], resume[80], opt[64];
	int64_t id;

	say(x, s, "{\"type\":\"start\",\"id\":\"s1\"}");
	r = x->g.f[0];
	assert_string_equal(str(r, "type"), "reply");
	assert_string_equal(str(r, "intent"), "start");
	assert_string_equal(str(r, "in_reply_to"), "s1");
	assert_non_null(str(r, "node"));
	assert_non_null(str(r, "conversation"));
	assert_int_equal(strlen(str(r, "resume")), 64);
	/* the limit in force, for the client to check a text against */
	assert_non_null(opts = cJSON_GetObjectItem(r, "max_text_chars"));
	assert_int_equal(opts->valueint, 50);
	snprintf(resume, sizeof(resume), "%s", str(r, "resume"));
	opts = cJSON_GetObjectItem(r, "options");
	assert_true(cJSON_GetArraySize(opts) > 0);
	snprintf(opt, sizeof(opt), "%s", str(cJSON_GetArrayItem(opts, 0),
	    "id"));

	/* a button of the welcome */
	snprintf(buf, sizeof(buf), "{\"type\":\"choose\",\"option\":\"%s\","
	    "\"id\":\"c1\"}", opt);
	say(x, s, buf);
	assert_string_equal(code(x), "reply");
	assert_string_equal(str(x->g.f[0], "in_reply_to"), "c1");
	assert_string_equal(str(x->g.f[0], "resume"), resume);

	say(x, s, "{\"type\":\"choose\",\"option\":\"no-such-option\"}");
	assert_string_equal(code(x), E_UNKNOWN_OPTION);

	/* understood text, with the match explanation in debug mode */
	say(x, s, "{\"type\":\"message\",\"text\":\"what is kpo\"}");
	assert_string_equal(code(x), "reply");
	assert_string_equal(str(x->g.f[0], "intent"), "define_kpo");
	assert_non_null(cJSON_GetObjectItem(x->g.f[0], "why"));
	id = (int64_t)cJSON_GetObjectItem(x->g.f[0], "id")->valuedouble;
	assert_true(id > 0);

	/* not understood: a fallback with a way on */
	say(x, s, "{\"type\":\"message\",\"text\":\"zxqv wplk\"}");
	assert_string_equal(str(x->g.f[0], "intent"), "fallback");
	assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(x->g.f[0],
	    "options")) > 0);

	snprintf(buf, sizeof(buf), "{\"type\":\"feedback\",\"message\":%lld,"
	    "\"helpful\":true,\"comment\":\"clear\",\"id\":\"f\"}",
	    (long long)id);
	say(x, s, buf);
	assert_string_equal(code(x), "ack");
	assert_int_equal(cJSON_GetObjectItem(x->g.f[0], "message")->valuedouble,
	    id);
	assert_string_equal(str(x->g.f[0], "in_reply_to"), "f");
	say(x, s, "{\"type\":\"feedback\",\"message\":999999,"
	    "\"helpful\":false}");
	assert_string_equal(code(x), E_BAD_REQUEST);

	say(x, s, "{\"type\":\"ping\",\"id\":\"p\"}");
	assert_string_equal(code(x), "pong");
	assert_string_equal(str(x->g.f[0], "in_reply_to"), "p");

	/* too long (51 characters; the limit is 50 here, counted in
	 * characters, not bytes) */
	say(x, s, "{\"type\":\"message\",\"text\":\"\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}");
	assert_string_equal(code(x), "reply");
	say(x, s, "{\"type\":\"message\",\"text\":\"\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}");
	assert_string_equal(code(x), E_TOO_LARGE);

	/* a web visitor holds one conversation */
	say(x, s, "{\"type\":\"message\",\"text\":\"hi\","
	    "\"conversation\":\"another\"}");
	assert_string_equal(code(x), E_TOO_MANY);

	say(x, s, "not json");
	assert_string_equal(code(x), E_INVALID_JSON);
	say(x, s, "{\"type\":\"dance\",\"id\":\"d\"}");
	assert_string_equal(code(x), E_UNKNOWN_TYPE);
	assert_string_equal(str(x->g.f[0], "in_reply_to"), "d");
	session_free(s);
}

static void
t_first_frames(void **state)
{
	struct fx *x = *state;
	struct session *s = session_new(x->adv, NULL);

	/* choose and feedback need a conversation; a message starts one */
	say(x, s, "{\"type\":\"choose\",\"option\":\"x\"}");
	assert_string_equal(code(x), E_UNKNOWN_OPTION);
	say(x, s, "{\"type\":\"feedback\",\"message\":1,\"helpful\":true}");
	assert_string_equal(code(x), E_BAD_REQUEST);
	say(x, s, "{\"type\":\"message\",\"text\":\"what is bpo\","
	    "\"conversation\":\"mine\"}");
	assert_string_equal(code(x), "reply");
	assert_string_equal(str(x->g.f[0], "conversation"), "mine");
	assert_string_equal(str(x->g.f[0], "intent"), "define_bpo");
	session_free(s);
}

static void
t_resume(void **state)
{
	struct fx *x = *state;
	struct session *a = session_new(x->adv, NULL), *b;
	char buf[200], resume[80], node[64], label[128];
	const cJSON *msgs, *opt;
	int64_t last;

	say(x, a, "{\"type\":\"start\"}");
	opt = cJSON_GetArrayItem(cJSON_GetObjectItem(x->g.f[0], "options"),
	    0);
	snprintf(label, sizeof(label), "%s", str(opt, "label"));
	snprintf(buf, sizeof(buf), "{\"type\":\"choose\",\"option\":\"%s\"}",
	    str(opt, "id"));
	say(x, a, buf);
	say(x, a, "{\"type\":\"message\",\"text\":\"what is kpo\"}");
	snprintf(resume, sizeof(resume), "%s", str(x->g.f[0], "resume"));
	snprintf(node, sizeof(node), "%s", str(x->g.f[0], "node"));

	/* another connection takes the conversation over */
	b = session_new(x->adv, NULL);
	snprintf(buf, sizeof(buf), "{\"type\":\"start\",\"resume\":\"%s\","
	    "\"id\":\"r\"}", resume);
	say(x, b, buf);
	assert_int_equal(x->g.n, 2);
	assert_string_equal(str(x->g.f[0], "type"), "history");
	msgs = cJSON_GetObjectItem(x->g.f[0], "messages");
	assert_int_equal(cJSON_GetArraySize(msgs), 5);
	assert_string_equal(str(cJSON_GetArrayItem(msgs, 1), "from"), "user");
	/* a click shows as the label the person saw */
	assert_string_equal(str(cJSON_GetArrayItem(msgs, 1), "text"), label);
	assert_string_equal(str(cJSON_GetArrayItem(msgs, 3), "text"),
	    "what is kpo");
	assert_string_equal(str(x->g.f[1], "type"), "reply");
	assert_string_equal(str(x->g.f[1], "node"), node);
	assert_string_equal(str(x->g.f[1], "in_reply_to"), "r");
	/* the step said again is the last message, under its own id: not a
	 * new one, so resuming again shows the same history, no copies */
	assert_int_equal(cJSON_GetObjectItem(x->g.f[1], "id")->valuedouble,
	    cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 4), "id")->valuedouble);
	last = (int64_t)cJSON_GetObjectItem(x->g.f[1], "id")->valuedouble;
	say(x, b, buf);
	assert_string_equal(str(x->g.f[0], "type"), "history");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(x->g.f[0],
	    "messages")), 5);
	assert_int_equal((int64_t)cJSON_GetObjectItem(x->g.f[1], "id")->
	    valuedouble, last);
	/* ... and it can still be rated */
	snprintf(buf, sizeof(buf), "{\"type\":\"feedback\",\"message\":%lld,"
	    "\"helpful\":true}", (long long)last);
	say(x, b, buf);
	assert_string_equal(str(x->g.f[0], "type"), "ack");
	/* a page loaded again shows the rating given, on that reply only */
	snprintf(buf, sizeof(buf), "{\"type\":\"start\",\"resume\":\"%s\"}",
	    resume);
	say(x, b, buf);
	msgs = cJSON_GetObjectItem(x->g.f[0], "messages");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs,
	    4), "helpful")));
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 2),
	    "helpful"));

	say(x, b, "{\"type\":\"start\",\"resume\":\"0123456789abcdef0123456789"
	    "abcdef0123456789abcdef0123456789abcdef\"}");
	assert_string_equal(code(x), E_UNKNOWN_RESUME);
	say(x, b, "{\"type\":\"start\",\"resume\":\"short\"}");
	assert_string_equal(code(x), E_UNKNOWN_RESUME);
	session_free(a);
	session_free(b);
}

static void
t_bridge(void **state)
{
	struct fx *x = *state;
	struct session *s = session_new(x->adv, "team"), *anon;
	char buf[200];
	int i;

	for (i = 0; i < 3; i++) {
		snprintf(buf, sizeof(buf), "{\"type\":\"message\",\"text\":"
		    "\"what is kpo\",\"conversation\":\"u%d\",\"user\":\"U%d\","
		    "\"id\":\"m%d\"}", i, i, i);
		say(x, s, buf);
		assert_string_equal(code(x), "reply");
		snprintf(buf, sizeof(buf), "u%d", i);
		assert_string_equal(str(x->g.f[0], "conversation"), buf);
	}
	/* at most three per connection here */
	say(x, s, "{\"type\":\"message\",\"text\":\"hi\","
	    "\"conversation\":\"u9\"}");
	assert_string_equal(code(x), E_TOO_MANY);
	/* the rate limit is per conversation (2/s, burst 4): u0 has used 1 */
	for (i = 0; i < 3; i++) {
		say(x, s, "{\"type\":\"message\",\"text\":\"and bpo?\","
		    "\"conversation\":\"u0\"}");
		assert_string_equal(code(x), "reply");
	}
	say(x, s, "{\"type\":\"message\",\"text\":\"and bpo?\","
	    "\"conversation\":\"u0\"}");
	assert_string_equal(code(x), E_RATE_LIMITED);
	say(x, s, "{\"type\":\"message\",\"text\":\"and bpo?\","
	    "\"conversation\":\"u1\"}");
	assert_string_equal(code(x), "reply");
	/* picking options counts too: u1 has used 2, so 2 more, then none */
	for (i = 0; i < 2; i++) {
		say(x, s, "{\"type\":\"choose\",\"option\":\"nope\","
		    "\"conversation\":\"u1\"}");
		assert_string_equal(code(x), E_UNKNOWN_OPTION);
	}
	say(x, s, "{\"type\":\"choose\",\"option\":\"nope\","
	    "\"conversation\":\"u1\",\"id\":\"c9\"}");
	assert_string_equal(code(x), E_RATE_LIMITED);
	assert_string_equal(str(x->g.f[0], "in_reply_to"), "c9");

	/* a reconnecting bridge finds its conversations */
	session_free(s);
	s = session_new(x->adv, "team");
	say(x, s, "{\"type\":\"message\",\"text\":\"tell me more\","
	    "\"conversation\":\"u2\"}");
	assert_string_equal(code(x), "reply");
	/* another bridge, or a visitor, does not see them, not even with
	 * the resume token */
	snprintf(buf, sizeof(buf), "{\"type\":\"start\",\"resume\":\"%s\"}",
	    str(x->g.f[0], "resume"));
	anon = session_new(x->adv, NULL);
	say(x, anon, buf);
	assert_string_equal(code(x), E_UNAUTHORIZED);
	session_free(anon);
	anon = session_new(x->adv, "otherteam");
	say(x, anon, buf);
	assert_string_equal(code(x), E_UNAUTHORIZED);
	session_free(anon);
	anon = session_new(x->adv, NULL);
	say(x, anon, "{\"type\":\"choose\",\"option\":\"deeper\","
	    "\"conversation\":\"u2\"}");
	assert_string_not_equal(code(x), "reply");
	session_free(anon);
	session_free(s);
}

/* A bridge holds a conversation while it is in use: one idle for half an
 * hour is let go, so that max_conversations (3 here) counts the people
 * talking now, not everyone since the bridge connected; named again, it
 * is the same conversation. */
static void
t_bridge_idle(void **state)
{
	struct fx *x = *state;
	struct session *s = session_new(x->adv, "team");
#define ASK "{\"type\":\"message\",\"text\":\"what is kpo\"," \
	    "\"conversation\":\"u%d\"}"
	char buf[200], resume[80];
	int i;

	for (i = 0; i < 3; i++) {
		snprintf(buf, sizeof(buf), ASK, i);
		say(x, s, buf);
		assert_string_equal(code(x), "reply");
		if (i == 0)
			snprintf(resume, sizeof(resume), "%s",
			    str(x->g.f[0], "resume"));
	}
	snprintf(buf, sizeof(buf), ASK, 3);
	say(x, s, buf);
	assert_string_equal(code(x), E_TOO_MANY);
	advisor_sweep(x->adv, x->now + 1799LL * 1000000);
	say(x, s, buf);
	assert_string_equal(code(x), E_TOO_MANY);
	/* half an hour later the three are let go */
	x->now += 1801LL * 1000000;
	advisor_sweep(x->adv, x->now);
	say(x, s, buf);
	assert_string_equal(code(x), "reply");
	snprintf(buf, sizeof(buf), ASK, 0);
	say(x, s, buf);
	assert_string_equal(code(x), "reply");
	assert_string_equal(str(x->g.f[0], "resume"), resume);
	session_free(s);
}
#undef ASK

/* A conversation's rate is measured on the monotonic clock: with the
 * wall clock set back an hour (an NTP step, `date -s`), a bridge's
 * conversation that had spent its burst was refused for that hour. */
static void
t_clock_step(void **state)
{
	struct fx *x = *state;
	struct session *s;
	const char *ask = "{\"type\":\"message\",\"text\":\"what is kpo\","
	    "\"conversation\":\"u0\"}";
	int64_t t0;
	int i;

	advisor_free(x->adv);
	x->adv = new_advisor(x->store, 10, 3, false);	/* burst 20 */
	s = session_new(x->adv, "team");
	/* the frames' monotonic time, as the server read it when each
	 * came, from a while back: the reply latencies taken from it stay
	 * positive */
	t0 = mono_us() - 10 * 1000000;
	for (i = 0; i < 25; i++)
		say_at(x, s, ask, t0);
	assert_string_equal(code(x), E_RATE_LIMITED);
	x->now -= 3600LL * 1000000;
	/* three messages' worth later, at 10/s: no sleep, the frame's own
	 * time is the one the rate is taken on, not a reading of its own */
	say_at(x, s, ask, t0 + 300000);
	assert_string_equal(code(x), "reply");
	session_free(s);
}

/* A file's whole text, malloc'd, or NULL. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *b = NULL;
	long n;

	if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (b = calloc(1, (size_t)n + 1)) &&
	    fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	if (f != NULL)
		fclose(f);
	return b;
}

static void
spill(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fputs(text, f) >= 0, 1);
	fclose(f);
}

/* The shipped content with dialogue node OLD named NEW, every reference
 * to it too (a reload that removes the node OLD). */
static void
load_renamed(const char *old, const char *new, struct intents **in,
    struct dialogues **dl)
{
	char dir[] = "/tmp/test_advisor.XXXXXX", path[256], err[256], *t;
	cJSON *doc, *n, *o, *r;

	assert_int_equal(content_load(ADVISOR_CONTENT_DIR, false, stderr, in,
	    dl), 0);
	dialogues_free(*dl);
	assert_non_null(mkdtemp(dir));
	assert_non_null(t = slurp(ADVISOR_CONTENT_DIR
	    "/dialogues/questionnaire.json"));
	spill(dir, "questionnaire.json", t);
	free(t);
	assert_non_null(t = slurp(ADVISOR_CONTENT_DIR
	    "/dialogues/topics.json"));
	assert_non_null(doc = cJSON_Parse(t));
	free(t);
	cJSON_ArrayForEach(n, cJSON_GetObjectItem(doc, "nodes")) {
		if (strcmp(str(n, "id"), old) == 0)
			cJSON_ReplaceItemInObject(n, "id",
			    cJSON_CreateString(new));
		cJSON_ArrayForEach(o, cJSON_GetObjectItem(n, "options"))
			if (str(o, "target") && strcmp(str(o, "target"),
			    old) == 0)
				cJSON_ReplaceItemInObject(o, "target",
				    cJSON_CreateString(new));
	}
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(doc, "routes"))
		if (cJSON_IsString(r) && strcmp(r->valuestring, old) == 0)
			cJSON_SetValuestring(r, new);
	assert_non_null(t = cJSON_Print(doc));
	cJSON_Delete(doc);
	spill(dir, "topics.json", t);
	free(t);
	*dl = dialogues_load(dir, err, sizeof(err));
	if (*dl == NULL)
		fail_msg("%s", err);
	snprintf(path, sizeof(path), "%s/topics.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/questionnaire.json", dir);
	unlink(path);
	rmdir(dir);
}

/* Conversations still to move to the content served, as advisor_unmoved
 * and the gauge /metrics shows (advisord_conversations_unmoved) both
 * count them. */
static void
unmoved(const struct fx *x, size_t n)
{
	assert_int_equal(advisor_unmoved(x->adv), n);
	assert_int_equal(metrics.conversations_unmoved, n);
}

/*
 * A reload moves each conversation to the new content at its next use
 * (or the sweep's), not all of them at once on the loop: the swap moves
 * none, however many there are, and each then answers as the eager move
 * made it answer: one on a node the reload removed starts over, saying
 * so; one on a node kept carries on; one that two reloads passed by
 * goes through both (the first sent it to the root, its last options
 * forgotten, and the second does not bring them back).
 */
static void
t_lazy_reload(void **state)
{
	struct fx *x = *state;
	struct session *s;
	struct intents *in;
	struct dialogues *dl;
	char buf[200], text[DIALOGUE_TEXT_MAX], node[64], opt[64];
	const cJSON *o;
	int i, n = 40;
#define KPO "{\"type\":\"message\",\"text\":\"what is kpo\"," \
	    "\"conversation\":\"u%d\"}"
#define BPO "{\"type\":\"message\",\"text\":\"what is bpo\"," \
	    "\"conversation\":\"%s\"}"
#define MORE "{\"type\":\"message\",\"text\":\"tell me more\"," \
	    "\"conversation\":\"%s\"}"

	advisor_free(x->adv);
	x->adv = new_advisor(x->store, 0, 1000, false);
	s = session_new(x->adv, "team");
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), KPO, i);
		say(x, s, buf);
		assert_string_equal(str(x->g.f[0], "node"), "define_kpo");
	}
	o = cJSON_GetArrayItem(cJSON_GetObjectItem(x->g.f[0], "options"), 0);
	assert_non_null(o);
	snprintf(opt, sizeof(opt), "%s", str(o, "id"));
	for (i = 0; i < 2; i++) {
		snprintf(buf, sizeof(buf), BPO, i ? "k1" : "k0");
		say(x, s, buf);
		assert_string_equal(str(x->g.f[0], "node"), "define_bpo");
	}
	/* what a conversation on a node the reload keeps says next */
	snprintf(buf, sizeof(buf), MORE, "k1");
	say(x, s, buf);
	snprintf(text, sizeof(text), "%s", str(x->g.f[0], "text"));
	snprintf(node, sizeof(node), "%s", str(x->g.f[0], "node"));

	load_renamed("define_kpo", "kpo_defined", &in, &dl);
	advisor_set_content(x->adv, in, dl);
	unmoved(x, n + 2);

	/* the node gone: back at the start, saying so */
	snprintf(buf, sizeof(buf), BPO, "u0");
	say(x, s, buf);
	assert_string_equal(code(x), "reply");
	assert_non_null(strstr(str(x->g.f[0], "text"), "content has changed"));
	assert_string_equal(str(x->g.f[0], "node"), "define_bpo");
	unmoved(x, n + 1);
	/* the node kept: on as before */
	snprintf(buf, sizeof(buf), MORE, "k0");
	say(x, s, buf);
	assert_string_equal(str(x->g.f[0], "text"), text);
	assert_string_equal(str(x->g.f[0], "node"), node);
	unmoved(x, n);

	/* the shipped content again: define_kpo is back, but u1 went to the
	 * root in the reload before, its options with it */
	assert_int_equal(content_load(ADVISOR_CONTENT_DIR, false, stderr, &in,
	    &dl), 0);
	advisor_set_content(x->adv, in, dl);
	unmoved(x, n + 2);
	snprintf(buf, sizeof(buf), "{\"type\":\"choose\",\"option\":\"%s\","
	    "\"conversation\":\"u1\"}", opt);
	say(x, s, buf);
	assert_string_equal(code(x), E_UNKNOWN_OPTION);

	/* the sweep moves the rest, a slice at a time */
	advisor_sweep(x->adv, x->now + 1000000);
	unmoved(x, 0);
	snprintf(buf, sizeof(buf), KPO, 2);
	say(x, s, buf);
	assert_string_equal(str(x->g.f[0], "node"), "define_kpo");
	assert_null(strstr(str(x->g.f[0], "text"), "content has changed"));
	session_free(s);
#undef KPO
#undef BPO
#undef MORE
}

/* Swap the fixture's in-memory log for a new file, so the log outlives
 * the advisor; the file is removed by teardown. */
static void
use_file_db(struct fx *x, enum store_durability d)
{
	int fd;

	advisor_free(x->adv);
	x->adv = NULL;
	store_close(x->store);
	snprintf(x->db, sizeof(x->db), "/tmp/advisord-adv-XXXXXX");
	assert_true((fd = mkstemp(x->db)) >= 0);
	close(fd);
	unlink(x->db);
	x->store = open_store(x->db, d);
}

/* A new advisor on the same log file, everything before committed; its
 * resume tokens live AGE_DAYS (0: for ever). */
static void
restart(struct fx *x, unsigned age_days)
{
	struct advisor_opts ao = { .max_text_chars = 50,
	    .max_conversations = 10,
	    .resume_max_age_us = (int64_t)age_days * 86400 * 1000000 };

	advisor_free(x->adv);
	store_close(x->store);
	x->store = open_store(x->db, STORE_FAST);
	x->adv = new_advisor(x->store, 0, 10, false);
	advisor_set_opts(x->adv, &ao);
}

/* A resume token lives as long as its conversation is used within the
 * limit: one left 31 days of 30 is unknown, as a forged one. */
static void
t_resume_age(void **state)
{
	struct fx *x = *state;
	struct session *s;
	char buf[200];

	use_file_db(x, STORE_FAST);
	x->adv = new_advisor(x->store, 0, 10, false);
	s = session_new(x->adv, NULL);
	say(x, s, "{\"type\":\"message\",\"text\":\"what is kpo\"}");
	snprintf(buf, sizeof(buf), "{\"type\":\"start\",\"resume\":\"%s\"}",
	    str(x->g.f[0], "resume"));
	session_free(s);
	/* back after 29 days: resumed, and used again */
	restart(x, 30);
	x->now += 29 * 86400LL * 1000000;
	s = session_new(x->adv, NULL);
	say(x, s, buf);
	assert_string_equal(code(x), "history");
	session_free(s);
	/* then left for 31 */
	restart(x, 30);
	x->now += 31 * 86400LL * 1000000;
	s = session_new(x->adv, NULL);
	say(x, s, buf);
	assert_string_equal(code(x), E_UNKNOWN_RESUME);
	session_free(s);
	/* with no limit it is still there */
	restart(x, 0);
	s = session_new(x->adv, NULL);
	say(x, s, buf);
	assert_string_equal(code(x), "history");
	session_free(s);
}

static void
t_restart(void **state)
{
	struct fx *x = *state;
	struct session *s, *br;
	char buf[200], resume[80], node[64], bnode[64], intent[64];
	const cJSON *msgs, *last;
	long long id;
	int i;

	use_file_db(x, STORE_STRICT);
	x->adv = new_advisor(x->store, 0, 10, false);

	s = session_new(x->adv, NULL);
	say(x, s, "{\"type\":\"start\"}");
	say(x, s, "{\"type\":\"message\",\"text\":\"what is kpo\"}");
	assert_null(cJSON_GetObjectItem(x->g.f[0], "why"));
	assert_true(x->g.seq[0] > 0);	/* strict: the reply waits for it */
	snprintf(resume, sizeof(resume), "%s", str(x->g.f[0], "resume"));
	snprintf(node, sizeof(node), "%s", str(x->g.f[0], "node"));
	snprintf(intent, sizeof(intent), "%s", str(x->g.f[0], "intent"));
	id = (long long)cJSON_GetObjectItem(x->g.f[0], "id")->valuedouble;
	/* rated twice: the latest rating is the one that counts */
	for (i = 0; i < 2; i++) {
		snprintf(buf, sizeof(buf), "{\"type\":\"feedback\",\"message\":"
		    "%lld,\"helpful\":%s}", id, i ? "false" : "true");
		say(x, s, buf);
		assert_string_equal(str(x->g.f[0], "type"), "ack");
	}
	br = session_new(x->adv, "team");
	say(x, br, "{\"type\":\"message\",\"text\":\"what is bpo\","
	    "\"conversation\":\"c7\",\"user\":\"ann\"}");
	snprintf(bnode, sizeof(bnode), "%s", str(x->g.f[0], "node"));
	session_free(s);
	session_free(br);

	/* restart: everything committed, a new advisor on the same file */
	restart(x, 0);

	s = session_new(x->adv, NULL);
	snprintf(buf, sizeof(buf), "{\"type\":\"start\",\"resume\":\"%s\"}",
	    resume);
	say(x, s, buf);
	assert_int_equal(x->g.n, 2);
	assert_string_equal(str(x->g.f[0], "type"), "history");
	msgs = cJSON_GetObjectItem(x->g.f[0], "messages");
	assert_true(cJSON_GetArraySize(msgs) >= 3);
	/* read back from the log: the last reply says what it was and how
	 * it was rated, the person's message neither */
	last = cJSON_GetArrayItem(msgs, cJSON_GetArraySize(msgs) - 1);
	assert_string_equal(str(last, "intent"), intent);
	assert_string_equal(str(last, "node"), node);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(last, "helpful")));
	last = cJSON_GetArrayItem(msgs, cJSON_GetArraySize(msgs) - 2);
	assert_string_equal(str(last, "from"), "user");
	assert_null(cJSON_GetObjectItem(last, "intent"));
	assert_null(cJSON_GetObjectItem(last, "helpful"));
	assert_string_equal(str(x->g.f[1], "node"), node);
	assert_string_equal(str(x->g.f[1], "resume"), resume);

	br = session_new(x->adv, "team");
	say(x, br, "{\"type\":\"ping\"}");
	say(x, br, "{\"type\":\"start\",\"conversation\":\"c7\"}");
	assert_string_equal(code(x), "reply");
	assert_string_equal(str(x->g.f[0], "node"), bnode);
	session_free(s);
	session_free(br);
}

static void
t_reload(void **state)
{
	struct fx *x = *state;
	struct session *s = session_new(x->adv, NULL);
	struct intents *in;
	struct dialogues *dl;
	char version[64];

	say(x, s, "{\"type\":\"message\",\"text\":\"what is kpo\"}");
	snprintf(version, sizeof(version), "%s",
	    advisor_content_version(x->adv));
	assert_int_equal(content_load(ADVISOR_CONTENT_DIR, false, stderr, &in,
	    &dl), 0);
	advisor_set_content(x->adv, in, dl);
	assert_string_equal(advisor_content_version(x->adv), version);
	say(x, s, "{\"type\":\"message\",\"text\":\"what is bpo\"}");
	assert_string_equal(str(x->g.f[0], "intent"), "define_bpo");
	/* broken content is refused before it reaches the advisor */
	assert_int_equal(content_load("/nonexistent", false, stderr, &in,
	    &dl), -1);
	assert_null(in);
	assert_null(dl);
	advisor_sweep(x->adv, x->now + 3600LL * 1000000);
	session_free(s);
	advisor_sweep(x->adv, x->now + 3600LL * 1000000);
}

/* N visitors each ask one question of CHARS two-byte characters and
 * leave; how many conversations are held after a sweep a second later
 * (long before any is idle long enough to go). */
static double
held_after(struct fx *x, int n, size_t chars)
{
	char *frame = malloc(2 * chars + 64);
	size_t o;
	int i;

	o = (size_t)sprintf(frame, "{\"type\":\"message\",\"text\":\"");
	for (; chars > 0; chars--, o += 2)
		memcpy(frame + o, "\xc3\xa9", 2);
	strcpy(frame + o, "\"}");
	for (i = 0; i < n; i++) {
		struct session *s = session_new(x->adv, NULL);

		say(x, s, frame);
		assert_string_equal(code(x), "reply");
		session_free(s);
	}
	free(frame);
	advisor_sweep(x->adv, x->now + 1000000);
	return metrics.conversations;
}

/* Detached conversations are held by the memory they take, not only by
 * their number: 10,000 of long texts, which one address could leave behind
 * within the minute they are kept, held 900 MB. */
static void
t_detached_bytes(void **state)
{
	struct fx *x = *state;
	struct advisor_opts ao = { .max_text_chars = 2000, .max_conversations
	    = 3, .detached_bytes_max = 300000 };

	advisor_set_opts(x->adv, &ao);
	/* short conversations: all of them stay */
	assert_true(held_after(x, 20, 2) == 20);
	/* 100 more of 4,000 bytes of text each: no more than the budget
	 * holds, and not none */
	assert_true(held_after(x, 100, 2000) <= 300000 / 4000);
	assert_true(metrics.conversations >= 1);
}

/* A bridge's conversation let go by the sweep is detached from then on,
 * the newest of them: when it takes the detached past their cap
 * (ADVISOR_DETACHED_MAX), the oldest visitor's goes, not it.  The sweep
 * decided whether to sort before letting it go, so it went through in
 * table order and the one just let go was the first past the cap,
 * dropped at once. */
static void
t_sweep_oldest(void **state)
{
	struct fx *x = *state;
	struct advisor_opts ao = { .max_text_chars = 50, .max_conversations
	    = 3, .detached_bytes_max = SIZE_MAX };
	const char *ask = "{\"type\":\"message\",\"text\":\"what is kpo\","
	    "\"conversation\":\"u0\"}";
	struct session *s, *v;
	char resume[80];
	int i;

	advisor_set_opts(x->adv, &ao);
	s = session_new(x->adv, "team");
	say(x, s, ask);
	snprintf(resume, sizeof(resume), "%s", str(x->g.f[0], "resume"));
	x->now += 1801LL * 1000000;
	for (i = 0; i < ADVISOR_DETACHED_MAX; i++) {
		v = session_new(x->adv, NULL);
		say(x, v, "{\"type\":\"message\",\"text\":\"hi\"}");
		session_free(v);
	}
	assert_int_equal(metrics.conversations, ADVISOR_DETACHED_MAX + 1);
	advisor_sweep(x->adv, x->now + 1000);
	assert_int_equal(metrics.conversations, ADVISOR_DETACHED_MAX);
	/* still in memory: the same conversation, not one from the log */
	say(x, s, ask);
	assert_string_equal(code(x), "reply");
	assert_string_equal(str(x->g.f[0], "resume"), resume);
	session_free(s);
}

/* Wait until the log has resolved SEQ. */
static void
wait_seq(struct store *st, uint64_t seq)
{
	struct timespec nap = { 0, 1000000 };
	int i;

	for (i = 0; i < 10000 && store_resolved(st) < seq; i++)
		nanosleep(&nap, NULL);
	assert_true(store_resolved(st) >= seq);
}

/* The first column of every row SQL returns from the log DB, each
 * followed by SEP; "" when there is none. */
static void
logged(const char *db, const char *sql, const char *sep, char *out,
    size_t len)
{
	sqlite3 *h;
	sqlite3_stmt *q;
	size_t used = 0;
	const unsigned char *t;

	out[0] = '\0';
	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &q, NULL), SQLITE_OK);
	while (sqlite3_step(q) == SQLITE_ROW && used < len) {
		t = sqlite3_column_text(q, 0);
		used += (size_t)snprintf(out + used, len - used, "%s%s",
		    t ? (const char *)t : "NULL", sep);
	}
	sqlite3_finalize(q);
	sqlite3_close(h);
}

/* The logged states (all conversations), joined. */
static void
logged_states(const char *db, char *out, size_t len)
{
	logged(db, "SELECT state FROM states", "", out, len);
}

/* A question about which side a task belongs to gets a verdict naming
 * the task (after "what is bpo", market research, a KPO task, had got the
 * BPO examples), or for a task the content does not know, the rule that
 * sorts tasks.  A plain follow-up still follows the context. */
static void
t_task_question(void **state)
{
	static const struct {
		const char *first, *then, *intent, *node, *says;
	} cases[] = {
		{ "what is bpo", "is market research kpo or bpo",
		    "classify_kpo", "classify_kpo_named",
		    "*market research* is one of the tasks it names" },
		{ "what is kpo", "is call center bpo or kpo", "classify_bpo",
		    "classify_bpo", "placing *call center* is my judgement" },
		{ "what is kpo", "is software development bpo or kpo",
		    "classify", "classify", "Two questions sort most tasks" },
		/* routine work that merely mentions research is no KPO */
		{ "what is bpo", "is transcribing research interviews bpo or "
		    "kpo", "classify", "classify", "Two questions" },
		{ "what is bpo", "tax filing - bpo or kpo?", "classify_bpo",
		    "classify_bpo", "placing *tax filing* is my judgement" },
		/* a task on its own after a verdict is the next verdict */
		{ "is market research kpo", "and payroll?", "classify_bpo",
		    "classify_bpo", "placing *payroll* is my judgement" },
		{ "what is bpo", "give me examples", "examples",
		    "examples_bpo", NULL },
		{ "what is kpo", "some examples please", "examples",
		    "examples_kpo", NULL },
		/* the challenges the advisor knows are KPO's: asked about
		 * BPO's, it says so instead of passing KPO's off as them */
		{ "what is bpo", "what are the challenges of bpo",
		    "bpo_challenges", "bpo_challenges", NULL },
		{ "what is bpo", "what are the main challenges",
		    "kpo_challenges", "kpo_challenges", NULL },
	};
	struct fx *x = *state;
	struct session *s;
	char buf[160];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = session_new(x->adv, NULL);
		snprintf(buf, sizeof(buf), "{\"type\":\"message\",\"text\":"
		    "\"%s\"}", cases[i].first);
		say(x, s, buf);
		snprintf(buf, sizeof(buf), "{\"type\":\"message\",\"text\":"
		    "\"%s\"}", cases[i].then);
		say(x, s, buf);
		assert_string_equal(str(x->g.f[0], "intent"), cases[i].intent);
		assert_string_equal(str(x->g.f[0], "node"), cases[i].node);
		if (cases[i].says != NULL)
			assert_non_null(strstr(str(x->g.f[0], "text"),
			    cases[i].says));
		session_free(s);
	}
}

/* A recommendation gives the reasons for its verdict first and marks the
 * answer that pointed the other way, instead of listing it as a reason. */
static void
t_reasons_other_way(void **state)
{
	static const char *const picks[] = { "routine", "cost",
	    "transactional", "small", "not_sensitive", "no_expertise" };
	struct fx *x = *state;
	struct session *s = session_new(x->adv, NULL);
	char buf[128];
	const char *text, *other, *bullet;
	size_t i;

	say(x, s, "{\"type\":\"message\",\"text\":\"help me decide\"}");
	for (i = 0; i < sizeof(picks) / sizeof(picks[0]); i++) {
		snprintf(buf, sizeof(buf), "{\"type\":\"choose\",\"option\":"
		    "\"%s\"}", picks[i]);
		say(x, s, buf);
	}
	assert_string_equal(str(x->g.f[0], "node"), "recommendation");
	text = str(x->g.f[0], "text");
	assert_non_null(strstr(text, "*BPO*"));
	other = strstr(text, "- Pointing the other way: ");
	assert_non_null(other);
	assert_non_null(strstr(other, "KPO"));
	/* the reason goes on the sentence, in lower case ("...: You lack") */
	assert_non_null(strstr(other, "other way: you lack"));
	/* it is the last of the reasons: no reason bullet after it before
	 * the cautions */
	bullet = strstr(other + 2, "\n- ");
	assert_true(bullet == NULL || strstr(other, "What to watch for") <
	    bullet);
	session_free(s);
}

/* After a side question inside the questionnaire, the question's answers
 * are still on offer, and typing one answers it (it fell back). */
static void
t_answer_after_digression(void **state)
{
	struct fx *x = *state;
	struct session *s = session_new(x->adv, NULL);

	say(x, s, "{\"type\":\"message\",\"text\":\"help me decide\"}");
	assert_string_equal(str(x->g.f[0], "node"), "q_work");
	say(x, s, "{\"type\":\"message\",\"text\":\"what is kpo?\"}");
	assert_string_equal(str(x->g.f[0], "node"), "define_kpo");
	say(x, s, "{\"type\":\"message\",\"text\":\"what is bpo?\"}");
	say(x, s, "{\"type\":\"message\",\"text\":\"mostly routine\"}");
	assert_string_equal(str(x->g.f[0], "intent"), "answer_routine");
	assert_string_equal(str(x->g.f[0], "node"), "q_goal");
	say(x, s, "{\"type\":\"message\",\"text\":\"can I talk to a "
	    "human\"}");
	assert_string_equal(str(x->g.f[0], "node"), "contact");
	say(x, s, "{\"type\":\"message\",\"text\":\"skip\"}");
	assert_string_equal(str(x->g.f[0], "intent"), "answer_skip");
	assert_string_equal(str(x->g.f[0], "node"), "q_engagement");
	/* answered, the question is no longer pending: "mostly routine"
	 * is no answer to the next one */
	say(x, s, "{\"type\":\"message\",\"text\":\"what is kpo?\"}");
	say(x, s, "{\"type\":\"message\",\"text\":\"mostly routine\"}");
	assert_string_not_equal(str(x->g.f[0], "intent"), "answer_routine");
	session_free(s);
}

/* Two questions in one message: the reply answers one and offers the
 * other as its first button, which answers it. */
static void
t_two_questions(void **state)
{
	struct fx *x = *state;
	struct session *s = session_new(x->adv, NULL);
	const cJSON *first;

	say(x, s, "{\"type\":\"message\",\"text\":\"what is kpo and what "
	    "are its risks?\"}");
	assert_string_equal(str(x->g.f[0], "intent"), "kpo_challenges");
	first = cJSON_GetArrayItem(cJSON_GetObjectItem(x->g.f[0], "options"),
	    0);
	assert_string_equal(str(first, "id"), "define_kpo");
	assert_string_equal(str(first, "label"), "What is KPO?");
	say(x, s, "{\"type\":\"choose\",\"option\":\"define_kpo\"}");
	assert_string_equal(str(x->g.f[0], "intent"), "define_kpo");
	assert_string_equal(str(x->g.f[0], "node"), "define_kpo");
	/* one question: the buttons are the node's own */
	say(x, s, "{\"type\":\"message\",\"text\":\"what are the risks of "
	    "kpo\"}");
	first = cJSON_GetArrayItem(cJSON_GetObjectItem(x->g.f[0], "options"),
	    0);
	assert_string_equal(str(first, "id"), "comms");
	session_free(s);
}

/* "skip" typed at every question goes where the Skip button goes: the
 * same recommendation, with nothing answered ("skip" used to count as
 * "a bit of both" six times over). */
static void
t_typed_skip(void **state)
{
	struct fx *x = *state;
	struct session *typed = session_new(x->adv, NULL);
	struct session *clicked = session_new(x->adv, NULL);
	char want[DIALOGUE_TEXT_MAX];
	int i;

	say(x, clicked, "{\"type\":\"message\",\"text\":\"help me decide\"}");
	assert_string_equal(str(x->g.f[0], "node"), "q_work");
	for (i = 0; i < 6; i++)
		say(x, clicked, "{\"type\":\"choose\",\"option\":\"skip\"}");
	assert_string_equal(str(x->g.f[0], "node"), "recommendation");
	snprintf(want, sizeof(want), "%s", str(x->g.f[0], "text"));

	say(x, typed, "{\"type\":\"message\",\"text\":\"help me decide\"}");
	for (i = 0; i < 6; i++) {
		say(x, typed, "{\"type\":\"message\",\"text\":\"skip this "
		    "one\"}");
		assert_string_equal(str(x->g.f[0], "intent"), "answer_skip");
	}
	assert_string_equal(str(x->g.f[0], "node"), "recommendation");
	assert_string_equal(str(x->g.f[0], "text"), want);
	assert_null(strstr(want, "bit of both"));
	session_free(typed);
	session_free(clicked);
}

/* An incoming message is logged with the node the person was at, whether
 * typed or clicked, and the content version that matched it; the reply
 * with the node it leads to, and the reply to a click with the option
 * clicked (its why), so that review can tell what clicks led to: a topic's
 * reply to a click looked like a typed question's, and one at a node
 * without a topic says only "choose".  The reply as sent is as before. */
static void
t_logged_node(void **state)
{
	struct fx *x = *state;
	struct session *s;
	char buf[256], want[512], got[512], opt[64], n0[64], n1[64], n2[64];
	char i1[64];

	use_file_db(x, STORE_STRICT);
	x->adv = new_advisor(x->store, 0, 10, false);
	s = session_new(x->adv, NULL);
	say(x, s, "{\"type\":\"start\"}");
	snprintf(n0, sizeof(n0), "%s", str(x->g.f[0], "node"));
	snprintf(opt, sizeof(opt), "%s", str(cJSON_GetArrayItem(
	    cJSON_GetObjectItem(x->g.f[0], "options"), 0), "id"));
	snprintf(buf, sizeof(buf), "{\"type\":\"choose\",\"option\":\"%s\"}",
	    opt);
	say(x, s, buf);
	snprintf(n1, sizeof(n1), "%s", str(x->g.f[0], "node"));
	snprintf(i1, sizeof(i1), "%s", str(x->g.f[0], "intent"));
	assert_null(cJSON_GetObjectItem(x->g.f[0], "why"));
	assert_string_not_equal(n0, n1);	/* the click moved on */
	say(x, s, "{\"type\":\"message\",\"text\":\"what is bpo\"}");
	snprintf(n2, sizeof(n2), "%s", str(x->g.f[0], "node"));
	wait_seq(x->store, x->g.seq[0]);

	snprintf(want, sizeof(want), "%s,%s,", n0, n1);
	logged(x->db, "SELECT node FROM messages WHERE direction = 'in' "
	    "ORDER BY id", ",", got, sizeof(got));
	assert_string_equal(got, want);
	snprintf(want, sizeof(want), "%s,%s,%s,", n0, n1, n2);
	logged(x->db, "SELECT node FROM messages WHERE direction = 'out' "
	    "ORDER BY id", ",", got, sizeof(got));
	assert_string_equal(got, want);
	snprintf(want, sizeof(want), "start NULL,%s {\"choose\":\"%s\"},"
	    "define_bpo NULL,", i1, opt);
	logged(x->db, "SELECT intent || ' ' || coalesce(why, 'NULL') FROM "
	    "messages WHERE direction = 'out' ORDER BY id", ",", got,
	    sizeof(got));
	assert_string_equal(got, want);
	/* each question, typed or clicked, with the content that matched
	 * it; the replies with none */
	snprintf(want, sizeof(want), "in %s,in %s,out NULL,out NULL,"
	    "out NULL,", advisor_content_version(x->adv),
	    advisor_content_version(x->adv));
	logged(x->db, "SELECT direction || ' ' || coalesce(content_version, "
	    "'NULL') FROM messages ORDER BY direction, id", ",", got,
	    sizeof(got));
	assert_string_equal(got, want);
	session_free(s);
}

/* Each content load is logged, at start and on a reload, so that review
 * knows which content is served before anyone has asked it anything. */
static void
t_content_loads(void **state)
{
	struct fx *x = *state;
	struct intents *in;
	struct dialogues *dl;
	char got[256], want[160];

	use_file_db(x, STORE_FAST);
	x->adv = new_advisor(x->store, 0, 10, false);
	assert_int_equal(content_load(ADVISOR_CONTENT_DIR, false, stderr, &in,
	    &dl), 0);
	advisor_set_content(x->adv, in, dl);
	/* rows commit in order: once this one is in, so are the loads */
	wait_seq(x->store, store_put_state(x->store, "probe", "{}", x->now));
	logged(x->db, "SELECT version FROM content_loads ORDER BY time, rowid",
	    ",", got, sizeof(got));
	snprintf(want, sizeof(want), "%s,%s,", advisor_content_version(x->adv),
	    advisor_content_version(x->adv));
	assert_string_equal(got, want);
}

/* A bridge's conversation let go for idleness is logged as ended; named
 * again while still in memory, it is open again in the log too (dropoff
 * counted a person talking as one who had left). */
static void
t_bridge_back(void **state)
{
	struct fx *x = *state;
	struct session *s;
	char got[64];
	const char *ask = "{\"type\":\"message\",\"text\":\"what is kpo\","
	    "\"conversation\":\"u0\"}";

	use_file_db(x, STORE_FAST);
	x->adv = new_advisor(x->store, 0, 10, false);
	s = session_new(x->adv, "team");
	say(x, s, ask);
	assert_string_equal(code(x), "reply");
	x->now += 1801LL * 1000000;
	advisor_sweep(x->adv, x->now);
	wait_seq(x->store, store_put_state(x->store, "probe", "{}", x->now));
	logged(x->db, "SELECT ended IS NOT NULL FROM conversations WHERE id = "
	    "'b-team:u0'", "", got, sizeof(got));
	assert_string_equal(got, "1");
	say(x, s, ask);
	assert_string_equal(code(x), "reply");
	wait_seq(x->store, store_put_state(x->store, "probe", "{}", x->now));
	logged(x->db, "SELECT ended IS NOT NULL FROM conversations WHERE id = "
	    "'b-team:u0'", "", got, sizeof(got));
	assert_string_equal(got, "0");
	session_free(s);
}

/* Fast mode (defer_state): the dialogue state is logged by the sweep and
 * when the conversation is left, not with every reply. */
static void
t_deferred_state(void **state)
{
	struct fx *x = *state;
	struct advisor_opts ao = { .max_text_chars = 50, .defer_state = true };
	struct intents *in;
	struct dialogues *dl;
	struct session *s;
	char got[4096], want1[96], want2[96];

	use_file_db(x, STORE_FAST);
	ao.store = x->store;
	assert_int_equal(content_load(ADVISOR_CONTENT_DIR, false, stderr, &in,
	    &dl), 0);
	assert_non_null(x->adv = advisor_new(in, dl, &ao));

	s = session_new(x->adv, NULL);
	say(x, s, "{\"type\":\"message\",\"text\":\"what is kpo\"}");
	snprintf(want1, sizeof(want1), "\"node\":\"%s\"",
	    str(x->g.f[0], "node"));
	wait_seq(x->store, x->g.seq[0]);
	logged_states(x->db, got, sizeof(got));
	assert_string_equal(got, "");	/* the reply did not log it */

	/* a sweep logs it once it moved 10 s ago (a live conversation is not
	 * evicted) */
	advisor_sweep(x->adv, x->now + 9000000);
	say(x, s, "{\"type\":\"ping\"}");
	wait_seq(x->store, store_put_state(x->store, "probe", "{}", x->now));
	logged_states(x->db, got, sizeof(got));
	assert_string_equal(got, "{}");	/* only the probe: not yet */
	advisor_sweep(x->adv, x->now + 10000000);
	say(x, s, "{\"type\":\"message\",\"text\":\"what is bpo\"}");
	snprintf(want2, sizeof(want2), "\"node\":\"%s\"",
	    str(x->g.f[0], "node"));
	assert_string_not_equal(want1, want2);
	wait_seq(x->store, x->g.seq[0]);
	logged_states(x->db, got, sizeof(got));
	assert_non_null(strstr(got, want1));

	/* leaving the conversation logs where it stands */
	session_free(s);
	advisor_free(x->adv);
	x->adv = NULL;
	store_close(x->store);
	x->store = NULL;
	logged_states(x->db, got, sizeof(got));
	assert_non_null(strstr(got, want2));
	assert_null(strstr(got, want1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_web_ids_by_start, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_conversation, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_first_frames, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_resume, setup, teardown),
		cmocka_unit_test_setup_teardown(t_logged_node, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_task_question, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_typed_skip, setup, teardown),
		cmocka_unit_test_setup_teardown(t_two_questions, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_answer_after_digression,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(t_reasons_other_way, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_bridge, setup, teardown),
		cmocka_unit_test_setup_teardown(t_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(t_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(t_lazy_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(t_detached_bytes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_resume_age, setup, teardown),
		cmocka_unit_test_setup_teardown(t_bridge_idle, setup, teardown),
		cmocka_unit_test_setup_teardown(t_clock_step, setup, teardown),
		cmocka_unit_test_setup_teardown(t_bridge_back, setup, teardown),
		cmocka_unit_test_setup_teardown(t_sweep_oldest, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_content_loads, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_deferred_state, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
