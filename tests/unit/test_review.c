/*
 * test_review.c: the reports behind advisorctl on fixture logs with known
 * figures: stats, unmatched (groups, clusters, picked suggestions),
 * dropoff, feedback, transcript, export, purge, two files reviewed as one,
 * and the errors for bad input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage/review.h"
#include "storage/schema.h"
#include "storage/store.h"
#include "tests/lib/memout.h"

static char path_a[256], path_b[256];

/* A message row by the columns of the first schema: the later ones
 * (content_version) stay NULL, as in a log written before them. */
#define MSG_INTO "INSERT INTO messages (id, conversation, direction, text," \
    " intent, node, why, rewrites, suggestion, latency_us, time) VALUES "

#define DAY1	INT64_C(1735689600000000)	/* 2025-01-01 UTC */
#define DAY2	(DAY1 + INT64_C(86400000000))

/* A log at PATH with the schema, then SQL run on it. */
static void
fixture(const char *path, const char *sql)
{
	struct store_opts o = { .path = path };
	char err[256];
	struct store *s;
	sqlite3 *db;

	store_remove(path);
	s = store_open(&o, err, sizeof(err));
	assert_non_null(s);
	store_close(s);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("fixture: %s", sqlite3_errmsg(db));
	sqlite3_close(db);
}

/* Conversation a: kpo, two fallbacks (the second followed by a picked
 * suggestion), not-helpful feedback; ends at q_size.  b: ends at root. */
#define T1 "1735689600000000"
#define T2 "1735776000000000"
static const char *sql_a =
    "INSERT INTO conversations VALUES ('a', 'web', NULL, 'ha', " T1 ", NULL,"
    " 'v1');"
    "INSERT INTO conversations VALUES ('b', 'bridge', 'u1', 'hb', " T2 ","
    " NULL, 'v1');"
    MSG_INTO "(1, 'a', 'in', 'what is kpo', 'kpo', NULL,"
    " NULL, NULL, NULL, 0, " T1 ");"
    MSG_INTO "(2, 'a', 'out', 'KPO means...', 'kpo',"
    " 'root', NULL, NULL, NULL, 900, " T1 ");"
    MSG_INTO "(3, 'a', 'in', 'Vendor zebra!', 'fallback',"
    " NULL, '{\"normalized\":\"vendor zebra\"}', NULL, NULL, 0, " T1 ");"
    MSG_INTO "(4, 'a', 'out', 'Did you mean', 'fallback',"
    " 'root', NULL, NULL, NULL, 800, " T1 ");"
    MSG_INTO "(5, 'a', 'in', 'vendor, zebra',"
    " 'fallback', NULL, '{\"normalized\":\"vendor zebra\"}', NULL, NULL, 0,"
    " " T1 ");"
    MSG_INTO "(6, 'a', 'out', 'Did you mean', 'fallback',"
    " 'root', NULL, NULL, NULL, 800, " T1 ");"
    MSG_INTO "(7, 'a', 'in', 'Dependence', 'choose', NULL,"
    " NULL, NULL, 'challenge_dependence', 0, " T1 ");"
    MSG_INTO "(8, 'a', 'out', 'How big is your team?',"
    " 'decide', 'q_size', NULL, NULL, NULL, 700, " T1 ");"
    "INSERT INTO feedback VALUES (1, 2, 'a', 0, 'too short', " T1 ");"
    "INSERT INTO feedback VALUES (2, 8, 'a', 1, NULL, " T1 ");"
    MSG_INTO "(9, 'b', 'in', 'zebra vendor contract',"
    " 'fallback', NULL, '{\"normalized\":\"zebra vendor contract\"}', NULL,"
    " NULL, 0, " T2 ");"
    MSG_INTO "(10, 'b', 'out', 'Did you mean', 'fallback',"
    " 'root', NULL, NULL, NULL, 600, " T2 ");";

static const char *sql_b =
    "INSERT INTO conversations VALUES ('c', 'web', NULL, 'hc', " T2 ", NULL,"
    " 'v1');"
    MSG_INTO "(1, 'c', 'in', 'help me decide', 'decide',"
    " NULL, NULL, NULL, NULL, 0, " T2 ");"
    MSG_INTO "(2, 'c', 'out', 'How big?', 'decide',"
    " 'q_size', NULL, NULL, NULL, 500, " T2 ");";

static int
setup(void **state)
{
	(void)state;
	snprintf(path_a, sizeof(path_a), "/tmp/test_review_a_%ld.db",
	    (long)getpid());
	snprintf(path_b, sizeof(path_b), "/tmp/test_review_b_%ld.db",
	    (long)getpid());
	fixture(path_a, sql_a);
	fixture(path_b, sql_b);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	store_remove(path_a);
	store_remove(path_b);
	return 0;
}

static struct review *
open_one(bool both)
{
	const char *paths[] = { path_a, path_b };
	char err[256] = "";
	struct review *r = review_open(paths, both ? 2 : 1, false, err,
	    sizeof(err));

	if (r == NULL)
		fail_msg("review_open: %s", err);
	return r;
}

/* A report's output, captured in memory (tests/lib/memout.h). */
static FILE *
mem_open(struct memout *m)
{
	FILE *f = memout_open(m);

	assert_non_null(f);
	return f;
}

/* Run a report into a string. */
typedef int report_fn(struct review *, int64_t, bool, FILE *, char *,
    size_t);

static char *
run(report_fn *fn, struct review *r, int64_t since, bool json)
{
	char err[256];
	struct memout m;

	assert_int_equal(fn(r, since, json, mem_open(&m), err, sizeof(err)), 0);
	return memout_close(&m);
}

/* A report of content version V only (NULL: every version), unmatched
 * or feedback, into a string. */
typedef int version_fn(struct review *, int64_t, const char *, bool,
    FILE *, char *, size_t);

static char *
of_version(version_fn *fn, struct review *r, const char *v, bool json)
{
	char err[256];
	struct memout m;

	if (fn(r, 0, v, json, mem_open(&m), err, sizeof(err)))
		fail_msg("report of %s: %s", v ? v : "(all)", err);
	return memout_close(&m);
}

/* The feedback report as advisorctl gives it without --helpful. */
static int
not_helpful(struct review *r, int64_t since, const char *v, bool json,
    FILE *f, char *err, size_t errlen)
{
	return review_feedback(r, since, v, NULL, false, json, f, err, errlen);
}

#define unmatched_of(r, v, json) of_version(review_unmatched, r, v, json)
#define feedback_of(r, v, json) of_version(not_helpful, r, v, json)

/* The report of V as JSON, which says it is of V and has N rows under
 * KEY; the caller deletes it. */
static cJSON *
doc_of_version(version_fn *fn, struct review *r, const char *v,
    const char *key, int n)
{
	char *s = of_version(fn, r, v, true);
	cJSON *doc = cJSON_Parse(s);
	const cJSON *cv = cJSON_GetObjectItem(doc, "content_version");

	free(s);
	if (v != NULL)
		assert_string_equal(cJSON_GetStringValue(cv), v);
	else
		assert_true(cJSON_IsNull(cv));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc, key)), n);
	return doc;
}

/* unmatched --current takes version WANT */
static void
current_is(struct review *r, const char *want)
{
	char v[64], err[256];

	if (review_current_version(r, v, sizeof(v), err, sizeof(err)) != 0)
		fail_msg("current version: %s", err);
	assert_string_equal(v, want);
}

/* dropoff, in progress what is open and active from LIVE_AFTER */
static char *
dropoff(struct review *r, int64_t live_after, bool json)
{
	char err[256];
	struct memout m;

	if (review_dropoff(r, 0, live_after, json, mem_open(&m), err,
	    sizeof(err)))
		fail_msg("dropoff: %s", err);
	return memout_close(&m);
}

/* The transcript of CONV */
static char *
transcript(struct review *r, const char *conv, bool json)
{
	char err[256];
	struct memout m;

	if (review_transcript(r, conv, json, mem_open(&m), err, sizeof(err)))
		fail_msg("transcript %s: %s", conv, err);
	return memout_close(&m);
}

static double
num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItem(o, k);

	assert_non_null(v);
	assert_true(cJSON_IsNumber(v));
	return v->valuedouble;
}

static void
test_stats(void **state)
{
	struct review *r = open_one(false);
	char *s = run(review_stats, r, 0, true);
	cJSON *doc = cJSON_Parse(s), *tot, *day;

	(void)state;
	assert_non_null(doc);
	tot = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "totals"), 0);
	assert_int_equal(num(tot, "conversations"), 2);
	assert_int_equal(num(tot, "messages"), 5);
	assert_int_equal(num(tot, "fallbacks"), 3);
	assert_true(num(tot, "fallback_rate") == 75.0);	/* 3 of 4 typed */
	assert_int_equal(num(tot, "helpful"), 1);
	assert_int_equal(num(tot, "not_helpful"), 1);
	day = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "per_day"), 1);
	assert_string_equal(cJSON_GetObjectItem(day, "day")->valuestring,
	    "2025-01-02");
	assert_int_equal(num(day, "messages"), 1);
	assert_int_equal(num(day, "not_helpful"), 0);
	day = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "per_day"), 0);
	assert_int_equal(num(day, "helpful"), 1);
	assert_int_equal(num(day, "not_helpful"), 1);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc,
	    "replies_by_intent")), 3);
	cJSON_Delete(doc);
	free(s);
	/* --since the second day */
	s = run(review_stats, r, DAY2, true);
	doc = cJSON_Parse(s);
	tot = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "totals"), 0);
	assert_int_equal(num(tot, "conversations"), 1);
	assert_int_equal(num(tot, "fallbacks"), 1);
	cJSON_Delete(doc);
	free(s);
	s = run(review_stats, r, 0, false);
	assert_non_null(strstr(s, "Totals"));
	assert_non_null(strstr(s, "2025-01-01 1             4        2         "
	    "1       1"));
	/* the table says what its rate is a rate of; JSON keeps its keys */
	assert_non_null(strstr(s, "fallback_rate: the % of typed messages"));
	free(s);
	s = run(review_stats, r, 0, true);
	assert_null(strstr(s, "typed messages"));
	free(s);
	review_close(r);
}

/* review_until: every report that takes a start counts only what
 * happened before the end too, by the same times: conversation b (and
 * its fallback, and its end at root) is of the second day, the end */
static void
test_until(void **state)
{
	struct review *r = open_one(false);
	char *s, err[256];
	cJSON *doc, *tot;
	struct memout m;

	(void)state;
	review_until(r, DAY2);
	s = run(review_stats, r, 0, true);
	doc = cJSON_Parse(s);
	tot = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "totals"), 0);
	/* of the first day: a's 4 messages, 2 of them fallbacks, its
	 * ratings; the second day has no row */
	assert_true(num(tot, "conversations") == 1 && num(tot, "messages") ==
	    4 && num(tot, "fallbacks") == 2 && num(tot, "helpful") == 1 &&
	    num(tot, "not_helpful") == 1);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc,
	    "per_day")), 1);
	cJSON_Delete(doc);
	free(s);
	s = unmatched_of(r, NULL, false);
	assert_non_null(strstr(s, "vendor zebra"));
	assert_null(strstr(s, "zebra vendor contract"));
	free(s);
	s = dropoff(r, INT64_MAX, true);
	doc = cJSON_Parse(s);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc,
	    "last_node")), 1);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
	    cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "last_node"), 0),
	    "node")), "q_size");
	cJSON_Delete(doc);
	free(s);
	assert_int_equal(review_export(r, 0, true, mem_open(&m), err,
	    sizeof(err)), 0);
	s = memout_close(&m);
	assert_non_null(strstr(s, "\n8,a,"));
	assert_null(strstr(s, ",b,"));
	free(s);
	/* an end at the first day's midnight: nothing before it */
	review_until(r, DAY1);
	s = feedback_of(r, NULL, true);
	doc = cJSON_Parse(s);
	assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "by_node")) ==
	    0 && cJSON_GetArraySize(cJSON_GetObjectItem(doc, "not_helpful")) ==
	    0);
	cJSON_Delete(doc);
	free(s);
	/* and no end again: as before */
	review_until(r, INT64_MAX);
	s = run(review_stats, r, 0, true);
	doc = cJSON_Parse(s);
	tot = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "totals"), 0);
	assert_int_equal(num(tot, "conversations"), 2);
	cJSON_Delete(doc);
	free(s);
	review_close(r);
}

static void
test_unmatched(void **state)
{
	struct review *r = open_one(false);
	char *s = unmatched_of(r, NULL, true);
	cJSON *doc = cJSON_Parse(s), *g, *c;

	(void)state;
	assert_non_null(doc);
	g = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "by_text"), 0);
	assert_int_equal(num(g, "count"), 2);
	assert_string_equal(cJSON_GetObjectItem(g, "text")->valuestring,
	    "vendor zebra");
	assert_string_equal(cJSON_GetObjectItem(g, "picked")->valuestring,
	    "challenge_dependence");
	assert_string_equal(cJSON_GetObjectItem(g, "last_seen")->valuestring,
	    "2025-01-01");
	/* each form once, as a list: "vendor, zebra" is one form, not two */
	c = cJSON_GetObjectItem(g, "as_typed");
	assert_true(cJSON_IsArray(c));
	assert_int_equal(cJSON_GetArraySize(c), 2);
	assert_string_equal(cJSON_GetArrayItem(c, 0)->valuestring,
	    "Vendor zebra!");
	assert_string_equal(cJSON_GetArrayItem(c, 1)->valuestring,
	    "vendor, zebra");
	/* "zebra vendor contract" shares 2 of 3 words: one cluster of 3 */
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc,
	    "clusters")), 1);
	c = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "clusters"), 0);
	assert_int_equal(num(c, "count"), 3);
	cJSON_Delete(doc);
	free(s);
	s = unmatched_of(r, NULL, false);
	assert_non_null(strstr(s, "\"vendor zebra\" | \"zebra vendor "
	    "contract\""));
	assert_non_null(strstr(s, "vendor zebra                             "
	    "Vendor zebra! | vendor, zebra \n"));
	free(s);
	review_close(r);
}

/* How many times a statement whose SQL has TRACED in it started, on
 * every connection opened while counting (an auto extension traces each
 * new connection, the review's too). */
static const char *traced;
static int traced_runs;

