/*
 * test_store.c: the conversation log: schema and migrations, group commit
 * and the resolved watermark, resume lookups, redaction, queue-full drops,
 * flushing on close, a concurrent reader, and the writer's behaviour on a
 * locked database, a read-only connection and a full disk.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "storage/schema.h"
#include "storage/store.h"
#include "storage/store_tune.h"
#include "storage/writer_nice.h"

static char dbpath[256];

static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { 0, (long)ms * 1000000L };

	nanosleep(&ts, NULL);
}

/* Wait (bounded) until every row up to SEQ is resolved. */
static void
wait_resolved(struct store *s, uint64_t seq)
{
	int i;

	for (i = 0; i < 20000 && store_resolved(s) < seq; i++)
		sleep_ms(1);
	assert_true(store_resolved(s) >= seq);
}

static int
setup_file(void **state)
{
	(void)state;
	snprintf(dbpath, sizeof(dbpath), "/tmp/test_store_%ld.db",
	    (long)getpid());
	return 0;
}

static int
teardown_file(void **state)
{
	(void)state;
	store_remove(dbpath);
	return 0;
}

static struct store *
open_store(const char *path, bool redact, size_t queue_max)
{
	struct store_opts o = { .path = path, .durability = STORE_FAST,
	    .queue_max = queue_max, .batch_ms = 2, .batch_rows = 200,
	    .redact = redact };
	char err[256] = "";
	struct store *s = store_open(&o, err, sizeof(err));

	if (s == NULL)
		fprintf(stderr, "store_open: %s\n", err);
	assert_non_null(s);
	return s;
}

