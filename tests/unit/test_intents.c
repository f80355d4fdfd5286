/*
 * test_intents.c: cmocka tests of the intent engine: normalisation,
 * spelling correction, concepts, captures as slots, context activation,
 * follow-ups, priority and tie order, fallback suggestions, JIT and
 * interpreter agreement, the literal prefilter, hostile (ReDoS-shaped)
 * input, load errors and the catalog check.  Small catalogs are written to
 * a temporary folder; the shipped one is read from the source tree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <cjson/cJSON.h>

#include "daemon/jbuf.h"
#include "intents/intents.h"
#include "intents/intents_int.h"
#include "intents/prefilter.h"
#include "intents/spell.h"

#define SHIPPED	ADVISOR_CONTENT_DIR "/intents"

static struct intent_result res, res2;
static char tmpdir[64];

/* A fresh temporary folder holding one catalog file NAME with TEXT. */
static const char *
catalog_dir(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_intents.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	assert_non_null(f = fopen(path, "w"));
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
	return tmpdir;
}

static void
catalog_rm(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	assert_int_equal(system(cmd), 0);
}

static struct intents *
load_text(const char *text, bool jit)
{
	char err[512];
	struct intents *c;

	c = intents_load(catalog_dir("a.json", text), jit, err, sizeof(err));
	if (c == NULL)
		fail_msg("load: %s", err);
	catalog_rm();
	return c;
}

/* Load TEXT expecting failure; the error goes into ERR. */
static void
load_fails(const char *text, char *err, size_t errlen)
{
	struct intents *c;

	c = intents_load(catalog_dir("bad.json", text), true, err, errlen);
	catalog_rm();
	assert_null(c);
}

static const char *
match(const struct intents *c, const char *text, const char *ctx0,
    const char *ctx1)
{
	const char *ctx[2] = { ctx0, ctx1 };

	assert_int_equal(intents_match(c, text, strlen(text), ctx, 2, &res),
	    0);
	return res.intent;
}

static const char tiny[] =
    "{\"concepts\": {\"kpo\": [\"kpo\", \"knowledge process outsourcing\"],"
    " \"bpo\": [\"bpo\", \"business process outsourcing\"]},"
    " \"vocabulary\": [\"weather\"],"
    " \"intents\": ["
    "{\"id\": \"fallback\"},"
    "{\"id\": \"define_kpo\", \"label\": \"What is KPO?\","
    " \"patterns\": [\"\\\\bwhat is {kpo}\\\\b\", \"^{kpo}$\","
    "  {\"re\": \"^(?:and |what about )?(?:the )?other(?: one)?$\","
    "   \"context\": [\"define_bpo\"]}],"
    " \"examples\": [\"what is kpo\", \"kpo\"]},"
    "{\"id\": \"define_bpo\", \"patterns\": [\"\\\\bwhat is {bpo}\\\\b\"],"
    " \"examples\": [\"what is bpo\"]},"
    "{\"id\": \"compare\", \"priority\": 1,"
    " \"patterns\": [\"\\\\b{bpo}\\\\b.*\\\\b{kpo}\\\\b\"],"
    " \"examples\": [\"what is bpo and kpo\", \"bpo versus kpo\"]},"
    "{\"id\": \"size\", \"patterns\": [\"we are (?<n>[0-9]+) people\"],"
    " \"examples\": [\"we are 12 people\"]},"
    "{\"id\": \"first\", \"patterns\": [\"\\\\bzebra\\\\b\"],"
    " \"examples\": [\"zebra crossing\"]},"
    "{\"id\": \"second\", \"patterns\": [\"\\\\bzebra\\\\b\"],"
    " \"examples\": []},"
    "{\"id\": \"longer\", \"patterns\": [\"\\\\bzebra crossing\\\\b\"],"
    " \"examples\": []},"
    "{\"id\": \"answer_yes\", \"priority\": 4, \"context\": [\"q_x\"],"
    " \"patterns\": [\"^(?:yes|yeah)\\\\b\"], \"examples\": [\"yes\"]},"
    "{\"id\": \"nope\", \"patterns\": [\"\\\\bnope\\\\b\"],"
    " \"exclude\": [\"\\\\bnot nope\\\\b\"], \"examples\": [\"nope\"]}"
    "]}";

static void
test_normalise(void **state)
{
	struct intents *c = load_text(tiny, true);

	(void)state;
	match(c, "  WHAT'S   the   Point?!  ", NULL, NULL);
	assert_string_equal(res.normalized, "what is the point");
	match(c, "whats up, I DONT know", NULL, NULL);
	assert_string_equal(res.normalized, "what is up i do not know");
	match(c, "it\xe2\x80\x99s fine", NULL, NULL);
	assert_string_equal(res.normalized, "it is fine");
	/* the longest contractions, the shortest, and words that only
	 * begin like one */
	match(c, "Theyre cannot, doesnt: wheres U v whatsup itsy", NULL, NULL);
	assert_string_equal(res.normalized, "they are can not does not where "
	    "is you versus whatsup itsy");
	/* chat shorthand ("what kind of ppl work at a kpo firm" fell back) */
	match(c, "ppl abt ur firm cuz thnx", NULL, NULL);
	assert_string_equal(res.normalized, "people about your firm because "
	    "thanks");
	match(c, "", NULL, NULL);
	assert_string_equal(res.normalized, "");
	assert_string_equal(res.intent, "fallback");
	/* invalid UTF-8 becomes a word break: the matcher sees valid text */
	match(c, "ab\xff\xfe cd\xc3 e\xed\xa0\x80" "f \xf0\x9f\x98\x80!",
	    NULL, NULL);
	assert_string_equal(res.normalized, "ab cd e f");
	match(c, "caf\xc3\xa9 na\xc3\xafve", NULL, NULL);
	assert_string_equal(res.normalized, "caf\xc3\xa9 na\xc3\xafve");
	/* symbols beyond ASCII are punctuation: emoji (with their variation
	 * selector and joiner), dashes, guillemets, the inverted question
	 * mark; letters stay ("Hello \U0001F44B" fell back) */
	match(c, "Hello \xf0\x9f\x91\x8b", NULL, NULL);
	assert_string_equal(res.normalized, "hello");
	match(c, "ok\xf0\x9f\x91\x8d\xef\xb8\x8f thanks\xe2\x80\x8d!", NULL, NULL);
	assert_string_equal(res.normalized, "ok thanks");
	match(c, "caf\xc3\xa9\xe2\x80\x94na\xc3\xafve \xc2\xab kpo \xc2\xbb "
	    "\xc2\xbf" "bpo?", NULL, NULL);
	assert_string_equal(res.normalized, "caf\xc3\xa9 na\xc3\xafve kpo bpo");
	match(c, "\xe2\x9c\x85\xf0\x9f\x98\x80", NULL, NULL);
	assert_string_equal(res.normalized, "");
	/* addresses are left out; what merely has an @ or a dot is not one */
	match(c, "write to joe.b@example.org, or see https://example.com/x "
	    "and WWW.Example.com/y\tthen ask", NULL, NULL);
	assert_string_equal(res.normalized, "write to or see and then ask");
	match(c, "joe@example.org", NULL, NULL);
	assert_string_equal(res.normalized, "");
	match(c, "@home x@y 3.50@store a@b. http:// www.", NULL, NULL);
	assert_string_equal(res.normalized, "home x y 3 50 store a b http www");
	intents_free(c);
}