static int
trace_stmt(unsigned what, void *arg, void *p, void *x)
{
	const char *sql = sqlite3_sql(p);

	(void)what;
	(void)arg;
	(void)x;
	if (sql != NULL && strstr(sql, traced) != NULL)
		traced_runs++;
	return 0;
}

static int
trace_conn(sqlite3 *db, const char **errmsg, const void *api)
{
	(void)errmsg;
	(void)api;
	sqlite3_trace_v2(db, SQLITE_TRACE_STMT, trace_stmt, NULL);
	return SQLITE_OK;
}

/* The table and the clusters come from one run of unmatched's query:
 * the clusters were a second read of the whole log (twice the time on a
 * large one), which could also count rows the table had not. */
static void
test_unmatched_one_query(void **state)
{
	struct review *r;
	char *s;
	cJSON *doc;
	int json;

	(void)state;
	traced = "WITH fb AS";
	sqlite3_auto_extension((void (*)(void))trace_conn);
	r = open_one(true);
	for (json = 0; json < 2; json++) {
		traced_runs = 0;
		s = unmatched_of(r, NULL, json);
		assert_int_equal(traced_runs, 1);
		if (json) {
			doc = cJSON_Parse(s);
			assert_int_equal(num(cJSON_GetArrayItem(
			    cJSON_GetObjectItem(doc, "clusters"), 0), "count"),
			    3);
			cJSON_Delete(doc);
		} else
			assert_non_null(strstr(s, "    3 \"vendor zebra\" | "
			    "\"zebra vendor contract\""));
		free(s);
	}
	review_close(r);
	sqlite3_cancel_auto_extension((void (*)(void))trace_conn);
}

/* A fallback of conversation w-c at time T1, text TEXT, id ID. */
#define FB(id, text) MSG_INTO "(" #id ", 'w-c', 'in', '" \
    text "', 'fallback', NULL, NULL, NULL, NULL, 0, " T1 ");"

/* Clusters compare the words that say what a question is about ("what
 * is lpo" and "what is rpa" share only "what is"), and the largest comes
 * first, also when it grew after a smaller one was started. */
static void
test_clusters(void **state)
{
	struct review *r;
	char *s;
	cJSON *doc, *cl, *c;

	(void)state;
	fixture(path_a,
	    "INSERT INTO conversations VALUES ('w-c', 'web', NULL, NULL, " T1
	    ", NULL, 'v1');"
	    FB(1, "alpha beta") FB(2, "alpha beta") FB(3, "gamma delta")
	    FB(4, "delta gamma epsilon") FB(5, "gamma delta zeta")
	    FB(6, "what is lpo") FB(7, "what is rpa"));
	r = open_one(false);
	s = unmatched_of(r, NULL, true);
	doc = cJSON_Parse(s);
	cl = cJSON_GetObjectItem(doc, "clusters");
	assert_int_equal(cJSON_GetArraySize(cl), 4);
	c = cJSON_GetArrayItem(cl, 0);
	assert_int_equal(num(c, "count"), 3);
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(c,
	    "texts"), 0)->valuestring, "delta gamma epsilon");
	assert_int_equal(num(cJSON_GetArrayItem(cl, 1), "count"), 2);
	assert_int_equal(num(cJSON_GetArrayItem(cl, 2), "count"), 1);
	assert_int_equal(num(cJSON_GetArrayItem(cl, 3), "count"), 1);
	cJSON_Delete(doc);
	free(s);
	s = unmatched_of(r, NULL, false);
	assert_null(strstr(s, "\"what is lpo\" | \"what is rpa\""));
	assert_non_null(strstr(s, "\n    1 \"what is lpo\"\n    1 \"what is "
	    "rpa\"\n"));
	free(s);
	review_close(r);
}

/* A fallback of w-c whose text has no words: it normalises to "". */
#define FB0(id, text) MSG_INTO "(" #id ", 'w-c', 'in', '" \
    text "', 'fallback', NULL, '{\"normalized\":\"\"}', NULL, NULL, 0, " \
    T1 ");"

/* Where a question fell: the nodes it was typed at (a question typed in
 * the questionnaire is a gap there, not in the topics) and the
 * conversation it fell in last, for transcript. */
static void
test_unmatched_where(void **state)
{
	struct review *r;
	cJSON *doc, *g, *at;
	char *s;

	(void)state;
	fixture(path_a,
	    "INSERT INTO conversations VALUES ('w-q', 'web', NULL, NULL, " T1
	    ", NULL, 'v1');"
	    "INSERT INTO conversations VALUES ('w-r', 'web', NULL, NULL, " T1
	    ", NULL, 'v1');"
	    MSG_INTO "(1, 'w-q', 'in', 'what does transactional mean', "
	    "'fallback', 'q_goal', NULL, NULL, NULL, 0, " T1 ");"
	    MSG_INTO "(2, 'w-r', 'in', 'what does transactional mean', "
	    "'fallback', 'root', NULL, NULL, NULL, 0, " T1 " + 5);"
	    MSG_INTO "(3, 'w-q', 'in', 'What does transactional mean?', "
	    "'fallback', 'q_goal', '{\"normalized\":\"what does "
	    "transactional mean\"}', NULL, NULL, 0, " T1 " + 2);");
	r = open_one(false);
	s = unmatched_of(r, NULL, true);
	doc = cJSON_Parse(s);
	g = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "by_text"), 0);
	assert_int_equal(num(g, "count"), 3);
	/* each node once, in no particular order */
	at = cJSON_GetObjectItem(g, "asked_at");
	assert_int_equal(cJSON_GetArraySize(at), 2);
	assert_true(strcmp(cJSON_GetArrayItem(at, 0)->valuestring, "q_goal") ==
	    0 ? strcmp(cJSON_GetArrayItem(at, 1)->valuestring, "root") == 0 :
	    strcmp(cJSON_GetArrayItem(at, 0)->valuestring, "root") == 0 &&
	    strcmp(cJSON_GetArrayItem(at, 1)->valuestring, "q_goal") == 0);
	assert_string_equal(cJSON_GetObjectItem(g, "conversation")->valuestring,
	    "w-r");
	cJSON_Delete(doc);
	free(s);
	s = unmatched_of(r, NULL, false);
	assert_true(strstr(s, "q_goal | root    w-r                        "
	    "what does transactional mean") != NULL || strstr(s, "root | "
	    "q_goal    w-r                        what does transactional "
	    "mean") != NULL);
	free(s);
	review_close(r);
}

/* A question with no words ("???") is shown as typed, in its own group
 * and cluster, not as a blank text and an empty cluster "". */
static void
test_unmatched_no_words(void **state)
{
	struct review *r;
	char *s;
	cJSON *doc, *g, *c;

	(void)state;
	fixture(path_a,
	    "INSERT INTO conversations VALUES ('w-c', 'web', NULL, NULL, " T1
	    ", NULL, 'v1');"
	    FB0(1, "???") FB0(2, " ??? ") FB0(3, "!!") FB0(4, "   ")
	    FB(5, "alpha beta"));
	r = open_one(false);
	s = unmatched_of(r, NULL, true);
	doc = cJSON_Parse(s);
	g = cJSON_GetObjectItem(doc, "by_text");
	assert_int_equal(cJSON_GetArraySize(g), 4);
	c = cJSON_GetArrayItem(g, 0);
	assert_int_equal(num(c, "count"), 2);
	assert_string_equal(cJSON_GetObjectItem(c, "text")->valuestring, "???");
	cJSON_ArrayForEach(c, g)
		assert_true(cJSON_GetObjectItem(c, "text")->valuestring[0] !=
		    '\0');
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "clusters"))
		assert_true(cJSON_GetArrayItem(cJSON_GetObjectItem(c,
		    "texts"), 0)->valuestring[0] != '\0');
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc,
	    "clusters")), 4);
	cJSON_Delete(doc);
	free(s);
	s = unmatched_of(r, NULL, false);
	assert_non_null(strstr(s, "\n2     2025-01-01 -                      "
	    "-                w-c                        "
	    "???                                      ??? |  ???  \n"));
	assert_non_null(strstr(s, "\n    2 \"???\"\n"));
	assert_non_null(strstr(s, "\n    1 \"(blank)\"\n"));
	assert_null(strstr(s, "\"\""));
	free(s);
	review_close(r);
}

/* A question answered since a content fix drops out of unmatched for
 * the new version; the newest version is that of the conversation
 * started last (here v2, although v1's conversation has the last word). */
static void
test_unmatched_version(void **state)
{
	struct review *r;
	char *s, v[64], err[256];
	cJSON *doc, *g;

	(void)state;
	fixture(path_a,
	    "INSERT INTO conversations VALUES ('w-1', 'web', NULL, NULL, " T1
	    ", NULL, 'v1');"
	    "INSERT INTO conversations VALUES ('w-2', 'web', NULL, NULL, " T2
	    ", NULL, 'v2');"
	    MSG_INTO "(1, 'w-1', 'in', 'what is lpo',"
	    " 'fallback', NULL, NULL, NULL, NULL, 0, " T1 ");"
	    MSG_INTO "(2, 'w-1', 'in', 'zebra vendor',"
	    " 'fallback', NULL, NULL, NULL, NULL, 0, " T2 " + 9);"
	    MSG_INTO "(3, 'w-2', 'in', 'what is lpo',"
	    " 'lpo', NULL, NULL, NULL, NULL, 0, " T2 ");"
	    MSG_INTO "(4, 'w-2', 'in', 'zebra vendor',"
	    " 'fallback', NULL, NULL, NULL, NULL, 0, " T2 ");");
	r = open_one(false);
	current_is(r, "v2");
	doc = doc_of_version(review_unmatched, r, "v2", "by_text", 1);
	g = cJSON_GetObjectItem(doc, "by_text");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(g, 0),
	    "text")->valuestring, "zebra vendor");
	assert_int_equal(num(cJSON_GetArrayItem(g, 0), "count"), 1);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc,
	    "clusters")), 1);
	cJSON_Delete(doc);
	s = unmatched_of(r, "v2", false);
	assert_non_null(strstr(s, "content version v2"));
	assert_null(strstr(s, "lpo"));
	free(s);
	s = unmatched_of(r, "v1", false);
	assert_non_null(strstr(s, "lpo"));
	free(s);
	/* a version the log does not have is said to be none, not read as
	 * one nobody has asked yet */
	assert_int_equal(review_version_known(r, "v1", err, sizeof(err)), 1);
	assert_int_equal(review_version_known(r, "v3", err, sizeof(err)), 0);
	assert_string_equal(err, "no content version \"v3\" in the log (the "
	    "newest is v2, which --current takes)");
	/* all versions: both */
	s = unmatched_of(r, NULL, true);
	doc = cJSON_Parse(s);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(doc, "content_version")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc,
	    "by_text")), 2);
	cJSON_Delete(doc);
	free(s);
	review_close(r);
	/* a log with no version recorded says so */
	fixture(path_a, "INSERT INTO conversations VALUES ('w-3', 'web', NULL,"
	    " NULL, " T1 ", NULL, NULL);");
	r = open_one(false);
	assert_int_equal(review_current_version(r, v, sizeof(v), err,
	    sizeof(err)), -1);
	assert_string_equal(err, "no conversation in the log records a "
	    "content version");
	assert_int_equal(review_version_known(r, "v1", err, sizeof(err)), 0);
	assert_string_equal(err, "no content version \"v1\" in the log, "
	    "which records none");
	review_close(r);
}

/* The texts of unmatched under version V (NULL: all), "|" between, in
 * the report's order, in OUT. */
static const char *
unmatched_texts(struct review *r, const char *v, char *out, size_t len)
{
	char *s = unmatched_of(r, v, true);
	cJSON *doc = cJSON_Parse(s), *g;
	size_t o = 0;

	assert_non_null(doc);
	out[0] = '\0';
	cJSON_ArrayForEach(g, cJSON_GetObjectItem(doc, "by_text"))
		o += (size_t)snprintf(out + o, len - o, "%s%s", o ? "|" : "",
		    cJSON_GetObjectItem(g, "text")->valuestring);
	cJSON_Delete(doc);
	free(s);
	return out;
}

/* A log at PATH as user_version 2 wrote it (no messages.content_version),
 * then SQL run on it. */
static void
fixture_v2(const char *path, const char *sql)
{
	sqlite3 *db;

	store_remove(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, schema_migrations[0], NULL, NULL,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, schema_migrations[1], NULL, NULL,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 2", NULL,
	    NULL, NULL), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("fixture_v2: %s", sqlite3_errmsg(db));
	sqlite3_close(db);
}

/* R's current version is CURRENT, and unmatched lists V1 under v1 and
 * V2 under v2 (texts as unmatched_texts() joins them). */
static void
versions_are(struct review *r, const char *current, const char *v1,
    const char *v2)
{
	char t[512];

	current_is(r, current);
	assert_string_equal(unmatched_texts(r, "v1", t, sizeof(t)), v1);
	assert_string_equal(unmatched_texts(r, "v2", t, sizeof(t)), v2);
}

#define MSG_V "INSERT INTO messages (id, conversation, direction, text," \
    " intent, time, content_version) VALUES "

/* One damaged row (a why that is not JSON, a text or node stored as a
 * blob, by a hand edit or a tool) does not fail the whole inbox: the
 * text counts as typed, lower case, and a blob as its bytes. */
static void
test_unmatched_damaged(void **state)
{
	struct review *r;
	char t[512];

	(void)state;
	fixture(path_a,
	    "INSERT INTO conversations VALUES ('w-d', 'web', NULL, NULL, " T1
	    ", NULL, 'v1');"
	    MSG_INTO "(1, 'w-d', 'in', 'Zebra Vendor', 'fallback', NULL,"
	    " '{not json', NULL, NULL, 0, " T1 ");"
	    MSG_INTO "(2, 'w-d', 'in', x'7a6562726120766e', 'fallback',"
	    " x'715f776f726b', NULL, NULL, NULL, 0, " T1 ");");
	r = open_one(false);
	assert_string_equal(unmatched_texts(r, NULL, t, sizeof(t)),
	    "zebra vendor|zebra vn");
	review_close(r);
}

/*
 * A question counts under the content it was matched by, not under the
 * version its conversation was last logged with.  w-r fell back under v1,
 * was resumed under v2 (which rewrote the conversation's version) and
 * asked again, now answered: v2 has it no longer unanswered.
 */