static int64_t
count(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t n = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void
integrity_ok(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1,
	    &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static uint64_t
put_msg(struct store *s, const char *conv, char dir, const char *text)
{
	struct store_msg m = { .id = store_next_id(s), .conv = conv,
	    .direction = dir, .text = text, .intent = dir == 'o' ? "kpo" :
	    NULL, .node = dir == 'o' ? "root" : NULL, .time_us = 1000 };

	return store_put_message(s, &m);
}

static uint64_t
put_conv(struct store *s, const char *id, const char *hash)
{
	struct store_conv c = { .id = id, .channel = "web",
	    .resume_hash = hash, .content_version = "v1",
	    .started_us = 1000 };

	return store_put_conversation(s, &c);
}

/* Lower-case, single-spaced form of SQL for comparing schemas. */
static void
squeeze(const char *in, char *out, size_t size)
{
	size_t n = 0;
	bool space = false;

	for (; *in && n + 2 < size; in++) {
		if (isspace((unsigned char)*in)) {
			space = true;
			continue;
		}
		if (space && n > 0 && *in != ')' && *in != ',' &&
		    out[n - 1] != '(')
			out[n++] = ' ';
		space = false;
		out[n++] = (char)tolower((unsigned char)*in);
	}
	out[n] = '\0';
}

static char *
schema_of(sqlite3 *db)
{
	sqlite3_stmt *st;
	char *all = calloc(1, 65536), buf[4096];

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master "
	    "WHERE sql IS NOT NULL ORDER BY name", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		squeeze((const char *)sqlite3_column_text(st, 0), buf,
		    sizeof(buf));
		strncat(all, buf, 65535 - strlen(all));
		strncat(all, ";\n", 65535 - strlen(all));
	}
	sqlite3_finalize(st);
	return all;
}

/* schema.sql, the documented copy, creates what the migrations create. */
static void
test_schema_matches_sql_file(void **state)
{
	FILE *f;
	char *sql, *a, *b;
	long n;
	sqlite3 *x, *y;
	size_t i;

	(void)state;
	f = fopen(ADVISOR_CONTENT_DIR "/storage/schema.sql", "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	sql = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(sql, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	assert_int_equal(sqlite3_open(":memory:", &x), SQLITE_OK);
	assert_int_equal(sqlite3_exec(x, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_open(":memory:", &y), SQLITE_OK);
	for (i = 0; i < schema_nmigrations; i++)
		assert_int_equal(sqlite3_exec(y, schema_migrations[i], NULL,
		    NULL, NULL), SQLITE_OK);
	a = schema_of(x);
	b = schema_of(y);
	assert_true(strlen(a) > 100);
	assert_string_equal(a, b);
	free(a);
	free(b);
	free(sql);
	sqlite3_close(x);
	sqlite3_close(y);
}

/* A blank file is migrated to the current version; a newer one refused. */
static void
test_migration(void **state)
{
	struct store *s;
	struct store_opts o = { .path = dbpath };
	char err[256] = "";
	sqlite3 *db;

	(void)state;
	s = open_store(dbpath, true, 0);
	assert_int_equal(store_schema_found(s), 0);	/* a new file */
	store_close(s);
	assert_int_equal(count(dbpath, "PRAGMA user_version"),
	    (int64_t)schema_nmigrations);
	/* WAL mode is recorded in the file header (bytes 18, 19 = 2) */
	{
		FILE *f = fopen(dbpath, "rb");
		unsigned char h[20];

		assert_non_null(f);
		assert_int_equal(fread(h, 1, 20, f), 20);
		fclose(f);
		assert_int_equal(h[18], 2);
		assert_int_equal(h[19], 2);
	}
	/* opening again is a no-op migration */
	s = open_store(dbpath, true, 0);
	store_close(s);
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_null(store_open(&o, err, sizeof(err)));
	assert_non_null(strstr(err, "newer"));
}

/* A log at dbpath as user_version VERSION left it, with two messages of
 * conversation c (a fallback and its reply), after SQL. */
static void
old_log(int version, const char *sql)
{
	sqlite3 *db;
	char v[64];
	int i;

	store_remove(dbpath);
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	for (i = 0; i < version; i++)
		assert_int_equal(sqlite3_exec(db, schema_migrations[i], NULL,
		    NULL, NULL), SQLITE_OK);
	snprintf(v, sizeof(v), "PRAGMA user_version = %d", version);
	assert_int_equal(sqlite3_exec(db, v, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO messages (id,"
	    " conversation, direction, text, intent, time) VALUES (1, 'c',"
	    " 'in', 'what about paris', 'fallback', 5), (2, 'c', 'out',"
	    " 'sorry', 'fallback', 6)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/*
 * A log written by the first release (user_version 1) keeps its rows when
 * opened by this one, and unanswered questions are then found through the
 * fallback index rather than by reading every message.
 */
static void
test_migration_from_v1(void **state)
{
	struct store *s;
	sqlite3 *db;
	sqlite3_stmt *st;
	const char *plan = "";
	bool used = false;

	(void)state;
	old_log(1, "");

	s = open_store(dbpath, true, 0);
	assert_int_equal(store_schema_found(s), 1);
	store_close(s);
	/* opened again, it is up to date: nothing was migrated */
	s = open_store(dbpath, true, 0);
	assert_int_equal(store_schema_found(s), (int)schema_nmigrations);
	store_close(s);
	assert_int_equal(count(dbpath, "PRAGMA user_version"),
	    (int64_t)schema_nmigrations);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM sqlite_master "
	    "WHERE name = 'messages_intent'"), 0);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM messages WHERE "
	    "intent = 'fallback' AND direction = 'in' AND time >= 0"), 1);
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "EXPLAIN QUERY PLAN SELECT "
	    "text FROM messages WHERE direction = 'in' AND intent = "
	    "'fallback' AND time >= ?1", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		plan = (const char *)sqlite3_column_text(st, 3);
		if (strstr(plan, "messages_fallback") != NULL)
			used = true;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	assert_true(used);
	integrity_ok(dbpath);
}

/*
 * A log of user_version 2 keeps its rows when opened by this one: the
 * messages gain a content version, NULL on the rows from before (review
 * then takes their conversation's), and new messages carry theirs.
 */
static void
test_migration_from_v2(void **state)
{
	struct store *s;
	struct store_msg m = { .conv = "c", .direction = 'i', .text = "again",
	    .intent = "lpo", .time_us = 9, .content_version = "v2" };

	(void)state;
	old_log(2, "INSERT INTO conversations (id, channel, started,"
	    " content_version) VALUES ('c', 'web', 5, 'v1');");

	s = open_store(dbpath, true, 0);
	assert_int_equal(store_schema_found(s), 2);
	m.id = store_next_id(s);
	assert_int_equal(m.id, 3);
	assert_true(store_put_message(s, &m) > 0);
	store_close(s);
	assert_int_equal(count(dbpath, "PRAGMA user_version"),
	    (int64_t)schema_nmigrations);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM messages WHERE "
	    "id <= 2 AND content_version IS NULL AND text IN "
	    "('what about paris', 'sorry')"), 2);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM messages WHERE "
	    "id = 3 AND content_version = 'v2' AND text = 'again'"), 1);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM conversations "
	    "WHERE id = 'c' AND content_version = 'v1'"), 1);
	integrity_ok(dbpath);
}

