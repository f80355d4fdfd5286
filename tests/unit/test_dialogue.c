/*
 * test_dialogue.c: unit tests of the dialogue engine against small fixture
 * trees written to a temporary folder: back, restart, help, digressions,
 * choices, state save/load, vanished nodes, the recommendation, and the
 * checker catching each kind of defect.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dialogues/dialogue.h"
#include "dialogues/dialogue_int.h"

/* A tiny tree: root -> a -> a2, root -> b, a two-question quiz. */
static const char fixture[] =
    "{\"routes\": {\"help\": \"help\", \"fallback\": \"fallback\","
    " \"greeting\": \"hello\", \"topic_a\": \"a\", \"topic_b\": \"b\","
    " \"recommend\": \"q1\", \"more\": \"root\"},\n"
    " \"nodes\": [\n"
    "  {\"id\": \"root\", \"kind\": \"answer\", \"title\": \"Start\","
    "   \"text\": \"Welcome.\", \"options\": ["
    "    {\"id\": \"a\", \"label\": \"A\", \"target\": \"a\"},"
    "    {\"id\": \"b\", \"label\": \"B\", \"target\": \"b\"},"
    "    {\"id\": \"quiz\", \"label\": \"Quiz\", \"target\": \"q1\"}]},\n"
    "  {\"id\": \"a\", \"kind\": \"answer\", \"title\": \"A\","
    "   \"topic\": \"topic_a\", \"deeper\": \"a2\","
    "   \"text\": \"About A, {who}.\", \"options\": ["
    "    {\"id\": \"deeper\", \"label\": \"More\", \"target\": \"a2\"},"
    "    {\"id\": \"b\", \"label\": \"B\", \"intent\": \"topic_b\"}]},\n"
    "  {\"id\": \"a2\", \"kind\": \"answer\", \"title\": \"A deeper\","
    "   \"topic\": \"topic_a\", \"text\": \"Deeper A.\", \"options\": ["
    "    {\"id\": \"back\", \"label\": \"Back\", \"target\": \"a\"}]},\n"
    "  {\"id\": \"b\", \"kind\": \"answer\", \"title\": \"B\","
    "   \"topic\": \"topic_b\", \"text\": \"About B.\", \"options\": ["
    "    {\"id\": \"home\", \"label\": \"Home\", \"target\": \"root\"}]},\n"
    "  {\"id\": \"help\", \"kind\": \"answer\", \"title\": \"Help\","
    "   \"text\": \"Ask me.\", \"options\": ["
    "    {\"id\": \"home\", \"label\": \"Home\", \"target\": \"root\"}]},\n"
    "  {\"id\": \"hello\", \"kind\": \"answer\", \"title\": \"Hi\","
    "   \"text\": \"Hi there.\", \"options\": ["
    "    {\"id\": \"home\", \"label\": \"Home\", \"target\": \"root\"}]},\n"
    "  {\"id\": \"fallback\", \"kind\": \"answer\", \"title\": \"Eh\","
    "   \"text\": \"Not sure.\", \"options\": ["
    "    {\"id\": \"help\", \"label\": \"Help\", \"target\": \"help\"}]},\n"
    "  {\"id\": \"q1\", \"kind\": \"question\", \"title\": \"Work\","
    "   \"text\": \"Routine or analytical?\", \"next\": \"q2\","
    "   \"options\": [{\"id\": \"skip\", \"label\": \"Skip\","
    "    \"target\": \"q2\"}],"
    "   \"answers\": ["
    "    {\"id\": \"routine\", \"label\": \"Routine\","
    "     \"intent\": \"answer_routine\", \"lean\": -2,"
    "     \"reason\": \"ROUTINE-REASON\"},"
    "    {\"id\": \"analytical\", \"label\": \"Analytical\","
    "     \"intent\": \"answer_analytical\", \"lean\": 2,"
    "     \"reason\": \"ANALYTICAL-REASON\"}]},\n"
    "  {\"id\": \"q2\", \"kind\": \"question\", \"title\": \"Data\","
    "   \"text\": \"Sensitive data?\", \"next\": \"rec\","
    "   \"options\": [{\"id\": \"skip\", \"label\": \"Skip\","
    "    \"target\": \"rec\"}],"
    "   \"answers\": ["
    "    {\"id\": \"sensitive\", \"label\": \"Yes\","
    "     \"intent\": \"answer_sensitive\", \"lean\": 1,"
    "     \"reason\": \"SENSITIVE-REASON\", \"caution\": \"USE-NDAS\"},"
    "    {\"id\": \"plain\", \"label\": \"No\","
    "     \"intent\": \"answer_not_sensitive\", \"lean\": -1,"
    "     \"reason\": \"PLAIN-REASON\"},"
    "    {\"id\": \"shared\", \"label\": \"Shared\","
    "     \"intent\": \"answer_shared\", \"lean\": 0,"
    "     \"reason\": \"SHARED-REASON\", \"caution\": \"KPO-CAUTION\","
    "     \"caution_bpo\": \"BPO-CAUTION\"}]},\n"
    "  {\"id\": \"rec\", \"kind\": \"recommendation\", \"title\": \"Rec\","
    "   \"text\": \"{verdict} {reasons} {cautions}\","
    "   \"verdict_bpo\": \"VERDICT-BPO\", \"verdict_kpo\": \"VERDICT-KPO\","
    "   \"verdict_split\": \"VERDICT-SPLIT\","
    "   \"options\": [{\"id\": \"home\", \"label\": \"Home\","
    "    \"target\": \"root\"}]}\n"
    " ]}\n";