static void
test_unmatched_resumed(void **state)
{
	struct review *r;
	char t[512];

	(void)state;
	fixture(path_a,
	    "INSERT INTO conversations VALUES ('w-r', 'web', NULL, NULL, " T1
	    ", NULL, 'v2');"
	    MSG_V "(1, 'w-r', 'in', 'what is lpo', 'fallback', " T1 ", 'v1'),"
	    " (2, 'w-r', 'out', 'Sorry', 'fallback', " T1 ", NULL),"
	    " (3, 'w-r', 'in', 'what is lpo', 'lpo', " T2 ", 'v2'),"
	    " (4, 'w-r', 'out', 'LPO is', 'lpo', " T2 ", NULL),"
	    " (5, 'w-r', 'in', 'zebra vendor', 'fallback', " T2 ", 'v2');");
	r = open_one(false);
	versions_are(r, "v2", "what is lpo", "zebra vendor");
	assert_string_equal(unmatched_texts(r, NULL, t, sizeof(t)),
	    "what is lpo|zebra vendor");
	/* v1 is only a question's now: known all the same */
	assert_int_equal(review_version_known(r, "v1", t, sizeof(t)), 1);
	review_close(r);
}

/*
 * A conversation kept in memory across a content reload keeps the version
 * it was logged with (v1), while its new questions are matched by v2:
 * they count under v2, and v2, the content of the newest question, is
 * the current one though no conversation row says so.  Rows from before
 * messages had a version (w-o) count under their conversation's, in a
 * log of this schema and in one of the previous (path_b) reviewed with
 * it.
 */
static void
test_unmatched_reloaded(void **state)
{
	const char *paths[] = { path_b };
	struct review *r;
	char err[256];

	(void)state;
	fixture(path_a,
	    "INSERT INTO conversations VALUES ('w-k', 'web', NULL, NULL, " T1
	    ", NULL, 'v1');"
	    "INSERT INTO conversations VALUES ('w-o', 'web', NULL, NULL, " T1
	    ", NULL, 'v1');"
	    MSG_V "(1, 'w-o', 'in', 'old question', 'fallback', " T1 ", NULL),"
	    " (2, 'w-k', 'in', 'what is lpo', 'fallback', " T1 ", 'v1'),"
	    " (3, 'w-k', 'in', 'what is lpo', 'lpo', " T2 ", 'v2'),"
	    " (4, 'w-k', 'in', 'zebra vendor', 'fallback', " T2 ", 'v2');");
	r = open_one(false);
	versions_are(r, "v2", "old question|what is lpo", "zebra vendor");
	review_close(r);
	fixture_v2(path_b,
	    "INSERT INTO conversations VALUES ('w-p', 'web', NULL, NULL, " T2
	    ", NULL, 'v1');"
	    MSG_INTO "(1, 'w-p', 'in', 'older question', 'fallback', NULL,"
	    " NULL, NULL, NULL, 0, " T2 ");");
	r = open_one(true);
	versions_are(r, "v2", "old question|older question|what is lpo",
	    "zebra vendor");
	review_close(r);
	/* the previous schema alone: the conversation started last */
	r = review_open(paths, 1, false, err, sizeof(err));
	assert_non_null(r);
	versions_are(r, "v1", "older question", "");
	review_close(r);
}

/* Conversation w-r: two questions, kpo and bpo, each answered (replies 2
 * and 4), for the ratings tests to rate. */
#define KPO_BPO \
    "INSERT INTO conversations VALUES ('w-r', 'web', NULL, NULL, " T1 \
    ", NULL, 'v1');" \
    MSG_INTO "(1, 'w-r', 'in', 'what is kpo', 'kpo'," \
    " NULL, NULL, NULL, NULL, 0, " T1 ");" \
    MSG_INTO "(2, 'w-r', 'out', 'KPO is', 'kpo'," \
    " 'kpo', NULL, NULL, NULL, 9, " T1 ");" \
    MSG_INTO "(3, 'w-r', 'in', 'and bpo', 'bpo'," \
    " NULL, NULL, NULL, NULL, 0, " T1 ");" \
    MSG_INTO "(4, 'w-r', 'out', 'BPO is', 'bpo'," \
    " 'bpo', NULL, NULL, NULL, 9, " T1 ");"

/* A log made by hand without the schema's NOT NULLs: a load that names
 * no version is passed over for the newest that does, or for the newest
 * question's (printing a NULL text was undefined). */
static void
test_current_null_load(void **state)
{
	sqlite3 *db;
	struct review *r;

	(void)state;
	store_remove(path_b);
	assert_int_equal(sqlite3_open(path_b, &db), SQLITE_OK);
	if (sqlite3_exec(db, "CREATE TABLE conversations (id, channel, user, "
	    "resume_hash, started, ended, content_version);"
	    "CREATE TABLE messages (id, conversation, direction, text, intent,"
	    " node, why, rewrites, suggestion, latency_us, time,"
	    " content_version);"
	    "CREATE TABLE feedback (id, message, conversation, helpful,"
	    " comment, time);"
	    "CREATE TABLE states (conversation, state, updated);"
	    "CREATE TABLE content_loads (time, version);"
	    "INSERT INTO content_loads VALUES (" T2 ", NULL);"
	    MSG_V "(1, 'w-n', 'in', 'hi', 'greeting', " T1 ", 'v7');", NULL,
	    NULL, NULL) != SQLITE_OK)
		fail_msg("loose log: %s", sqlite3_errmsg(db));
	sqlite3_close(db);
	r = open_one(true);
	current_is(r, "v7");
	review_close(r);
}

/* Right after a reload no question has been matched by the new content:
 * the current version is the one loaded last, not the newest question's
 * (the content just replaced), and the report says nobody has asked it
 * yet rather than show an empty inbox as if every gap were closed. */
static void
test_unmatched_just_reloaded(void **state)
{
	struct review *r;
	cJSON *doc;
	char *s, err[256];

	(void)state;
	fixture(path_a,
	    "INSERT INTO conversations VALUES ('w-k', 'web', NULL, NULL, " T1
	    ", NULL, 'v1');"
	    "INSERT INTO content_loads VALUES (" T1 ", 'v1');"
	    MSG_V "(1, 'w-k', 'in', 'what is lpo', 'fallback', " T1 ", 'v1'),"
	    " (2, 'w-k', 'in', 'what is kpo', 'define_kpo', " T1 ", 'v1'),"
	    " (3, 'w-k', 'in', 'Dependence', 'choose', " T1 ", 'v1');"
	    "INSERT INTO content_loads VALUES (" T2 ", 'v2');");
	r = open_one(false);
	current_is(r, "v2");
	s = unmatched_of(r, "v2", true);
	doc = cJSON_Parse(s);
	assert_string_equal(cJSON_GetObjectItem(doc, "loaded")->valuestring,
	    "2025-01-02T00:00:00Z");
	assert_int_equal(num(doc, "questions"), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc,
	    "by_text")), 0);
	cJSON_Delete(doc);
	free(s);
	s = unmatched_of(r, "v2", false);
	assert_non_null(strstr(s, "Content version v2, loaded "
	    "2025-01-02T00:00:00Z: no question typed of it yet"));
	free(s);
	/* loaded and not asked yet is a version the log has */
	assert_int_equal(review_version_known(r, "v2", err, sizeof(err)), 1);
	/* the content before: two typed questions (a click is none), one
	 * fell back */
	s = unmatched_of(r, "v1", true);
	doc = cJSON_Parse(s);
	assert_int_equal(num(doc, "questions"), 2);
	assert_int_equal(num(doc, "fallbacks"), 1);
	cJSON_Delete(doc);
	free(s);
	s = unmatched_of(r, "v1", false);
	assert_non_null(strstr(s, "Content version v1, loaded "
	    "2025-01-01T00:00:00Z: 2 questions typed of it, 1 fell to "
	    "fallback"));
	free(s);
	review_close(r);
}

/* A reply rated twice counts once, by its latest rating: rated not
 * helpful by a slip and then helpful, it is no longer in the feedback
 * report; its first rating is not counted as well. */
static void
test_rated_twice(void **state)
{
	struct review *r;
	cJSON *doc, *tot;
	char *s;

	(void)state;
	fixture(path_a,
	    KPO_BPO
	    "INSERT INTO feedback VALUES (1, 2, 'w-r', 0, 'slip', " T1 ");"
	    "INSERT INTO feedback VALUES (2, 2, 'w-r', 1, NULL, " T1 " + 5);"
	    "INSERT INTO feedback VALUES (3, 4, 'w-r', 1, NULL, " T1 ");"
	    "INSERT INTO feedback VALUES (4, 4, 'w-r', 0, 'second thought', "
	    T1 " + 5);");
	r = open_one(false);
	s = run(review_stats, r, 0, true);
	doc = cJSON_Parse(s);
	tot = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "totals"), 0);
	assert_int_equal(num(tot, "helpful"), 1);
	assert_int_equal(num(tot, "not_helpful"), 1);
	tot = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "per_day"), 0);
	assert_int_equal(num(tot, "helpful"), 1);
	assert_int_equal(num(tot, "not_helpful"), 1);
	cJSON_Delete(doc);
	free(s);
	s = feedback_of(r, NULL, true);
	doc = cJSON_Parse(s);
	tot = cJSON_GetObjectItem(doc, "not_helpful");
	assert_int_equal(cJSON_GetArraySize(tot), 1);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(tot, 0),
	    "comment")->valuestring, "second thought");
	cJSON_Delete(doc);
	free(s);
	review_close(r);
}

/* A reply rated on a day with no messages (the day after it was sent)
 * has its per-day row: the rows add up to the totals. */
static void
test_per_day_rating_only(void **state)
{
	struct review *r;
	cJSON *doc, *days, *day;
	double h = 0, nh = 0;
	char *s;

	(void)state;
	fixture(path_a,
	    "INSERT INTO conversations VALUES ('w-d', 'web', NULL, NULL, " T1
	    ", NULL, 'v1');"
	    MSG_INTO "(1, 'w-d', 'in', 'what is kpo', 'kpo',"
	    " NULL, NULL, NULL, NULL, 0, " T1 ");"
	    MSG_INTO "(2, 'w-d', 'out', 'KPO is', 'kpo',"
	    " 'kpo', NULL, NULL, NULL, 9, " T1 ");"
	    "INSERT INTO feedback VALUES (1, 2, 'w-d', 0, 'late', " T2 " + 5);");
	r = open_one(false);
	s = run(review_stats, r, 0, true);
	doc = cJSON_Parse(s);
	days = cJSON_GetObjectItem(doc, "per_day");
	assert_int_equal(cJSON_GetArraySize(days), 2);
	cJSON_ArrayForEach(day, days) {
		h += num(day, "helpful");
		nh += num(day, "not_helpful");
	}
	assert_true(h == 0 && nh == 1);
	day = cJSON_GetArrayItem(days, 1);
	assert_string_equal(cJSON_GetObjectItem(day, "day")->valuestring,
	    "2025-01-02");
	assert_int_equal(num(day, "messages"), 0);
	assert_int_equal(num(day, "conversations"), 0);
	assert_int_equal(num(day, "not_helpful"), 1);
	cJSON_Delete(doc);
	free(s);
	s = run(review_stats, r, 0, false);
	assert_non_null(strstr(s, "2025-01-02 0             0        0         "
	    "0       1"));
	free(s);
	review_close(r);
}

/* A reply of conversation CONV at node NODE, time T. */
#define OUT(id, conv, node, t) MSG_INTO "(" #id ", '" \
    conv "', 'out', 'next?', 'decide', '" node "', NULL, NULL, NULL, 9, " \
    t ");"

/* A conversation resumed on a later day counts once, on the day it
 * started, as in the totals: the per-day rows add up to them, --since
 * too. */
static void
test_per_day_resumed(void **state)
{
	struct review *r;
	cJSON *doc, *days, *day, *tot;
	double c;
	char *s;

	(void)state;
	fixture(path_a,
	    "INSERT INTO conversations VALUES ('w-r', 'web', NULL, NULL, " T1
	    ", NULL, 'v1');"
	    MSG_INTO "(1, 'w-r', 'in', 'what is kpo', 'kpo', NULL, NULL, NULL,"
	    " NULL, 0, " T1 ");"
	    MSG_INTO "(2, 'w-r', 'in', 'and bpo', 'bpo', NULL, NULL, NULL,"
	    " NULL, 0, " T2 ");");
	r = open_one(false);
	s = run(review_stats, r, 0, true);
	doc = cJSON_Parse(s);
	days = cJSON_GetObjectItem(doc, "per_day");
	assert_int_equal(cJSON_GetArraySize(days), 2);
	c = 0;
	cJSON_ArrayForEach(day, days)
		c += num(day, "conversations");
	tot = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "totals"), 0);
	assert_true(c == num(tot, "conversations") && c == 1);
	day = cJSON_GetArrayItem(days, 1);
	assert_int_equal(num(day, "conversations"), 0);
	assert_int_equal(num(day, "messages"), 1);
	cJSON_Delete(doc);
	free(s);
	s = run(review_stats, r, DAY2, true);
	doc = cJSON_Parse(s);
	day = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "per_day"), 0);
	assert_int_equal(num(day, "conversations"), 0);
	cJSON_Delete(doc);
	free(s);
	review_close(r);
}

/* A questionnaire still being answered (open, active within the idle
 * window) is in progress, not given up; one whose visitor left (ended)
 * is given up however recent. */