static void
test_commit_lookup(void **state)
{
	struct store *s;
	struct store_resume r;
	struct store_stats st;
	uint64_t seq;
	int64_t id0;

	(void)state;
	s = open_store(dbpath, true, 0);
	id0 = store_next_id(s);
	assert_int_equal(id0, 1);
	assert_true(put_conv(s, "c1", "hash1") > 0);
	put_msg(s, "c1", 'i', "what is kpo");
	put_msg(s, "c1", 'o', "KPO is knowledge work");
	put_msg(s, "c1", 'i', "and bpo?");
	assert_true(store_put_state(s, "c1", "{\"node\":\"a\"}", 5) > 0);
	assert_true(store_put_state(s, "c1", "{\"node\":\"b\"}", 6) > 0);
	assert_true(store_put_feedback(s, "c1", 3, false, "meh", 7) > 0);
	seq = store_end_conversation(s, "c1", 9);
	assert_int_equal(seq, 8);
	wait_resolved(s, seq);
	store_get_stats(s, &st);
	assert_int_equal(st.committed, 8);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.queued, 0);
	assert_true(st.batches >= 1);

	assert_int_equal(store_lookup(s, "hash1", true, 2, &r), 1);
	assert_string_equal(r.id, "c1");
	assert_string_equal(r.channel, "web");
	assert_null(r.user);
	assert_string_equal(r.state_json, "{\"node\":\"b\"}");
	assert_int_equal(r.nmessages, 2);
	assert_int_equal(r.messages[0].direction, 'o');
	assert_string_equal(r.messages[0].text, "KPO is knowledge work");
	assert_int_equal(r.messages[1].direction, 'i');
	assert_int_equal(r.messages[1].id, 4);
	store_resume_free(&r);
	assert_int_equal(store_lookup(s, "c1", false, 10, &r), 1);
	assert_int_equal(r.nmessages, 3);
	store_resume_free(&r);
	assert_int_equal(store_lookup(s, "nope", true, 10, &r), 0);
	assert_int_equal(store_lookup(s, "hash1", false, 10, &r), 0);
	store_close(s);
	assert_int_equal(count(dbpath, "SELECT ended FROM conversations"), 9);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM feedback WHERE "
	    "helpful = 0 AND message = 3"), 1);
	/* ids continue after a restart */
	s = open_store(dbpath, true, 0);
	assert_int_equal(store_next_id(s), 5);
	store_close(s);
}

static void
test_memory(void **state)
{
	struct store *s;
	struct store_resume r;

	(void)state;
	s = open_store(":memory:", true, 0);
	put_conv(s, "m", "h");
	wait_resolved(s, put_msg(s, "m", 'i', "hello"));
	assert_int_equal(store_lookup(s, "h", true, 5, &r), 1);
	assert_int_equal(r.nmessages, 1);
	assert_string_equal(r.messages[0].text, "hello");
	store_resume_free(&r);
	store_close(s);
}

static void
test_redaction(void **state)
{
	struct store *s;
	struct store_resume r;

	(void)state;
	s = open_store(":memory:", true, 0);
	put_conv(s, "r", "h");
	store_put_feedback(s, "r", 1, true, "write jo@example.com", 2);
	wait_resolved(s, put_msg(s, "r", 'i',
	    "mail jo.doe@example.co.uk or call +44 20 7946 0958"));
	assert_int_equal(store_lookup(s, "r", false, 5, &r), 1);
	assert_string_equal(r.messages[0].text, "mail [email] or call [phone]");
	store_resume_free(&r);
	store_close(s);

	s = open_store(dbpath, false, 0);
	put_conv(s, "r", "h");
	wait_resolved(s, put_msg(s, "r", 'i', "jo@example.com"));
	assert_int_equal(store_lookup(s, "r", false, 5, &r), 1);
	assert_string_equal(r.messages[0].text, "jo@example.com");
	store_resume_free(&r);
	store_close(s);
}

/* Hold the write lock from another connection. */
static sqlite3 *
lock_db(const char *path)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL,
	    NULL), SQLITE_OK);
	return db;
}

static void
unlock_db(sqlite3 *db)
{
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
}

/* Wait (up to 20 s) until the writer has failed N commits. */
static void
wait_write_errors(struct store *s, uint64_t n)
{
	struct store_stats st;
	int i;

	for (i = 0; i < 20000; i++) {
		store_get_stats(s, &st);
		if (st.write_errors >= n)
			return;
		sleep_ms(1);
	}
	fail_msg("the writer failed %llu commits, not %llu",
	    (unsigned long long)st.write_errors, (unsigned long long)n);
}