static void
test_spelling(void **state)
{
	static const struct {
		const char	*text;
		size_t		 rewrites;
		const char	*first;	/* the first rewrite's word, or NULL */
	} names[] = {
		{ "Can we move our support team to Paris?", 0, NULL },
		{ "We met. Then (Paris) came up", 0, NULL },
		{ "move it to paris", 1, "paris" },
		{ "MOVE IT TO PARIS", 1, "paris" },
		{ "Paris is lovely. Paris? Sure", 2, "paris" },
		{ "Whats the diference in Paris", 1, "diference" },
		{ "a Parisian paris office", 1, "paris" },
		{ "my name is alice", 0, NULL },
		{ "a firm called alice, named alice", 0, NULL },
		{ "the name isnt alice", 1, "alice" },
	};
	struct intents *c = intents_load(SHIPPED, true, (char[256]){0}, 256);
	size_t k;

	(void)state;
	assert_non_null(c);
	assert_string_equal(match(c, "whats the diference between bpo and "
	    "knowlege process outsorcing", NULL, NULL), "compare");
	assert_int_equal(res.nrewrites, 3);
	assert_string_equal(res.rewrites[0].from, "diference");
	assert_string_equal(res.rewrites[0].to, "difference");
	assert_string_equal(res.rewrites[1].from, "knowlege");
	assert_string_equal(res.rewrites[1].to, "knowledge");
	assert_string_equal(res.rewrites[2].from, "outsorcing");
	assert_string_equal(res.rewrites[2].to, "outsourcing");
	/* transposition, one edit in a short word */
	match(c, "teh challnege of kpo", NULL, NULL);
	assert_string_equal(res.intent, "kpo_challenges");
	/* two letters swapped beats one letter wrong: "waht" is "what",
	 * not "want" (both one edit away, and "want" is in the catalog) */
	assert_string_equal(match(c, "waht is bpo", NULL, NULL), "define_bpo");
	assert_string_equal(res.rewrites[0].to, "what");
	/* a word in -ing stays an activity: "accounting" was "accountant"
	 * (two edits in the ending), which lost "what about ...ing" */
	assert_string_equal(match(c, "what about accounting", NULL, NULL),
	    "classify");
	assert_int_equal(res.nrewrites, 0);
	assert_string_equal(match(c, "whats outsorcing", NULL, NULL),
	    "similarities");
	assert_string_equal(res.rewrites[0].to, "outsourcing");
	/* a doubled letter typed once is no edit: "difrent" was two away
	 * from "different" and fell back; a short word is not read that
	 * way ("cats" is not "calls") */
	assert_string_equal(match(c, "difrent", NULL, NULL), "compare");
	assert_int_equal(res.nrewrites, 1);
	assert_string_equal(res.rewrites[0].to, "different");
	assert_string_equal(match(c, "comunication gaps", NULL, NULL),
	    "challenge_communication");
	match(c, "do you like cats", NULL, NULL);
	assert_int_equal(res.nrewrites, 0);
	/* short words and known words stay as typed */
	match(c, "the weather game", NULL, NULL);
	assert_int_equal(res.nrewrites, 0);
	assert_string_equal(res.normalized, "the weather game");
	/* too far away: left alone */
	match(c, "is it worth it to go abroad", NULL, NULL);
	assert_int_equal(res.nrewrites, 0);
	match(c, "xyzzyplugh", NULL, NULL);
	assert_int_equal(res.nrewrites, 0);
	/* a stem a pattern continues with \\w* ("(?:nearshor|pric)\\w*") is
	 * no word: "nearshorx" became "nearshor" and "pricx" "pric" */
	match(c, "is nearshorx cheaper", NULL, NULL);
	assert_int_equal(res.nrewrites, 1);
	assert_string_equal(res.rewrites[0].to, "nearshore");
	match(c, "pricx", NULL, NULL);
	assert_string_not_equal(res.normalized, "pric");
	/* the words of a group right after \\b are words, not a suffix
	 * glued to the "b": "talking" (help's "who am i (?:talking|...)")
	 * was unknown, so "am i talking to a bot" became "taking" */
	assert_string_equal(match(c, "am i talking to a bot", NULL, NULL),
	    "help");
	assert_int_equal(res.nrewrites, 0);
	/* but the stem typed alone is what the pattern matches: "prop" of
	 * "intellectual prop\\w*" was "pros", and the question value_creation */
	assert_string_equal(match(c, "what about intelectual prop", NULL,
	    NULL), "challenge_ip");
	assert_int_equal(res.nrewrites, 1);
	assert_string_equal(res.rewrites[0].to, "intellectual");
	/* words of its own with one near a catalog word are not that word:
	 * "monkey" was "money", and the answer cost_savings */
	assert_string_equal(match(c, "purple monkey dishwasher", NULL, NULL),
	    "fallback");
	assert_int_equal(res.nrewrites, 0);
	/* a name typed as one is not a misspelling: "Paris" stays, while
	 * the same word at a sentence's start, in shouting or in lower case
	 * is still one edit from "parts"; only the capitalised word is
	 * spared, not a misspelling beside it; and part of a longer word
	 * ("Parisian") is not the word */
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		match(c, names[k].text, NULL, NULL);
		assert_int_equal(res.nrewrites, names[k].rewrites);
		if (names[k].first != NULL)
			assert_string_equal(res.rewrites[0].from,
			    names[k].first);
	}
	match(c, "Can we move our support team to Paris?", NULL, NULL);
	assert_string_equal(res.normalized,
	    "can we move our support team to paris");
	/* a name or an address no longer picks the answer: these were
	 * "similarities" (alice -> alike) and "examples" (example.org) */
	assert_string_equal(match(c, "my name is alice, what is bpo", NULL,
	    NULL), "define_bpo");
	assert_string_equal(match(c, "write to me at joe@example.org, what "
	    "is kpo", NULL, NULL), "define_kpo");
	/* both asked at once: the answer that explains both */
	assert_string_equal(match(c, "what is bpo? what is kpo?", NULL, NULL),
	    "compare");
	/* asked of the advisor itself, or for a person: answered, not a
	 * fallback ("sales" was corrected to "saves") */
	assert_string_equal(match(c, "can someone from sales call me?", NULL,
	    NULL), "contact");
	assert_int_equal(res.nrewrites, 0);
	assert_string_equal(match(c, "Hi, I'm Maria, maria@example.com, "
	    "please contact me", NULL, NULL), "contact");
	assert_string_equal(match(c, "what is your name?", NULL, NULL),
	    "help");
	/* a hello with a name is a hello */
	assert_string_equal(match(c, "hello, my name is Priya", NULL, NULL),
	    "greeting");
	assert_string_equal(match(c, "hi there, this is Tom from Acme", NULL,
	    NULL), "greeting");
	assert_string_equal(match(c, "why would a company choose kpo over "
	    "bpo", NULL, NULL), "value_creation");
	assert_string_equal(match(c, "which one is more strategic", NULL,
	    NULL), "value_creation");
	intents_free(c);
}