static void
test_dropoff_in_progress(void **state)
{
	struct review *r;
	cJSON *doc, *q;
	char *s;

	(void)state;
	fixture(path_a,
	    "INSERT INTO conversations VALUES ('w-old', 'web', NULL, NULL, " T1
	    ", NULL, 'v1');"
	    "INSERT INTO conversations VALUES ('w-live', 'web', NULL, NULL, "
	    T2 ", NULL, 'v1');"
	    "INSERT INTO conversations VALUES ('w-left', 'web', NULL, NULL, "
	    T2 ", " T2 " + 7, 'v1');"
	    "INSERT INTO conversations VALUES ('w-root', 'web', NULL, NULL, "
	    T2 ", NULL, 'v1');"
	    OUT(1, "w-old", "q_size", T1) OUT(2, "w-live", "q_size", T2)
	    OUT(3, "w-left", "q_size", T2) OUT(4, "w-root", "root", T2));
	r = open_one(false);
	s = dropoff(r, DAY2, true);
	doc = cJSON_Parse(s);
	q = cJSON_GetObjectItem(doc, "questionnaire");
	assert_int_equal(cJSON_GetArraySize(q), 1);
	q = cJSON_GetArrayItem(q, 0);
	assert_string_equal(cJSON_GetObjectItem(q, "step")->valuestring,
	    "q_size");
	assert_int_equal(num(q, "gave_up"), 2);
	assert_int_equal(num(q, "in_progress"), 1);
	q = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "last_node"), 1);
	assert_string_equal(cJSON_GetObjectItem(q, "node")->valuestring,
	    "root");
	assert_int_equal(num(q, "conversations_ended"), 0);
	assert_int_equal(num(q, "in_progress"), 1);
	cJSON_Delete(doc);
	free(s);
	s = dropoff(r, DAY2, false);
	assert_non_null(strstr(s, "step                         reached "
	    "gave_up in_progress \nq_size                       3       2     "
	    "  1           \n"));
	free(s);
	/* nothing active after the window: all given up */
	s = dropoff(r, DAY2 + 1000, true);
	doc = cJSON_Parse(s);
	q = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "questionnaire"), 0);
	assert_int_equal(num(q, "gave_up"), 3);
	assert_int_equal(num(q, "in_progress"), 0);
	cJSON_Delete(doc);
	free(s);
	review_close(r);
}

/* dropoff with nothing in progress, as JSON, with NLAST rows of where
 * conversations end and NQ of questionnaire steps. */
static cJSON *
dropoff_doc(struct review *r, int nlast, int nq)
{
	char *s = dropoff(r, INT64_MAX, true);
	cJSON *doc = cJSON_Parse(s);

	free(s);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc,
	    "last_node")), nlast);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc,
	    "questionnaire")), nq);
	return doc;
}

/* Row I of dropoff's questionnaire table in DOC: STEP, asked in REACHED
 * conversations, N given up. */
static void
gave_up_at(const cJSON *doc, int i, const char *step, int reached, int n)
{
	const cJSON *q = cJSON_GetArrayItem(cJSON_GetObjectItem(doc,
	    "questionnaire"), i);

	assert_non_null(q);
	assert_string_equal(cJSON_GetObjectItem(q, "step")->valuestring, step);
	assert_int_equal(num(q, "reached"), reached);
	assert_int_equal(num(q, "gave_up"), n);
}

/* An answer not understood at a question gets a fallback reply, which
 * says "fallback" but leaves the conversation at the question: leaving
 * then is giving up at that question. */
static void
test_dropoff_after_fallback(void **state)
{
	struct review *r;
	cJSON *doc;

	(void)state;
	fixture(path_a,
	    "INSERT INTO conversations VALUES ('w-fb', 'web', NULL, NULL, " T1
	    ", " T1 ", 'v1');"
	    "INSERT INTO conversations VALUES ('w-q', 'web', NULL, NULL, " T1
	    ", " T1 ", 'v1');"
	    OUT(1, "w-fb", "q_size", T1)
	    MSG_INTO "(2, 'w-fb', 'in', 'we are mid sized', 'fallback', "
	    "'q_size', NULL, NULL, NULL, 0, " T1 ");"
	    MSG_INTO "(3, 'w-fb', 'out', 'Sorry', 'fallback', 'fallback', "
	    "NULL, NULL, NULL, 9, " T1 ");"
	    MSG_INTO "(4, 'w-fb', 'in', 'hmm', 'fallback', 'q_size', NULL, "
	    "NULL, NULL, 0, " T1 ");"
	    MSG_INTO "(5, 'w-fb', 'out', 'Sorry', 'fallback', 'fallback', "
	    "NULL, NULL, NULL, 9, " T1 ");"
	    OUT(6, "w-q", "q_goal", T1));
	r = open_one(false);
	/* the last reply's node is still what it said */
	doc = dropoff_doc(r, 2, 2);
	gave_up_at(doc, 1, "q_size", 1, 1);
	cJSON_Delete(doc);
	review_close(r);
}

/* The saved dialogue state of CONV at time T: at NODE, PENDING the
 * question a side question interrupted ("" for none). */
#define STATE(conv, node, pending, t) "INSERT INTO states VALUES ('" conv \
    "', '{\"v\":1,\"node\":\"" node "\",\"topic\":\"\",\"pending\":\"" \
    pending "\",\"history\":[],\"answers\":{},\"offered\":[]}', " t ");"

/* Someone in the questionnaire who asks something else gets the side
 * answer (define_kpo, q_work_why), with the question still pending;
 * leaving then is giving up at that question, not at the side answer.
 * The saved state says which question that is when it is as new as the
 * last reply; an older one (a crash before it was logged) is not used. */
static void
test_dropoff_after_side_question(void **state)
{
	struct review *r;
	cJSON *doc;

	(void)state;
	fixture(path_a,
	    "INSERT INTO conversations VALUES ('w-side', 'web', NULL, NULL, "
	    T1 ", " T1 ", 'v1');"
	    "INSERT INTO conversations VALUES ('w-two', 'web', NULL, NULL, "
	    T1 ", " T1 ", 'v1');"
	    "INSERT INTO conversations VALUES ('w-why', 'web', NULL, NULL, "
	    T1 ", " T1 ", 'v1');"
	    "INSERT INTO conversations VALUES ('w-old', 'web', NULL, NULL, "
	    T1 ", " T1 ", 'v1');"
	    "INSERT INTO conversations VALUES ('w-done', 'web', NULL, NULL, "
	    T1 ", " T1 ", 'v1');"
	    OUT(1, "w-side", "q_work", T1)
	    MSG_INTO "(2, 'w-side', 'in', 'what is kpo', 'define_kpo', "
	    "'q_work', NULL, NULL, NULL, 0, " T1 ");"
	    OUT(3, "w-side", "define_kpo", T1)
	    STATE("w-side", "define_kpo", "q_work", T1)
	    /* two side questions: still pending */
	    OUT(4, "w-two", "q_goal", T1)
	    OUT(5, "w-two", "define_kpo", T1)
	    OUT(6, "w-two", "examples_kpo", T1)
	    STATE("w-two", "examples_kpo", "q_goal", T1)
	    /* why the question is asked: a q_ node, but not the question */
	    OUT(7, "w-why", "q_work", T1)
	    OUT(8, "w-why", "q_work_why", T1)
	    STATE("w-why", "q_work_why", "q_work", T1)
	    /* the state was last logged at q_goal, before the last reply */
	    OUT(9, "w-old", "q_goal", T1)
	    OUT(10, "w-old", "q_size", T2)
	    STATE("w-old", "q_goal", "", T1)
	    /* finished: the recommendation is no give-up */
	    OUT(11, "w-done", "q_expertise", T1)
	    OUT(12, "w-done", "recommendation", T1)
	    STATE("w-done", "recommendation", "", T1));
	r = open_one(false);
	/* where they ended is still the side answer */
	doc = dropoff_doc(r, 5, 3);
	/* reached: w-side, w-why at q_work; w-two, w-old at q_goal (w-old
	 * also at q_size); q_work_why is no question */
	gave_up_at(doc, 0, "q_work", 2, 2);
	gave_up_at(doc, 1, "q_goal", 2, 1);
	gave_up_at(doc, 2, "q_size", 1, 1);
	cJSON_Delete(doc);
	review_close(r);
}

/* A row of the feedback report: the rated reply's conversation, the
 * question before it, the node that said it, the rating's comment. */
static void
rated_is(const cJSON *row, const char *conv, const char *question,
    const char *node, const char *comment)
{
	static const char *const keys[] = { "conversation", "question", "node",
	    "comment" };
	const char *want[] = { conv, question, node, comment };
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
		    row, keys[i])), want[i]);
}

static void
test_dropoff_feedback(void **state)
{
	struct review *r = open_one(true);
	char *s = dropoff(r, INT64_MAX, true);
	cJSON *doc = cJSON_Parse(s), *q;
	char want[160];

	(void)state;
	q = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "questionnaire"), 0);
	assert_string_equal(cJSON_GetObjectItem(q, "step")->valuestring,
	    "q_size");
	assert_int_equal(num(q, "gave_up"), 2);	/* a and c, two files */
	assert_int_equal(num(q, "in_progress"), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc,
	    "last_node")), 2);
	cJSON_Delete(doc);
	free(s);
	s = feedback_of(r, NULL, true);
	doc = cJSON_Parse(s);
	q = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "not_helpful"), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc,
	    "not_helpful")), 1);
	/* the conversation, for transcript: the message id alone names
	 * none; the node that said it, the one to edit */
	rated_is(q, "a", "what is kpo", "root", "too short");
	cJSON_Delete(doc);
	free(s);
	s = feedback_of(r, NULL, false);
	assert_non_null(strstr(s, "conversation"));
	assert_non_null(strstr(s, "2       2025-01-01 a                          "
	    "root               what is kpo                    KPO means... "
	    "\n"));
	/* the comment on a line of its own, under the reply (after the
	 * columns before it, 96 characters with their spaces) */
	snprintf(want, sizeof(want), "KPO means... \n%96scomment: too short "
	    "\n", "");
	assert_non_null(strstr(s, want));
	free(s);
	review_close(r);
}

/* feedback --helpful lists the replies rated helpful after those rated
 * not helpful, each with its comment: what people liked was in the
 * transcript and the export only.  A reply rated twice is in the section
 * of its latest rating. */
static void
test_feedback_helpful(void **state)
{
	struct review *r;
	char err[256], *s, want[192];
	struct memout m;
	cJSON *doc, *h;

	(void)state;
	fixture(path_a, KPO_BPO
	    MSG_INTO "(5, 'w-r', 'out', 'Anything else?',"
	    " 'bpo', 'bpo', NULL, NULL, NULL, 9, " T1 ");"
	    "INSERT INTO feedback VALUES (1, 2, 'w-r', 0, 'too short', " T1 ");"
	    "INSERT INTO feedback VALUES (2, 4, 'w-r', 1, 'clear, thanks', "
	    T1 " + 1);"
	    "INSERT INTO feedback VALUES (3, 5, 'w-r', 1, NULL, " T1 " + 2);"
	    "INSERT INTO feedback VALUES (4, 5, 'w-r', 0, 'no', " T1 " + 3);");
	r = open_one(false);
	s = feedback_of(r, NULL, false);
	assert_null(strstr(s, "clear, thanks"));
	assert_null(strstr(s, "rated helpful"));
	free(s);
	s = feedback_of(r, NULL, true);
	doc = cJSON_Parse(s);
	assert_null(cJSON_GetObjectItem(doc, "helpful"));
	cJSON_Delete(doc);
	free(s);
	assert_int_equal(review_feedback(r, 0, NULL, NULL, true, true, mem_open(&m),
	    err, sizeof(err)), 0);
	s = memout_close(&m);
	doc = cJSON_Parse(s);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc,
	    "not_helpful")), 2);
	h = cJSON_GetObjectItem(doc, "helpful");
	assert_int_equal(cJSON_GetArraySize(h), 1);
	h = cJSON_GetArrayItem(h, 0);
	assert_int_equal(num(h, "message"), 4);
	rated_is(h, "w-r", "and bpo", "bpo", "clear, thanks");
	cJSON_Delete(doc);
	free(s);
	assert_int_equal(review_feedback(r, 0, "v1", NULL, true, false,
	    mem_open(&m), err, sizeof(err)), 0);
	s = memout_close(&m);
	assert_non_null(strstr(s, "Replies rated helpful (dates UTC; content "
	    "version v1)"));
	assert_true(strstr(s, "rated not helpful") < strstr(s,
	    "rated helpful"));
	snprintf(want, sizeof(want), "BPO is \n%96scomment: clear, thanks \n",
	    "");
	assert_non_null(strstr(strstr(s, "rated helpful"), want));
	free(s);
	/* of another content, neither section has a row */
	assert_int_equal(review_feedback(r, 0, "v9", NULL, true, true, mem_open(&m),
	    err, sizeof(err)), 0);
	s = memout_close(&m);
	doc = cJSON_Parse(s);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc,
	    "helpful")), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc,
	    "not_helpful")), 0);
	cJSON_Delete(doc);
	free(s);
	review_close(r);
}

/* After a content fix the bad ratings of the old answers are not the new
 * answers': feedback of one content version lists the replies to the
 * questions matched by it (a reply records none; a question from before
 * user_version 3 counts under its conversation's, as in unmatched). */
static void
test_feedback_version(void **state)
{
	struct review *r;
	cJSON *doc, *nh;
	char *s;

	(void)state;
	fixture(path_a,
	    "INSERT INTO conversations VALUES ('w-1', 'web', NULL, NULL, " T1
	    ", NULL, 'v1');"
	    "INSERT INTO conversations VALUES ('w-2', 'web', NULL, NULL, " T2
	    ", NULL, 'v2');"
	    MSG_V "(1, 'w-1', 'in', 'old row', 'cost', " T1 ", NULL),"
	    " (2, 'w-1', 'out', 'No prices.', 'cost', " T1 ", NULL),"
	    " (3, 'w-1', 'in', 'how much', 'cost', " T1 ", 'v1'),"
	    " (4, 'w-1', 'out', 'No prices.', 'cost', " T1 ", NULL),"
	    " (5, 'w-2', 'in', 'how much', 'cost', " T2 ", 'v2'),"
	    " (6, 'w-2', 'out', 'A range.', 'cost', " T2 ", NULL);"
	    "INSERT INTO feedback VALUES (1, 2, 'w-1', 0, 'a', " T1 ");"
	    "INSERT INTO feedback VALUES (2, 4, 'w-1', 0, 'b', " T1 ");"
	    "INSERT INTO feedback VALUES (3, 6, 'w-2', 0, 'c', " T2 ");");
	r = open_one(false);
	doc = doc_of_version(not_helpful, r, "v2", "not_helpful", 1);
	nh = cJSON_GetObjectItem(doc, "not_helpful");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(nh, 0),
	    "comment")->valuestring, "c");
	cJSON_Delete(doc);
	cJSON_Delete(doc_of_version(not_helpful, r, "v1", "not_helpful",
	    2));
	cJSON_Delete(doc_of_version(not_helpful, r, NULL, "not_helpful",
	    3));
	s = feedback_of(r, "v2", false);
	assert_non_null(strstr(s, "Replies rated not helpful (dates UTC; "
	    "content version v2)"));
	free(s);
	review_close(r);
}

