/*
 * review.c: reports over the conversation log.  The log files are attached
 * to an in-memory database (read-only unless purging) and seen through temp
 * views, so a report over several advisord instances is one query.
 * Readers never block the daemon's writer: the files are in WAL mode.
 * This file holds the views and each report's queries; review_out.c
 * writes their rows (tables, JSON, CSV), review_cluster.c gathers
 * unmatched's similar questions.
 */
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "storage/review.h"
#include "storage/review_cluster.h"
#include "storage/review_out.h"
#include "storage/schema.h"

struct review {
	sqlite3	*db;
	int	 n;		/* attached files: f0 .. f(n-1) */
	int64_t	 until;		/* the reports count what happened
				 * before it (review_until; INT64_MAX:
				 * no end) */
	unsigned copied;	/* views copied to indexed tables: 1
				 * file_messages, 2 all_conversations */
};

static const char *const tables[] = { "conversations", "messages",
    "feedback", "states", "content_loads" };

void
review_close(struct review *r)
{
	if (r == NULL)
		return;
	sqlite3_close(r->db);
	free(r);
}

/*
 * The columns of file I's messages, the same in every file: a log from
 * before user_version 3 has no messages.content_version, and reads as
 * NULL there (its questions then count under their conversation's).
 */
static bool
msg_versions(struct review *r, int i)
{
	sqlite3_stmt *st;
	char sql[128];
	bool has = false;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM pragma_table_info("
	    "'messages', 'f%d') WHERE name = 'content_version'", i);
	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		has = sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	return has;
}

static const char *
msg_cols(struct review *r, int i)
{
	return msg_versions(r, i) ? "id, conversation, direction, text, intent, node, why, "
	    "rewrites, suggestion, latency_us, time, content_version" :
	    "id, conversation, direction, text, intent, node, why, rewrites, "
	    "suggestion, latency_us, time, NULL AS content_version";
}

/* Whether file I has table NAME: content_loads came with user_version
 * 4, and a log from before (read-only, so not migrated) has none. */
static bool
has_table(struct review *r, int i, const char *name)
{
	sqlite3_stmt *st;
	char sql[128];
	bool has = false;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM f%d.sqlite_master "
	    "WHERE type = 'table' AND name = ?1", i);
	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			has = sqlite3_column_int(st, 0) > 0;
	}
	sqlite3_finalize(st);
	return has;
}

/*
 * Union the same table of every attached file into a temp view, each row
 * with F, the file it came from.  Message ids are unique within one file
 * only (each daemon numbers its own), so every join from one row to
 * another (a rating to its reply, a reply to the question before it, a
 * conversation's saved state) stays in F.  A file may also hold what
 * another holds: a copy, or a backup restored and written on since.  A
 * conversation is then one conversation as it stands now: its row is the
 * one of the file it was last active in (SCHEMA_LAST_ACTIVE; of the first
 * file named of those as new), so that a backup copied while it was open
 * does not keep it open once the log has ended it; file_conversations
 * keeps every file's row, for a message's own.  A message is one message
 * when another file named before has the same one (the same
 * conversation, id, time, direction and text), and counts there only;
 * file_messages keeps every row, for the joins within a file.  A rating names its reply by id in
 * its own file, so it carries the reply's time too (mtime): a copy's
 * rating of the same reply is the same rating, a rating of another reply
 * under the same id in another file is not.
 */
#define VIEW_MAX	65536	/* ten files' conversations: about 40,000 */

static int
make_views(struct review *r, char *err, size_t errlen)
{
	char *sql = malloc(VIEW_MAX);
	size_t t, o;
	int i, j, rc = -1;

	if (sql == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		o = (size_t)snprintf(sql, VIEW_MAX,
		    "CREATE TEMP VIEW all_%s AS ", tables[t]);
		for (i = 0; i < r->n && o < VIEW_MAX; i++) {
			if (t == 4 && !has_table(r, i, tables[t]))
				o += (size_t)snprintf(sql + o, VIEW_MAX - o,
				    "%sSELECT NULL AS time, NULL AS version, "
				    "NULL AS f WHERE 0", i ? " UNION ALL " : "");
			else if (t == 2)
				o += (size_t)snprintf(sql + o, VIEW_MAX - o,
				    "%sSELECT x.*, %d AS f, (SELECT y.time FROM "
				    "f%d.messages y WHERE y.id = x.message AND "
				    "y.conversation = x.conversation) AS mtime "
				    "FROM f%d.feedback x", i ? " UNION ALL " : "",
				    i, i, i);
			else
				o += (size_t)snprintf(sql + o, VIEW_MAX - o,
				    "%sSELECT %s, %d AS f FROM f%d.%s x WHERE 1",
				    i ? " UNION ALL " : "", t == 1 ? msg_cols(r,
				    i) : "*", i, i, tables[t]);
			/* a conversation another file holds as newly active
			 * (or as new, and named before) is that file's */
			for (j = 0; t == 0 && j < r->n && o < VIEW_MAX; j++)
				if (j != i)
					o += (size_t)snprintf(sql + o,
					    VIEW_MAX - o, " AND NOT EXISTS "
					    "(SELECT 1 FROM f%d.conversations c "
					    "WHERE c.id = x.id AND "
					    SCHEMA_LAST_ACTIVE("f%d.") " %s "
					    "(SELECT " SCHEMA_LAST_ACTIVE("f%d.")
					    " FROM f%d.conversations c WHERE "
					    "c.id = x.id))", j, j, j < i ? ">=" :
					    ">", i, i);
			/* a message a file named before holds counts there */
			for (j = 0; j < i && o < VIEW_MAX; j++)
				if (t == 1)
					o += (size_t)snprintf(sql + o,
					    VIEW_MAX - o, " AND NOT EXISTS "
					    "(SELECT 1 FROM f%d.messages y WHERE "
					    "y.id = x.id AND y.conversation = "
					    "x.conversation AND y.time = x.time "
					    "AND y.direction = x.direction AND "
					    "y.text = x.text)", j);
		}
		if (o >= VIEW_MAX || sqlite3_exec(r->db, sql, NULL, NULL,
		    NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s", o >= VIEW_MAX ? "too "
			    "many files" : sqlite3_errmsg(r->db));
			goto done;
		}
	}
	for (t = 0; t < 2; t++) {
		o = (size_t)snprintf(sql, VIEW_MAX, "CREATE TEMP VIEW file_%s AS ",
		    tables[t]);
		for (i = 0; i < r->n && o < VIEW_MAX; i++)
			o += (size_t)snprintf(sql + o, VIEW_MAX - o, "%sSELECT "
			    "%s, %d AS f FROM f%d.%s", i ? " UNION ALL " : "",
			    t == 1 ? msg_cols(r, i) : "*", i, i, tables[t]);
		if (o >= VIEW_MAX || sqlite3_exec(r->db, sql, NULL, NULL,
		    NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s", sqlite3_errmsg(r->db));
			goto done;
		}
	}
	/* A reply rated twice (a click, then a second thought after a
	 * resume, whose history offers the buttons again) counts once, by
	 * its latest rating: the reports count rated replies, not clicks.
	 * The reply is its conversation, id and time (mtime): the same in a
	 * copy of the file, another reply in a file that went on apart. */
	if (sqlite3_exec(r->db, "CREATE TEMP VIEW rated AS SELECT id, message, "
	    "conversation, helpful, comment, time, mtime FROM (SELECT *, "
	    "row_number() OVER (PARTITION BY conversation, message, mtime "
	    "ORDER BY time DESC, id DESC) AS k FROM all_feedback) WHERE k = 1",
	    NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(r->db));
		goto done;
	}
	rc = 0;
done:
	free(sql);
	return rc;
}

/*
 * Temp view VIEW (over several files) copied into a temp table of that
 * name with an index on COLS, once; BIT in r->copied says it is done.
 * Over one file the views are the file's tables, with their indexes.
 */
static int
copy_view(struct review *r, const char *view, const char *cols, unsigned bit,
    char *err, size_t errlen)
{
	char *sql;
	int rc;

	if (r->n < 2 || (r->copied & bit))
		return 0;
	sql = sqlite3_mprintf("CREATE TEMP TABLE %s_copy AS SELECT * FROM %s; "
	    "DROP VIEW temp.%s; ALTER TABLE temp.%s_copy RENAME TO %s; "
	    "CREATE INDEX temp.%s_at ON %s (%s)", view, view, view, view, view,
	    view, view, cols);
	rc = sql == NULL ? SQLITE_NOMEM : sqlite3_exec(r->db, sql, NULL, NULL,
	    NULL);
	sqlite3_free(sql);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s", rc == SQLITE_NOMEM ? "out of memory" :
		    sqlite3_errmsg(r->db));
		return -1;
	}
	r->copied |= bit;
	return 0;
}