struct fx {
	char			 dir[64];
	struct dialogues	*d;
	struct dialogue_state	*st;
	struct dialogue_reply	 r;
};

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
rm_dir(const char *dir)
{
	char path[512];
	struct dirent *e;
	DIR *dp = opendir(dir);

	if (dp == NULL)
		return;
	while ((e = readdir(dp)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(dp);
	rmdir(dir);
}

/* Load TEXT as the only tree file of a fresh folder. */
static struct dialogues *
load_text(char *dir, size_t dirlen, const char *text, char *err,
    size_t errlen)
{
	snprintf(dir, dirlen, "/tmp/test_dialogue.XXXXXX");
	assert_non_null(mkdtemp(dir));
	write_file(dir, "tree.json", text);
	return dialogues_load(dir, err, errlen);
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	char err[256] = "";

	assert_non_null(fx);
	fx->d = load_text(fx->dir, sizeof(fx->dir), fixture, err, sizeof(err));
	if (fx->d == NULL)
		fail_msg("load: %s", err);
	fx->st = dialogue_state_new();
	assert_non_null(fx->st);
	assert_int_equal(dialogue_start(fx->d, fx->st, &fx->r), 0);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	dialogue_state_free(fx->st);
	dialogues_free(fx->d);
	rm_dir(fx->dir);
	free(fx);
	return 0;
}

static void
say(struct fx *fx, const char *intent)
{
	assert_int_equal(dialogue_on_intent(fx->d, fx->st, intent, NULL, 0,
	    NULL, NULL, 0, &fx->r), 0);
}

static void
choose(struct fx *fx, const char *id)
{
	assert_int_equal(dialogue_choose(fx->d, fx->st, id, &fx->r), 0);
}

static bool
has_option(const struct dialogue_reply *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->noptions; i++)
		if (strcmp(r->options[i].id, id) == 0)
			return true;
	return false;
}

static void
test_start(void **state)
{
	struct fx *fx = *state;

	assert_string_equal(fx->r.node, "root");
	assert_string_equal(fx->r.text, "Welcome.");
	assert_int_equal(fx->r.noptions, 3);
	assert_true(has_option(&fx->r, "quiz"));
	assert_false(fx->r.restarted);
}

static void
test_back_multilevel(void **state)
{
	struct fx *fx = *state;

	choose(fx, "a");
	choose(fx, "deeper");
	assert_string_equal(fx->r.node, "a2");
	say(fx, "topic_b");
	assert_string_equal(fx->r.node, "b");
	say(fx, "back");
	assert_string_equal(fx->r.node, "a2");
	assert_true(has_option(&fx->r, "back"));
	say(fx, "back");
	assert_string_equal(fx->r.node, "a");
	assert_true(has_option(&fx->r, "deeper"));
	assert_true(has_option(&fx->r, "b"));
	say(fx, "back");
	assert_string_equal(fx->r.node, "root");
	assert_int_equal(fx->r.noptions, 3);
	/* back with no history stays at the root */
	say(fx, "back");
	assert_string_equal(fx->r.node, "root");
}

static void
test_restart_clears(void **state)
{
	struct fx *fx = *state;

	choose(fx, "quiz");
	say(fx, "answer_routine");
	assert_string_equal(fx->r.node, "q2");
	say(fx, "restart");
	assert_string_equal(fx->r.node, "root");
	assert_null(dialogue_topic(fx->st));
	/* nothing to go back to, and the old answers are gone */
	say(fx, "back");
	assert_string_equal(fx->r.node, "root");
	say(fx, "recommend");
	choose(fx, "skip");
	choose(fx, "skip");
	assert_string_equal(fx->r.node, "rec");
	assert_null(strstr(fx->r.text, "ROUTINE-REASON"));
}

static void
test_help_and_greeting_anywhere(void **state)
{
	struct fx *fx = *state;

	choose(fx, "a");
	say(fx, "help");
	assert_string_equal(fx->r.node, "help");
	assert_string_equal(fx->r.text, "Ask me.");
	say(fx, "back");
	assert_string_equal(fx->r.node, "a");
	say(fx, "greeting");
	assert_string_equal(fx->r.node, "hello");
	say(fx, "back");
	assert_string_equal(fx->r.node, "a");
}

static void
test_digression_and_resume(void **state)
{
	struct fx *fx = *state;

	choose(fx, "quiz");
	assert_string_equal(fx->r.node, "q1");
	assert_true(has_option(&fx->r, "routine"));
	say(fx, "topic_b");
	assert_string_equal(fx->r.node, "b");
	assert_string_equal(fx->r.text, "About B.");
	assert_true(has_option(&fx->r, "resume"));
	assert_true(has_option(&fx->r, "routine"));
	assert_true(has_option(&fx->r, "analytical"));
	assert_true(has_option(&fx->r, "home"));
	choose(fx, "resume");
	assert_string_equal(fx->r.node, "q1");
	assert_false(has_option(&fx->r, "resume"));
	/* answer straight from a digression: it counts for the question */
	say(fx, "topic_a");
	choose(fx, "analytical");
	assert_string_equal(fx->r.node, "q2");
	say(fx, "answer_sensitive");
	assert_string_equal(fx->r.node, "rec");
	assert_non_null(strstr(fx->r.text, "ANALYTICAL-REASON"));
	assert_non_null(strstr(fx->r.text, "USE-NDAS"));
}

static void
test_unknown_option_leaves_state(void **state)
{
	struct fx *fx = *state;
	char *before, *after;

	choose(fx, "a");
	before = dialogue_state_save(fx->st);
	assert_non_null(before);
	assert_int_equal(dialogue_choose(fx->d, fx->st, "quiz", &fx->r), -1);
	assert_int_equal(dialogue_choose(fx->d, fx->st, "nonsense", &fx->r),
	    -1);
	after = dialogue_state_save(fx->st);
	assert_string_equal(before, after);
	free(before);
	free(after);
	choose(fx, "deeper");
	assert_string_equal(fx->r.node, "a2");
}

static void
test_slots_and_more(void **state)
{
	struct fx *fx = *state;
	struct dialogue_slot s = { "who", "Ana" };

	assert_int_equal(dialogue_on_intent(fx->d, fx->st, "topic_a", &s, 1,
	    NULL, NULL, 0, &fx->r), 0);
	assert_string_equal(fx->r.text, "About A, Ana.");
	assert_string_equal(dialogue_topic(fx->st), "topic_a");
	say(fx, "more");
	assert_string_equal(fx->r.node, "a2");
	assert_string_equal(fx->r.intent, "more");
}

/* A text that does not fit is cut between characters, never inside one,
 * and the text around a slot is copied whole. */
static void
test_long_slot_cut_cleanly(void **state)
{
	struct fx *fx = *state;
	static char big[DIALOGUE_TEXT_MAX * 2];
	struct dialogue_slot s = { "who", big };
	size_t i, n;

	/* "A" then two-byte characters: every cut point but one falls
	 * between the two bytes of a character unless it is chosen */
	big[0] = 'A';
	for (i = 1; i + 2 < sizeof(big); i += 2) {
		big[i] = (char)0xc3;
		big[i + 1] = (char)0xa9;	/* e acute */
	}
	big[i] = '\0';
	assert_int_equal(dialogue_on_intent(fx->d, fx->st, "topic_a", &s, 1,
	    NULL, NULL, 0, &fx->r), 0);
	n = strlen(fx->r.text);
	assert_true(n < DIALOGUE_TEXT_MAX);
	assert_true(n >= DIALOGUE_TEXT_MAX - 4);
	assert_memory_equal(fx->r.text, "About A, A\xc3\xa9", 12);
	/* whole characters only: the last is complete */
	assert_int_equal((unsigned char)fx->r.text[n - 1], 0xa9);
	assert_int_equal((unsigned char)fx->r.text[n - 2], 0xc3);
}

static void
test_fallback_suggestions(void **state)
{
	struct fx *fx = *state;
	const char *sug[] = { "topic_b", "help" };
	const char *lab[] = { "About B", "Help" };

	choose(fx, "a");
	assert_int_equal(dialogue_on_intent(fx->d, fx->st, "fallback", NULL, 0,
	    sug, lab, 2, &fx->r), 0);
	assert_string_equal(fx->r.node, "fallback");
	assert_string_equal(fx->r.options[0].id, "topic_b");
	assert_string_equal(fx->r.options[0].label, "About B");
	choose(fx, "topic_b");
	assert_string_equal(fx->r.node, "b");
	assert_non_null(fx->r.picked_suggestion);
	assert_string_equal(fx->r.picked_suggestion, "topic_b");
	assert_string_equal(fx->r.intent, "topic_b");
	/* a plain option is not a suggestion */
	choose(fx, "home");
	assert_null(fx->r.picked_suggestion);
	/* the suggestion is no longer on offer */
	assert_int_equal(dialogue_choose(fx->d, fx->st, "topic_b", &fx->r), -1);
}

/* A suggestion that reads like one of the node's own options is one
 * button, not two. */
static void
test_no_two_buttons_alike(void **state)
{
	struct fx *fx = *state;
	const char *sug[] = { "topic_b", "get_help" };
	const char *lab[] = { "About B", "Help" };
	size_t i, helps = 0;

	assert_int_equal(dialogue_on_intent(fx->d, fx->st, "fallback", NULL, 0,
	    sug, lab, 2, &fx->r), 0);
	for (i = 0; i < fx->r.noptions; i++)
		if (strcmp(fx->r.options[i].label, "Help") == 0)
			helps++;
	assert_int_equal(helps, 1);
	assert_string_equal(fx->r.options[0].id, "topic_b");
	assert_string_equal(fx->r.options[1].id, "get_help");
	assert_int_equal(fx->r.noptions, 2);
}

static void
test_fallback_at_question_keeps_answers(void **state)
{
	struct fx *fx = *state;

	choose(fx, "quiz");
	say(fx, "fallback");
	assert_true(has_option(&fx->r, "routine"));
	choose(fx, "routine");
	assert_string_equal(fx->r.node, "q2");
}

static void
test_save_load_roundtrip(void **state)
{
	struct fx *fx = *state;
	struct dialogue_state *st2;
	char *js, *js2;

	choose(fx, "quiz");
	say(fx, "answer_analytical");
	say(fx, "topic_a");	/* digression from q2 */
	js = dialogue_state_save(fx->st);
	assert_non_null(js);
	st2 = dialogue_state_load(fx->d, js, strlen(js));
	assert_non_null(st2);
	js2 = dialogue_state_save(st2);
	assert_string_equal(js, js2);
	assert_string_equal(dialogue_node(st2), "a");
	assert_string_equal(dialogue_topic(st2), "topic_a");
	/* the restored state accepts the options offered before saving */
	assert_int_equal(dialogue_choose(fx->d, st2, "resume", &fx->r), 0);
	assert_string_equal(fx->r.node, "q2");
	assert_int_equal(dialogue_choose(fx->d, st2, "sensitive", &fx->r), 0);
	assert_non_null(strstr(fx->r.text, "ANALYTICAL-REASON"));
	assert_false(fx->r.restarted);
	/* and "back" walks the restored history */
	assert_int_equal(dialogue_on_intent(fx->d, st2, "back", NULL, 0, NULL,
	    NULL, 0, &fx->r), 0);
	assert_string_equal(fx->r.node, "q2");
	free(js);
	free(js2);
	dialogue_state_free(st2);
	assert_null(dialogue_state_load(fx->d, "[1]", 3));
	assert_null(dialogue_state_load(fx->d, "{", 1));
}

static void
test_vanished_node(void **state)
{
	struct fx *fx = *state;
	struct dialogue_state *st2;
	static const char js[] = "{\"v\":1,\"node\":\"gone\",\"topic\":\"x\","
	    "\"history\":[\"a\"],\"answers\":{},\"offered\":[]}";

	st2 = dialogue_state_load(fx->d, js, strlen(js));
	assert_non_null(st2);
	assert_string_equal(dialogue_node(st2), "root");
	assert_int_equal(dialogue_on_intent(fx->d, st2, "topic_b", NULL, 0,
	    NULL, NULL, 0, &fx->r), 0);
	assert_true(fx->r.restarted);
	assert_string_equal(fx->r.node, "b");
	assert_non_null(strstr(fx->r.text, "back at the start"));
	assert_non_null(strstr(fx->r.text, "About B."));
	/* only once */
	assert_int_equal(dialogue_on_intent(fx->d, st2, "back", NULL, 0,
	    NULL, NULL, 0, &fx->r), 0);
	assert_false(fx->r.restarted);
	assert_string_equal(fx->r.node, "root");
	dialogue_state_free(st2);
}

/* Run the quiz with answers A1 and A2 (NULL skips), return the reply. */
static void
quiz(struct fx *fx, const char *a1, const char *a2)
{
	say(fx, "restart");
	say(fx, "recommend");
	say(fx, a1 ? a1 : "answer_mixed");
	say(fx, a2 ? a2 : "answer_mixed");
	assert_string_equal(fx->r.node, "rec");
}

static void
test_recommendations(void **state)
{
	struct fx *fx = *state;
	/* answer to q1, the verdict, the caution given, the one not given */
	static const char *const cases[][4] = {
		{ "answer_routine", "VERDICT-BPO", "BPO-CAUTION", "KPO-CAUTION" },
		{ "answer_analytical", "VERDICT-KPO", "KPO-CAUTION",
		  "BPO-CAUTION" },
	};
	size_t i;

	quiz(fx, "answer_routine", "answer_not_sensitive");
	assert_non_null(strstr(fx->r.text, "VERDICT-BPO"));
	assert_non_null(strstr(fx->r.text, "ROUTINE-REASON"));
	assert_non_null(strstr(fx->r.text, "PLAIN-REASON"));
	assert_null(strstr(fx->r.text, "USE-NDAS"));

	quiz(fx, "answer_analytical", "answer_sensitive");
	assert_non_null(strstr(fx->r.text, "VERDICT-KPO"));
	assert_non_null(strstr(fx->r.text, "USE-NDAS"));

	quiz(fx, "answer_routine", "answer_sensitive");
	assert_non_null(strstr(fx->r.text, "VERDICT-SPLIT"));
	assert_non_null(strstr(fx->r.text, "USE-NDAS"));

	/* A caution drawn from KPO's risks is not a BPO verdict's: under
	 * BPO the answer's caution_bpo is given instead, or none at all. */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		quiz(fx, cases[i][0], "answer_shared");
		assert_non_null(strstr(fx->r.text, cases[i][1]));
		assert_non_null(strstr(fx->r.text, cases[i][2]));
		assert_null(strstr(fx->r.text, cases[i][3]));
	}

	quiz(fx, NULL, NULL);
	assert_non_null(strstr(fx->r.text, "VERDICT-SPLIT"));
	assert_non_null(strstr(fx->r.text, "a bit of both"));

	/* everything skipped */
	say(fx, "restart");
	say(fx, "recommend");
	choose(fx, "skip");
	choose(fx, "skip");
	assert_string_equal(fx->r.node, "rec");
	assert_non_null(strstr(fx->r.text, "VERDICT-SPLIT"));
	assert_true(strlen(fx->r.text) < DIALOGUE_TEXT_MAX / 2);
}