/* feedback's reply is whole in the JSON, as every text there (it was cut
 * at 80 characters, unmarked), and cut only in the table, marked. */
static void
test_feedback_reply_whole(void **state)
{
	struct review *r;
	cJSON *doc, *q;
	char *s;

	(void)state;
	fixture(path_a,
	    "INSERT INTO conversations VALUES ('w-w', 'web', NULL, NULL, " T1
	    ", NULL, 'v1');"
	    MSG_INTO "(1, 'w-w', 'in', 'risks?', 'risks', 'root', NULL, NULL, "
	    "NULL, 0, " T1 ");"
	    /* 300 characters: "abab..." */
	    MSG_INTO "(2, 'w-w', 'out', replace(hex(zeroblob(150)), '00', "
	    "'ab'), 'risks', 'kpo_challenges', NULL, NULL, NULL, 9, " T1 ");"
	    "INSERT INTO feedback VALUES (1, 2, 'w-w', 0, 'vague', " T1 ");");
	r = open_one(false);
	s = feedback_of(r, NULL, true);
	doc = cJSON_Parse(s);
	q = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "not_helpful"), 0);
	assert_int_equal(strlen(cJSON_GetObjectItem(q, "reply")->valuestring),
	    300);
	assert_string_equal(cJSON_GetObjectItem(q, "node")->valuestring,
	    "kpo_challenges");
	cJSON_Delete(doc);
	free(s);
	s = feedback_of(r, NULL, false);
	assert_non_null(strstr(s, "kpo_challenges     risks?"));
	assert_non_null(strstr(s, "abab... \n"));
	free(s);
	review_close(r);
}

/* A very long text is cut in the table, at a character, and whole in
 * the JSON. */
static void
test_long_text_cut(void **state)
{
	char sql[4096], *out, *line, *o;
	struct review *r;
	size_t k;
	int n;

	(void)state;
	n = snprintf(sql, sizeof(sql), "INSERT INTO conversations VALUES "
	    "('w-l', 'web', NULL, NULL, " T1 ", NULL, 'v1');"
	    MSG_INTO "(1, 'w-l', 'in', '");
	for (k = 0; k < 600; k++)	/* 1,200 bytes of two-byte letters */
		n += snprintf(sql + n, sizeof(sql) - (size_t)n, "\xc3\xa9");
	snprintf(sql + n, sizeof(sql) - (size_t)n, "', 'fallback', NULL, NULL,"
	    " NULL, NULL, 0, " T1 ");");
	fixture(path_b, sql);
	r = open_one(true);
	out = unmatched_of(r, NULL, false);
	line = strstr(out, "\xc3\xa9");
	assert_non_null(line);
	assert_non_null(o = strstr(line, "..."));
	assert_true(o - line <= 160);
	assert_int_equal((o - line) % 2, 0);	/* whole characters */
	/* whole, the text would be there three times: 3,600 bytes */
	assert_true(strlen(out) < 1500);
	free(out);
	out = unmatched_of(r, NULL, true);
	assert_true(strlen(out) > 2400);	/* both columns, whole */
	assert_null(strstr(out, "..."));
	free(out);
	/* a transcript is there to be read: whole */
	{
		char *buf = NULL, err[256];
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		assert_int_equal(review_transcript(r, "w-l", false, f, err,
		    sizeof(err)), 0);
		fclose(f);
		assert_null(strstr(buf, "..."));
		assert_true(len > 1200);
		free(buf);
	}
	review_close(r);
}

/* A text with line breaks (a reply with a list) stays on its table row;
 * a transcript's --json keeps it as it was. */
static void
test_table_one_line(void **state)
{
	struct review *r;
	char *out, *buf = NULL, err[256];
	const char *row;
	size_t len = 0;
	cJSON *doc, *m;
	FILE *f;

	(void)state;
	fixture(path_b,
	    "INSERT INTO conversations VALUES ('w-n', 'web', NULL, NULL, " T1
	    ", NULL, 'v1');"
	    MSG_INTO "(1, 'w-n', 'in', 'risks?', 'risks',"
	    " NULL, NULL, NULL, NULL, 0, " T1 ");"
	    MSG_INTO "(2, 'w-n', 'out', 'Three risks:' ||"
	    " char(10) || '- one' || char(13) || char(10) || '- two', 'risks',"
	    " 'risks', NULL, NULL, NULL, 9, " T1 ");"
	    MSG_INTO "(3, 'w-n', 'in', 'line one' ||"
	    " char(10) || 'line two', 'fallback', NULL, NULL, NULL, NULL, 0, "
	    T1 ");"
	    "INSERT INTO feedback VALUES (1, 2, 'w-n', 0, 'vague' || char(10)"
	    " || 'really', " T1 ");");
	r = open_one(true);
	out = feedback_of(r, NULL, false);
	row = strstr(out, "risks?");
	assert_non_null(row);
	assert_non_null(strstr(row, "Three risks: - one  - two \n"));
	assert_null(strchr(row, '\r'));
	/* the row, then its comment's line */
	row = strchr(row, '\n') + 1;
	assert_non_null(strstr(row, "comment: vague really \n"));
	assert_ptr_equal(strchr(row, '\n'), row + strlen(row) - 1);
	free(out);
	out = unmatched_of(r, NULL, false);
	assert_non_null(strstr(out, "line one line two"));
	assert_null(strstr(out, "line one\n"));
	free(out);
	f = open_memstream(&buf, &len);
	assert_int_equal(review_transcript(r, "w-n", false, f, err,
	    sizeof(err)), 0);
	fclose(f);
	assert_non_null(strstr(buf, "Three risks: - one  - two"));
	free(buf);
	f = open_memstream(&buf, &len);
	assert_int_equal(review_transcript(r, "w-n", true, f, err,
	    sizeof(err)), 0);
	fclose(f);
	doc = cJSON_Parse(buf);
	m = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "messages"), 1);
	assert_string_equal(cJSON_GetObjectItem(m, "text")->valuestring,
	    "Three risks:\n- one\r\n- two");
	cJSON_Delete(doc);
	free(buf);
	review_close(r);
}

/* The column of NEEDLE's first byte on its line of S, in bytes. */
static long
column_of(const char *s, const char *needle)
{
	const char *at = strstr(s, needle), *line;

	assert_non_null(at);
	for (line = at; line > s && line[-1] != '\n'; line--)
		;
	return at - line;
}

/* Columns are padded by characters, not bytes: after a question with an
 * accent (two bytes for one character) the reply starts where it does
 * after one without. */
static void
test_table_aligned(void **state)
{
	struct review *r;
	char *out;

	(void)state;
	fixture(path_b,
	    "INSERT INTO conversations VALUES ('w-u', 'web', NULL, NULL, " T1
	    ", NULL, 'v1');"
	    MSG_INTO "(1, 'w-u', 'in', 'what is kpo', 'kpo', NULL, NULL, NULL,"
	    " NULL, 0, " T1 ");"
	    MSG_INTO "(2, 'w-u', 'out', 'KPO is', 'kpo', 'kpo', NULL, NULL,"
	    " NULL, 9, " T1 ");"
	    MSG_INTO "(3, 'w-u', 'in', 'qu\xc3\xa9 es \xc3\xa9l bpo', 'bpo',"
	    " NULL, NULL, NULL, NULL, 0, " T1 ");"
	    MSG_INTO "(4, 'w-u', 'out', 'BPO is', 'bpo', 'bpo', NULL, NULL,"
	    " NULL, 9, " T1 ");"
	    "INSERT INTO feedback VALUES (1, 2, 'w-u', 0, NULL, " T1 ");"
	    "INSERT INTO feedback VALUES (2, 4, 'w-u', 0, NULL, " T1 ");");
	r = open_one(true);
	out = feedback_of(r, NULL, false);
	assert_int_equal(column_of(out, "BPO is") - 2, column_of(out,
	    "KPO is"));
	free(out);
	review_close(r);
}

/* Whether S holds a control character a terminal would act on: C0 but
 * for line ends and tabs (--json indents with them), DEL, or C1 (U+0080
 * to U+009F). */
static bool
has_control(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++)
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f ||
		    (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			return true;
	return false;
}

/* What a visitor typed is shown in a terminal: an escape sequence in a
 * text, a user or a comment (clear the screen, set the title, a C1 CSI)
 * shows as '?' in every table; --json and jsonl keep the text as it was,
 * every control escaped. */
static void
test_table_controls(void **state)
{
	struct review *r;
	char *out;
	cJSON *doc, *m;

	(void)state;
	fixture(path_b,
	    "INSERT INTO conversations VALUES ('w-e', 'web', 'bob' || char(27)"
	    " || '[31m', NULL, " T1 ", NULL, 'v1');"
	    MSG_INTO "(1, 'w-e', 'in', 'hi' || char(27) || '[2J' || char(27) ||"
	    " ']0;owned' || char(7) || char(8) || char(127) || char(155) ||"
	    " '31m kpo', 'fallback', NULL, NULL, NULL, NULL, 0, " T1 ");"
	    MSG_INTO "(2, 'w-e', 'out', 'Did you mean', 'fallback', 'root',"
	    " NULL, NULL, NULL, 9, " T1 ");"
	    "INSERT INTO feedback VALUES (1, 2, 'w-e', 0, 'bad' || char(27) ||"
	    " '[5m', " T1 ");");
	r = open_one(true);
	out = transcript(r, "w-e", false);
	assert_false(has_control(out));
	assert_non_null(strstr(out, "bob?[31m"));
	assert_non_null(strstr(out, "hi?[2J?]0;owned????31m kpo"));
	assert_non_null(strstr(out, "comment: bad?[5m"));
	free(out);
	out = feedback_of(r, NULL, false);
	assert_false(has_control(out));
	assert_non_null(strstr(out, "bad?[5m"));
	free(out);
	out = unmatched_of(r, NULL, false);
	assert_false(has_control(out));
	assert_non_null(strstr(out, "hi?[2J"));
	free(out);
	out = transcript(r, "w-e", true);
	assert_false(has_control(out));	/* C1 escaped as \u009b */
	assert_non_null(strstr(out, "\\u009b"));
	doc = cJSON_Parse(out);
	m = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "messages"), 0);
	assert_string_equal(cJSON_GetObjectItem(m, "text")->valuestring,
	    "hi\x1b[2J\x1b]0;owned\x07\x08\x7f\xc2\x9b" "31m kpo");
	cJSON_Delete(doc);
	free(out);
	out = run(review_export, r, 0, false);	/* jsonl */
	assert_false(has_control(out));
	assert_non_null(strstr(out, "\\u009b31m kpo"));
	free(out);
	review_close(r);
}

/* The invisible format characters of a text, by their UTF-8 bytes: the
 * bidi override, isolate and marks, a zero-width space, a byte order mark
 * and a tag (U+E0041, hidden text). */
#define RLO	"\xe2\x80\xae"
#define LRI	"\xe2\x81\xa6"
#define PDI	"\xe2\x81\xa9"
#define RLM	"\xe2\x80\x8f"
#define ALM	"\xd8\x9c"
#define ZWSP	"\xe2\x80\x8b"
#define BOM	"\xef\xbb\xbf"
#define TAG_A	"\xf3\xa0\x81\x81"
#define ZWJ	"\xe2\x80\x8d"

static bool
has_invisible(const char *s)
{
	static const char *const inv[] = { RLO, LRI, PDI, RLM, ALM, ZWSP, BOM,
	    TAG_A };
	size_t i;

	for (i = 0; i < sizeof(inv) / sizeof(inv[0]); i++)
		if (strstr(s, inv[i]) != NULL)
			return true;
	return false;
}

/* Trojan source: a visitor's bidi override would make a row read one way
 * and say another ("kpo" shown where "opk" was typed, a user that seems
 * to be another column), and zero-width characters and tags hide text.
 * Each shows as '?' in every table and in CSV; --json and jsonl escape
 * them (\u202e, a tag as its surrogate pair), the same text to a JSON
 * reader.  A ZWJ, which emoji need, stays. */
static void
test_table_bidi(void **state)
{
	static const char text[] = "opk" RLO " is" LRI "x" PDI RLM ALM ZWSP
	    BOM "end" TAG_A " " "\xf0\x9f\x91\xa9" ZWJ "\xf0\x9f\x92\xbb";
	struct review *r;
	char *out, *line;
	cJSON *doc, *m;

	(void)state;
	fixture(path_b,
	    "INSERT INTO conversations VALUES ('w-t', 'web', 'eve" RLO "',"
	    " NULL, " T1 ", NULL, 'v1');"
	    MSG_INTO "(1, 'w-t', 'in', '" "opk" RLO " is" LRI "x" PDI RLM ALM
	    ZWSP BOM "end" TAG_A " " "\xf0\x9f\x91\xa9" ZWJ "\xf0\x9f\x92\xbb"
	    "', 'fallback', NULL, NULL, NULL, NULL, 0, " T1 ");"
	    MSG_INTO "(2, 'w-t', 'out', 'Did you mean', 'fallback', 'root',"
	    " NULL, NULL, NULL, 9, " T1 ");"
	    "INSERT INTO feedback VALUES (1, 2, 'w-t', 0, 'fine" RLO "enif', "
	    T1 ");");
	r = open_one(true);
	out = transcript(r, "w-t", false);
	assert_false(has_invisible(out));
	assert_non_null(strstr(out, "eve?"));
	assert_non_null(strstr(out, "opk? is?x?????end? \xf0\x9f\x91\xa9" ZWJ
	    "\xf0\x9f\x92\xbb"));
	assert_non_null(strstr(out, "comment: fine?enif"));
	free(out);
	out = feedback_of(r, NULL, false);
	assert_false(has_invisible(out));
	assert_non_null(strstr(out, "fine?enif"));
	free(out);
	/* the grouped text and the clusters alike */
	out = unmatched_of(r, NULL, false);
	assert_false(has_invisible(out));
	assert_non_null(strstr(out, "\"opk? is?x"));
	free(out);
	out = transcript(r, "w-t", true);
	assert_false(has_invisible(out));
	assert_non_null(strstr(out, "opk\\u202e is\\u2066x\\u2069\\u200f"
	    "\\u061c\\u200b\\ufeffend\\udb40\\udc41 "));
	doc = cJSON_Parse(out);
	m = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "messages"), 0);
	assert_string_equal(cJSON_GetObjectItem(m, "text")->valuestring, text);
	cJSON_Delete(doc);
	free(out);
	out = unmatched_of(r, NULL, true);
	assert_false(has_invisible(out));
	free(out);
	out = run(review_export, r, 0, false);	/* jsonl */
	assert_false(has_invisible(out));
	line = strstr(out, "{\"id\":1,\"conversation\":\"w-t\",\"channel\":"
	    "\"web\",\"user\":\"eve\\u202e\",");
	assert_non_null(line);
	*strchr(line, '\n') = '\0';
	doc = cJSON_Parse(line);
	assert_string_equal(cJSON_GetObjectItem(doc, "text")->valuestring,
	    text);
	cJSON_Delete(doc);
	free(out);
	out = run(review_export, r, 0, true);	/* CSV */
	assert_false(has_invisible(out));
	assert_non_null(strstr(out, ",w-t,web,eve?,in,"));
	assert_non_null(strstr(out, ",opk? is?x?????end? \xf0\x9f\x91\xa9"));
	assert_non_null(strstr(out, ",0,fine?enif,v1\n"));
	free(out);
	review_close(r);
}