/*
 * Each message's look-ups within its file (the question before a reply,
 * its rating's reply) go by (f, conversation, id).  Over one file
 * file_messages is the table, with its index; over several, SQLite cannot
 * take a correlated look-up into each file of the union and scanned the
 * conversation for every message of it: a conversation of 15,514
 * messages beside a copy of its log took 30 s to export.  For the reports
 * that look up every message (export, transcript, feedback) the union is
 * then copied into a temp table with that index, once: about 1 s for two
 * files of 200,000 messages, which the reports that do not need it are
 * spared.
 */
static int
index_messages(struct review *r, char *err, size_t errlen)
{
	return copy_view(r, "file_messages", "f, conversation, id", 1u, err,
	    errlen);
}

/*
 * Over several files a row of all_conversations is the file's the
 * conversation was last active in: a comparison with every other file's
 * row, each reading the conversation's last message time, for every
 * conversation each time the view is read.  stats reads it twice and
 * dropoff looks conversations up in it; they take it copied once, indexed
 * by id (two files of 200,000 messages: stats 3.6 -> 3.3 s,
 * dropoff 6.9 -> 4.6 s).
 */
static int
index_conversations(struct review *r, char *err, size_t errlen)
{
	return copy_view(r, "all_conversations", "id", 2u, err, errlen);
}

/* PATH as an SQLite URI, opened read-only or read-write: '?', '#' and '%'
 * in a file's name are escaped, which would otherwise end the path or
 * start an escape.  NULL without memory; the caller sqlite3_free()s it. */
static char *
file_uri(const char *path, bool writable)
{
	sqlite3_str *u = sqlite3_str_new(NULL);
	const char *p;

	sqlite3_str_appendall(u, "file:");
	for (p = path; *p; p++)
		if (*p == '?' || *p == '#' || *p == '%')
			sqlite3_str_appendf(u, "%%%02X", (unsigned char)*p);
		else
			sqlite3_str_appendchar(u, 1, *p);
	sqlite3_str_appendf(u, "?mode=%s", writable ? "rw" : "ro");
	return sqlite3_str_finish(u);
}