/* A hello in front of a question: the question is answered, a hello
 * alone or with a name is still a hello, and what follows a hello is
 * matched on its own merits ("hola kpo meaning" fell back: the anchored
 * "kpo meaning" never saw its start). */
static void
test_greeting_before_question(void **state)
{
	struct intents *c = intents_load(SHIPPED, true, (char[256]){0}, 256);

	(void)state;
	assert_non_null(c);
	assert_string_equal(match(c, "hola kpo meaning", NULL, NULL),
	    "define_kpo");
	assert_string_equal(res.normalized, "hola kpo meaning");
	assert_string_equal(match(c, "hi there, bpo?", NULL, NULL),
	    "define_bpo");
	assert_string_equal(match(c, "Good morning! kpo", NULL, NULL),
	    "define_kpo");
	assert_string_equal(match(c, "hola", NULL, NULL), "greeting");
	assert_string_equal(match(c, "hi, I'm Bob", NULL, NULL), "greeting");
	assert_string_equal(match(c, "hello how is the weather", NULL, NULL),
	    "fallback");
	/* not a hello: the words stay where they are */
	assert_string_equal(match(c, "holiday kpo meaning", NULL, NULL),
	    "fallback");
	intents_free(c);
}

static void
test_concepts_and_slots(void **state)
{
	struct intents *c = load_text(tiny, true);

	(void)state;
	assert_string_equal(match(c, "What is Knowledge Process Outsourcing",
	    NULL, NULL), "define_kpo");
	assert_non_null(res.pattern);
	assert_string_equal(res.pattern, "\\bwhat is {kpo}\\b");
	assert_string_equal(match(c, "we are 42 people", NULL, NULL), "size");
	assert_int_equal(res.nslots, 1);
	assert_string_equal(res.slots[0].name, "n");
	assert_string_equal(res.slots[0].value, "42");
	assert_string_equal(intents_label(c, "define_kpo"), "What is KPO?");
	assert_string_equal(intents_label(c, "define_bpo"), "define_bpo");
	assert_true(intents_has(c, "compare"));
	assert_false(intents_has(c, "nothing"));
	assert_string_equal(intents_id(c, 0), "fallback");
	assert_null(intents_id(c, 999));
	assert_int_equal(strlen(intents_version(c)), 16);
	/* exclude patterns veto their intent */
	assert_string_equal(match(c, "nope", NULL, NULL), "nope");
	assert_string_equal(match(c, "not nope", NULL, NULL), "fallback");
	intents_free(c);
}

static void
test_context_and_followups(void **state)
{
	struct intents *c = load_text(tiny, true);

	(void)state;
	assert_string_equal(match(c, "yes", NULL, NULL), "fallback");
	assert_string_equal(match(c, "yes", "q_x", NULL), "answer_yes");
	assert_true(res.followup);
	assert_string_equal(match(c, "yeah sure", "root", "q_x"), "answer_yes");
	assert_string_equal(match(c, "the other one", NULL, NULL), "fallback");
	assert_string_equal(match(c, "the other one", "node", "define_bpo"),
	    "define_kpo");
	assert_true(res.followup);
	assert_string_equal(match(c, "what is kpo", "node", "define_bpo"),
	    "define_kpo");
	assert_false(res.followup);
	intents_free(c);

	/* the shipped catalog: after one definition, the other */
	c = intents_load(SHIPPED, true, (char[256]){0}, 256);
	assert_non_null(c);
	assert_string_equal(match(c, "and kpo?", "n", "define_bpo"),
	    "define_kpo");
	assert_string_equal(match(c, "what about the other one", "n",
	    "define_bpo"), "define_kpo");
	assert_true(res.followup);
	assert_string_equal(match(c, "and the other one", "n", "define_kpo"),
	    "define_bpo");
	assert_string_equal(match(c, "tell me more", "n", "compare"), "more");
	/* "how do i avoid that" right after a risk is how to handle it;
	 * out of that context it says too little to match */
	assert_string_equal(match(c, "how do i avoid that", "kpo_challenges",
	    "kpo_challenges"), "mitigate_risks");
	assert_string_equal(match(c, "how do we deal with it",
	    "challenge_ip", "kpo_challenges"), "mitigate_risks");
	assert_string_not_equal(match(c, "how do i avoid that", "root",
	    NULL), "mitigate_risks");
	assert_string_equal(match(c, "mostly data entry", "q_work", NULL),
	    "answer_routine");
	assert_string_equal(match(c, "mostly data entry", NULL, NULL),
	    "examples");
	assert_string_equal(match(c, "a bit of both", "q_goal", NULL),
	    "answer_mixed");
	/* company sizes by head count, every hundred (500 was no size) */
	assert_string_equal(match(c, "we're about 500 employees", "q_size",
	    NULL), "answer_large");
	assert_string_equal(match(c, "around 250 people", "q_size", NULL),
	    "answer_large");
	assert_string_equal(match(c, "we have 990 staff", "q_size", NULL),
	    "answer_large");
	assert_string_equal(match(c, "about 249 people", "q_size", NULL),
	    "answer_small");
	assert_string_equal(match(c, "5 people", "q_size", NULL),
	    "answer_small");
	assert_string_equal(match(c, "skip", "q_size", NULL), "answer_skip");
	intents_free(c);
}

