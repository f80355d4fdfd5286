/*
 * test_review_out.c: the writer of advisorctl's reports alone, on rows of
 * an in-memory SQLite database: tables aligned by characters, one line a
 * row, long texts cut, notes under their row, lists; what a terminal or a
 * spreadsheet must not be given as it is ('?' in tables and CSV, escapes
 * in JSON); the clusters' table.
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

#include "storage/review_out.h"
#include "tests/lib/memout.h"

/* A report's output, captured in memory (tests/lib/memout.h). */
static FILE *
mem_open(struct memout *m)
{
	FILE *f = memout_open(m);

	assert_non_null(f);
	return f;
}

/* SQL's rows through out_rows into a string, a table or JSON: each
 * report's section is this. */
static char *
rows(const char *sql, bool json, unsigned lists, unsigned under,
    const char *const *names, const int *widths)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	cJSON *doc = cJSON_CreateObject();
	struct out o;
	struct memout m;
	char err[128];

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	out_begin(&o, mem_open(&m), json);
	o.lists = lists;
	o.under = under;
	out_section(&o, doc, "rows", "Title");
	assert_int_equal(out_rows(&o, st, names, widths, err, sizeof(err)),
	    0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	out_finish(&o, doc);
	return memout_close(&m);
}

static const char *const two[] = { "n", "text" };
static const int two_w[] = { 3, 6 };

static void
test_table(void **state)
{
	char *s;

	(void)state;
	/* padded by characters: "qué" takes three places, as "abc" does;
	 * NULL shows as "-" */
	s = rows("SELECT 1, 'qu' || char(233) UNION ALL SELECT 22, 'abc' "
	    "UNION ALL SELECT NULL, NULL", false, 0, 0, two, two_w);
	assert_string_equal(s, "\nTitle\nn   text   \n1   qué    \n"
	    "22  abc    \n-   -      \n");
	free(s);
	/* JSON: numbers as numbers, NULL as null, texts as they are */
	s = rows("SELECT 1, 'a' || char(10) || 'b' UNION ALL SELECT NULL, "
	    "'x'", true, 0, 0, two, two_w);
	assert_non_null(strstr(s, "\"n\":\t1,"));
	assert_non_null(strstr(s, "\"text\":\t\"a\\nb\""));
	assert_non_null(strstr(s, "\"n\":\tnull"));
	free(s);
}

static void
test_one_line(void **state)
{
	struct memout m;
	char *s;
	int w;

	(void)state;
	/* a line break or tab is a space; ESC, DEL and a C1 CSI a '?';
	 * U+202E (an override) a '?'; ZWJ stays (emoji need it) */
	w = out_one_line(mem_open(&m), "a\nb\tc\x1b[2Jd\x7f" "e\xc2\x9b"
	    "f\xe2\x80\xae" "g\xe2\x80\x8dh", 23);
	s = memout_close(&m);
	assert_string_equal(s, "a b c?[2Jd?e?f?g\xe2\x80\x8dh");
	assert_int_equal(w, 18);
	free(s);
}

static void
test_cut_and_notes(void **state)
{
	static const char *const names[] = { "n", "text", "comment" };
	static const int widths[] = { 2, 0, 0 };
	char sql[512], *s, *line;

	(void)state;
	/* 170 'é' (340 bytes): cut at a character boundary after 160
	 * bytes, 80 of them, and marked; the comment on its own line
	 * under the row, indented to the column before it */
	snprintf(sql, sizeof(sql), "SELECT 7, replace(printf('%%170s', ''), "
	    "' ', char(233)), 'too vague' UNION ALL SELECT 8, 'ok', NULL");
	s = rows(sql, false, 0, 1u << 2, names, widths);
	line = strstr(s, "7  ");
	assert_non_null(line);
	assert_int_equal(strncmp(line + 3 + 160, "... \n", 5), 0);
	assert_non_null(strstr(s, "... \n   comment: too vague \n8  ok \n"));
	free(s);
}

static void
test_lists(void **state)
{
	static const char *const names[] = { "n", "at", "typed" };
	static const int widths[] = { 2, 18, 0 };
	char *s;

	(void)state;
	/* a JSON array of texts: joined by " | " in a table (a comma in a
	 * text stays one text), the array itself in JSON; a column of a
	 * width shows the items that fit and how many more, the last
	 * column all */
	s = rows("SELECT 2, json_array('root', 'q_work', 'q_goal_long', 'x'), "
	    "json_array('vendor, zebra', 'x', 'qu' || char(233))", false,
	    1u << 1 | 1u << 2, 0, names, widths);
	assert_non_null(strstr(s, "\n2  root | q_work +2   vendor, zebra | "
	    "x | qué \n"));
	free(s);
	s = rows("SELECT 2, json_array('a_very_long_node_name', 'b'), "
	    "json_array()", false, 1u << 1 | 1u << 2, 0, names, widths);
	assert_non_null(strstr(s, "\n2  a_very_long_node_name +1 - \n"));
	free(s);
	s = rows("SELECT 2, json_array('root', 'q_work', 'q_goal_long', 'x'), "
	    "json_array('vendor, zebra', 'x')", true, 1u << 1 | 1u << 2, 0,
	    names, widths);
	assert_non_null(strstr(s, "[\"root\", \"q_work\", \"q_goal_long\", "
	    "\"x\"]"));
	assert_non_null(strstr(s, "[\"vendor, zebra\", \"x\"]"));
	free(s);
}

static void
test_json_escapes(void **state)
{
	struct memout m;
	char *s;

	(void)state;
	/* DEL, a C1 CSI, an override and a tag as escapes (the tag as its
	 * surrogate pair); é as it is */
	out_json(mem_open(&m), "\"a\x7f" "b\xc2\x9b" "c\xe2\x80\xae"
	    "d\xf3\xa0\x81\x81" "e\xc3\xa9\"");
	s = memout_close(&m);
	assert_string_equal(s, "\"a\\u007fb\\u009bc\\u202ed\\udb40\\udc41"
	    "e\xc3\xa9\"\n");
	free(s);
}

static void
test_csv(void **state)
{
	struct memout m;
	char *s;
	FILE *f;

	(void)state;
	f = mem_open(&m);
	out_csv_field(f, "plain", false);
	out_csv_field(f, "a, \"b\"", false);
	out_csv_field(f, "=HYPERLINK(\"x\")", false);
	out_csv_field(f, "-1", false);
	out_csv_field(f, "two\nlines\x1b", false);
	out_csv_field(f, NULL, true);
	s = memout_close(&m);
	assert_string_equal(s, "plain,\"a, \"\"b\"\"\",\"'=HYPERLINK(\"\"x\"\")\","
	    "\"'-1\",\"two\nlines?\",\n");
	free(s);
}

static void
test_clusters_table(void **state)
{
	cJSON *c = cJSON_Parse("[{\"count\": 5, \"texts\": [\"what is rpa\", "
	    "\"rpa\\u202e\"]}, {\"count\": 1, \"texts\": [\"x\"]}]");
	struct memout m;
	char *s;

	(void)state;
	out_clusters(mem_open(&m), c);
	s = memout_close(&m);
	assert_string_equal(s, "\nSimilar questions, clustered\n"
	    "    5 \"what is rpa\" | \"rpa?\"\n    1 \"x\"\n");
	free(s);
	cJSON_Delete(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_one_line),
		cmocka_unit_test(test_cut_and_notes),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_json_escapes),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_clusters_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