/* A store whose writer is held up by a lock another connection holds. */
static struct store *
open_locked(size_t queue_max, sqlite3 **lk)
{
	struct store *s = open_store(dbpath, true, queue_max);

	store_tune(s, 5, 100000, 1);
	*lk = lock_db(dbpath);
	return s;
}

static void
test_queue_full(void **state)
{
	struct store *s;
	struct store_stats st;
	sqlite3 *lk;
	uint64_t accepted = 0;
	int i;

	(void)state;
	s = open_locked(4, &lk);
	for (i = 0; i < 20; i++)
		if (put_msg(s, "q", 'i', "x") > 0)
			accepted++;
	store_get_stats(s, &st);
	assert_true(accepted >= 4 && accepted <= 8);
	assert_int_equal(st.dropped, 20 - accepted);
	unlock_db(lk);
	store_close(s);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM messages"),
	    (int64_t)accepted);
}

/* While the writer is held up, store_backlogged() turns on once an eighth
 * of the queue waits, and off again when the writer has caught up. */
static void
test_backlog(void **state)
{
	struct store *s;
	sqlite3 *lk;
	uint64_t last;
	int i;

	(void)state;
	s = open_locked(64, &lk);
	assert_false(store_backlogged(s));
	/* a first row, taken by the writer, which then retries it against
	 * the lock and takes no more: from here on the count is exact */
	last = put_msg(s, "b", 'i', "first");
	wait_write_errors(s, 1);
	/* behind at an eighth of the 64-row queue */
	for (i = 0; i < 7; i++)
		last = put_msg(s, "b", 'i', "x");
	assert_false(store_backlogged(s));
	last = put_msg(s, "b", 'i', "x");
	assert_true(store_backlogged(s));
	assert_true(store_resolved(s) < last);
	unlock_db(lk);
	wait_resolved(s, last);
	assert_false(store_backlogged(s));
	store_close(s);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM messages"), 9);
}

static void
test_close_flushes(void **state)
{
	struct store_opts o = { .path = dbpath, .durability = STORE_FAST,
	    .batch_ms = 60000, .batch_rows = 5000 };
	struct store_stats st;
	char err[256];
	struct store *s;
	int i;

	(void)state;
	s = store_open(&o, err, sizeof(err));
	assert_non_null(s);
	for (i = 0; i < 1000; i++)
		assert_true(put_msg(s, "f", 'i', "flush me") > 0);
	store_get_stats(s, &st);
	assert_int_equal(st.dropped, 0);
	store_close(s);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM messages"), 1000);
	integrity_ok(dbpath);
}

/*
 * A fast-mode batch window ends early once half the backlog at which
 * replies wait is queued: with a 60 s window and batches of 64 (so replies
 * wait at 32 rows behind), 15 rows stay queued, the 16th sends them all.
 */
/*
 * Runs of messages are written 128 or 16 to a statement: every column of
 * every row lands where it belongs, and a row that breaks a constraint
 * (here a duplicate id) is the only one left out of its run.
 */
static void
test_message_runs(void **state)
{
	char text[300][24], why[300][24], rw[300][24], conv[4][24];
	struct store *s;
	int i;

	(void)state;
	store_remove(dbpath);
	s = open_store(dbpath, false, 0);
	for (i = 0; i < 4; i++)
		snprintf(conv[i], sizeof(conv[i]), "c%d", i);
	for (i = 0; i < 300; i++) {
		int64_t id = 1000 + i;
		struct store_msg m = { .id = id, .conv = conv[id % 4],
		    .direction = id % 2 ? 'o' : 'i', .text = text[i],
		    .intent = id % 2 ? "kpo" : NULL,
		    .node = id % 2 ? "root" : NULL, .latency_us = id * 3,
		    .time_us = id * 7, .content_version = id % 2 ? NULL :
		    id % 4 ? "v2" : "v1" };

		snprintf(text[i], sizeof(text[i]), "m%d", i);
		if (id % 3 == 0) {
			snprintf(why[i], sizeof(why[i]), "w%d", i);
			snprintf(rw[i], sizeof(rw[i]), "r%d", i);
			m.why = why[i];
			m.rewrites = rw[i];
			m.suggestion = "s";
		}
		if (i == 23)
			m.id = 1005;	/* taken by message 5 */
		assert_true(store_put_message(s, &m) > 0);
		/* a row of another kind between messages 16 and 17: the next
		 * runs start one message later, so each parameter of the run
		 * statement now takes the other direction, and a NULL where it
		 * had a text, or a text where it had a NULL */
		if (i == 16)
			assert_true(store_put_state(s, "c0", "{}", 1) > 0);
	}
	store_close(s);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM messages"), 299);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM states"), 1);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM messages WHERE "
	    "text = 'm' || (id - 1000) AND conversation = 'c' || (id % 4) AND "
	    "direction = CASE id % 2 WHEN 1 THEN 'out' ELSE 'in' END AND "
	    "intent IS (CASE id % 2 WHEN 1 THEN 'kpo' END) AND "
	    "node IS (CASE id % 2 WHEN 1 THEN 'root' END) AND "
	    "why IS (CASE id % 3 WHEN 0 THEN 'w' || (id - 1000) END) AND "
	    "rewrites IS (CASE id % 3 WHEN 0 THEN 'r' || (id - 1000) END) AND "
	    "suggestion IS (CASE id % 3 WHEN 0 THEN 's' END) AND "
	    "latency_us = id * 3 AND time = id * 7 AND content_version IS "
	    "(CASE WHEN id % 2 = 1 THEN NULL WHEN id % 4 = 2 THEN 'v2' ELSE "
	    "'v1' END)"), 299);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM messages WHERE "
	    "text = 'm23'"), 0);
	integrity_ok(dbpath);
}