static void
test_priority_and_ties(void **state)
{
	struct intents *c = load_text(tiny, true);

	(void)state;
	/* priority: compare (1) beats define_bpo and define_kpo (0) */
	assert_string_equal(match(c, "what is bpo and kpo", NULL, NULL),
	    "compare");
	assert_int_equal(res.nrunners, 1);
	assert_string_equal(res.runners[0], "define_bpo");
	/* equal priority: the longer match wins, then catalog order */
	assert_string_equal(match(c, "zebra crossing", NULL, NULL), "longer");
	assert_string_equal(match(c, "a zebra", NULL, NULL), "first");
	assert_int_equal(res.nrunners, 1);
	assert_string_equal(res.runners[0], "second");
	intents_free(c);
}

static void
test_fallback_suggestions(void **state)
{
	struct intents *c = intents_load(SHIPPED, true, (char[256]){0}, 256);
	size_t i;

	(void)state;
	assert_non_null(c);
	assert_string_equal(match(c, "outsourcing meaning kpo firms stuff",
	    NULL, NULL), "define_kpo");
	assert_string_equal(match(c, "quarterly cost savings reports",
	    NULL, NULL), "cost_savings");
	match(c, "zorp blat glorf", NULL, NULL);
	assert_string_equal(res.intent, "fallback");
	assert_int_equal(res.nsuggest, 0);
	match(c, "bpo companies", NULL, NULL);
	assert_string_equal(res.intent, "fallback");
	assert_string_equal(res.suggest[0], "define_bpo");
	assert_true(res.nsuggest >= 1 && res.nsuggest <= INTENT_MAX_SUGGEST);
	for (i = 0; i < res.nsuggest; i++) {
		assert_true(intents_has(c, res.suggest[i]));
		assert_string_not_equal(res.suggest[i], "fallback");
	}
	/* deterministic */
	memcpy(&res2, &res, sizeof(res));
	match(c, "bpo companies", NULL, NULL);
	assert_int_equal(res.nsuggest, res2.nsuggest);
	for (i = 0; i < res.nsuggest; i++)
		assert_string_equal(res.suggest[i], res2.suggest[i]);
	intents_free(c);
}

/* Every example and a set of odd texts: same intent, pattern and slots
 * under C1 and C2. */
static void
agree(struct intents *c1, struct intents *c2)
{
	static const char *const odd[] = {
		"", " ", "???", "bpo bpo bpo kpo", "what about the other one",
		"caf\xc3\xa9", "\xff\xfe broken utf8", "and kpo", "more",
		"knowledge process outsourcing vs business process outsourcing",
	};
	const char *ctx[2] = { "q_work", "define_bpo" };
	size_t i;

	for (i = 0; i < sizeof(odd) / sizeof(odd[0]) + 400; i++) {
		char buf[256];
		const char *t;

		if (i < sizeof(odd) / sizeof(odd[0]))
			t = odd[i];
		else {
			/* random words from the catalog's own examples */
			unsigned k = (unsigned)(i * 2654435761u);
			const char *w[] = { "what", "is", "kpo", "bpo", "cost",
			    "risk", "the", "other", "vs", "small", "ip", "more",
			    "examples", "yes", "no", "both", "we", "skills" };
			size_t nw = sizeof(w) / sizeof(w[0]);

			snprintf(buf, sizeof(buf), "%s %s %s %s",
			    w[k % nw], w[(k >> 5) % nw], w[(k >> 10) % nw],
			    w[(k >> 15) % nw]);
			t = buf;
		}
		intents_match(c1, t, strlen(t), ctx, i % 3, &res);
		intents_match(c2, t, strlen(t), ctx, i % 3, &res2);
		assert_string_equal(res.intent, res2.intent);
		assert_true((res.pattern == NULL) == (res2.pattern == NULL));
		if (res.pattern)
			assert_string_equal(res.pattern, res2.pattern);
		assert_int_equal(res.nslots, res2.nslots);
		assert_int_equal(res.nrunners, res2.nrunners);
	}
}

/* The held-out lines, matched by both catalogs alone and at a question. */
static void
agree_heldout(struct intents *c1, struct intents *c2)
{
	const char *ctx[1] = { "q_work" };
	char line[1024];
	FILE *f;
	size_t n = 0;

	f = fopen(ADVISOR_CONTENT_DIR "/tests/heldout/intents.tsv", "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *t = strrchr(line, '\t');
		size_t k;

		if (line[0] == '#' || t == NULL)
			continue;
		t++;
		line[strcspn(line, "\r\n")] = '\0';
		for (k = 0; k < 2; k++) {
			intents_match(c1, t, strlen(t), ctx, k, &res);
			intents_match(c2, t, strlen(t), ctx, k, &res2);
			if (strcmp(res.intent, res2.intent) != 0)
				fail_msg("\"%s\": %s with the prefilter, %s "
				    "without", t, res.intent, res2.intent);
		}
		n++;
	}
	fclose(f);
	assert_true(n >= 150);
}

static void
test_jit_and_interpreter_agree(void **state)
{
	char err[256];
	struct intents *a = intents_load(SHIPPED, true, err, sizeof(err));
	struct intents *b = intents_load(SHIPPED, false, err, sizeof(err));

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_false(intents_jit(b));
	agree(a, b);
	/* and the interpreter passes the catalog's own check */
	assert_int_equal(intents_check(b, stderr), 0);
	intents_free(a);
	intents_free(b);
}