/* Step on INTENT; the reply must come from NODE. */
static void
say_at(struct fx *fx, const char *intent, const char *node)
{
	say(fx, intent);
	assert_string_equal(fx->r.node, node);
}

/* Asked which one suits after the recommendation has been given, the
 * advisor gives it again; with a question waiting, or after a restart,
 * the intent starts the questionnaire as before. */
static void
test_recommendation_given_once(void **state)
{
	struct fx *fx = *state;

	quiz(fx, "answer_analytical", "answer_sensitive");
	say_at(fx, "topic_a", "a");
	say_at(fx, "recommend", "rec");
	assert_non_null(strstr(fx->r.text, "VERDICT-KPO"));
	assert_non_null(strstr(fx->r.text, "ANALYTICAL-REASON"));
	/* two steps on, through a button, it is still the one given */
	choose(fx, "home");
	say_at(fx, "topic_b", "b");
	say_at(fx, "recommend", "rec");
	/* the quiz button starts over; there the intent is question 1 */
	choose(fx, "home");
	choose(fx, "quiz");
	say_at(fx, "topic_a", "a");
	say_at(fx, "recommend", "q1");
	say(fx, "restart");
	say_at(fx, "recommend", "q1");
}

/* Check TEXT as a tree with catalog IDS; the report goes to BUF. */
static int
check_text(const char *text, const char *const *ids, size_t nids, char *buf,
    size_t len)
{
	char dir[64], err[256] = "";
	struct dialogues *d = load_text(dir, sizeof(dir), text, err,
	    sizeof(err));
	FILE *f;
	int n;

	if (d == NULL)
		fail_msg("load: %s", err);
	f = fmemopen(buf, len, "w");
	assert_non_null(f);
	n = dialogues_check(d, ids, nids, f);
	fclose(f);
	dialogues_free(d);
	rm_dir(dir);
	return n;
}