/* A conversation purged while its connection lives on comes back, bare,
 * under the rows logged after the purge; one that was never purged keeps
 * its own row as it was. */
static void
test_purged_conversation_returns(void **state)
{
	struct store *s;
	sqlite3 *db;
	uint64_t seq;

	(void)state;
	store_remove(dbpath);
	s = open_store(dbpath, false, 0);
	put_conv(s, "w-kept", "h1");
	put_conv(s, "w-gone", "h2");
	put_msg(s, "w-kept", 'i', "hello");
	wait_resolved(s, put_msg(s, "w-gone", 'i', "hello"));
	/* advisorctl purge, from its own connection */
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DELETE FROM conversations WHERE "
	    "id = 'w-gone'", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	{
		struct store_msg m = { .id = store_next_id(s), .conv = "w-gone",
		    .direction = 'i', .text = "still here", .time_us = 5000 };

		assert_true(store_put_message(s, &m) > 0);
	}
	put_msg(s, "w-gone", 'o', "answer");
	put_msg(s, "w-kept", 'i', "more");
	assert_true(store_put_feedback(s, "b-chat:T1:C1:U1", 7, false, NULL,
	    6000) > 0);
	seq = put_msg(s, "w-kept", 'o', "answer");
	wait_resolved(s, seq);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM conversations "
	    "WHERE id = 'w-gone' AND channel = 'web' AND started = 5000 AND "
	    "resume_hash IS NULL AND user IS NULL"), 1);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM conversations "
	    "WHERE id = 'w-kept' AND resume_hash = 'h1' AND "
	    "content_version = 'v1' AND started = 1000"), 1);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM conversations "
	    "WHERE id = 'b-chat:T1:C1:U1' AND channel = 'bridge' AND "
	    "started = 6000"), 1);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM messages m "
	    "WHERE NOT EXISTS (SELECT 1 FROM conversations c WHERE c.id = "
	    "m.conversation)"), 0);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM conversations"),
	    3);
	store_close(s);
}

/* Batches of more conversations than keep_conversations' set once held
 * (512 slots: past them it looked every row up again, right but slow; no
 * test can show the speed): one message each from 1,500 conversations
 * that have no row, in batches of up to 2,000 rows, after a batch of
 * one; every conversation comes back exactly once, and so does each of a
 * second message's. */
static void
test_many_conversations_a_batch(void **state)
{
	struct store_opts o = { .path = dbpath, .durability = STORE_FAST,
	    .batch_ms = 50, .batch_rows = 2000 };
	char err[256], id[32];
	struct store *s;
	uint64_t seq;
	int i;

	(void)state;
	store_remove(dbpath);
	assert_non_null(s = store_open(&o, err, sizeof(err)));
	wait_resolved(s, put_msg(s, "w-first", 'i', "alone"));
	for (i = 0; i < 1500; i++) {
		snprintf(id, sizeof(id), "w-many-%04d", i);
		seq = put_msg(s, id, 'i', "hello");
	}
	for (i = 0; i < 1500; i += 3) {
		snprintf(id, sizeof(id), "w-many-%04d", i);
		seq = put_msg(s, id, 'o', "answer");
	}
	wait_resolved(s, seq);
	store_close(s);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM conversations"),
	    1501);
	assert_int_equal(count(dbpath, "SELECT count(DISTINCT id) FROM "
	    "conversations"), 1501);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM messages m "
	    "WHERE NOT EXISTS (SELECT 1 FROM conversations c WHERE c.id = "
	    "m.conversation)"), 0);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM messages"),
	    1 + 1500 + 500);
}