/* A pattern the JIT cannot compile (\\C in UTF mode) turns the JIT off for
 * the catalog, as MemoryDenyWriteExecute would; matching carries on. */
static void
test_jit_fallback(void **state)
{
	struct intents *c = load_text("{\"intents\": [{\"id\": \"fallback\"},"
	    "{\"id\": \"one\", \"patterns\": [\"^one\\\\b\"],"
	    " \"examples\": [\"one\"]},"
	    "{\"id\": \"odd\", \"patterns\": [\"^od\\\\Cd$\"],"
	    " \"examples\": [\"odxd\"]}]}", true);

	(void)state;
	assert_false(intents_jit(c));
	assert_string_equal(match(c, "one more", NULL, NULL), "one");
	assert_string_equal(match(c, "odxd", NULL, NULL), "odd");
	assert_string_equal(match(c, "nothing", NULL, NULL), "fallback");
	assert_int_equal(intents_check(c, stderr), 0);
	intents_free(c);
}

static void
test_prefilter_hides_nothing(void **state)
{
	char err[256];
	struct intents *a = intents_load(SHIPPED, true, err, sizeof(err));
	struct intents *b = intents_load(SHIPPED, true, err, sizeof(err));

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	intents_set_prefilter(b, false);
	agree(a, b);
	agree_heldout(a, b);
	assert_true(intents_always(a) < intents_count(a) / 4);
	intents_free(a);
	intents_free(b);
}

static void
on_hit(void *arg, size_t pid)
{
	*(size_t *)arg = pid + 1;
}

/* Syntax the literal analysis must not misread (each found by fuzzing the
 * analysis against PCRE2): the subject matches the pattern, so the filter
 * must either let the pattern through or not filter it at all. */