/* A content version read from the log (--current) is shown as the
 * tables show any text: in the line that says how much it was asked and
 * in the titles, an escape or a bidi control in it is a '?'. */
static void
test_title_version(void **state)
{
	static const char odd[] = "v\x1b[2J" RLO "1";
	struct review *r;
	char v[64], err[256], *out;

	(void)state;
	fixture(path_b,
	    "INSERT INTO conversations VALUES ('w-z', 'web', NULL, NULL, " T1
	    ", NULL, 'v1');"
	    MSG_V "(1, 'w-z', 'in', 'zebra', 'fallback', " T1 ", 'v' ||"
	    " char(27) || '[2J' || char(0x202e) || '1');");
	r = open_one(true);
	assert_int_equal(review_current_version(r, v, sizeof(v), err,
	    sizeof(err)), 0);
	assert_string_equal(v, odd);
	out = unmatched_of(r, v, false);
	assert_false(has_control(out));
	assert_false(has_invisible(out));
	assert_non_null(strstr(out, "Content version v?[2J?1: 1 question "
	    "typed of it, 1 fell to fallback"));
	assert_non_null(strstr(out, "; content version v?[2J?1)"));
	free(out);
	out = feedback_of(r, v, false);
	assert_false(has_control(out));
	assert_false(has_invisible(out));
	free(out);
	review_close(r);
}

/* A bridge conversation is found by the name its replies carry, unless
 * two bridges share the name; a log id is taken as it is.  The error
 * names conversations as typed or as the log has them (each id of an
 * ambiguous name, which a chat made up): review_line(), which advisorctl
 * writes its errors with, shows them as the tables do, an escape or a
 * bidi control as '?' and a line break as a space; ERR keeps them exact. */
static void
test_transcript_bridge_name(void **state)
{
	struct review *r;
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *f;

	(void)state;
	fixture(path_b,
	    "INSERT INTO conversations VALUES ('b-chat:T1:C1:U1', 'bridge',"
	    " 'u1', NULL, " T1 ", NULL, 'v1');"
	    "INSERT INTO conversations VALUES ('b-other:T1:C1:U1', 'bridge',"
	    " 'u2', NULL, " T1 ", NULL, 'v1');"
	    "INSERT INTO conversations VALUES ('b-chat:T2', 'bridge', 'u3',"
	    " NULL, " T1 ", NULL, 'v1');"
	    "INSERT INTO conversations VALUES ('w-x:T3', 'web', NULL, NULL, "
	    T1 ", NULL, 'v1');"
	    MSG_INTO "(1, 'b-chat:T2', 'in', 'hello there',"
	    " 'greet', NULL, NULL, NULL, NULL, 0, " T1 ");"
	    "INSERT INTO conversations VALUES ('b-chat:T' || char(27) ||"
	    " ']0;x' || char(7) || char(0x202e), 'bridge', 'u1', NULL, " T1 ","
	    " NULL, 'v1');"
	    "INSERT INTO conversations VALUES ('b-other:T' || char(27) ||"
	    " ']0;x' || char(7) || char(0x202e), 'bridge', 'u2', NULL, " T1 ","
	    " NULL, 'v1');");
	r = open_one(true);
	f = open_memstream(&buf, &len);
	assert_int_equal(review_transcript(r, "T2", false, f, err,
	    sizeof(err)), 0);
	assert_int_equal(review_transcript(r, "b-chat:T1:C1:U1", false, f,
	    err, sizeof(err)), 0);
	fclose(f);
	assert_non_null(strstr(buf, "hello there"));
	free(buf);
	assert_int_equal(review_transcript(r, "T1:C1:U1", false, stdout, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "T1:C1:U1 names more than one conversation:"
	    " b-chat:T1:C1:U1 b-other:T1:C1:U1");
	/* only bridge names, only whole parts after the bridge's */
	assert_int_equal(review_transcript(r, "T3", false, stdout, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "no conversation T3");
	assert_int_equal(review_transcript(r, "1:U1", false, stdout, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "no conversation 1:U1");
	assert_int_equal(review_transcript(r, "C1:U1", false, stdout, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "no conversation C1:U1");
	assert_int_equal(review_transcript(r, "T\x1b]0;x\x07" RLO, false,
	    stdout, err, sizeof(err)), -1);
	assert_non_null(strstr(err, " b-chat:T\x1b]0;x\x07" RLO));
	f = open_memstream(&buf, &len);
	review_line(f, err);
	assert_int_equal(review_transcript(r, "w-\x1b[2J" LRI "\nx", false,
	    stdout, err, sizeof(err)), -1);
	review_line(f, err);
	fclose(f);
	assert_false(has_control(buf));
	assert_false(has_invisible(buf));
	assert_string_equal(buf, "T?]0;x?? names more than one conversation: "
	    "b-chat:T?]0;x?? b-other:T?]0;x??\n"
	    "no conversation w-?[2J? x\n");
	free(buf);
	review_close(r);
}

/* Each reply shows its rating, the latest one, with its comment: under
 * the reply in the table, as fields in --json. */
static void
test_transcript_ratings(void **state)
{
	struct review *r;
	cJSON *doc, *msgs, *m;
	char *s, want[192];

	(void)state;
	fixture(path_b,
	    KPO_BPO
	    MSG_INTO "(5, 'w-r', 'out', 'Anything else?',"
	    " 'bpo', 'bpo', NULL, NULL, NULL, 9, " T1 ");"
	    "INSERT INTO feedback VALUES (1, 2, 'w-r', 1, NULL, " T1 ");"
	    "INSERT INTO feedback VALUES (2, 2, 'w-r', 0, 'too short' ||"
	    " char(10) || 'really', " T1 " + 5);"
	    "INSERT INTO feedback VALUES (3, 4, 'w-r', 1, NULL, " T1 ");");
	r = open_one(true);
	s = transcript(r, "w-r", false);
	assert_non_null(strstr(s, " rating "));
	/* the comment under the columns before it, 93 characters with
	 * their spaces */
	snprintf(want, sizeof(want), "kpo                v1                "
	    "not helpful KPO is \n%93scomment: too short really \n", "");
	assert_non_null(strstr(s, want));
	assert_non_null(strstr(s, "bpo                v1                "
	    "helpful     BPO is \n5 "));
	assert_non_null(strstr(s, "bpo                v1                -   "
	    "        Anything else? \n"));
	free(s);
	s = transcript(r, "w-r", true);
	doc = cJSON_Parse(s);
	msgs = cJSON_GetObjectItem(doc, "messages");
	m = cJSON_GetArrayItem(msgs, 1);
	assert_string_equal(cJSON_GetObjectItem(m, "rating")->valuestring,
	    "not helpful");
	assert_string_equal(cJSON_GetObjectItem(m, "comment")->valuestring,
	    "too short\nreally");
	m = cJSON_GetArrayItem(msgs, 3);
	assert_string_equal(cJSON_GetObjectItem(m, "rating")->valuestring,
	    "helpful");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(m, "comment")));
	m = cJSON_GetArrayItem(msgs, 4);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(m, "rating")));
	cJSON_Delete(doc);
	free(s);
	review_close(r);
}

/* Export carries each reply's latest rating and its comment on the
 * reply's row: 1 or 0 in CSV (a comment with a comma or line break
 * quoted), true or false in jsonl; empty or null on other rows. */
static void
test_export_ratings(void **state)
{
	struct review *r;
	char *buf = NULL, err[256], *line;
	size_t len = 0;
	cJSON *o;
	FILE *f;
	int n = 0;

	(void)state;
	fixture(path_a, KPO_BPO
	    "INSERT INTO feedback VALUES (1, 2, 'w-r', 1, NULL, " T1 ");"
	    "INSERT INTO feedback VALUES (2, 2, 'w-r', 0, 'short, and' ||"
	    " char(10) || 'vague', " T1 " + 5);"
	    "INSERT INTO feedback VALUES (3, 4, 'w-r', 1, NULL, " T1 ");");
	r = open_one(false);
	f = open_memstream(&buf, &len);
	assert_int_equal(review_export(r, 0, true, f, err, sizeof(err)), 0);
	fclose(f);
	assert_string_equal(buf,
	    "id,conversation,channel,user,direction,time,text,intent,node,"
	    "suggestion,latency_us,helpful,feedback_comment,content_version\n"
	    "1,w-r,web,,in,2025-01-01T00:00:00Z,what is kpo,kpo,,,0,,,v1\n"
	    "2,w-r,web,,out,2025-01-01T00:00:00Z,KPO is,kpo,kpo,,9,0,"
	    "\"short, and\nvague\",v1\n"
	    "3,w-r,web,,in,2025-01-01T00:00:00Z,and bpo,bpo,,,0,,,v1\n"
	    "4,w-r,web,,out,2025-01-01T00:00:00Z,BPO is,bpo,bpo,,9,1,,v1\n");
	free(buf);
	f = open_memstream(&buf, &len);
	assert_int_equal(review_export(r, 0, false, f, err, sizeof(err)), 0);
	fclose(f);
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"), n++) {
		o = cJSON_Parse(line);
		assert_non_null(o);
		if (n == 1) {
			assert_true(cJSON_IsFalse(cJSON_GetObjectItem(o,
			    "helpful")));
			assert_string_equal(cJSON_GetObjectItem(o,
			    "feedback_comment")->valuestring,
			    "short, and\nvague");
		} else if (n == 3) {
			assert_true(cJSON_IsTrue(cJSON_GetObjectItem(o,
			    "helpful")));
			assert_true(cJSON_IsNull(cJSON_GetObjectItem(o,
			    "feedback_comment")));
		} else
			assert_true(cJSON_IsNull(cJSON_GetObjectItem(o,
			    "helpful")));
		cJSON_Delete(o);
	}
	assert_int_equal(n, 4);
	free(buf);
	review_close(r);
}

/* The content version of message N (0 on) of TRANSCRIPT's --json DOC. */
static const char *
version_of(const cJSON *doc, int n)
{
	const cJSON *m = cJSON_GetArrayItem(cJSON_GetObjectItem(doc,
	    "messages"), n);

	return cJSON_GetStringValue(cJSON_GetObjectItem(m,
	    "content_version"));
}

/*
 * Transcript and export say which content each message was answered by:
 * a question its own version; a reply, which records none, its
 * question's (w-v asked of v1, then of v2 after a reload, and was resumed
 * under v3); a greeting, with no question before it, and a question from
 * before messages had a version, their conversation's.  A log of the
 * previous schema (path_b, no messages.content_version) reads its
 * conversation's throughout.
 */
static void
test_message_versions(void **state)
{
	struct review *r;
	char *s;
	cJSON *doc;

	(void)state;
	fixture(path_a,
	    "INSERT INTO conversations VALUES ('w-v', 'web', NULL, NULL, " T1
	    ", NULL, 'v3');"
	    MSG_V "(1, 'w-v', 'out', 'Hello', 'start', " T1 ", NULL),"
	    " (2, 'w-v', 'in', 'what is kpo', 'kpo', " T1 ", 'v1'),"
	    " (3, 'w-v', 'out', 'KPO is', 'kpo', " T1 ", NULL),"
	    " (4, 'w-v', 'in', 'and bpo', 'bpo', " T2 ", 'v2'),"
	    " (5, 'w-v', 'out', 'BPO is', 'bpo', " T2 ", NULL),"
	    " (6, 'w-v', 'in', 'an old row', 'bpo', " T2 ", NULL);");
	fixture_v2(path_b,
	    "INSERT INTO conversations VALUES ('w-p', 'web', NULL, NULL, " T2
	    ", NULL, 'v0');"
	    MSG_INTO "(1, 'w-p', 'in', 'older question', 'fallback', NULL,"
	    " NULL, NULL, NULL, 0, " T2 ");"
	    MSG_INTO "(2, 'w-p', 'out', 'Sorry', 'fallback', 'root',"
	    " NULL, NULL, NULL, 0, " T2 ");");
	r = open_one(true);
	s = transcript(r, "w-v", true);
	doc = cJSON_Parse(s);
	assert_string_equal(version_of(doc, 0), "v3");
	assert_string_equal(version_of(doc, 1), "v1");
	assert_string_equal(version_of(doc, 2), "v1");
	assert_string_equal(version_of(doc, 3), "v2");
	assert_string_equal(version_of(doc, 4), "v2");
	assert_string_equal(version_of(doc, 5), "v3");
	cJSON_Delete(doc);
	free(s);
	s = transcript(r, "w-v", false);
	assert_non_null(strstr(s, " content_version "));
	assert_non_null(strstr(s, "bot  bpo                    -          "
	    "        v2                -           BPO is \n"));
	free(s);
	s = transcript(r, "w-p", true);
	doc = cJSON_Parse(s);
	assert_string_equal(version_of(doc, 0), "v0");
	assert_string_equal(version_of(doc, 1), "v0");
	cJSON_Delete(doc);
	free(s);
	s = run(review_export, r, 0, true);	/* CSV */
	assert_non_null(strstr(s, ",feedback_comment,content_version\n"));
	assert_non_null(strstr(s, "\n3,w-v,web,,out,2025-01-01T00:00:00Z,"
	    "KPO is,kpo,,,,,,v1\n"));
	assert_non_null(strstr(s, "\n2,w-p,web,,out,2025-01-02T00:00:00Z,"
	    "Sorry,fallback,root,,0,,,v0\n"));
	free(s);
	s = run(review_export, r, 0, false);	/* jsonl */
	assert_non_null(strstr(s, "\"text\":\"BPO is\",\"intent\":\"bpo\","
	    "\"node\":null,\"suggestion\":null,\"latency_us\":null,\"helpful\":"
	    "null,\"feedback_comment\":null,\"content_version\":\"v2\"}\n"));
	free(s);
	review_close(r);
}