/* The fast writer's nice value: 10 while it keeps up, 0 once a window's
 * rows are queued at a batch's start, and 10 again only under a quarter
 * of a window (between the two it keeps what it has, so that it does not
 * flap at one edge). */
static void
test_writer_nice(void **state)
{
	(void)state;
	assert_int_equal(writer_nice(10, 0, 4096), 10);
	assert_int_equal(writer_nice(10, 4095, 4096), 10);
	assert_int_equal(writer_nice(10, 4096, 4096), 0);
	assert_int_equal(writer_nice(10, 9000, 4096), 0);
	assert_int_equal(writer_nice(0, 4095, 4096), 0);
	assert_int_equal(writer_nice(0, 1024, 4096), 0);
	assert_int_equal(writer_nice(0, 1023, 4096), 10);
	assert_int_equal(writer_nice(10, 2000, 4096), 10);
}

static void
test_batch_ends_early(void **state)
{
	struct store_opts o = { .path = dbpath, .durability = STORE_FAST,
	    .batch_ms = 60000, .batch_rows = 64 };
	char err[256];
	struct store *s;
	uint64_t seq = 0;
	int i;

	(void)state;
	assert_non_null(s = store_open(&o, err, sizeof(err)));
	for (i = 0; i < 15; i++)
		seq = put_msg(s, "e", 'i', "early");
	sleep_ms(300);
	assert_true(store_resolved(s) < seq);
	assert_false(store_backlogged(s));
	seq = put_msg(s, "e", 'i', "the sixteenth");
	wait_resolved(s, seq);
	store_close(s);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM messages"), 16);
}

/*
 * A reader that keeps a transaction open on the WAL (a long review query)
 * stops the checkpoints from finishing, but not the log: rows go on being
 * committed, and once the reader is gone the next checkpoint completes.
 */