static void
test_prefilter_tricky_syntax(void **state)
{
	static const char *const cases[][2] = {
		{ "(?#:a)bc", "bc" },
		{ "(?x) a b c", "abc" },
		{ "a(*ACCEPT)bc", "a" },
		{ "[?[:]#yh|zz", "[#yh" },
		{ "\\x41bc", "abc" },
		{ "\\cabc", "\001bc" },
		{ "(?<n>xy)z", "xyz" },
		{ "(?i:ab)c", "abc" },
		{ "(a)\\1q", "aaq" },
		{ "ab?c", "ac" },
		{ "(?:ab|cd)+x{0,2}y", "cdy" },
		{ "\\Qa.b\\E|zz", "a.b" },
		{ "\\bwhat is (?:the )?{kpo}\\b", "x" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct prefilter *f = prefilter_new();
		size_t found = 0;
		int rc;

		assert_non_null(f);
		rc = prefilter_add(f, cases[i][0], 7);
		assert_true(rc == 0 || rc == 1);
		prefilter_scan(f, cases[i][1], strlen(cases[i][1]), on_hit,
		    &found);
		if (rc == 1 && i + 1 < sizeof(cases) / sizeof(cases[0]))
			assert_int_equal(found, 8);
		prefilter_free(f);
	}
}

/* Literals between word boundaries count only where the message has the
 * boundaries too; anything less sure still lets the pattern through. */
static void
test_prefilter_word_bounds(void **state)
{
	static const struct {
		const char	*re, *text;
		int		 hit;
	} cases[] = {
		{ "\\b(?:ai|rpa)\\b", "will ai replace bpo", 1 },
		{ "\\b(?:ai|rpa)\\b", "ai", 1 },
		{ "\\b(?:ai|rpa)\\b", "what about (ai)", 1 },
		{ "\\b(?:ai|rpa)\\b", "caf\xc3\xa9 ai\xc3\xa9", 1 },
		{ "\\b(?:ai|rpa)\\b", "she said it again", 0 },
		{ "\\b(?:ai|rpa)\\b", "explain the aim", 0 },
		{ "\\b(?:ai|rpa)\\b", "rpas", 0 },
		{ "\\bai\\b", "said", 0 },
		{ "\\bai\\b", "an ai tool", 1 },
		{ "\\bai", "aim", 1 },
		{ "\\bai", "said", 0 },
		{ "ai\\b", "thai food", 1 },
		{ "ai\\b", "said", 0 },
		{ "\\b(?:ai)+\\b", "aiai", 1 },
		{ "\\bx(?:ai|b)\\b", "xai", 1 },
		{ "\\b(?:ai|b)x\\b", "aix", 1 },
		{ "\\b(?:ai x|ai)\\b", "ai x", 1 },
		{ "\\b(?:(?:ai|rpa) bots?|ai)\\b", "ai bot", 1 },
		{ "\\b(?:ai|rpa)s?\\b", "ais", 1 },
		{ "\\b(?:ai|rpa)\\w*", "aide", 1 },
		{ "\\b(?:ai|the ai)\\b", "blah ai", 1 },
		{ "(?:\\bai|rpa)\\b", "aim", 0 },
		{ "(?:\\bai|rpa)\\b", "saidrpa", 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct prefilter *f = prefilter_new();
		size_t found = 0;

		assert_non_null(f);
		assert_int_equal(prefilter_add(f, cases[i].re, 7), 1);
		prefilter_scan(f, cases[i].text, strlen(cases[i].text),
		    on_hit, &found);
		if ((found == 8) != cases[i].hit)
			fail_msg("%s on \"%s\": %s", cases[i].re,
			    cases[i].text, found ? "ran" : "filtered");
		prefilter_free(f);
	}
}

static void
test_hostile_input(void **state)
{
	static char big[INTENT_TEXT_MAX * 3];
	static const char *const shapes[] = {
		"a", "ab", "a ", "bpo ", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab ",
		"what is ", "((((a))))", "x\xff", "\xc3", "kpo vs ",
	};
	char err[256];
	struct intents *cs[2];
	size_t s, i, k;

	(void)state;
	/* a pattern built to backtrack badly, with the shipped ones */
	cs[0] = load_text("{\"intents\": [{\"id\": \"fallback\"},"
	    "{\"id\": \"evil\", \"patterns\": [\"^(a+)+$\", \"(\\\\w+\\\\s?)*x$\","
	    " \"(.*a){12}y\"], \"examples\": []}]}", true);
	cs[1] = intents_load(SHIPPED, true, err, sizeof(err));
	assert_non_null(cs[1]);
	for (k = 0; k < 2; k++)
		for (s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
			size_t l = strlen(shapes[s]);

			for (i = 0; i + l < sizeof(big); i += l)
				memcpy(big + i, shapes[s], l);
			big[i] = '\0';
			assert_int_equal(intents_match(cs[k], big, i, NULL, 0,
			    &res), 0);
			assert_non_null(res.intent);
			assert_true(strlen(res.normalized) < INTENT_TEXT_MAX);
			/* the evil patterns hit their limits: no match */
			if (k == 0 && (s == 1 || s == 2))
				assert_string_equal(res.intent, "fallback");
		}
	assert_string_equal(match(cs[0], "aaaa", NULL, NULL), "evil");
	intents_free(cs[0]);
	intents_free(cs[1]);
}

/* "mentions": the model the text names is a slot of the winner, so that
 * the dialogue can prefer it to a node's own follow-up; none when the
 * text names both or neither, and only for intents that ask for it. */
static void
test_mentions(void **state)
{
	struct intents *c = intents_load(SHIPPED, true, (char[256]){0}, 256);
	char err[512];

	(void)state;
	assert_non_null(c);
	assert_string_equal(match(c, "examples of kpo companies", "define_bpo",
	    "define_bpo"), "examples");
	assert_int_equal(res.nslots, 1);
	assert_string_equal(res.slots[0].name, "model");
	assert_string_equal(res.slots[0].value, "kpo");
	assert_string_equal(match(c, "business process outsourcing examples",
	    NULL, NULL), "examples");
	assert_int_equal(res.nslots, 1);
	assert_string_equal(res.slots[0].value, "bpo");
	assert_string_equal(match(c, "examples", "define_kpo", NULL),
	    "examples");
	assert_int_equal(res.nslots, 0);
	assert_string_equal(match(c, "kpo examples and bpo examples", NULL,
	    NULL), "examples");
	assert_int_equal(res.nslots, 0);
	assert_string_equal(match(c, "what is kpo", NULL, NULL), "define_kpo");
	assert_int_equal(res.nslots, 0);
	assert_false(intents_needs_slots(c, "examples"));
	intents_free(c);
	load_fails("{\"intents\": [{\"id\": \"fallback\"}, {\"id\": \"m\","
	    " \"mentions\": {\"model\": [\"nothere\"]},"
	    " \"patterns\": [\"x\"]}]}", err, sizeof(err));
	assert_non_null(strstr(err, "nothere"));
	load_fails("{\"intents\": [{\"id\": \"fallback\"}, {\"id\": \"m\","
	    " \"mentions\": [\"model\"], \"patterns\": [\"x\"]}]}", err,
	    sizeof(err));
	assert_non_null(strstr(err, "mentions"));
}

static void
test_load_errors(void **state)
{
	struct intents *c;
	char err[512];

	(void)state;
	load_fails("{\"intents\": [{\"id\": \"fallback\"}, {\"id\": \"broken\","
	    " \"patterns\": [\"what (is\"]}]}", err, sizeof(err));
	assert_non_null(strstr(err, "bad.json"));
	assert_non_null(strstr(err, "broken"));
	assert_non_null(strstr(err, "what (is"));
	load_fails("{\"intents\": [{\"id\": \"fallback\"}, {\"id\": \"nocon\","
	    " \"patterns\": [\"{nothere} x\"]}]}", err, sizeof(err));
	assert_non_null(strstr(err, "bad.json"));
	assert_non_null(strstr(err, "nocon"));
	assert_non_null(strstr(err, "nothere"));
	load_fails("{\"intents\": [ {\"id\": \"fallback\"}, \n oops ]}", err,
	    sizeof(err));
	assert_non_null(strstr(err, "bad.json:2"));
	assert_non_null(strstr(err, "invalid JSON"));
	/* One document a file: a stray brace or a second document after it
	 * is refused with the file, line and byte offset, not dropped. */
	load_fails("{\"intents\": [{\"id\": \"fallback\"}]}\n{", err,
	    sizeof(err));
	assert_non_null(strstr(err, "bad.json:2: trailing data"));
	assert_non_null(strstr(err, "byte offset 34"));
	load_fails("{\"intents\": [{\"id\": \"fallback\"}]} {\"intents\": []}",
	    err, sizeof(err));
	assert_non_null(strstr(err, "trailing data"));
	c = intents_load(catalog_dir("ok.json", "{\"intents\": [{\"id\":"
	    " \"fallback\"}]} \n\t\r\n"), true, err, sizeof(err));
	catalog_rm();
	if (c == NULL)
		fail_msg("load: %s", err);
	intents_free(c);
	load_fails("{\"intents\": [{\"id\": \"x\", \"patterns\": [\"x\"]}]}",
	    err, sizeof(err));
	assert_non_null(strstr(err, "fallback"));
	load_fails("{\"intents\": [{\"id\": \"fallback\"}, {\"id\": \"d\"},"
	    " {\"id\": \"d\"}]}", err, sizeof(err));
	assert_non_null(strstr(err, "duplicate"));
	/* Invalid UTF-8 in a pattern is refused by PCRE2's own check (the
	 * fuzzer found that skipping it crashed the compiler). */
	load_fails("{\"intents\": [{\"id\": \"fallback\"}, {\"id\": \"u\","
	    " \"patterns\": [\"a\x8e\x01\xc1\x01b\xfe\xff\"]}]}", err,
	    sizeof(err));
	assert_non_null(strstr(err, "UTF-8"));
	assert_null(intents_load("/nonexistent/intents", true, err,
	    sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/intents"));
}

static void
test_check(void **state)
{
	struct intents *c;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	c = load_text("{\"intents\": [{\"id\": \"fallback\"},"
	    "{\"id\": \"wide\", \"priority\": 2, \"patterns\": [\"\\\\bcost\"],"
	    " \"examples\": [\"cost\"]},"
	    "{\"id\": \"narrow\", \"patterns\": [\"\\\\bcost of kpo\\\\b\"],"
	    " \"examples\": [\"cost of kpo\", \"price\"]}]}", true);
	assert_non_null(f = open_memstream(&buf, &len));
	assert_int_equal(intents_check(c, f), 2);
	fclose(f);
	assert_non_null(strstr(buf, "a.json: narrow: example \"cost of kpo\" "
	    "is taken by wide"));
	assert_non_null(strstr(buf, "\"price\""));
	free(buf);
	intents_free(c);

	/* the shipped catalog is clean */
	c = intents_load(SHIPPED, true, (char[256]){0}, 256);
	assert_non_null(c);
	assert_int_equal(intents_check(c, stderr), 0);
	intents_free(c);
}

/* The other question of a message that asks two, next to the winner
 * intents_match gives the whole message. */
static void
test_also(void **state)
{
	static const struct {
		const char *text, *node, *winner, *also;
	} cases[] = {
		{ "what is kpo and what are its risks?", NULL,
		    "kpo_challenges", "define_kpo" },
		{ "Define BPO. Give me examples", NULL, "examples",
		    "define_bpo" },
		{ "how do they differ and which is cheaper?", NULL,
		    "cost_savings", "compare" },
		{ "is payroll bpo or kpo? also what is kpo", NULL,
		    "classify_bpo", "define_kpo" },
		/* one question, or two the same, or a half not understood */
		{ "what is kpo?", NULL, "define_kpo", NULL },
		{ "what is kpo? what is knowledge process outsourcing", NULL,
		    "define_kpo", NULL },
		{ "what is kpo and zxqv wplk", NULL, "define_kpo", NULL },
		{ "bpo and kpo", NULL, "compare", NULL },
		/* a winner that is neither half: no button */
		{ "what are the risks; what is bpo", NULL, "bpo_challenges",
		    NULL },
		/* small talk and moves are no second question */
		{ "thanks. and what is bpo", NULL, "define_bpo", NULL },
		{ "what is bpo. go back", NULL, "define_bpo", NULL },
		/* nothing is added to a fallback or to an answer */
		{ "zxqv. wplk", NULL, "fallback", NULL },
		{ "mostly routine. what is kpo", "q_work", "answer_routine",
		    NULL },
	};
	static const char *const fallbacks[] = { "is data annotation for ai "
	    "bpo it needs domain experts", "which side is this task on",
	    "payroll verdict please", "zebra task kpo side" };
	struct intents *c = intents_load(SHIPPED, true, (char[256]){0}, 256);
	const char *ctx[2], *got;
	size_t i, k;

	(void)state;
	assert_non_null(c);
	/* an intent whose answer needs what was typed is never a button:
	 * neither a "did you mean" nor a second question */
	assert_true(intents_needs_slots(c, "classify_bpo"));
	assert_false(intents_needs_slots(c, "define_kpo"));
	for (i = 0; i < sizeof(fallbacks) / sizeof(fallbacks[0]); i++) {
		match(c, fallbacks[i], NULL, NULL);
		for (k = 0; k < res.nsuggest; k++)
			assert_false(intents_needs_slots(c, res.suggest[k]));
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ctx[0] = cases[i].node;
		ctx[1] = NULL;
		assert_string_equal(match(c, cases[i].text, cases[i].node,
		    NULL), cases[i].winner);
		got = intents_also(c, cases[i].text, strlen(cases[i].text), ctx,
		    2, res.intent);
		if (cases[i].also == NULL)
			assert_null(got);
		else {
			assert_non_null(got);
			assert_string_equal(got, cases[i].also);
		}
	}
	intents_free(c);
}

static void
test_public_ids(void **state)
{
	static const char *const ids[] = { "greeting", "goodbye", "thanks",
	    "help", "contact", "restart", "back", "fallback", "define_bpo",
	    "define_kpo",
	    "compare", "nature_of_work", "value_creation",
	    "client_relationship", "kpo_challenges", "bpo_challenges",
	    "pros_and_cons",
	    "challenge_communication",
	    "challenge_ip", "challenge_dependence", "mitigate_risks",
	    "similarities", "scope_of_tasks", "skill_requirements",
	    "cost_savings", "company_size", "examples", "classify",
	    "classify_bpo", "classify_kpo", "recommend",
	    "more",
	    "key_takeaways", "answer_routine", "answer_analytical",
	    "answer_cost", "answer_insight", "answer_transactional",
	    "answer_collaborative", "answer_small", "answer_large",
	    "answer_sensitive", "answer_not_sensitive", "answer_has_expertise",
	    "answer_no_expertise", "answer_mixed", "answer_skip" };
	struct intents *c = intents_load(SHIPPED, true, (char[256]){0}, 256);
	size_t i;

	(void)state;
	assert_non_null(c);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (!intents_has(c, ids[i]))
			fail_msg("missing public intent %s", ids[i]);
	intents_free(c);
}

static void
test_result_json(void **state)
{
	struct intents *c = load_text(tiny, true);
	struct jbuf b;
	cJSON *j;

	(void)state;
	match(c, "we are 7 poeple", NULL, NULL);
	jbuf_init(&b, 0);
	assert_int_equal(intent_result_json(&res, &b), 0);
	/* valid JSON with every field, in the order the log keeps */
	assert_non_null(j = cJSON_Parse(jbuf_data(&b)));
	assert_string_equal(cJSON_GetObjectItem(j, "intent")->valuestring,
	    "size");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j,
	    "slots"), "n")->valuestring, "7");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(j, "followup")));
	assert_true(cJSON_IsArray(cJSON_GetObjectItem(j, "runners")));
	assert_true(cJSON_IsArray(cJSON_GetObjectItem(j, "suggest")));
	cJSON_Delete(j);
	assert_non_null(strstr(jbuf_data(&b), "{\"normalized\":\"we are 7 people\","
	    "\"intent\":\"size\""));
	assert_non_null(strstr(jbuf_data(&b), "\"rewrites\":[{\"from\":\"poeple\","
	    "\"to\":\"people\"}]"));
	jbuf_free(&b);
	intents_free(c);
}