/* A text that a spreadsheet would run as a formula is exported as text:
 * a leading ' inside quotes; jsonl keeps it as it was. */
static void
test_export_formula(void **state)
{
	struct review *r;
	char *buf;

	(void)state;
	fixture(path_a,
	    "INSERT INTO conversations VALUES ('w-f', 'web', '@bob', NULL, " T1
	    ", NULL, 'v1');"
	    MSG_INTO "(1, 'w-f', 'in', '=HYPERLINK(\"http://x.example\",\"a\")',"
	    " 'fallback', NULL, NULL, NULL, NULL, 0, " T1 ");"
	    MSG_INTO "(2, 'w-f', 'in', '+1+2', 'fallback', NULL, NULL, NULL,"
	    " NULL, 0, " T1 ");"
	    MSG_INTO "(3, 'w-f', 'in', '-2', 'fallback', NULL, NULL, NULL,"
	    " NULL, 0, " T1 ");"
	    MSG_INTO "(4, 'w-f', 'in', 'a = b', 'fallback', NULL, NULL, NULL,"
	    " NULL, 0, " T1 ");");
	r = open_one(false);
	buf = run(review_export, r, 0, true);	/* CSV */
	assert_non_null(strstr(buf, "\n1,w-f,web,\"'@bob\",in,2025-01-01T00:00:00Z,"
	    "\"'=HYPERLINK(\"\"http://x.example\"\",\"\"a\"\")\",fallback,"));
	assert_non_null(strstr(buf, ",\"'+1+2\",fallback,"));
	assert_non_null(strstr(buf, ",\"'-2\",fallback,"));
	assert_non_null(strstr(buf, ",a = b,fallback,"));
	free(buf);
	buf = run(review_export, r, 0, false);	/* jsonl */
	assert_non_null(strstr(buf, "\"text\":\"+1+2\""));
	assert_non_null(strstr(buf, "\"user\":\"@bob\""));
	free(buf);
	review_close(r);
}

static void
test_transcript_export(void **state)
{
	struct review *r = open_one(true);
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(review_transcript(r, "c", false, f, err,
	    sizeof(err)), 0);
	assert_int_equal(review_transcript(r, "nope", false, f, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "no conversation nope");
	fclose(f);
	assert_non_null(strstr(buf, "help me decide"));
	assert_non_null(strstr(buf, "How big?"));
	/* whose conversation it is comes first */
	assert_non_null(strstr(buf, "Conversation"));
	assert_true(strstr(buf, "Conversation") < strstr(buf, "Messages"));
	/* times say their zone, as export's do */
	assert_non_null(strstr(buf, "web     -                "
	    "2025-01-02T00:00:00Z -"));
	assert_non_null(strstr(buf, "1      2025-01-02T00:00:00Z user decide"));
	free(buf);
	f = open_memstream(&buf, &len);
	assert_int_equal(review_transcript(r, "c", true, f, err,
	    sizeof(err)), 0);
	fclose(f);
	assert_non_null(strstr(buf, "\"started\":\t\"2025-01-02T00:00:00Z\""));
	free(buf);
	f = open_memstream(&buf, &len);
	assert_int_equal(review_export(r, DAY2, true, f, err, sizeof(err)), 0);
	fclose(f);
	assert_string_equal(buf,
	    "id,conversation,channel,user,direction,time,text,intent,node,"
	    "suggestion,latency_us,helpful,feedback_comment,content_version\n"
	    "1,c,web,,in,2025-01-02T00:00:00Z,help me decide,decide,,,0,,,v1\n"
	    "2,c,web,,out,2025-01-02T00:00:00Z,How big?,decide,q_size,,500,,,"
	    "v1\n"
	    "9,b,bridge,u1,in,2025-01-02T00:00:00Z,zebra vendor contract,"
	    "fallback,,,0,,,v1\n"
	    "10,b,bridge,u1,out,2025-01-02T00:00:00Z,Did you mean,fallback,"
	    "root,,600,,,v1\n");
	free(buf);
	review_close(r);
}

/* The item of array A whose KEY is the string V, or NULL. */
static const cJSON *
item_with(const cJSON *a, const char *key, const char *v)
{
	const cJSON *x;
	const char *t;

	cJSON_ArrayForEach(x, a)
		if ((t = cJSON_GetStringValue(cJSON_GetObjectItem(x, key))) !=
		    NULL && strcmp(t, v) == 0)
			return x;
	return NULL;
}

/* O's KEY is the string WANT. */
static void
str_is(const cJSON *o, const char *key, const char *want)
{
	const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(o, key));

	assert_non_null(t);
	assert_string_equal(t, want);
}

/*
 * A log reviewed beside a backup of itself that was restored and written
 * on: both hold conversations a and b as they were, and each went on in a
 * with messages 11 and 12 of its own (each daemon numbers its own) and a
 * rating of its 12.  What both hold counts once; each rating is of its
 * own file's reply.  Before, the copy doubled every figure, the two
 * ratings of "12" were one (the later), and the feedback, the transcript
 * and the export joined them to both replies.
 */
static void
test_same_conversation_two_files(void **state)
{
	struct review *r;
	const cJSON *tot, *a, *x;
	cJSON *doc;
	char *s, *p, sql[4096];
	int n;

	(void)state;
	snprintf(sql, sizeof(sql), "%s"
	    MSG_INTO "(11, 'a', 'in', 'what is bpo', 'define_bpo', 'q_size',"
	    " NULL, NULL, NULL, 0, " T1 " + 1000);"
	    MSG_INTO "(12, 'a', 'out', 'BPO means...', 'define_bpo',"
	    " 'define_bpo', NULL, NULL, NULL, 900, " T1 " + 2000);"
	    "INSERT INTO feedback VALUES (3, 12, 'a', 1, 'clear', " T1
	    " + 3000);", sql_a);
	fixture(path_a, sql);
	snprintf(sql, sizeof(sql), "%s"
	    MSG_INTO "(11, 'a', 'in', 'how much', 'cost', 'q_size',"
	    " NULL, NULL, NULL, 0, " T1 " + 5000);"
	    MSG_INTO "(12, 'a', 'out', 'It costs...', 'cost', 'cost',"
	    " NULL, NULL, NULL, 900, " T1 " + 6000);"
	    "INSERT INTO feedback VALUES (3, 12, 'a', 0, 'vague', " T1
	    " + 7000);", sql_a);
	fixture(path_b, sql);
	r = open_one(true);

	s = run(review_stats, r, 0, true);
	doc = cJSON_Parse(s);
	tot = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "totals"), 0);
	assert_int_equal(num(tot, "conversations"), 2);
	assert_int_equal(num(tot, "messages"), 7);
	assert_int_equal(num(tot, "fallbacks"), 3);
	assert_int_equal(num(tot, "helpful"), 2);
	assert_int_equal(num(tot, "not_helpful"), 2);
	x = item_with(cJSON_GetObjectItem(doc, "replies_by_intent"), "intent",
	    "fallback");
	assert_int_equal(num(x, "replies"), 3);
	cJSON_Delete(doc);
	free(s);

	/* each reply with its own file's rating, each shared message once */
	s = transcript(r, "a", true);
	doc = cJSON_Parse(s);
	a = cJSON_GetObjectItem(doc, "messages");
	assert_int_equal(cJSON_GetArraySize(a), 12);
	x = item_with(a, "text", "BPO means...");
	str_is(x, "rating", "helpful");
	str_is(x, "comment", "clear");
	x = item_with(a, "text", "It costs...");
	str_is(x, "rating", "not helpful");
	str_is(x, "comment", "vague");
	cJSON_Delete(doc);
	free(s);

	/* the question before each rated reply is the one in its file */
	s = feedback_of(r, NULL, true);
	doc = cJSON_Parse(s);
	a = cJSON_GetObjectItem(doc, "not_helpful");
	assert_int_equal(cJSON_GetArraySize(a), 2);
	x = item_with(a, "reply", "It costs...");
	str_is(x, "question", "how much");
	str_is(x, "node", "cost");
	cJSON_Delete(doc);
	free(s);

	/* export: every message once, a rating on its own reply's row */
	{
		char err[256];
		struct memout m;

		assert_int_equal(review_export(r, 0, false, mem_open(&m), err,
		    sizeof(err)), 0);
		s = memout_close(&m);
	}
	for (n = 0, p = s; (p = strchr(p, '\n')) != NULL; p++)
		n++;
	assert_int_equal(n, 14);
	assert_non_null(strstr(s, "\"text\":\"BPO means...\",\"intent\":"
	    "\"define_bpo\",\"node\":\"define_bpo\",\"suggestion\":null,"
	    "\"latency_us\":900,\"helpful\":true,\"feedback_comment\":"
	    "\"clear\""));
	assert_non_null(strstr(s, "\"text\":\"It costs...\",\"intent\":"
	    "\"cost\",\"node\":\"cost\",\"suggestion\":null,"
	    "\"latency_us\":900,\"helpful\":false,\"feedback_comment\":"
	    "\"vague\""));
	free(s);

	/* a's last reply is the later of the two files' 12 */
	s = dropoff(r, INT64_MAX, true);
	doc = cJSON_Parse(s);
	a = cJSON_GetObjectItem(doc, "last_node");
	assert_int_equal(cJSON_GetArraySize(a), 2);
	assert_int_equal(num(item_with(a, "node", "cost"),
	    "conversations_ended"), 1);
	assert_int_equal(num(item_with(a, "node", "root"),
	    "conversations_ended"), 1);
	cJSON_Delete(doc);
	free(s);
	review_close(r);
}

/* feedback --node NODE --helpful has N rows by node, BAD rated not
 * helpful and GOOD rated helpful. */
static void
feedback_at(struct review *r, const char *node, int n, int bad, int good)
{
	char err[256], *s;
	struct memout m;
	cJSON *doc;

	assert_int_equal(review_feedback(r, 0, NULL, node, true, true,
	    mem_open(&m), err, sizeof(err)), 0);
	s = memout_close(&m);
	doc = cJSON_Parse(s);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc,
	    "by_node")), n);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc,
	    "not_helpful")), bad);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc,
	    "helpful")), good);
	cJSON_Delete(doc);
	free(s);
}

/*
 * feedback opens with the rated replies counted by the node that said
 * them, the most rated not helpful first: in a busy log the list of every
 * rating runs to thousands of rows, and which answer to fix first could
 * only be counted by hand.  A blank comment says nothing (not
 * commented); the counts follow --content-version as the list does.
 */
static void
test_feedback_by_node(void **state)
{
	struct review *r;
	const cJSON *a, *x;
	cJSON *doc;
	char *s, sql[4096], err[256];

	(void)state;
	snprintf(sql, sizeof(sql), "%s"
	    "INSERT INTO feedback VALUES (3, 4, 'a', 0, '  ', " T1 " + 1);"
	    "INSERT INTO feedback VALUES (4, 10, 'b', 0, 'no', " T2 ");", sql_a);
	fixture(path_a, sql);
	r = open_one(false);
	s = feedback_of(r, NULL, true);
	doc = cJSON_Parse(s);
	a = cJSON_GetObjectItem(doc, "by_node");
	assert_int_equal(cJSON_GetArraySize(a), 2);
	x = cJSON_GetArrayItem(a, 0);
	str_is(x, "node", "root");
	assert_int_equal(num(x, "rated"), 3);
	assert_int_equal(num(x, "not_helpful"), 3);
	assert_int_equal(num(x, "helpful"), 0);
	assert_int_equal(num(x, "commented"), 2);
	x = cJSON_GetArrayItem(a, 1);
	str_is(x, "node", "q_size");
	assert_int_equal(num(x, "rated"), 1);
	assert_int_equal(num(x, "not_helpful"), 0);
	assert_int_equal(num(x, "helpful"), 1);
	cJSON_Delete(doc);
	free(s);
	/* the table: before the list, one row a node */
	s = feedback_of(r, NULL, false);
	assert_non_null(strstr(s, "\nRated replies by the node that said "
	    "them (the most rated not helpful first)\nnode "));
	assert_non_null(strstr(s, "\nroot                       3     3      "
	    "     0       2         \n"));
	assert_true(strstr(s, "by the node") < strstr(s, "Replies rated not "
	    "helpful"));
	free(s);
	/* a version nobody asked: nothing counted */
	s = feedback_of(r, "v9", true);
	doc = cJSON_Parse(s);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc,
	    "by_node")), 0);
	cJSON_Delete(doc);
	free(s);
	/* --node: the drill-down from a row of by_node, that node's
	 * ratings only; a node no reply was said at is named an error */
	feedback_at(r, "root", 1, 3, 0);
	feedback_at(r, "q_size", 1, 0, 1);
	assert_int_equal(review_node_known(r, "q_size", err, sizeof(err)), 1);
	assert_int_equal(review_node_known(r, "q_sise", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "\"q_sise\""));
	review_close(r);
}

/*
 * feedback --node then counts the questions the node's rated replies
 * answered, by normalised text: an answer rated not helpful a hundred
 * times reads the same in every row of the list, and what it was asked
 * tells the fix.  At root: "Vendor zebra!" and "vendor, zebra" are one
 * question, rated not helpful twice, first; without --node no such
 * section.
 */