struct review *
review_open(const char *const *paths, int n, bool writable, char *err,
    size_t errlen)
{
	struct review *r;
	sqlite3_stmt *st;
	char *uri, sql[128];
	struct stat sb[10];
	FILE *f;
	int i, j, ok, known, empty, rc;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	memset(sb, 0, sizeof(sb));
	if (sqlite3_open_v2(":memory:", &r->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_URI, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(r->db, 5000);
	if (sqlite3_exec(r->db, "CREATE TEMP TABLE files (f INTEGER PRIMARY "
	    "KEY, path TEXT NOT NULL)", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	for (i = 0; i < n; i++) {
		unsigned char magic[16];

		/* say plainly what is wrong with a file */
		if ((f = fopen(paths[i], "rb")) == NULL) {
			snprintf(err, errlen, "%s: no such file", paths[i]);
			goto fail;
		}
		/* a directory opens, and then reads as nothing at all */
		known = i < 10 && fstat(fileno(f), &sb[i]) == 0;
		if (known && S_ISDIR(sb[i].st_mode)) {
			snprintf(err, errlen, "%s: a directory, not a log "
			    "file", paths[i]);
			fclose(f);
			goto fail;
		}
		ok = fread(magic, 1, 16, f) == 16 &&
		    memcmp(magic, "SQLite format 3", 16) == 0;
		/* one file named twice (or by a second path) would count
		 * every conversation twice */
		if (known)
			for (j = 0; j < i; j++)
				if (sb[j].st_dev == sb[i].st_dev &&
				    sb[j].st_ino == sb[i].st_ino) {
					snprintf(err, errlen, "%s and %s are "
					    "the same file", paths[j],
					    paths[i]);
					fclose(f);
					goto fail;
				}
		fclose(f);
		if (!ok) {
			snprintf(err, errlen, "%s: not an SQLite database",
			    paths[i]);
			goto fail;
		}
		uri = file_uri(paths[i], writable);
		snprintf(sql, sizeof(sql), "ATTACH ?1 AS f%d", i);
		if (uri == NULL || sqlite3_prepare_v2(r->db, sql, -1, &st,
		    NULL) != SQLITE_OK) {
			sqlite3_free(uri);
			goto fail;
		}
		sqlite3_bind_text(st, 1, uri, -1, SQLITE_TRANSIENT);
		sqlite3_free(uri);
		if (sqlite3_step(st) != SQLITE_DONE) {
			snprintf(err, errlen, "%s: %s", paths[i],
			    sqlite3_errmsg(r->db));
			sqlite3_finalize(st);
			goto fail;
		}
		sqlite3_finalize(st);
		r->n++;
		/* the file's name as given, for the transcript of a
		 * conversation several files hold */
		if (sqlite3_prepare_v2(r->db, "INSERT INTO temp.files VALUES "
		    "(?1, ?2)", -1, &st, NULL) != SQLITE_OK)
			goto fail;
		sqlite3_bind_int(st, 1, i);
		sqlite3_bind_text(st, 2, paths[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			goto fail;
		snprintf(sql, sizeof(sql), "SELECT count(*) FILTER (WHERE name "
		    "= 'messages'), count(*) FROM f%d.sqlite_master", i);
		ok = sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) == SQLITE_OK
		    && sqlite3_step(st) == SQLITE_ROW;
		empty = ok && sqlite3_column_int(st, 1) == 0;
		ok = ok && sqlite3_column_int(st, 0) == 1;
		sqlite3_finalize(st);
		/* a log copied with cp while advisord runs: its rows are
		 * still in the -wal file beside the original, and the copy
		 * reads as an empty database */
		if (!ok) {
			snprintf(err, errlen, "%s: %s", paths[i], empty ?
			    "an empty database, not an advisord log (a copy of "
			    "a running daemon's log made with cp lacks what is "
			    "still in its -wal file: copy it with sqlite3 "
			    "\".backup FILE\")" : "not an advisord log");
			goto fail;
		}
	}
	if (make_views(r, err, errlen) == -1)
		goto fail;
	r->until = INT64_MAX;
	return r;
fail:
	if (err[0] == '\0')
		snprintf(err, errlen, "%s", r->db ? sqlite3_errmsg(r->db) :
		    "cannot open");
	review_close(r);
	return NULL;
}

void
review_until(struct review *r, int64_t until)
{
	r->until = until;
}

int64_t
review_parse_date(const char *s)
{
	static const char shape[] = "dddd-dd-dd";
	struct tm tm;
	char *end;
	int mday, mon;
	size_t i;
	time_t t;

	/* exactly the documented shape: strptime also takes one-digit
	 * fields, leading spaces and signs, and read "2026-1-1" as
	 * 2026-01-01, a date the reviewer may not have meant */
	for (i = 0; i < sizeof(shape) - 1; i++)
		if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9' :
		    s[i] != shape[i])
			return -1;
	if (s[i] != '\0')
		return -1;
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end == NULL || *end != '\0' || tm.tm_year < 70)
		return -1;
	/* strptime takes any day up to 31 and timegm moves it on (2026-02-31
	 * would silently be March 3): a day the month has not is refused */
	mday = tm.tm_mday;
	mon = tm.tm_mon;
	t = timegm(&tm);
	if (tm.tm_mday != mday || tm.tm_mon != mon)
		return -1;
	return (int64_t)t * 1000000;
}

/* Bind ?1 to SINCE (or to TEXT1, when there is one), ?2 to TEXT2
 * (NULL: SQL NULL) and ?9 to the end of the reports (review_until), as
 * far as ST has them. */
static void
bind(struct review *r, sqlite3_stmt *st, int64_t since, const char *text1,
    const char *text2)
{
	int n = sqlite3_bind_parameter_count(st);

	if (n >= 9)
		sqlite3_bind_int64(st, 9, r->until);
	if (n >= 1) {
		if (text1 != NULL)
			sqlite3_bind_text(st, 1, text1, -1, SQLITE_STATIC);
		else
			sqlite3_bind_int64(st, 1, since);
	}
	if (n >= 2 && text2 != NULL)
		sqlite3_bind_text(st, 2, text2, -1, SQLITE_STATIC);
}

/* Prepare SQL on the review connection into *ST; -1 with the reason in
 * ERR. */
static int
prepare(struct review *r, const char *sql, sqlite3_stmt **st, char *err,
    size_t errlen)
{
	if (sqlite3_prepare_v2(r->db, sql, -1, st, NULL) == SQLITE_OK)
		return 0;
	snprintf(err, errlen, "%s", sqlite3_errmsg(r->db));
	return -1;
}

/* Run SQL (with ?1 and ?2 bound by bind(), ?3 to TEXT3 when SQL has it)
 * and emit every row. */
static int
query3(struct review *r, const char *sql, int64_t since, const char *text1,
    const char *text2, const char *text3, struct out *o,
    const char *const *names, const int *widths, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	if (prepare(r, sql, &st, err, errlen) == -1)
		return -1;
	bind(r, st, since, text1, text2);
	if (text3 != NULL && sqlite3_bind_parameter_count(st) >= 3)
		sqlite3_bind_text(st, 3, text3, -1, SQLITE_STATIC);
	rc = out_rows(o, st, names, widths, err, errlen);
	sqlite3_finalize(st);
	return rc;
}

/* query3 without a ?3. */
static int
query(struct review *r, const char *sql, int64_t since, const char *text1,
    const char *text2, struct out *o, const char *const *names,
    const int *widths, char *err, size_t errlen)
{
	return query3(r, sql, since, text1, text2, NULL, o, names, widths,
	    err, errlen);
}

/* A time of the log (microseconds) as ISO 8601 UTC, "2026-12-01T14:55:09Z":
 * with its zone, so that nobody reads it as local time. */
#define UTC(col) "strftime('%Y-%m-%dT%H:%M:%SZ', " col " / 1000000, " \
    "'unixepoch')"
#define DAY "date(time / 1000000, 'unixepoch')"

int
review_stats(struct review *r, int64_t since, bool json, FILE *f, char *err,
    size_t errlen)
{
	static const char *const tn[] = { "conversations", "messages",
	    "fallbacks", "fallback_rate", "helpful", "not_helpful" };
	static const int tw[] = { 13, 8, 9, 13, 7, 11 };
	/* node: where a click led that has no intent of its own (a
	 * questionnaire step), whose reply says "choose"; clicked: the
	 * replies to a click, by the option the daemon logs in their why
	 * (a log from before it did: the "choose" ones only) */
	static const char *const in[] = { "intent", "node", "replies",
	    "clicked" };
	static const int iw[] = { 26, 18, 7, 7 };
	static const char *const dn[] = { "day", "conversations", "messages",
	    "fallbacks", "helpful", "not_helpful" };
	static const int dw[] = { 10, 13, 8, 9, 7, 11 };
	cJSON *doc = cJSON_CreateObject();
	struct out o;
	int rc = -1;

	out_begin(&o, f, json);
	if (index_conversations(r, err, errlen) == -1)
		goto done;
	out_section(&o, doc, "totals", "Totals");
	if (query(r, "SELECT (SELECT count(*) FROM all_conversations WHERE "
	    "started >= ?1 AND started < ?9), (SELECT count(*) FROM "
	    "all_messages WHERE "
	    "direction = 'in' AND time >= ?1 AND time < ?9), (SELECT count(*) "
	    "FROM "
	    "all_messages WHERE direction = 'in' AND intent = 'fallback' AND "
	    "time >= ?1 AND time < ?9), (SELECT round(100.0 * total(intent = "
	    "'fallback') / "
	    "max(count(*), 1), 1) FROM all_messages WHERE direction = 'in' AND "
	    "intent != 'choose' AND time >= ?1 AND time < ?9), (SELECT "
	    "count(*) FROM "
	    "rated WHERE helpful AND time >= ?1 AND time < ?9), (SELECT "
	    "count(*) FROM "
	    "rated WHERE NOT helpful AND time >= ?1 AND time < "
	    "?9)", since, NULL, NULL, &o,
	    tn, tw, err, errlen) == -1)
		goto done;
	if (!json)
		fprintf(f, "(messages: what people sent, typed or clicked; "
		    "fallback_rate: the %% of typed messages that fell to "
		    "fallback)\n");
	out_section(&o, doc, "replies_by_intent", "Replies by intent");
	if (query(r, "SELECT intent, CASE intent WHEN 'choose' THEN node END "
	    "AS at, count(*) AS n, sum(intent = 'choose' OR CASE WHEN "
	    "json_valid(why) THEN json_extract(why, '$.choose') END IS NOT "
	    "NULL) FROM all_messages WHERE direction = 'out' AND time >= ?1 "
	    "AND time < ?9 "
	    "GROUP BY intent, at ORDER BY n DESC, intent, at", since, NULL,
	    NULL, &o, in, iw, err, errlen) == -1)
		goto done;
	if (!json)
		fprintf(f, "(node: where a click led to a step with no intent "
		    "of its own, a reply that says choose; clicked: the replies "
		    "to a click)\n");
	out_section(&o, doc, "per_day", "Per day (UTC)");
	/* a day is there when anything happened on it: a reply rated the day
	 * after it was sent makes a row of its own, or the rows would not add
	 * up to the totals */
	/* conversations by the day they started, as the totals count them:
	 * one resumed the next day is not counted again on that day */
	if (query(r, "WITH c AS (SELECT date(started / 1000000, 'unixepoch') "
	    "AS day, count(*) AS c FROM all_conversations WHERE started >= ?1 "
	    "AND started < ?9 "
	    "GROUP BY day), m AS (SELECT " DAY " AS day, sum(direction = 'in') "
	    "AS n, sum(direction = 'in' AND intent = 'fallback') AS fb FROM "
	    "all_messages WHERE time >= ?1 AND time < ?9 GROUP BY day), f AS "
	    "(SELECT " DAY
	    " AS day, sum(helpful != 0) AS h, sum(helpful = 0) AS nh FROM rated "
	    "WHERE time >= ?1 AND time < ?9 GROUP BY day) SELECT d.day, "
	    "coalesce(c.c, 0), "
	    "coalesce(m.n, 0), coalesce(m.fb, 0), coalesce(f.h, 0), "
	    "coalesce(f.nh, 0) FROM (SELECT day FROM c UNION SELECT day FROM m "
	    "UNION SELECT day FROM f) d LEFT JOIN c ON c.day = d.day LEFT JOIN "
	    "m ON m.day = d.day LEFT JOIN f ON f.day = d.day ORDER BY d.day",
	    since, NULL, NULL, &o, dn, dw, err, errlen) == -1)
		goto done;
	rc = 0;
done:
	out_finish(&o, doc);
	return rc;
}

/* The text of a fallback as matched: normalised and spelling corrected.
 * A text with no words ("???") normalises to nothing; it is grouped and
 * shown as typed (blank space only: "(blank)"), or every such text would
 * be one group of nothing, a blank cell and an empty cluster "".  A why
 * that is not JSON (a damaged row) counts as none: json_extract() would
 * fail the whole report over it. */
#define NORM "coalesce(CASE WHEN json_valid(m.why) THEN json_extract(" \
    "m.why, '$.normalized') END, lower(m.text))"

/* Incoming message m was matched by content version ?2 (NULL: any): its
 * own version, or for a row from before user_version 3, which has none,
 * its conversation's. */
#define OF_VERSION "(?2 IS NULL OR m.content_version = ?2 OR " \
    "(m.content_version IS NULL AND (m.f, m.conversation) IN (SELECT f, " \
    "id FROM file_conversations WHERE content_version = ?2)))"

/* The content version message m was answered by, for transcript and
 * export: its own (an incoming message's, user_version 3 on); for a reply,
 * which records none, its question's, the message before it that came in,
 * as feedback --content-version counts it; else (a row from before user
 * version 3, or a greeting, with no question before it) its
 * conversation's, the version it was last started or resumed under. */
#define MSG_VERSION "coalesce(m.content_version, CASE m.direction WHEN " \
    "'out' THEN (SELECT q.content_version FROM file_messages q WHERE " \
    "q.f = m.f AND q.conversation = m.conversation AND q.id < m.id AND " \
    "q.direction = " \
    "'in' ORDER BY q.id DESC LIMIT 1) END, (SELECT v.content_version FROM " \
    "file_conversations v WHERE v.f = m.f AND v.id = m.conversation))"

/*
 * How much content VERSION has been asked: when it was last loaded, and
 * the questions typed of it (clicks are not questions) with those that
 * fell back.  Right after a reload an empty inbox means nobody has asked
 * yet, not that every gap is closed: this says which.
 */
static int
asked_of(struct review *r, int64_t since, const char *version, bool json,
    cJSON *doc, FILE *f, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	const char *loaded;
	int asked, fell;

	if (prepare(r, "SELECT (SELECT " UTC("max(time)") " FROM "
	    "all_content_loads WHERE version = ?2), count(*), "
	    "total(m.intent = 'fallback') FROM all_messages m WHERE "
	    "m.direction = 'in' AND m.intent != 'choose' AND m.time >= ?1 AND "
	    "m.time < ?9 AND "
	    OF_VERSION, &st, err, errlen) == -1)
		return -1;
	bind(r, st, since, NULL, version);
	if (sqlite3_step(st) != SQLITE_ROW) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(r->db));
		sqlite3_finalize(st);
		return -1;
	}
	loaded = (const char *)sqlite3_column_text(st, 0);
	asked = sqlite3_column_int(st, 1);
	fell = sqlite3_column_int(st, 2);
	if (json) {
		cJSON_AddItemToObject(doc, "loaded", loaded ?
		    cJSON_CreateString(loaded) : cJSON_CreateNull());
		cJSON_AddNumberToObject(doc, "questions", asked);
		cJSON_AddNumberToObject(doc, "fallbacks", fell);
	} else {
		/* the version is the reviewer's or read from the log: shown
		 * as the tables show what they read */
		fputs("\nContent version ", f);
		out_one_line(f, version, strlen(version));
		if (loaded)
			fprintf(f, ", loaded %s", loaded);
		if (asked == 0)
			fprintf(f, ": no question typed of it yet, so "
			    "nothing to show\n");
		else
			fprintf(f, ": %d question%s typed of it, %d fell to "
			    "fallback\n", asked, asked == 1 ? "" : "s", fell);
	}
	sqlite3_finalize(st);
	return 0;
}

/* unmatched's row ST (count in column 0, text in 5) into the clusters
 * ARG; -1 without memory. */
static int
cluster_row(void *arg, sqlite3_stmt *st, char *err, size_t errlen)
{
	const char *t = (const char *)sqlite3_column_text(st, 5);

	if (t != NULL && cluster_add(arg, t, sqlite3_column_int(st, 0)) ==
	    -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}


int
review_unmatched(struct review *r, int64_t since, const char *version,
    bool json, FILE *f, char *err, size_t errlen)
{
	/* asked_at: the nodes the conversations stood at (a question typed
	 * at q_goal is a gap of the questionnaire, one at root of the
	 * topics); conversation: where it fell last, for `transcript`; text:
	 * as matched (spelling corrected, normalised), the grouping key;
	 * as_typed: what people actually wrote, each form once (a list:
	 * joined with commas, "vendor, zebra" read as two forms) */
	static const char *const names[] = { "count", "last_seen", "picked",
	    "asked_at", "conversation", "text", "as_typed" };
	static const int widths[] = { 5, 10, 22, 16, 26, 40, 0 };
	static const char *sql =
	    "WITH fb AS (SELECT m.id, m.time, CAST(m.node AS TEXT) AS at, "
	    "m.conversation AS conv, CAST(m.text AS TEXT) AS typed, CASE WHEN "
	    "trim(" NORM ") != '' THEN " NORM " WHEN trim(m.text, ' ' || "
	    "char(9, 10, 13)) != '' THEN trim(m.text, ' ' || char(9, 10, 13)) "
	    "ELSE '(blank)' END AS norm, (SELECT n.suggestion FROM "
	    "file_messages n WHERE n.f = m.f AND n.conversation = m.conversation "
	    "AND n.id > "
	    "m.id AND n.direction = 'in' ORDER BY n.id LIMIT 1) AS picked FROM "
	    "all_messages m WHERE m.direction = 'in' AND m.intent = 'fallback' "
	    "AND m.time >= ?1 AND m.time < ?9 AND " OF_VERSION ") SELECT "
	    "count(*) AS n, date(max(time) / 1000000, "
	    "'unixepoch'), group_concat(DISTINCT picked), json_group_array("
	    "DISTINCT at) FILTER (WHERE at IS NOT NULL), max(lastconv), norm, "
	    "json_group_array(DISTINCT typed) FROM (SELECT *, last_value(conv) "
	    "OVER (PARTITION BY norm ORDER BY time, id ROWS BETWEEN UNBOUNDED "
	    "PRECEDING AND UNBOUNDED FOLLOWING) AS lastconv FROM fb) GROUP BY "
	    "norm ORDER BY n DESC, norm";
	cJSON *doc = cJSON_CreateObject(), *clusters;
	struct cluster *cl = NULL;
	char title[256];
	struct out o;
	int rc = -1;

	out_begin(&o, f, json);
	o.lists = 1u << 3 | 1u << 6;	/* asked_at, as_typed */
	/* which content was asked: the answer to "does it still fall?" */
	if (json)
		cJSON_AddItemToObject(doc, "content_version", version ?
		    cJSON_CreateString(version) : cJSON_CreateNull());
	if (version != NULL && asked_of(r, since, version, json, doc, f, err,
	    errlen) == -1)
		goto done;
	snprintf(title, sizeof(title), "Questions that fell to fallback, by "
	    "normalised text (the inbox of FAQ gaps; dates UTC%s%.64s)",
	    version ? "; content version " : "", version ? version : "");
	out_section(&o, doc, "by_text", title);
	/* the clusters are built from the table's rows as they are
	 * written: one run of the query (a second read the whole log again
	 * and, with the daemon writing, could count what the table had
	 * not) */
	if ((cl = cluster_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	o.each = cluster_row;
	o.arg = cl;
	if (query(r, sql, since, NULL, version, &o, names, widths, err,
	    errlen) == -1)
		goto done;
	clusters = cluster_take(cl);
	cl = NULL;
	if (json)
		cJSON_AddItemToObject(doc, "clusters", clusters);
	else {
		out_clusters(f, clusters);
		cJSON_Delete(clusters);
	}
	rc = 0;
done:
	cluster_free(cl);
	out_finish(&o, doc);
	return rc;
}

/*
 * Where conversations end, and the questionnaire step where people give
 * up.  A conversation still open (not ended: its visitor's connection, or
 * its bridge's, is up) with a message at or after LIVE_AFTER is in
 * progress, not given up: someone answering a questionnaire right now
 * would otherwise count as a give-up at the step they are reading.
 */
int
review_dropoff(struct review *r, int64_t since, int64_t live_after,
    bool json, FILE *f, char *err, size_t errlen)
{
	static const char *const nn[] = { "node", "conversations_ended",
	    "in_progress" };
	static const int nw[] = { 28, 19, 11 };
	/* reached: the conversations asked that question (since SINCE), so
	 * that a count of give-ups can be read against how many got there */
	static const char *const qn[] = { "step", "reached", "gave_up",
	    "in_progress" };
	static const int qw[] = { 28, 7, 7, 11 };
	cJSON *doc = cJSON_CreateObject();
	sqlite3_stmt *st;
	struct out o;
	int rc = -1;

	/* Each conversation's last reply, found from the conversation
	 * (along its index), not by a look-up for every reply in the log,
	 * and kept in a temp table for both sections: 100,000 conversations
	 * took 12 s.  Last by time, then id: a conversation in two files
	 * (a backup restored and written on) has a reply of each; mid is
	 * its id and its file (f, under 16), so that the join finds that
	 * one.  live: still open, with a message at or
	 * after ?2.  step: the question the conversation stands at.  Someone
	 * who asked something else at q_work (a side question, or why it is
	 * asked) got an answer elsewhere with q_work still pending, and
	 * leaving then is giving up at q_work: the saved state says so, as
	 * long as it is as new as the last reply (it is logged when the
	 * visitor leaves, and in strict mode with every reply).  Without such
	 * a state (a crash before it was logged) the reply says: its node, or
	 * for a fallback reply, which says "fallback" but leaves the
	 * conversation where it was, the node the message before it was
	 * typed at. */
	out_begin(&o, f, json);
	if (index_conversations(r, err, errlen) == -1)
		goto done;
	if (prepare(r, "CREATE TEMP TABLE dropoff_last AS WITH lo AS "
	    "MATERIALIZED (SELECT c.id AS conv, c.ended IS NULL AND (SELECT "
	    "max(x.time) FROM all_messages x WHERE x.conversation = c.id) >= "
	    "?2 AS live, (SELECT x.id * 16 + x.f FROM all_messages x WHERE "
	    "x.conversation = c.id AND x.direction = 'out' ORDER BY x.time "
	    "DESC, x.id DESC LIMIT 1) AS mid FROM all_conversations c) SELECT "
	    "m.node, coalesce((SELECT coalesce(nullif(json_extract(s.state, "
	    "'$.pending'), ''), json_extract(s.state, '$.node')) FROM "
	    "all_states s WHERE s.f = m.f AND s.conversation = m.conversation "
	    "AND s.updated >= m.time AND json_valid(s.state)), CASE m.node "
	    "WHEN 'fallback' THEN (SELECT x.node FROM file_messages x WHERE "
	    "x.f = m.f AND x.conversation = m.conversation AND x.direction = "
	    "'in' AND x.id < m.id ORDER BY x.id DESC LIMIT 1) "
	    "ELSE m.node END) AS step, "
	    "lo.live FROM lo CROSS JOIN all_messages m ON m.conversation = "
	    "lo.conv AND m.id = lo.mid >> 4 AND m.f = (lo.mid & 15) WHERE "
	    "+m.time >= ?1 AND +m.time < ?9", &st, err,
	    errlen) == -1)
		goto done;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, live_after);
	sqlite3_bind_int64(st, 9, r->until);
	if (sqlite3_step(st) != SQLITE_DONE) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(r->db));
		sqlite3_finalize(st);
		goto done;
	}
	sqlite3_finalize(st);
	out_section(&o, doc, "last_node", "Where conversations end (in_progress: "
	    "still open, active within the idle window)");
	if (query(r, "SELECT node, sum(NOT live) AS n, sum(live) AS p FROM "
	    "dropoff_last GROUP BY node ORDER BY n DESC, p DESC, node", 0, NULL,
	    NULL, &o, nn, nw, err, errlen) == -1)
		goto done;
	out_section(&o, doc, "questionnaire", "Questionnaire step where people "
	    "give up");
	if (query(r, "WITH reached AS (SELECT node, count(DISTINCT "
	    "conversation) AS c FROM all_messages WHERE direction = 'out' AND "
	    "node LIKE 'q\\_%' ESCAPE '\\' AND time >= ?1 AND time < ?9 GROUP "
	    "BY node) "
	    "SELECT step, coalesce((SELECT c FROM reached WHERE node = step), "
	    "0), sum(NOT live) AS n, sum(live) AS p FROM dropoff_last WHERE "
	    "step LIKE 'q\\_%' ESCAPE '\\' GROUP BY step ORDER BY n DESC, p "
	    "DESC, step", since, NULL, NULL, &o, qn, qw, err, errlen) == -1)
		goto done;
	rc = 0;
done:
	sqlite3_exec(r->db, "DROP TABLE IF EXISTS temp.dropoff_last", NULL,
	    NULL, NULL);
	out_finish(&o, doc);
	return rc;
}

/* The replies rated as WHICH says (an SQL condition on fb, the rating),
 * for review_feedback: a, the rated reply; m, the question before it,
 * whose content version is the reply's (replies record none). */
#define RATED_FROM "FROM rated fb JOIN all_messages a ON a.id = " \
    "fb.message AND a.conversation = fb.conversation AND a.time = " \
    "fb.mtime LEFT JOIN file_messages m ON m.f = a.f AND m.conversation = " \
    "a.conversation AND m.id = (SELECT q.id FROM file_messages q WHERE " \
    "q.f = a.f AND q.conversation = a.conversation AND q.id < a.id AND " \
    "q.direction = 'in' ORDER BY q.id DESC LIMIT 1) WHERE fb.time >= ?1 AND " \
    "fb.time < ?9 " \
    "AND " OF_VERSION " AND (?3 IS NULL OR a.node = ?3)"
#define RATED(which) "SELECT fb.message, date(fb.time / 1000000, " \
    "'unixepoch'), fb.conversation, a.node, m.text, a.text, fb.comment " \
    RATED_FROM " AND " which " ORDER BY fb.time"

/* The rated replies of RATED_FROM by the node that said them, the most
 * rated not helpful first: which answers to fix first, before the list of
 * every one (thousands in a busy log).  commented: the not helpful
 * ratings with a comment, the ones that say why. */
static int
by_node(struct review *r, int64_t since, const char *version,
    const char *node, struct out *o, cJSON *doc, char *err, size_t errlen)
{
	static const char *const names[] = { "node", "rated", "not_helpful",
	    "helpful", "commented" };
	static const int widths[] = { 26, 5, 11, 7, 9 };

	out_section(o, doc, "by_node", "Rated replies by the node that said "
	    "them (the most rated not helpful first)");
	return query3(r, "SELECT a.node, count(*) AS n, sum(NOT fb.helpful) "
	    "AS bad, sum(fb.helpful != 0), sum(NOT fb.helpful AND "
	    "trim(coalesce(fb.comment, '')) != '') " RATED_FROM " GROUP BY "
	    "a.node ORDER BY bad DESC, n DESC, a.node", since, NULL, version,
	    node, o, names, widths, err, errlen);
}

/* With --node: the questions the node's rated replies answered, by
 * normalised text as unmatched groups them, the most rated not helpful
 * first.  An answer rated not helpful hundreds of times reads the same
 * in every row of the list; what tells the fix is what it was asked:
 * a question the node answers badly (a content gap), or one matched to
 * it that belongs elsewhere (intent: what matched it, choose for a
 * click).  A greeting has no question before it: "-". */
static int
by_question(struct review *r, int64_t since, const char *version,
    const char *node, struct out *o, cJSON *doc, char *err, size_t errlen)
{
	static const char *const names[] = { "rated", "not_helpful",
	    "helpful", "intent", "question" };
	static const int widths[] = { 5, 11, 7, 22, 0 };

	out_section(o, doc, "by_question", "The questions they answered "
	    "(normalised; the most rated not helpful first)");
	return query3(r, "SELECT count(*) AS n, sum(NOT fb.helpful) AS bad, "
	    "sum(fb.helpful != 0), m.intent, CASE WHEN m.id IS NULL THEN NULL "
	    "WHEN trim(" NORM ") != '' THEN " NORM " ELSE m.text END AS q "
	    RATED_FROM " GROUP BY q, m.intent ORDER BY bad DESC, n DESC, q, "
	    "m.intent", since, NULL, version, node, o, names, widths, err,
	    errlen);
}

int
review_feedback(struct review *r, int64_t since, const char *version,
    const char *node, bool helpful, bool json, FILE *f, char *err,
    size_t errlen)
{
	/* conversation: what `transcript` takes, to read the rated reply in
	 * its place (a message id alone names no conversation, and with
	 * several files it is not even unique); node: the dialogue node that
	 * said the reply, the one to edit; comment: in a table on a line of
	 * its own under the row, as in a transcript, so that the reply
	 * before it can be read */
	static const char *const names[] = { "message", "date",
	    "conversation", "node", "question", "reply", "comment" };
	static const int widths[] = { 7, 10, 26, 18, 30, 0, 0 };
	/* the replies to fix, then with HELPFUL those that worked, whose
	 * comments say what people liked */
	static const struct {
		const char	*key, *title, *sql;
	} kinds[] = {
		{ "not_helpful", "not helpful", RATED("NOT fb.helpful") },
		{ "helpful", "helpful", RATED("fb.helpful") },
	};
	cJSON *doc = cJSON_CreateObject();
	char title[160];
	struct out o;
	int k, rc = 0;

	out_begin(&o, f, json);
	o.under = 1u << 6;	/* comment */
	if (json)
		cJSON_AddItemToObject(doc, "content_version", version ?
		    cJSON_CreateString(version) : cJSON_CreateNull());
	rc = index_messages(r, err, errlen);
	if (rc == 0)
		rc = by_node(r, since, version, node, &o, doc, err, errlen);
	if (rc == 0 && node != NULL)
		rc = by_question(r, since, version, node, &o, doc, err,
		    errlen);
	for (k = 0; k < (helpful ? 2 : 1) && rc == 0; k++) {
		snprintf(title, sizeof(title), "Replies rated %s (dates UTC%s"
		    "%.64s)", kinds[k].title, version ? "; content version " :
		    "", version ? version : "");
		out_section(&o, doc, kinds[k].key, title);
		rc = query3(r, kinds[k].sql, since, NULL, version, node, &o,
		    names, widths, err, errlen);
	}
	out_finish(&o, doc);
	return rc;
}

/* The first column of SQL's first row in OUT: SQLITE_ROW, SQLITE_DONE
 * (no row), or an error with its message in ERR.  SQL selects no NULL. */
static int
first_text(struct review *r, const char *sql, char *out, size_t len,
    char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	if (prepare(r, sql, &st, err, errlen) == -1)
		return SQLITE_ERROR;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(out, len, "%s", sqlite3_column_text(st, 0));
	else if (rc != SQLITE_DONE)
		snprintf(err, errlen, "%s", sqlite3_errmsg(r->db));
	sqlite3_finalize(st);
	return rc;
}

int
review_current_version(struct review *r, char *version, size_t len,
    char *err, size_t errlen)
{
	char sql[8192];
	size_t o = 0;
	int i, rc;

	/* the content loaded last: the one served now, asked or not (right
	 * after a reload no question has been matched by it yet, and the
	 * newest question's version was the one just replaced) */
	if ((rc = first_text(r, "SELECT version FROM all_content_loads WHERE "
	    "version IS NOT NULL ORDER BY time DESC LIMIT 1", version, len, err,
	    errlen)) != SQLITE_DONE)
		return rc == SQLITE_ROW ? 0 : -1;
	/* a log from before loads were logged: the content the log's newest
	 * question was matched by, each file's newest through its time index
	 * (a scan of the union view would read every message), then the
	 * newest of those */
	for (i = 0; i < r->n && o < sizeof(sql); i++)
		if (msg_versions(r, i))
			o += (size_t)snprintf(sql + o, sizeof(sql) - o, "%s"
			    "SELECT * FROM (SELECT content_version, time, id "
			    "FROM f%d.messages WHERE content_version IS NOT "
			    "NULL ORDER BY time DESC, id DESC LIMIT 1)",
			    o ? " UNION ALL " : "SELECT content_version FROM (",
			    i);
	if (o > 0 && o < sizeof(sql)) {
		snprintf(sql + o, sizeof(sql) - o, ") ORDER BY time DESC, id "
		    "DESC LIMIT 1");
		rc = first_text(r, sql, version, len, err, errlen);
	}
	/* none (a log from before messages recorded it): a new conversation
	 * is written with the content it is answered from, the one started
	 * last has the newest */
	if (rc == SQLITE_DONE)
		rc = first_text(r, "SELECT content_version FROM "
		    "all_conversations WHERE content_version IS NOT NULL ORDER "
		    "BY started DESC, id DESC LIMIT 1", version, len, err,
		    errlen);
	if (rc == SQLITE_DONE)
		snprintf(err, errlen, "no conversation in the log records a "
		    "content version");
	return rc == SQLITE_ROW ? 0 : -1;
}

int
review_version_known(struct review *r, const char *version, char *err,
    size_t errlen)
{
	sqlite3_stmt *st;
	char last[128], why[256];
	int rc;

	if (prepare(r, "SELECT EXISTS (SELECT 1 FROM all_content_loads WHERE "
	    "version = ?1) OR EXISTS (SELECT 1 FROM all_conversations WHERE "
	    "content_version = ?1) OR EXISTS (SELECT 1 FROM all_messages WHERE "
	    "content_version = ?1)", &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, version, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		rc = sqlite3_column_int(st, 0) ? 1 : 0;
	else {
		snprintf(err, errlen, "%s", sqlite3_errmsg(r->db));
		rc = -1;
	}
	sqlite3_finalize(st);
	if (rc != 0)
		return rc;
	if (review_current_version(r, last, sizeof(last), why,
	    sizeof(why)) == 0)
		snprintf(err, errlen, "no content version \"%.80s\" in the log "
		    "(the newest is %s, which --current takes)", version, last);
	else
		snprintf(err, errlen, "no content version \"%.80s\" in the log, "
		    "which records none", version);
	return 0;
}

int
review_node_known(struct review *r, const char *node, char *err,
    size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	if (prepare(r, "SELECT EXISTS (SELECT 1 FROM all_messages WHERE "
	    "direction = 'out' AND node = ?1)", &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		rc = sqlite3_column_int(st, 0);
	else {
		snprintf(err, errlen, "%s", sqlite3_errmsg(r->db));
		rc = -1;
	}
	sqlite3_finalize(st);
	if (rc == 0)
		snprintf(err, errlen, "no reply in the log was said at node "
		    "\"%.80s\" (feedback lists the nodes rated, transcript and "
		    "export the node of every reply)", node);
	return rc;
}

/*
 * The log id of the conversation CONV names, in ID: the log id itself, or
 * the `conversation` a bridge's replies carry ("T1:C1:U1"), which the log
 * keeps as "b-<bridge>:T1:C1:U1" (a bridge's name has no colon, so the
 * name is all after the first).  One bridge's conversation may share
 * its name with another's: then the choice is the reviewer's.
 */
static int
resolve(struct review *r, const char *conv, char *id, size_t idlen,
    char *err, size_t errlen)
{
	sqlite3_stmt *st;
	size_t n = 0, o = 0;
	int rc;

	if (prepare(r, "SELECT id FROM all_conversations WHERE "
	    "id = ?1 UNION SELECT id FROM all_conversations WHERE NOT EXISTS "
	    "(SELECT 1 FROM all_conversations WHERE id = ?1) AND channel = "
	    "'bridge' AND substr(id, 1, 2) = 'b-' AND substr(id, 3 + "
	    "instr(substr(id, 3), ':')) = ?1 ORDER BY 1", &st, err, errlen) ==
	    -1)
		return -1;
	sqlite3_bind_text(st, 1, conv, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);

		if (n++ == 0)
			o = (size_t)snprintf(err, errlen, "%s names more than "
			    "one conversation:", conv);
		if (o < errlen)
			o += (size_t)snprintf(err + o, errlen - o, " %s", t);
		snprintf(id, idlen, "%s", t);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(r->db));
		return -1;
	}
	if (n == 0)
		snprintf(err, errlen, "no conversation %s", conv);
	return n == 1 ? 0 : -1;
}

int
review_transcript(struct review *r, const char *conv, bool json, FILE *f,
    char *err, size_t errlen)
{
	/* content_version: the content that matched the message or said
	 * the reply (MSG_VERSION); rating: the reply's latest rating, as
	 * stats and feedback count it; comment: its comment, in a table on
	 * a line under the reply */
	static const char *const names[] = { "id", "time", "from", "intent",
	    "node", "content_version", "rating", "comment", "text" };
	static const int widths[] = { 6, 20, 4, 22, 18, 17, 11, 0, 0 };
	/* file: with several --db files, the conversation as each that
	 * holds it has it, the one it was last active in (as the reports
	 * count it) first; a backup's copy may say it is still open */
	static const char *const cnames[] = { "id", "channel", "user",
	    "started", "ended", "file" };
	static const int cwidths[] = { 26, 7, 16, 20, 0, 0 };
	static const int fwidths[] = { 26, 7, 16, 20, 20, 0 };
	cJSON *doc;
	char id[512];
	struct out o;
	int rc;

	if (resolve(r, conv, id, sizeof(id), err, errlen) == -1 ||
	    index_messages(r, err, errlen) == -1)
		return -1;
	conv = id;
	doc = cJSON_CreateObject();
	out_begin(&o, f, json);
	o.whole = true;
	/* whose it is, before what was said */
	out_section(&o, doc, "conversation", r->n > 1 ? "Conversation (in "
	    "each file that holds it, the one it was last active in first)" :
	    "Conversation");
	if (query(r, r->n > 1 ? "SELECT c.id, c.channel, c.user, "
	    UTC("c.started") ", " UTC("c.ended") ", p.path FROM "
	    "file_conversations c JOIN files p ON p.f = c.f WHERE c.id = ?1 "
	    "ORDER BY c.f != (SELECT a.f FROM all_conversations a WHERE a.id "
	    "= ?1), c.f" : "SELECT id, channel, user, " UTC("started") ", "
	    UTC("ended") " FROM all_conversations WHERE id = ?1 LIMIT 1", 0,
	    conv, NULL, &o, cnames, r->n > 1 ? fwidths : cwidths, err,
	    errlen) == -1) {
		cJSON_Delete(doc);
		return -1;
	}
	out_section(&o, doc, "messages", "Messages");
	o.under = 1u << 7;	/* comment */
	rc = query(r, "SELECT m.id, " UTC("m.time") ", CASE m.direction WHEN "
	    "'in' THEN 'user' ELSE 'bot' END, m.intent, m.node, " MSG_VERSION
	    ", CASE WHEN "
	    "f.helpful IS NULL THEN NULL WHEN f.helpful THEN 'helpful' ELSE "
	    "'not helpful' END, f.comment, m.text FROM all_messages m LEFT "
	    "JOIN rated f ON f.conversation = m.conversation AND f.message = "
	    "m.id AND f.mtime = m.time WHERE m.conversation = ?1 ORDER BY "
	    "m.time, m.f, m.id", 0, conv, NULL, &o, names,
	    widths, err, errlen);
	out_finish(&o, doc);
	return rc;
}


int
review_export(struct review *r, int64_t since, bool csv, FILE *f, char *err,
    size_t errlen)
{
	/* helpful, feedback_comment: a reply's latest rating (1 or 0, true or
	 * false in jsonl) and its comment, on the rated reply's row; empty
	 * (null) on every other row.  content_version: MSG_VERSION, last, so
	 * that a reader of the columns before it by place still reads them */
	static const char *const cols[] = { "id", "conversation", "channel",
	    "user", "direction", "time", "text", "intent", "node", "suggestion",
	    "latency_us", "helpful", "feedback_comment", "content_version" };
	const int helpful = 11;
	const int ncols = (int)(sizeof(cols) / sizeof(cols[0]));
	sqlite3_stmt *st;
	int i, rc;

	/* channel, user: as the message's own file has its conversation */
	if (index_messages(r, err, errlen) == -1 || prepare(r, "SELECT m.id, "
	    "m.conversation, c.channel, c.user, m.direction, " UTC("m.time")
	    ", m.text, m.intent, m.node, m.suggestion, m.latency_us, "
	    "f.helpful != 0, f.comment, " MSG_VERSION " FROM all_messages m "
	    "LEFT JOIN file_conversations c ON c.f = m.f AND c.id = "
	    "m.conversation LEFT JOIN rated f ON f.conversation = "
	    "m.conversation AND f.message = m.id AND f.mtime = m.time WHERE "
	    "m.time >= ?1 AND m.time < ?9 ORDER BY m.time, m.id, "
	    "m.f", &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 9, r->until);
	if (csv)
		for (i = 0; i < ncols; i++)
			out_csv_field(f, cols[i], i == ncols - 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		out_export_row(f, st, cols, ncols, helpful, csv);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(r->db));
		return -1;
	}
	return 0;
}

int
review_purge(struct review *r, int64_t cutoff, long *deleted, char *err,
    size_t errlen)
{
	char sql[1024];
	int i;

	*deleted = 0;
	for (i = 0; i < r->n; i++) {
		snprintf(sql, sizeof(sql),
		    "BEGIN IMMEDIATE;"
		    "CREATE TEMP TABLE IF NOT EXISTS old (id TEXT PRIMARY KEY);"
		    "DELETE FROM old;"
		    "INSERT INTO old SELECT c.id FROM f%d.conversations c WHERE "
		    SCHEMA_LAST_ACTIVE("f%d.") " < %lld;"
		    "DELETE FROM f%d.messages WHERE conversation IN old;"
		    "DELETE FROM f%d.feedback WHERE conversation IN old;"
		    "DELETE FROM f%d.states WHERE conversation IN old;"
		    "DELETE FROM f%d.conversations WHERE id IN old;",
		    i, i, (long long)cutoff, i, i, i, i);
		if (sqlite3_exec(r->db, sql, NULL, NULL, NULL) != SQLITE_OK)
			goto fail;
		*deleted += sqlite3_changes(r->db);
		if (sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL) !=
		    SQLITE_OK)
			goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "%s", sqlite3_errmsg(r->db));
	sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}