/* The corrector on a vocabulary of its own: a short word is compared only
 * with the known words of its first letter (a run of each length's group,
 * found through a table made once at vocab_finish), at both ends of the
 * alphabet and where a letter has no word at all; a long word with any;
 * and the distance is bounded (one edit under 8 letters, two from 8). */
static void
test_vocab_correct(void **state)
{
	static const struct {
		const char	*typed, *want;	/* want NULL: left alone */
	} cases[] = {
		{ "ablr", "able" }, { "zonr", "zone" }, { "zerp", "zero" },
		{ "pakr", "park" }, { "mrak", "mark" }, { "bqrk", "bark" },
		{ "dark", NULL },	/* one edit from three, none with a d */
		{ "zebrq", "zebra" }, { "aebra", NULL },
		{ "dontract", "contract" },	/* 8 letters: any first one */
		{ "kontrakt", "contract" },	/* two edits */
		{ "kontrakx", NULL },		/* three */
		{ "contarct", "contract" }, { "cotnract", "contract" },
		{ "xontracts", "contracts" }, { "yoyo", NULL },
	};
	struct vocab *v = vocab_new();
	struct intent_rewrite rw[2];
	static const char *const near[] = { "zonx", "bakr", "parx", "mrak",
	    "zebrx" };
	static char typed[2000][8], got[2000][8];
	char text[64];
	size_t k, j, n, pass;
	uint32_t x = 1;

	(void)state;
	assert_non_null(v);
	assert_int_equal(vocab_add_text(v, "zone able bark zero acts park "
	    "mark zebra contract contracts yoga"), 0);
	vocab_finish(v);
	assert_int_equal(vocab_size(v), 11);
	/* twice: the second time from the memo of look-ups */
	for (pass = 0; pass < 2 * sizeof(cases) / sizeof(cases[0]); pass++) {
		k = pass % (sizeof(cases) / sizeof(cases[0]));
		snprintf(text, sizeof(text), "%s", cases[k].typed);
		n = vocab_correct(v, NULL, text, sizeof(text), NULL, 0, rw, 2);
		if (cases[k].want == NULL) {
			assert_int_equal(n, 0);
			assert_string_equal(text, cases[k].typed);
			continue;
		}
		assert_int_equal(n, 1);
		assert_string_equal(text, cases[k].want);
		assert_string_equal(rw[0].from, cases[k].typed);
		assert_string_equal(rw[0].to, cases[k].want);
	}
	/* no known word, and more words near none (two or more) than near
	 * one: words of their own, left alone; one such word beside a near
	 * one is not enough, nor is a known word beside them */
	snprintf(text, sizeof(text), "zonx qqqqq wwwww");
	assert_int_equal(vocab_correct(v, NULL, text, sizeof(text), NULL, 0,
	    rw, 2), 0);
	assert_string_equal(text, "zonx qqqqq wwwww");
	snprintf(text, sizeof(text), "zonx qqqqq");
	assert_int_equal(vocab_correct(v, NULL, text, sizeof(text), NULL, 0,
	    rw, 2), 1);
	assert_string_equal(text, "zone qqqqq");
	snprintf(text, sizeof(text), "zonx mrak qqqqq wwwww");
	assert_int_equal(vocab_correct(v, NULL, text, sizeof(text), NULL, 0,
	    rw, 2), 2);
	snprintf(text, sizeof(text), "zonx park qqqqq wwwww");
	assert_int_equal(vocab_correct(v, NULL, text, sizeof(text), NULL, 0,
	    rw, 2), 1);
	assert_string_equal(text, "zone park qqqqq wwwww");
	/* more words than the memo has room for, half of them one edit
	 * from a known word: read again in the other order, each comes out
	 * as it did the first time, whatever took its slot meanwhile */
	for (k = 0; k < 2000; k++) {
		x = x * 1103515245u + 12345u;
		if ((x >> 24) % 2)
			snprintf(typed[k], sizeof(typed[k]), "%s",
			    near[(x >> 8) % 5]);
		else {
			for (j = 0; j < 5; j++)
				typed[k][j] = (char)('a' + (x >> (3 * j)) % 26);
			typed[k][5] = '\0';
		}
		strcpy(text, typed[k]);
		vocab_correct(v, NULL, text, sizeof(text), NULL, 0, rw, 2);
		assert_true(strlen(text) < sizeof(got[k]));
		strcpy(got[k], text);
	}
	for (k = 2000; k-- > 0;) {
		strcpy(text, typed[k]);
		vocab_correct(v, NULL, text, sizeof(text), NULL, 0, rw, 2);
		assert_string_equal(text, got[k]);
	}
	vocab_free(v);
}