static void
test_checkpoint_reader(void **state)
{
	struct store_opts o = { .path = dbpath, .durability = STORE_FAST,
	    .batch_ms = 2, .batch_rows = 200, .checkpoint_pages = 16 };
	struct store_stats st;
	char err[256];
	struct store *s;
	sqlite3 *rd;
	uint64_t seq = 0, before;
	int i;

	(void)state;
	assert_non_null(s = store_open(&o, err, sizeof(err)));
	wait_resolved(s, put_msg(s, "r", 'i', "first"));
	assert_int_equal(sqlite3_open(dbpath, &rd), SQLITE_OK);
	assert_int_equal(sqlite3_exec(rd, "BEGIN; SELECT count(*) FROM "
	    "messages", NULL, NULL, NULL), SQLITE_OK);
	store_get_stats(s, &st);
	before = st.checkpoints;
	for (i = 0; i < 3000; i++) {
		seq = put_msg(s, "r", 'i', "a row written while a reader "
		    "holds the WAL open");
		if (i % 500 == 499)
			wait_resolved(s, seq);
	}
	wait_resolved(s, seq);
	store_get_stats(s, &st);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.checkpoints, before);
	assert_int_equal(sqlite3_exec(rd, "COMMIT", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(rd);
	for (i = 0; i < 5000 && st.checkpoints == before; i++) {
		wait_resolved(s, put_msg(s, "r", 'i', "after"));
		store_get_stats(s, &st);
	}
	assert_true(st.checkpoints > before);
	store_close(s);
	integrity_ok(dbpath);
}

static long long
file_size(const char *path, const char *suffix)
{
	char p[300];
	struct stat sb;

	snprintf(p, sizeof(p), "%s%s", path, suffix);
	return stat(p, &sb) == 0 ? (long long)sb.st_size : -1;
}

/*
 * The checkpoint thread folds the WAL back into the database once it
 * holds 32 pages, so writing about 6 MB leaves a WAL of a few batches,
 * not of everything: SQLite's own automatic checkpoint is off once the
 * thread holds the WAL hook, and at 8,000 pages it would not have run.
 */
static void
test_checkpoint_thread(void **state)
{
	struct store_opts o = { .path = dbpath, .durability = STORE_FAST,
	    .batch_ms = 2, .batch_rows = 200, .checkpoint_pages = 32 };
	struct store_stats st;
	char err[256], text[301];
	struct store *s;
	uint64_t seq = 0;
	int i;

	(void)state;
	memset(text, 'w', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	assert_non_null(s = store_open(&o, err, sizeof(err)));
	for (i = 0; i < 20000; i++) {
		seq = put_msg(s, i % 2 ? "c1" : "c2", 'i', text);
		assert_true(seq > 0);
		if (i % 500 == 499)
			wait_resolved(s, seq);	/* the queue never fills */
	}
	wait_resolved(s, seq);
	/* the last checkpoint may still be under way */
	for (i = 0; i < 5000; i++) {
		store_get_stats(s, &st);
		if (st.checkpoints > 0 && file_size(dbpath, "") > 6000000 &&
		    file_size(dbpath, "-wal") < 3000000)
			break;
		sleep_ms(1);
	}
	assert_true(st.checkpoints > 0);
	assert_int_equal(st.dropped, 0);
	/* the rows reached the database file, and the WAL started over */
	assert_true(file_size(dbpath, "") > 6000000);
	assert_true(file_size(dbpath, "-wal") < 3000000);
	store_close(s);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM messages"),
	    20000);
	integrity_ok(dbpath);
}

struct reader {
	struct store	*s;
	volatile bool	 stop;
	int		 lookups, errors, regress;
};

static void *
reader_main(void *arg)
{
	struct reader *rd = arg;
	size_t last = 0;
	struct store_resume r;

	while (!rd->stop) {
		int rc = store_lookup(rd->s, "cr", false, 100000, &r);

		if (rc == -1)
			rd->errors++;
		if (rc == 1) {
			if (r.nmessages < last)
				rd->regress++;
			last = r.nmessages;
			store_resume_free(&r);
		}
		rd->lookups++;
	}
	return NULL;
}

static void
test_concurrent_reader(void **state)
{
	struct reader rd = { 0 };
	pthread_t t;
	uint64_t seq = 0;
	int i;

	(void)state;
	rd.s = open_store(dbpath, true, 0);
	put_conv(rd.s, "cr", "hcr");
	assert_int_equal(pthread_create(&t, NULL, reader_main, &rd), 0);
	for (i = 0; i < 3000; i++) {
		seq = put_msg(rd.s, "cr", 'i', "concurrent");
		if (i % 100 == 0)
			sleep_ms(1);
	}
	wait_resolved(rd.s, seq);
	while (rd.lookups < 5)
		sleep_ms(1);
	rd.stop = true;
	pthread_join(t, NULL);
	assert_int_equal(rd.errors, 0);
	assert_int_equal(rd.regress, 0);
	/* once resolved, a reader sees every row */
	{
		struct store_resume r;

		assert_int_equal(store_lookup(rd.s, "hcr", true, 100000, &r),
		    1);
		assert_int_equal(r.nmessages, 3000);
		store_resume_free(&r);
	}
	store_close(rd.s);
}

/* A lock held for a while: the writer retries and then commits. */
static void
test_locked_then_free(void **state)
{
	struct store *s;
	struct store_stats st;
	sqlite3 *lk;
	uint64_t seq;

	(void)state;
	s = open_store(dbpath, true, 0);
	store_tune(s, 5, 100000, 1);
	lk = lock_db(dbpath);
	seq = put_msg(s, "l", 'i', "wait for me");
	wait_write_errors(s, 2);
	assert_true(store_resolved(s) < seq);
	unlock_db(lk);
	wait_resolved(s, seq);
	store_get_stats(s, &st);
	assert_int_equal(st.committed, 1);
	assert_int_equal(st.dropped, 0);
	store_close(s);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM messages"), 1);
	integrity_ok(dbpath);
}

/* A lock held through every attempt: the rows are dropped and counted,
 * and the writer carries on once the lock goes. */
static void
test_locked_drops(void **state)
{
	struct store *s;
	struct store_stats st;
	sqlite3 *lk;
	uint64_t seq;

	(void)state;
	s = open_store(dbpath, true, 0);
	store_tune(s, 2, 3, 1);
	lk = lock_db(dbpath);
	put_msg(s, "l", 'i', "one");
	seq = put_msg(s, "l", 'i', "two");
	wait_resolved(s, seq);
	store_get_stats(s, &st);
	assert_int_equal(st.dropped, 2);
	assert_int_equal(st.committed, 0);
	assert_true(st.write_errors >= 3);
	unlock_db(lk);
	wait_resolved(s, put_msg(s, "l", 'i', "three"));
	store_get_stats(s, &st);
	assert_int_equal(st.committed, 1);
	store_close(s);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM messages"), 1);
	integrity_ok(dbpath);
}

/* The pauses come between attempts: once the last one has failed, the
 * batch is dropped at once.  A pause after it (800 ms with the daemon's
 * defaults) held the writer, and strict mode's replies, for nothing. */
static void
test_no_pause_after_last_attempt(void **state)
{
	struct timespec t0, t1;
	struct store *s;
	struct store_stats st;
	sqlite3 *lk;
	uint64_t seq;
	long ms;

	(void)state;
	s = open_store(dbpath, true, 0);
	store_tune(s, 2, 1, 3000);	/* one attempt; a pause would be 3 s */
	lk = lock_db(dbpath);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	seq = put_msg(s, "p", 'i', "one");
	wait_resolved(s, seq);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) /
	    1000000;
	store_get_stats(s, &st);
	assert_int_equal(st.dropped, 1);
	if (ms >= 1500)
		fail_msg("the dropped batch resolved after %ld ms", ms);
	unlock_db(lk);
	store_close(s);
}