static void
test_feedback_by_question(void **state)
{
	char sql[4096], err[256], *s;
	const cJSON *a, *x;
	struct review *r;
	struct memout m;
	cJSON *doc;

	(void)state;
	snprintf(sql, sizeof(sql), "%s"
	    "INSERT INTO feedback VALUES (3, 4, 'a', 0, NULL, " T1 " + 1);"
	    "INSERT INTO feedback VALUES (4, 6, 'a', 0, NULL, " T1 " + 2);"
	    "INSERT INTO feedback VALUES (5, 10, 'b', 0, 'no', " T2 ");", sql_a);
	fixture(path_a, sql);
	r = open_one(false);
	assert_int_equal(review_feedback(r, 0, NULL, "root", false, true,
	    mem_open(&m), err, sizeof(err)), 0);
	s = memout_close(&m);
	doc = cJSON_Parse(s);
	a = cJSON_GetObjectItem(doc, "by_question");
	assert_int_equal(cJSON_GetArraySize(a), 3);
	x = cJSON_GetArrayItem(a, 0);
	str_is(x, "question", "vendor zebra");
	str_is(x, "intent", "fallback");
	assert_true(num(x, "rated") == 2 && num(x, "not_helpful") == 2);
	str_is(cJSON_GetArrayItem(a, 1), "question", "what is kpo");
	str_is(cJSON_GetArrayItem(a, 2), "question", "zebra vendor contract");
	cJSON_Delete(doc);
	free(s);
	assert_int_equal(review_feedback(r, 0, NULL, "root", false, false,
	    mem_open(&m), err, sizeof(err)), 0);
	s = memout_close(&m);
	assert_non_null(strstr(s, "\nThe questions they answered "
	    "(normalised; the most rated not helpful first)\nrated "));
	assert_non_null(strstr(s, "\n2     2           0       fallback       "
	    "        vendor zebra"));
	free(s);
	s = feedback_of(r, NULL, true);
	doc = cJSON_Parse(s);
	assert_null(cJSON_GetObjectItem(doc, "by_question"));
	cJSON_Delete(doc);
	free(s);
	review_close(r);
}

/*
 * A backup reviewed beside the log it was taken from, the backup named
 * first: it was copied while conversation a was open, and in the log a
 * went on (a bridge person's new name, two more messages) and ended.
 * The conversation is as it stands now, in the file it was last active
 * in: ended, not in progress; the transcript shows it as each file has
 * it, naming the file, the latest first; each exported message has its
 * own file's conversation row.  Before, all three took the first file
 * named: a showed as still open, counted in progress, and the log's
 * messages came with the backup's name.
 */
static void
test_conversation_last_file(void **state)
{
	struct review *r;
	const cJSON *a, *x;
	cJSON *doc;
	char *s, sql[4096], err[256];
	struct memout m;

	(void)state;
	snprintf(sql, sizeof(sql), "%s"
	    "UPDATE conversations SET user = 'Ann', channel = 'bridge' WHERE "
	    "id = 'a';"
	    MSG_INTO "(11, 'a', 'in', 'what is bpo', 'define_bpo', 'q_size',"
	    " NULL, NULL, NULL, 0, " T1 " + 5000);"
	    MSG_INTO "(12, 'a', 'out', 'BPO means...', 'define_bpo',"
	    " 'define_bpo', NULL, NULL, NULL, 900, " T1 " + 6000);"
	    "UPDATE conversations SET user = 'Ann Lee', ended = " T1 " + 7000 "
	    "WHERE id = 'a';", sql_a);
	fixture(path_b, sql);
	snprintf(sql, sizeof(sql), "%s"
	    "UPDATE conversations SET user = 'Ann', channel = 'bridge' WHERE "
	    "id = 'a';", sql_a);
	fixture(path_a, sql);
	r = open_one(true);

	s = transcript(r, "a", true);
	doc = cJSON_Parse(s);
	a = cJSON_GetObjectItem(doc, "conversation");
	assert_int_equal(cJSON_GetArraySize(a), 2);
	x = cJSON_GetArrayItem(a, 0);
	str_is(x, "file", path_b);
	str_is(x, "user", "Ann Lee");
	str_is(x, "ended", "2025-01-01T00:00:00Z");
	x = cJSON_GetArrayItem(a, 1);
	str_is(x, "file", path_a);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(x, "ended")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc,
	    "messages")), 10);
	cJSON_Delete(doc);
	free(s);

	/* ended in the file it was last active in: not in progress, though
	 * everything counts as recent */
	s = dropoff(r, 0, true);
	doc = cJSON_Parse(s);
	x = item_with(cJSON_GetObjectItem(doc, "last_node"), "node",
	    "define_bpo");
	assert_non_null(x);
	assert_int_equal(num(x, "conversations_ended"), 1);
	assert_int_equal(num(x, "in_progress"), 0);
	cJSON_Delete(doc);
	free(s);

	/* each message with its own file's conversation row */
	assert_int_equal(review_export(r, 0, false, mem_open(&m), err,
	    sizeof(err)), 0);
	s = memout_close(&m);
	assert_non_null(strstr(s, "{\"id\":11,\"conversation\":\"a\","
	    "\"channel\":\"bridge\",\"user\":\"Ann Lee\","));
	assert_non_null(strstr(s, "{\"id\":1,\"conversation\":\"a\","
	    "\"channel\":\"bridge\",\"user\":\"Ann\","));
	free(s);
	review_close(r);

	/* one file: the transcript's conversation names none */
	r = open_one(false);
	s = transcript(r, "a", true);
	doc = cJSON_Parse(s);
	x = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "conversation"), 0);
	assert_null(cJSON_GetObjectItem(x, "file"));
	cJSON_Delete(doc);
	free(s);
	review_close(r);
}

/* What clicks led to: a reply to a click on a node without a topic says
 * "choose", and counts by the node it led to; a reply to a click on a
 * topic counts under its intent, with the click counted (the option in
 * its why, as advisord logs it; a log from before has none, and only its
 * "choose" replies are known to be clicks). */
static void
test_stats_clicks(void **state)
{
	const char *paths[] = { path_b };
	const cJSON *a, *x;
	struct review *r;
	char err[256];
	cJSON *doc;
	char *s;

	(void)state;
	fixture(path_b,
	    "INSERT INTO conversations VALUES ('k', 'web', NULL, 'hk', " T1 ","
	    " NULL, 'v1');"
	    MSG_INTO "(1, 'k', 'in', 'Routine', 'choose', 'q_work', NULL,"
	    " NULL, NULL, 0, " T1 ");"
	    MSG_INTO "(2, 'k', 'out', 'How big?', 'choose', 'q_size', NULL,"
	    " NULL, NULL, 9, " T1 ");"
	    MSG_INTO "(3, 'k', 'in', 'Small', 'choose', 'q_size', NULL, NULL,"
	    " NULL, 0, " T1 ");"
	    MSG_INTO "(4, 'k', 'out', 'BPO fits', 'choose', 'recommend',"
	    " '{\"choose\":\"small\"}', NULL, NULL, 9, " T1 ");"
	    MSG_INTO "(5, 'k', 'in', 'What is KPO?', 'choose', 'recommend',"
	    " NULL, NULL, NULL, 0, " T1 ");"
	    MSG_INTO "(6, 'k', 'out', 'KPO means', 'define_kpo', 'define_kpo',"
	    " '{\"choose\":\"define_kpo\"}', NULL, NULL, 9, " T1 ");"
	    MSG_INTO "(7, 'k', 'in', 'what is kpo', 'define_kpo', 'define_kpo',"
	    " NULL, NULL, NULL, 0, " T1 ");"
	    MSG_INTO "(8, 'k', 'out', 'KPO means', 'define_kpo', 'define_kpo',"
	    " NULL, NULL, NULL, 9, " T1 ");");
	if ((r = review_open(paths, 1, false, err, sizeof(err))) == NULL)
		fail_msg("review_open: %s", err);
	s = run(review_stats, r, 0, true);
	doc = cJSON_Parse(s);
	a = cJSON_GetObjectItem(doc, "replies_by_intent");
	assert_int_equal(cJSON_GetArraySize(a), 3);
	x = cJSON_GetArrayItem(a, 0);
	str_is(x, "intent", "define_kpo");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(x, "node")));
	assert_int_equal(num(x, "replies"), 2);
	assert_int_equal(num(x, "clicked"), 1);
	x = cJSON_GetArrayItem(a, 1);
	str_is(x, "intent", "choose");
	str_is(x, "node", "q_size");
	assert_int_equal(num(x, "clicked"), 1);
	x = cJSON_GetArrayItem(a, 2);
	str_is(x, "node", "recommend");
	assert_int_equal(num(x, "replies"), 1);
	cJSON_Delete(doc);
	free(s);
	s = run(review_stats, r, 0, false);
	assert_non_null(strstr(s, "choose                     q_size         "
	    "    1       1       \n"));
	free(s);
	review_close(r);
}

static void
test_purge(void **state)
{
	const char *paths[] = { path_a, path_b };
	struct review *r;
	char err[256];
	long n;

	(void)state;
	r = review_open(paths, 2, true, err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(review_purge(r, DAY2, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);		/* only a is older than day 2 */
	review_close(r);
	r = open_one(true);
	assert_int_equal(review_transcript(r, "a", false, stdout, err,
	    sizeof(err)), -1);
	review_close(r);
}

/* A log whose file name has '?', '#' or '%' in it opens: in the URI the
 * '?' had ended the path ("no such file"), and '%' started an escape. */
static void
test_odd_file_name(void **state)
{
	char path[128];
	const char *paths[] = { path };
	struct review *r;
	char err[256];

	(void)state;
	snprintf(path, sizeof(path), "/tmp/advisord-review-%d?a#b%%41.db",
	    (int)getpid());
	fixture(path, sql_a);
	r = review_open(paths, 1, false, err, sizeof(err));
	if (r == NULL)
		fail_msg("review_open: %s", err);
	review_close(r);
	store_remove(path);
}

/* Not dates: a month or a day the calendar has not (moved into the next
 * month by timegm), and anything but exactly YYYY-MM-DD (strptime took
 * short fields, spaces and signs: "2026-1-1" was read as 2026-01-01). */
static const char *const bad_dates[] = { "2025-13-02", "yesterday",
    "2025-01-02x", "2025-02-29", "2025-04-31", "2025-1-2", "2025-01-2",
    "2025-1-02", " 2025-01-02", "2025-01- 2", "2025-+1-02", "02025-01-02",
    "2025/01/02", "", "1969-12-31" };

static void
test_errors(void **state)
{
	const char *missing[] = { "/nonexistent/advisord.db" };
	char p1[64], p2[64], err[256] = "";
	const char *notdb[] = { p1 };
	const char *other[] = { p2 };
	FILE *f;
	sqlite3 *db;
	size_t i;

	(void)state;
	snprintf(p1, sizeof(p1), "/tmp/test_review_notdb_%ld", (long)getpid());
	snprintf(p2, sizeof(p2), "/tmp/test_review_other_%ld.db",
	    (long)getpid());
	assert_null(review_open(missing, 1, false, err, sizeof(err)));
	assert_string_equal(err, "/nonexistent/advisord.db: no such file");
	/* a directory is not "not an SQLite database": it is a directory */
	{
		const char *dir[] = { "/tmp" };

		err[0] = '\0';
		assert_null(review_open(dir, 1, false, err, sizeof(err)));
		assert_string_equal(err, "/tmp: a directory, not a log file");
	}
	f = fopen(notdb[0], "w");
	fputs("hello, I am plain text and long enough\n", f);
	fclose(f);
	err[0] = '\0';
	assert_null(review_open(notdb, 1, false, err, sizeof(err)));
	assert_non_null(strstr(err, "not an SQLite database"));
	unlink(notdb[0]);
	unlink(other[0]);
	assert_int_equal(sqlite3_open(other[0], &db), SQLITE_OK);
	sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL);
	sqlite3_close(db);
	err[0] = '\0';
	assert_null(review_open(other, 1, false, err, sizeof(err)));
	assert_non_null(strstr(err, "not an advisord log"));
	assert_null(strstr(err, "empty"));
	/* no table at all, as a log copied with cp while the daemon runs
	 * (its rows still in the original's -wal file): says how to copy */
	assert_int_equal(sqlite3_open(other[0], &db), SQLITE_OK);
	sqlite3_exec(db, "DROP TABLE t", NULL, NULL, NULL);
	sqlite3_close(db);
	err[0] = '\0';
	assert_null(review_open(other, 1, false, err, sizeof(err)));
	assert_non_null(strstr(err, ": an empty database, not an advisord log "
	    "(a copy of a running daemon's log made with cp lacks what is still"
	    " in its -wal file: copy it with sqlite3 \".backup FILE\")"));
	unlink(other[0]);
	/* one log named twice (here by a second path) would count twice */
	{
		char p3[300];
		const char *twice[] = { path_a, p3 };

		snprintf(p3, sizeof(p3), "/tmp/./%s", path_a + 5);
		fixture(path_a, "");
		err[0] = '\0';
		assert_null(review_open(twice, 2, false, err, sizeof(err)));
		assert_non_null(strstr(err, "are the same file"));
		store_remove(path_a);
	}
	assert_true(review_parse_date("2025-01-02") == DAY2);
	for (i = 0; i < sizeof(bad_dates) / sizeof(bad_dates[0]); i++)
		if (review_parse_date(bad_dates[i]) != -1)
			fail_msg("\"%s\" taken for a date", bad_dates[i]);
	assert_true(review_parse_date("1970-01-01") == 0);
	assert_true(review_parse_date("2024-02-29") ==
	    INT64_C(1709164800000000));
	assert_true(review_parse_date("2025-12-31") ==
	    INT64_C(1767139200000000));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_until, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmatched, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_clusters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmatched_one_query, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unmatched_where, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unmatched_no_words, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unmatched_damaged, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unmatched_version, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unmatched_resumed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unmatched_reloaded, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_current_null_load, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unmatched_just_reloaded,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_rated_twice, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_per_day_rating_only, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_per_day_resumed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dropoff_in_progress, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dropoff_after_fallback,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_dropoff_after_side_question, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dropoff_feedback, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_feedback_helpful, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_feedback_version, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_feedback_reply_whole,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_text_cut, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_odd_file_name, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_table_controls, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_table_aligned, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_table_bidi, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_title_version, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_table_one_line, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_transcript_bridge_name,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_transcript_ratings, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_message_versions, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_export_formula, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_transcript_export, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_export_ratings, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_same_conversation_two_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conversation_last_file,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_feedback_by_question,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_feedback_by_node, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stats_clicks, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_purge, setup, teardown),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