/* Words equally near a typo: the one the catalog uses more wins, where
 * the shorter (then the first alphabetically) did; two letters swapped
 * still beat one letter wrong however often that one is used. */
static void
test_vocab_ties(void **state)
{
	static const char *const cases[][2] = {
		{ "thwn", "then" },	/* was "than", first alphabetically */
		{ "costz", "costs" },	/* was "cost", the shorter */
		{ "waht", "what" },	/* swapped, beside "want" used more */
		{ "thna", "than" },	/* swapped, beside "then" used more */
		{ "cuts", "cuts" },	/* known as typed */
		{ "bets", "bats" },	/* used alike: the first */
	};
	struct vocab *v = vocab_new();
	struct intent_rewrite rw[2];
	char text[64];
	size_t k;

	(void)state;
	assert_non_null(v);
	assert_int_equal(vocab_add_text(v, "than then then then what want "
	    "want want want cost costs costs bits bats cuts"), 0);
	vocab_finish(v);
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		snprintf(text, sizeof(text), "%s", cases[k][0]);
		vocab_correct(v, NULL, text, sizeof(text), NULL, 0, rw, 2);
		if (strcmp(text, cases[k][1]) != 0)
			fail_msg("\"%s\" became \"%s\", not \"%s\"",
			    cases[k][0], text, cases[k][1]);
	}
	vocab_free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_spelling),
		cmocka_unit_test(test_vocab_correct),
		cmocka_unit_test(test_vocab_ties),
		cmocka_unit_test(test_greeting_before_question),
		cmocka_unit_test(test_concepts_and_slots),
		cmocka_unit_test(test_context_and_followups),
		cmocka_unit_test(test_priority_and_ties),
		cmocka_unit_test(test_fallback_suggestions),
		cmocka_unit_test(test_jit_and_interpreter_agree),
		cmocka_unit_test(test_jit_fallback),
		cmocka_unit_test(test_prefilter_hides_nothing),
		cmocka_unit_test(test_prefilter_tricky_syntax),
		cmocka_unit_test(test_prefilter_word_bounds),
		cmocka_unit_test(test_hostile_input),
		cmocka_unit_test(test_mentions),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_also),
		cmocka_unit_test(test_public_ids),
		cmocka_unit_test(test_result_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