/* A connection that cannot write (as a read-only file would): counted. */
static void
test_read_only(void **state)
{
	struct store *s;
	struct store_stats st;

	(void)state;
	s = open_store(dbpath, true, 0);
	store_tune(s, 2, 2, 1);
	assert_int_equal(store_writer_exec(s, "PRAGMA query_only = 1"), 0);
	wait_resolved(s, put_msg(s, "ro", 'i', "lost"));
	store_get_stats(s, &st);
	assert_int_equal(st.dropped, 1);
	assert_int_equal(st.write_errors, 2);
	assert_int_equal(store_writer_exec(s, "PRAGMA query_only = 0"), 0);
	wait_resolved(s, put_msg(s, "ro", 'i', "kept"));
	store_close(s);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM messages"), 1);
}

/* Disk full (SQLITE_FULL via max_page_count): big rows dropped and
 * counted, small ones after space returns committed, file intact. */
static void
test_disk_full(void **state)
{
	struct store *s;
	struct store_stats st;
	char *big;
	uint64_t seq = 0;
	int i;

	(void)state;
	s = open_store(dbpath, true, 0);
	store_tune(s, 2, 2, 1);
	wait_resolved(s, put_msg(s, "d", 'i', "before"));
	assert_int_equal(store_writer_exec(s, "PRAGMA wal_checkpoint"), 0);
	assert_int_equal(store_writer_exec(s, "PRAGMA max_page_count = 1"),
	    0);
	big = malloc(200000);
	memset(big, 'a', 199999);
	big[199999] = '\0';
	for (i = 0; i < 3; i++)
		seq = put_msg(s, "d", 'i', big);
	wait_resolved(s, seq);
	store_get_stats(s, &st);
	assert_int_equal(st.dropped, 3);
	assert_true(st.write_errors >= 2);
	assert_int_equal(store_writer_exec(s,
	    "PRAGMA max_page_count = 1073741823"), 0);
	wait_resolved(s, put_msg(s, "d", 'i', "after"));
	store_get_stats(s, &st);
	assert_int_equal(st.committed, 2);
	store_close(s);
	free(big);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM messages"), 2);
	integrity_ok(dbpath);
}

static void
test_strict(void **state)
{
	struct store_opts o = { .path = dbpath, .durability = STORE_STRICT,
	    .batch_ms = 1, .batch_rows = 1 };
	char err[256];
	struct store *s;
	uint64_t seq = 0;
	int i;

	(void)state;
	s = store_open(&o, err, sizeof(err));
	assert_non_null(s);
	for (i = 0; i < 50; i++)
		seq = put_msg(s, "s", 'o', "strict");
	wait_resolved(s, seq);
	assert_int_equal(count(dbpath, "SELECT count(*) FROM messages"), 50);
	store_close(s);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup_file, teardown_file)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema_matches_sql_file),
		T(test_migration_from_v1),
		T(test_migration_from_v2),
		T(test_migration),
		T(test_commit_lookup),
		cmocka_unit_test(test_memory),
		T(test_redaction),
		T(test_queue_full),
		T(test_close_flushes),
		T(test_checkpoint_thread),
		T(test_message_runs),
		T(test_purged_conversation_returns),
		T(test_many_conversations_a_batch),
		T(test_writer_nice),
		T(test_batch_ends_early),
		T(test_checkpoint_reader),
		T(test_concurrent_reader),
		T(test_backlog),
		T(test_locked_then_free),
		T(test_locked_drops),
		T(test_no_pause_after_last_attempt),
		T(test_read_only),
		T(test_disk_full),
		T(test_strict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