static void
test_check_clean(void **state)
{
	const char *ids[] = { "help", "topic_a", "topic_b", "recommend" };
	char buf[2048] = "";

	(void)state;
	assert_int_equal(check_text(fixture, ids, 4, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

/* FIND replaced by REPL in the fixture, then checked: expect NEEDLE. */
static void
expect_defect(const char *find, const char *repl, const char *needle)
{
	const char *ids[] = { "help", "topic_a" };
	char text[sizeof(fixture) + 256], buf[2048] = "";
	const char *p = strstr(fixture, find);

	assert_non_null(p);
	snprintf(text, sizeof(text), "%.*s%s%s", (int)(p - fixture), fixture,
	    repl, p + strlen(find));
	assert_true(check_text(text, ids, 2, buf, sizeof(buf)) > 0);
	if (strstr(buf, needle) == NULL)
		fail_msg("expected \"%s\" in report: %s", needle, buf);
	assert_non_null(strstr(buf, "tree.json"));
}

static void
test_check_defects(void **state)
{
	(void)state;
	/* a target that does not exist */
	expect_defect("\"target\": \"a2\"},", "\"target\": \"nowhere\"},",
	    "nowhere");
	/* a node nobody reaches: b only via an intent option -> keep b,
	 * cut the root's link to "help" by renaming the route */
	expect_defect("{\"id\": \"hello\"", "{\"id\": \"island\"",
	    "island: not reachable");
	/* a dead end */
	expect_defect("\"text\": \"Deeper A.\", \"options\": ["
	    "    {\"id\": \"back\", \"label\": \"Back\", \"target\": \"a\"}]",
	    "\"text\": \"Deeper A.\", \"options\": []", "a2: dead end");
	/* empty text */
	expect_defect("\"About B.\"", "\"\"", "b: empty text");
	/* a catalog intent with no route */
	{
		const char *ids[] = { "help", "no_such_intent" };
		char buf[1024] = "";

		assert_true(check_text(fixture, ids, 2, buf, sizeof(buf)) > 0);
		assert_non_null(strstr(buf, "no_such_intent"));
	}
	/* a recommendation that is not total */
	expect_defect("\"verdict_split\": \"VERDICT-SPLIT\",", "", "rec");
}

static void
test_load_errors(void **state)
{
	char dir[64], err[256] = "";
	struct dialogues *d;
	static const char dup[] = "{\"nodes\": ["
	    "{\"id\": \"root\", \"kind\": \"answer\", \"title\": \"R\","
	    " \"text\": \"x\", \"options\": [{\"id\": \"o\", \"label\": \"o\","
	    " \"target\": \"root\"}]},"
	    "{\"id\": \"root\", \"kind\": \"answer\", \"title\": \"R\","
	    " \"text\": \"y\", \"options\": [{\"id\": \"o\", \"label\": \"o\","
	    " \"target\": \"root\"}]}]}";

	(void)state;
	d = load_text(dir, sizeof(dir), dup, err, sizeof(err));
	assert_null(d);
	assert_non_null(strstr(err, "tree.json"));
	assert_non_null(strstr(err, "duplicate"));
	rm_dir(dir);
	d = load_text(dir, sizeof(dir), "{\"nodes\": [", err, sizeof(err));
	assert_null(d);
	assert_non_null(strstr(err, "tree.json"));
	rm_dir(dir);
}

/* A file holds one JSON document: a stray brace or a second document
 * after it is refused, naming the file, the line and the byte offset
 * (cJSON_ParseWithLength stopped after the first and said nothing). */
static void
test_trailing_data(void **state)
{
	char dir[64], err[256] = "", text[sizeof(fixture) + 64];
	struct dialogues *d;

	(void)state;
	snprintf(text, sizeof(text), "%s{", fixture);
	d = load_text(dir, sizeof(dir), text, err, sizeof(err));
	assert_null(d);
	assert_non_null(strstr(err, "tree.json:"));
	assert_non_null(strstr(err, "trailing data"));
	snprintf(text, sizeof(text), "byte offset %zu", sizeof(fixture) - 1);
	assert_non_null(strstr(err, text));
	rm_dir(dir);
	snprintf(text, sizeof(text), "%s\n{\"nodes\": []}\n", fixture);
	d = load_text(dir, sizeof(dir), text, err, sizeof(err));
	assert_null(d);
	assert_non_null(strstr(err, "trailing data"));
	rm_dir(dir);
	/* White space after the document is no data. */
	snprintf(text, sizeof(text), "%s \n\t\r\n", fixture);
	d = load_text(dir, sizeof(dir), text, err, sizeof(err));
	if (d == NULL)
		fail_msg("load: %s", err);
	dialogues_free(d);
	rm_dir(dir);
}

static void
test_shipped_content_checks(void **state)
{
	char err[256] = "", buf[4096] = "";
	struct dialogues *d;
	FILE *f;

	(void)state;
	d = dialogues_load(ADVISOR_CONTENT_DIR "/dialogues", err, sizeof(err));
	if (d == NULL)
		fail_msg("load: %s", err);
	f = fmemopen(buf, sizeof(buf), "w");
	assert_int_equal(dialogues_check(d, NULL, 0, f), 0);
	fclose(f);
	assert_string_equal(buf, "");
	assert_non_null(dialogues_version(d));
	dialogues_free(d);
}

/* The lookup by id (a binary search over a sorted index) finds every node
 * of the shipped content, itself and no other, and nothing else. */
static void
test_node_lookup(void **state)
{
	char err[256] = "", id[80];
	struct dialogues *d;
	size_t i;

	(void)state;
	d = dialogues_load(ADVISOR_CONTENT_DIR "/dialogues", err, sizeof(err));
	if (d == NULL)
		fail_msg("load: %s", err);
	assert_true(d->n > 10);
	for (i = 0; i < d->n; i++) {
		assert_ptr_equal(dlg_node(d, d->nodes[i].id), &d->nodes[i]);
		snprintf(id, sizeof(id), "%s_", d->nodes[i].id);
		assert_null(dlg_node(d, id));
		snprintf(id, sizeof(id), "%.*s", (int)strlen(d->nodes[i].id) - 1,
		    d->nodes[i].id);
		if (id[0] != '\0' && dlg_node(d, id) != NULL)
			assert_string_equal(dlg_node(d, id)->id, id);
	}
	assert_null(dlg_node(d, ""));
	assert_null(dlg_node(d, "~"));
	assert_null(dlg_node(d, NULL));
	dialogues_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_lookup),
		cmocka_unit_test_setup_teardown(test_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_back_multilevel, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_restart_clears, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_help_and_greeting_anywhere,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_digression_and_resume,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_option_leaves_state,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_slot_cut_cleanly, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_slots_and_more, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_two_buttons_alike, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fallback_suggestions, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_fallback_at_question_keeps_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_load_roundtrip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_vanished_node, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_recommendation_given_once,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_recommendations, setup,
		    teardown),
		cmocka_unit_test(test_check_clean),
		cmocka_unit_test(test_check_defects),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_trailing_data),
		cmocka_unit_test(test_shipped_content_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
