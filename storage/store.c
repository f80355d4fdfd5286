/*
 * store.c: the conversation log.  Callers enqueue rows (copies, redacted)
 * into a bounded ring; a writer thread takes them in batches and commits
 * each batch in one transaction (group commit), so the event loop only ever
 * takes a short mutex.  A batch that fails (disk full, read-only file,
 * database locked) is rolled back and retried with growing pauses; one that
 * still fails is dropped and counted, never silently lost.  Sequence
 * numbers let strict mode hold a reply until its row is resolved.
 */
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "storage/checkpoint.h"
#include "storage/redact.h"
#include "storage/schema.h"
#include "storage/store.h"
#include "storage/store_tune.h"
#include "storage/writer_nice.h"

#define RETRIES		6	/* attempts per batch before dropping it */

/*
 * The writer's page cache holds the growing end of each table and index
 * (SQLite's default of 2 MB let index pages fall out and be read again),
 * and the WAL is folded into the database every 8,000 pages (32 MB), not
 * every 1,000: hot pages are copied once per checkpoint, not eight times.
 * Together: 20 -> 15 us of writer time per answer at 100 connections.
 */
#define WRITER_PRAGMAS	"PRAGMA cache_size = -16384;" \
			"PRAGMA wal_autocheckpoint = 8000;"
/*
 * In fast mode the checkpoint thread (checkpoint.c) takes over, and
 * SQLite's automatic checkpoint above is only the fallback should it fail
 * to start.  The thread starts at 250 pages (1 MB): it shares the event
 * loop's core, and the kernel does the fsync of a checkpoint in one stretch
 * that nothing preempts (32 MB took up to 17 ms here).  Open loop at 8,300
 * answers/s, 3 runs each: max 18-29 ms at 1,000 pages, 13-17 ms at 250
 * (39-63 ms at 8,000); p99 11-14 -> 7.4-7.9 ms.  The CPU of the log's
 * threads and the closed loop moved within the spread.
 */
#define CHECKPOINT_PAGES 250

enum row_kind { ROW_CONV, ROW_MSG, ROW_FEEDBACK, ROW_STATE, ROW_END,
    ROW_CONTENT };

/* Strings of a row, by kind:
 *  CONV: id channel user resume_hash content_version
 *  MSG: conv text intent node why rewrites suggestion content_version
 *  FEEDBACK: conv comment;  STATE: conv state;  END: conv;
 *  CONTENT: version */
#define ROW_STRS	8

struct row {
	enum row_kind	 kind;
	char		*mem;		/* one block holding every string */
	char		*s[ROW_STRS];	/* into mem, or NULL */
	int		 len[ROW_STRS];	/* their lengths, so SQLite need not
					   measure them again */
	int64_t		 n[4];	/* MSG: id latency time dir;
				   FEEDBACK: message helpful time;
				   CONV: started; STATE, END, CONTENT:
				   time */
};

/* Messages have statements of their own (msgs_sql() below). */
enum stmt_kind { ST_CONV, ST_FEEDBACK, ST_STATE, ST_END, ST_BARE,
    ST_CONTENT, ST_HAS, ST_N };

static const char *const stmt_sql[ST_N] = {
	"INSERT INTO conversations (id, channel, user, resume_hash, started,"
	" content_version) VALUES (?1, ?2, ?3, ?4, ?6, ?5)"
	" ON CONFLICT (id) DO UPDATE SET user = coalesce(excluded.user, user),"
	" resume_hash = coalesce(excluded.resume_hash, resume_hash),"
	" content_version = excluded.content_version, ended = NULL",
	"INSERT INTO feedback (message, conversation, helpful, comment, time)"
	" VALUES (?8, ?1, ?9, ?2, ?10)",
	"INSERT INTO states (conversation, state, updated) VALUES (?1, ?2, ?8)"
	" ON CONFLICT (conversation) DO UPDATE SET state = excluded.state,"
	" updated = excluded.updated",
	"UPDATE conversations SET ended = ?8 WHERE id = ?1",
	/* a conversation row put back under messages that lost theirs */
	"INSERT OR IGNORE INTO conversations (id, channel, started) VALUES"
	" (?1, CASE WHEN substr(?1, 1, 2) = 'b-' THEN 'bridge' ELSE 'web' END,"
	" ?2)",
	"INSERT INTO content_loads (time, version) VALUES (?8, ?1)",
	/* whether a conversation row is there (keep_conversations) */
	"SELECT 1 FROM conversations WHERE id = ?1",
};

/*
 * Runs of messages go in with one multi-row INSERT each:
 * most of SQLite's work per statement (opening and closing a cursor on
 * the table and each index, ending the statement) is then shared by the
 * run.  16 at a time: 43.2k -> 29.8k writer instructions per answer in
 * bench-advisor.  OR IGNORE, because a statement that may abort halfway
 * needs a statement journal: as a plain INSERT the run spilled its pages
 * to a temporary file (20,000 answers: 107,913 pwrite calls instead of
 * 18,569) and cost more time than it saved.  A row that breaks a
 * constraint is left out on its own.  A run takes the largest of
 * run_rows that fits, so the rest of a long one, before a row of another
 * kind or at the end of the batch, goes 16 at a time; a message outside
 * such a run goes in with the same statement for one row.  128 rows at
 * once instead of 16: the message statements 27.5k -> 26.5k instructions
 * per answer, the writer 31.2k -> 30.1k.
 */
static const int run_rows[] = { 128, 16 };
#define NRUN		2
#define MSG_RUN		128	/* the largest */
#define MSG_COLS	12

/*
 * A message statement and what its parameters hold from one run to the
 * next: SQLite keeps a binding across resets, so a parameter that holds
 * NULL, or the direction literal, is not bound again to the same (most
 * are: a reply has no why, rewrites, suggestion or content version, and
 * runs line up in and out rows alike): the message statements 28.1k ->
 * 27.5k instructions per answer in bench-advisor.  Only NULL and the
 * static literals are kept: a text is bound again every time, as the row
 * it points into is freed after its batch.
 */
struct msg_stmt {
	sqlite3_stmt	*st;
	char		 held[MSG_RUN * MSG_COLS]; /* 'n' NULL, 'i'/'o', or 0 */
};

struct store {
	sqlite3		*db;		/* writer's connection */
	sqlite3		*rd;		/* readers' connection, or NULL */
	struct checkpointer *ck;	/* or NULL: SQLite's own checkpoint */
	sqlite3_stmt	*st[ST_N];
	struct msg_stmt	 msg1;		/* one message */
	struct msg_stmt	 runs[NRUN];	/* run_rows[i] messages at once (st
					   NULL without) */
	pthread_t	 thread;
	pthread_mutex_t	 mu;		/* ring and counters */
	pthread_mutex_t	 dbmu;		/* db when there is no rd */
	pthread_cond_t	 cv;
	struct row	*ring;
	size_t		 cap, head, count;
	uint64_t	 next_seq;	/* seq of the next row enqueued */
	uint64_t	 resolved;	/* all rows <= this are resolved */
	size_t		 backlog;	/* count, readable without the lock */
	size_t		 hold_rows;	/* backlog at which replies wait */
	int64_t		 next_id;
	int		 found;		/* user_version before the open */
	bool		 stop;
	unsigned	 retries;	/* attempts per batch */
	unsigned	 pause_ms;	/* first pause between attempts */
	struct store_opts opts;
	struct store_stats stats;
	const char	**seen;		/* keep_conversations' set, writer's */
	size_t		 seen_cap;
};

static void
row_clear(struct row *r)
{
	free(r->mem);
	memset(r, 0, sizeof(*r));
}

static int
exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return -1;
}

/* Bring the schema up to date inside one transaction; the version the
 * file had into FOUND. */
static int
migrate(sqlite3 *db, int *found, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int version = 0;
	size_t i;
	char sql[64];

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	*found = version;
	if (version > (int)schema_nmigrations) {
		snprintf(err, errlen, "database schema version %d is newer "
		    "than this advisord (%zu)", version, schema_nmigrations);
		return -1;
	}
	if (version == (int)schema_nmigrations)
		return 0;
	if (exec(db, "BEGIN IMMEDIATE", err, errlen) == -1)
		return -1;
	for (i = (size_t)version; i < schema_nmigrations; i++)
		if (exec(db, schema_migrations[i], err, errlen) == -1)
			goto fail;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %zu",
	    schema_nmigrations);
	if (exec(db, sql, err, errlen) == -1 ||
	    exec(db, "COMMIT", err, errlen) == -1)
		goto fail;
	return 0;
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static void
bind_text(sqlite3_stmt *st, int i, const char *s, int len)
{
	if (s != NULL)
		sqlite3_bind_text(st, i, s, len, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* INSERT for ROWS messages. */
static char *
msgs_sql(int rows)
{
	static const char head[] = "INSERT OR IGNORE INTO messages (id,"
	    " conversation, direction, text, intent, node, why, rewrites,"
	    " suggestion, latency_us, time, content_version) VALUES ";
	size_t cap = sizeof(head) + (size_t)rows * (MSG_COLS * 6 + 4), o;
	char *sql = malloc(cap);
	int k, c;

	if (sql == NULL)
		return NULL;
	o = (size_t)snprintf(sql, cap, "%s", head);
	for (k = 0; k < rows; k++)
		for (c = 0; c < MSG_COLS; c++)
			o += (size_t)snprintf(sql + o, cap - o, "%s?%d%s",
			    c == 0 ? (k ? ",(" : "(") : ",",
			    k * MSG_COLS + c + 1, c == MSG_COLS - 1 ? ")" : "");
	return sql;
}

/* Bind parameter I (1-based) of M to S (LEN bytes), or to NULL when S is
 * NULL, unless it holds NULL already. */
static void
bind_msg_text(struct msg_stmt *m, int i, const char *s, int len)
{
	if (s != NULL) {
		sqlite3_bind_text(m->st, i, s, len, SQLITE_STATIC);
		m->held[i - 1] = 0;
	} else if (m->held[i - 1] != 'n') {
		sqlite3_bind_null(m->st, i);
		m->held[i - 1] = 'n';
	}
}

/* Write the ROWS message rows at R with M, from msgs_sql(ROWS). */
static int
write_msgs(struct msg_stmt *m, const struct row *r, int rows)
{
	sqlite3_stmt *st = m->st;
	int k, i, b, rc;
	char d;

	sqlite3_reset(st);
	for (k = 0; k < rows; k++) {
		/* columns in the order of msgs_sql(); strings as in ROW_MSG */
		b = k * MSG_COLS;
		sqlite3_bind_int64(st, b + 1, r[k].n[0]);
		bind_msg_text(m, b + 2, r[k].s[0], r[k].len[0]);
		d = r[k].n[3] == 'i' ? 'i' : 'o';
		if (m->held[b + 2] != d) {
			sqlite3_bind_text(st, b + 3, d == 'i' ? "in" : "out",
			    -1, SQLITE_STATIC);
			m->held[b + 2] = d;
		}
		for (i = 1; i <= 6; i++)
			bind_msg_text(m, b + 3 + i, r[k].s[i], r[k].len[i]);
		sqlite3_bind_int64(st, b + 10, r[k].n[1]);
		sqlite3_bind_int64(st, b + 11, r[k].n[2]);
		bind_msg_text(m, b + 12, r[k].s[7], r[k].len[7]);
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Write one row inside the open transaction. */
static int
write_row(struct store *s, const struct row *r)
{
	static const enum stmt_kind kinds[] = { ST_CONV, ST_N, ST_FEEDBACK,
	    ST_STATE, ST_END, ST_CONTENT };
	sqlite3_stmt *st;
	int i, rc;

	if (r->kind == ROW_MSG)
		return write_msgs(&s->msg1, r, 1);
	st = s->st[kinds[r->kind]];
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	for (i = 0; i < ROW_STRS; i++)
		if (i + 1 <= sqlite3_bind_parameter_count(st))
			bind_text(st, i + 1, r->s[i], r->len[i]);
	if (r->kind == ROW_CONV)
		sqlite3_bind_int64(st, 6, r->n[0]);
	else if (r->kind == ROW_FEEDBACK) {
		sqlite3_bind_int64(st, 8, r->n[0]);
		sqlite3_bind_int64(st, 9, r->n[1]);
		sqlite3_bind_int64(st, 10, r->n[2]);
	} else
		sqlite3_bind_int64(st, 8, r->n[0]);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/*
 * Every message and feedback row of BATCH is left with a conversation row:
 * `advisorctl purge` may delete a conversation that a live connection (a
 * bridge's, typically, which holds its conversations for days) still
 * talks in, and its next rows would point at nothing.  Such a
 * conversation comes back bare (no user, no resume token) from its first
 * row's time.  Each conversation is looked up once a batch.
 */

/* Whether S (LEN bytes) is new to SEEN, an open-addressed set of the
 * batch's conversation ids with MASK + 1 slots (a power of two, at least
 * twice the batch's rows, so that it never fills and a probe is short);
 * it is added if so. */
static bool
first_sight(const char **seen, size_t mask, const char *s, int len)
{
	unsigned h = 2166136261u;
	size_t k;
	int i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	for (k = h & mask;; k = (k + 1) & mask) {
		if (seen[k] == NULL) {
			seen[k] = s;
			return true;
		}
		if (strcmp(seen[k], s) == 0)
			return false;
	}
}

/* Put CONV's row back, bare, if it is gone, from time T. */
static int
keep_conversation(struct store *s, const char *conv, int len, int64_t t)
{
	sqlite3_stmt *has = s->st[ST_HAS], *bare = s->st[ST_BARE];
	int rc;

	/* a look-up, not INSERT OR IGNORE every time: the row is nearly
	 * always there, and the insert's conflict checks and statement cost
	 * more than the read (writer 32.4k -> 31.7k instructions per answer
	 * in bench-advisor) */
	sqlite3_reset(has);
	bind_text(has, 1, conv, len);
	rc = sqlite3_step(has);
	sqlite3_reset(has);
	if (rc != SQLITE_DONE)
		return rc == SQLITE_ROW ? SQLITE_OK : rc;
	sqlite3_reset(bare);
	bind_text(bare, 1, conv, len);
	sqlite3_bind_int64(bare, 2, t);
	rc = sqlite3_step(bare);
	sqlite3_reset(bare);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/*
 * The set is sized to the batch: a fixed one of 512 slots filled up in a
 * batch of more conversations (people typing give about one exchange per
 * conversation per batch), after which every row probed all 512 slots and
 * was looked up again: bench-advisor at 2,000 conversations, writer 59.7k
 * instructions per answer, 27.8k of them here.  Without memory for the
 * set, every row is looked up: slower, as right.
 */
static int
keep_conversations(struct store *s, const struct row *batch, size_t n)
{
	const struct row *r;
	size_t i, cap = 16;
	int rc;

	while (cap < 2 * n)
		cap *= 2;
	if (cap > s->seen_cap) {
		free(s->seen);
		s->seen_cap = 0;
		if ((s->seen = malloc(cap * sizeof(*s->seen))) != NULL)
			s->seen_cap = cap;
	}
	if (s->seen != NULL)
		memset(s->seen, 0, cap * sizeof(*s->seen));
	for (i = 0; i < n; i++) {
		r = &batch[i];
		if ((r->kind != ROW_MSG && r->kind != ROW_FEEDBACK) ||
		    r->s[0] == NULL || (s->seen != NULL &&
		    !first_sight(s->seen, cap - 1, r->s[0], r->len[0])))
			continue;
		/* both kinds: n[2] is the time */
		if ((rc = keep_conversation(s, r->s[0], r->len[0], r->n[2])) !=
		    SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

/* Commit BATCH; SQLITE_OK, or the error code of the failed step. */
static int
commit_batch(struct store *s, struct row *batch, size_t n)
{
	size_t i, run;
	int rc, t;

	if ((rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) !=
	    SQLITE_OK)
		return rc;
	for (i = 0; i < n; i++) {
		for (run = 0; run < MSG_RUN && i + run < n &&
		    batch[i + run].kind == ROW_MSG; run++)
			;
		for (t = 0; t < NRUN && (s->runs[t].st == NULL ||
		    (size_t)run_rows[t] > run); t++)
			;
		if (t < NRUN) {
			if ((rc = write_msgs(&s->runs[t], &batch[i],
			    run_rows[t])) != SQLITE_OK)
				goto fail;
			i += (size_t)run_rows[t] - 1;
			continue;
		}
		rc = write_row(s, &batch[i]);
		/* a constraint on one row must not sink the batch */
		if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_CONSTRAINT)
			goto fail;
	}
	if ((rc = keep_conversations(s, batch, n)) != SQLITE_OK)
		goto fail;
	if ((rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL)) ==
	    SQLITE_OK)
		return SQLITE_OK;
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static void
pause_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Queued rows that end a fast-mode batch window: half the hold. */
static size_t
early_rows(const struct store *s)
{
	return s->hold_rows > 1 ? s->hold_rows / 2 : 1;
}

static void *
writer(void *arg)
{
	struct store *s = arg;
	struct row *batch, one;
	size_t n, i, max = s->opts.batch_rows;
	uint64_t last;
	struct timespec until;
	bool doomed = false, renice = s->opts.durability == STORE_FAST;
	int nice_now = WRITER_NICE_IDLE, want;
	size_t queued;

	/* in fast mode the log must not compete with replies for the CPU
	 * while it keeps up: nothing on the event loop waits for it, and
	 * group commit absorbs the delay (this lowers only this thread on
	 * Linux); once it is a window behind it goes back to nice 0
	 * (writer_nice.h), where the system lets it (root, or RLIMIT_NICE:
	 * systemd's LimitNICE=), else it stays at 10.  In strict mode every
	 * reply waits for this thread, so it keeps its priority. */
	if (renice && setpriority(PRIO_PROCESS, (id_t)gettid(),
	    WRITER_NICE_IDLE) == -1)
		renice = false;
	/* without memory for a batch, go on one row at a time */
	if ((batch = calloc(max, sizeof(*batch))) == NULL) {
		batch = &one;
		max = 1;
	}
	for (;;) {
		pthread_mutex_lock(&s->mu);
		while (s->count == 0 && !s->stop)
			pthread_cond_wait(&s->cv, &s->mu);
		/*
		 * Fast mode gathers rows for one batch window, or until half
		 * the backlog at which replies wait is queued: waiting for
		 * the whole of it left a busy log one slow commit away from
		 * holding replies (at 12,600 answers/s a window gathers 2,500
		 * of the 4,096 rows).  Strict mode commits at once: replies
		 * wait on it, and rows that arrive during a commit form the
		 * next batch by themselves.
		 */
		if (s->opts.durability == STORE_FAST && !s->stop &&
		    s->count < early_rows(s)) {
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += (long)s->opts.batch_ms * 1000000L;
			while (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			while (s->count < early_rows(s) && !s->stop &&
			    pthread_cond_timedwait(&s->cv, &s->mu, &until) == 0)
				;
		}
		if (s->count == 0 && s->stop) {
			pthread_mutex_unlock(&s->mu);
			break;
		}
		queued = s->count;
		n = s->count < max ? s->count : max;
		for (i = 0; i < n; i++) {
			batch[i] = s->ring[s->head];
			memset(&s->ring[s->head], 0, sizeof(struct row));
			s->head = (s->head + 1) % s->cap;
		}
		s->count -= n;
		__atomic_store_n(&s->backlog, s->count, __ATOMIC_RELAXED);
		last = s->resolved + n;
		pthread_mutex_unlock(&s->mu);
		if (renice && (want = writer_nice(nice_now, queued,
		    early_rows(s))) != nice_now) {
			nice_now = want;
			/* not allowed to come back up: it stays where it is */
			if (setpriority(PRIO_PROCESS, (id_t)gettid(),
			    nice_now) == -1)
				renice = false;
		}

		pthread_mutex_lock(&s->dbmu);
		/* once a batch was given up on while stopping (disk full,
		 * say), the rest are dropped and counted without more tries */
		for (i = doomed ? s->retries : 0; i < s->retries; i++) {
			int rc = commit_batch(s, batch, n);
			bool stopping;

			if (rc == SQLITE_OK)
				break;
			/* shutting down: one more try, then count the loss,
			 * so that SIGTERM still exits within its time */
			pthread_mutex_lock(&s->mu);
			stopping = s->stop && i >= 1;
			if (stopping)
				s->stats.write_errors++;
			pthread_mutex_unlock(&s->mu);
			if (stopping) {
				i = s->retries;
				doomed = true;
				break;
			}
			pthread_mutex_lock(&s->mu);
			s->stats.write_errors++;
			pthread_mutex_unlock(&s->mu);
			fprintf(stderr, "advisord: log write failed (%s), "
			    "attempt %zu of %u\n", sqlite3_errstr(rc), i + 1,
			    s->retries);
			if (i + 1 == s->retries)
				continue;	/* no pause after the last */
			pthread_mutex_unlock(&s->dbmu);
			pause_ms(s->pause_ms << (i < 5 ? i : 5));
			pthread_mutex_lock(&s->dbmu);
		}
		pthread_mutex_unlock(&s->dbmu);
		pthread_mutex_lock(&s->mu);
		if (i == s->retries)
			s->stats.dropped += n;
		else
			s->stats.committed += n;
		s->stats.batches++;
		__atomic_store_n(&s->resolved, last, __ATOMIC_RELEASE);
		pthread_mutex_unlock(&s->mu);
		for (i = 0; i < n; i++)
			row_clear(&batch[i]);
		if (s->opts.notify)
			s->opts.notify(s->opts.notify_arg);
	}
	if (batch != &one)
		free(batch);
	return NULL;
}

static sqlite3 *
open_db(const char *path, int flags, int busy_ms, char *err, size_t errlen)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, db ?
		    sqlite3_errmsg(db) : "cannot open");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, busy_ms);
	sqlite3_extended_result_codes(db, 0);
	return db;
}

struct store *
store_open(const struct store_opts *o, char *err, size_t errlen)
{
	struct store *s;
	sqlite3_stmt *st;
	bool mem = strcmp(o->path, ":memory:") == 0;
	char sql[96], *msql;
	int i;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->opts = *o;
	if (s->opts.queue_max == 0)
		s->opts.queue_max = 65536;
	/* a window of 4,096 rows and the hold at 8,192: at nice 0 behind,
	 * batches of half that cost 17% of the answers/s in smaller commits
	 * (docs/performance.md) */
	if (s->opts.batch_rows == 0)
		s->opts.batch_rows = 16384;
	if (s->opts.batch_ms == 0)
		s->opts.batch_ms = 100;
	s->cap = s->opts.queue_max;
	/* replies wait once half a batch (or an eighth of the ring) is
	 * behind: about 30 ms of writing at the rates this machine logs */
	s->hold_rows = s->opts.batch_rows / 2 < s->cap / 8 ?
	    s->opts.batch_rows / 2 : s->cap / 8;
	if (s->hold_rows == 0)
		s->hold_rows = 1;
	s->retries = RETRIES;
	s->pause_ms = 25;	/* 25, 50, 100, 200, 400 ms between 6 attempts */
	pthread_mutex_init(&s->mu, NULL);
	pthread_mutex_init(&s->dbmu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if ((s->ring = calloc(s->cap, sizeof(*s->ring))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	s->db = open_db(o->path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
	    5000, err, errlen);
	if (s->db == NULL)
		goto fail;
	snprintf(sql, sizeof(sql), "PRAGMA synchronous = %s",
	    o->durability == STORE_STRICT ? "FULL" : "NORMAL");
	if ((!mem && exec(s->db, "PRAGMA journal_mode = WAL", err, errlen)) ||
	    exec(s->db, sql, err, errlen) ||
	    exec(s->db, "PRAGMA foreign_keys = OFF", err, errlen) ||
	    exec(s->db, WRITER_PRAGMAS, err, errlen) ||
	    migrate(s->db, &s->found, err, errlen) == -1) {
		char why[256];

		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "%s: %s", o->path, why);
		goto fail;
	}
	for (i = 0; i < ST_N; i++)
		if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s: %s", o->path,
			    sqlite3_errmsg(s->db));
			goto fail;
		}
	msql = msgs_sql(1);
	if (msql == NULL || sqlite3_prepare_v3(s->db, msql, -1,
	    SQLITE_PREPARE_PERSISTENT, &s->msg1.st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", o->path, msql ?
		    sqlite3_errmsg(s->db) : "out of memory");
		free(msql);
		goto fail;
	}
	free(msql);
	/* without one (no memory), runs take the others or go one at a time */
	for (i = 0; i < NRUN; i++)
		if ((msql = msgs_sql(run_rows[i])) != NULL) {
			if (sqlite3_prepare_v3(s->db, msql, -1,
			    SQLITE_PREPARE_PERSISTENT, &s->runs[i].st, NULL) !=
			    SQLITE_OK)
				s->runs[i].st = NULL;
			free(msql);
		}
	if (sqlite3_prepare_v2(s->db, "SELECT coalesce(max(id), 0) FROM "
	    "messages", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			s->next_id = sqlite3_column_int64(st, 0) + 1;
		sqlite3_finalize(st);
	}
	if (!mem && (s->rd = open_db(o->path, SQLITE_OPEN_READONLY, 200, err,
	    errlen)) == NULL)
		goto fail;
	/*
	 * Strict mode keeps SQLite's own checkpoint: every reply there waits
	 * for a commit anyway, and the truncating pass (after which the WAL
	 * grows back, each fsync then also writing the file's new size) made
	 * its commits slower: open loop at 3,500 answers/s, p99 19-23 ms with
	 * the automatic checkpoint, 133-289 ms with the thread.
	 */
	if (!mem && o->durability == STORE_FAST) {
		char why[256];
		sqlite3 *own;

		/* 50 ms: how long the truncating pass may hold the writer
		 * off while it waits for readers (checkpoint.h); a reviewer's
		 * long query then costs the writer at most that per attempt */
		if ((own = open_db(o->path, SQLITE_OPEN_READWRITE, 50, why,
		    sizeof(why))) != NULL)
			s->ck = checkpointer_start(s->db, own,
			    o->checkpoint_pages ? o->checkpoint_pages :
			    CHECKPOINT_PAGES, 10, why, sizeof(why));
		if (s->ck == NULL)
			fprintf(stderr, "advisord: %s; checkpoints stay on the "
			    "log writer\n", why);
	}
	s->next_seq = 1;
	if (pthread_create(&s->thread, NULL, writer, s) != 0) {
		snprintf(err, errlen, "cannot start the log writer");
		goto fail;
	}
	return s;
fail:
	checkpointer_stop(s->ck);
	for (i = 0; i < ST_N; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_finalize(s->msg1.st);
	for (i = 0; i < NRUN; i++)
		sqlite3_finalize(s->runs[i].st);
	sqlite3_close(s->db);
	sqlite3_close(s->rd);
	free(s->ring);
	free(s->seen);
	pthread_mutex_destroy(&s->mu);
	pthread_mutex_destroy(&s->dbmu);
	pthread_cond_destroy(&s->cv);
	free(s);
	return NULL;
}

void
store_close(struct store *s)
{
	size_t i;
	int k;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	checkpointer_stop(s->ck);
	for (i = 0; i < s->cap; i++)
		row_clear(&s->ring[i]);
	for (k = 0; k < ST_N; k++)
		sqlite3_finalize(s->st[k]);
	sqlite3_finalize(s->msg1.st);
	for (k = 0; k < NRUN; k++)
		sqlite3_finalize(s->runs[k].st);
	/* leave a small WAL behind: fold it into the database */
	sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL,
	    NULL);
	sqlite3_close(s->rd);
	sqlite3_close(s->db);
	free(s->ring);
	free(s->seen);
	pthread_mutex_destroy(&s->mu);
	pthread_mutex_destroy(&s->dbmu);
	pthread_cond_destroy(&s->cv);
	free(s);
}

void
store_remove(const char *path)
{
	static const char *const ext[] = { "", "-wal", "-shm" };
	char p[4096];
	size_t i;

	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, ext[i]);
		unlink(p);
	}
}

void
store_tune(struct store *s, unsigned busy_ms, unsigned retries,
    unsigned pause_ms)
{
	pthread_mutex_lock(&s->dbmu);
	sqlite3_busy_timeout(s->db, (int)busy_ms);
	s->retries = retries > 0 ? retries : 1;
	s->pause_ms = pause_ms;
	pthread_mutex_unlock(&s->dbmu);
}

int
store_writer_exec(struct store *s, const char *sql)
{
	int rc;

	pthread_mutex_lock(&s->dbmu);
	rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	pthread_mutex_unlock(&s->dbmu);
	return rc == SQLITE_OK ? 0 : -1;
}

int
store_schema_found(const struct store *s)
{
	return s->found;
}

int64_t
store_next_id(struct store *s)
{
	return __atomic_fetch_add(&s->next_id, 1, __ATOMIC_RELAXED);
}

/*
 * Copy the strings V into one block owned by R (one allocation a row, not
 * one a field), masking personal data in those whose bit is set in MASK
 * when redaction is on.  A masked string may grow to twice its length.
 */
static void
pack(const struct store *s, struct row *r, const char *const v[ROW_STRS],
    unsigned mask)
{
	size_t len[ROW_STRS], total = 0, o = 0;
	int i;

	if (!s->opts.redact)
		mask = 0;
	for (i = 0; i < ROW_STRS; i++) {
		len[i] = v[i] != NULL ? strlen(v[i]) : 0;
		if (v[i] != NULL)
			total += (mask & 1u << i ? 2 * len[i] : len[i]) + 1;
	}
	if (total == 0 || (r->mem = malloc(total)) == NULL)
		return;
	for (i = 0; i < ROW_STRS; i++) {
		if (v[i] == NULL)
			continue;
		r->s[i] = memcpy(r->mem + o, v[i], len[i] + 1);
		r->len[i] = (int)len[i];
		if (mask & 1u << i) {
			if (redact(r->s[i]) > 0)
				r->len[i] = (int)strlen(r->s[i]);
			o += 2 * len[i] + 1;
		} else
			o += len[i] + 1;
	}
}

/* Move R into the ring.  Returns its sequence number, or 0 if dropped. */
static uint64_t
enqueue(struct store *s, struct row *r)
{
	uint64_t seq = 0;

	pthread_mutex_lock(&s->mu);
	if (s->count < s->cap) {
		s->ring[(s->head + s->count) % s->cap] = *r;
		s->count++;
		__atomic_store_n(&s->backlog, s->count, __ATOMIC_RELAXED);
		seq = s->next_seq++;
		if (s->count == 1 || s->count == early_rows(s))
			pthread_cond_signal(&s->cv);
	} else {
		s->stats.dropped++;
		row_clear(r);
	}
	pthread_mutex_unlock(&s->mu);
	return seq;
}

uint64_t
store_put_conversation(struct store *s, const struct store_conv *c)
{
	struct row r = { .kind = ROW_CONV };
	const char *v[ROW_STRS] = { c->id, c->channel ? c->channel : "web",
	    c->user, c->resume_hash, c->content_version };

	pack(s, &r, v, 1u << 2);
	r.n[0] = c->started_us;
	return enqueue(s, &r);
}

uint64_t
store_put_message(struct store *s, const struct store_msg *m)
{
	struct row r = { .kind = ROW_MSG };
	const char *v[ROW_STRS] = { m->conv, m->text ? m->text : "",
	    m->intent, m->node, m->why, m->rewrites, m->suggestion,
	    m->content_version };

	/* the text, and the explanation that repeats it, are masked */
	pack(s, &r, v, 1u << 1 | 1u << 4);
	r.n[0] = m->id;
	r.n[1] = m->latency_us;
	r.n[2] = m->time_us;
	r.n[3] = m->direction;
	return enqueue(s, &r);
}

uint64_t
store_put_feedback(struct store *s, const char *conv, int64_t message_id,
    bool helpful, const char *comment, int64_t time_us)
{
	struct row r = { .kind = ROW_FEEDBACK };
	const char *v[ROW_STRS] = { conv, comment };

	pack(s, &r, v, 1u << 1);
	r.n[0] = message_id;
	r.n[1] = helpful ? 1 : 0;
	r.n[2] = time_us;
	return enqueue(s, &r);
}

/* A row of KIND with strings A and B (or NULL) at TIME_US, none masked:
 * a state, an end, a content load. */
static uint64_t
put_timed(struct store *s, enum row_kind kind, const char *a, const char *b,
    int64_t time_us)
{
	struct row r = { .kind = kind };
	const char *v[ROW_STRS] = { a, b };

	pack(s, &r, v, 0);
	r.n[0] = time_us;
	return enqueue(s, &r);
}

uint64_t
store_put_state(struct store *s, const char *conv, const char *state_json,
    int64_t time_us)
{
	return put_timed(s, ROW_STATE, conv, state_json, time_us);
}

uint64_t
store_end_conversation(struct store *s, const char *conv, int64_t time_us)
{
	return put_timed(s, ROW_END, conv, NULL, time_us);
}

uint64_t
store_put_content(struct store *s, const char *version, int64_t time_us)
{
	return put_timed(s, ROW_CONTENT, version, NULL, time_us);
}

uint64_t
store_resolved(const struct store *s)
{
	return __atomic_load_n(&s->resolved, __ATOMIC_ACQUIRE);
}

bool
store_backlogged(const struct store *s)
{
	return __atomic_load_n(&s->backlog, __ATOMIC_RELAXED) >= s->hold_rows;
}

void
store_get_stats(struct store *s, struct store_stats *out)
{
	pthread_mutex_lock(&s->mu);
	*out = s->stats;
	out->queued = s->count;
	pthread_mutex_unlock(&s->mu);
	out->checkpoints = checkpointer_count(s->ck);
}

static char *
col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? strdup((const char *)t) : NULL;
}

void
store_resume_free(struct store_resume *r)
{
	size_t i;

	free(r->id);
	free(r->channel);
	free(r->user);
	free(r->state_json);
	for (i = 0; i < r->nmessages; i++) {
		free(r->messages[i].text);
		free(r->messages[i].intent);
		free(r->messages[i].node);
	}
	free(r->messages);
	memset(r, 0, sizeof(*r));
}

int
store_lookup(struct store *s, const char *key, bool by_resume,
    size_t max_messages, struct store_resume *out)
{
	sqlite3 *db = s->rd ? s->rd : s->db;
	sqlite3_stmt *st = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (s->rd == NULL)
		pthread_mutex_lock(&s->dbmu);
	if (sqlite3_prepare_v2(db, by_resume ?
	    "SELECT id, channel, user, " SCHEMA_LAST_ACTIVE("")
	    " FROM conversations c "
	    "WHERE resume_hash = ?" :
	    "SELECT id, channel, user, " SCHEMA_LAST_ACTIVE("")
	    " FROM conversations c "
	    "WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		goto done;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		rc = rc == SQLITE_DONE ? 0 : -1;
		goto done;
	}
	out->id = col_dup(st, 0);
	out->channel = col_dup(st, 1);
	out->user = col_dup(st, 2);
	out->last_us = sqlite3_column_int64(st, 3);
	sqlite3_finalize(st);
	st = NULL;
	rc = -1;
	if (out->id == NULL)
		goto done;
	if (sqlite3_prepare_v2(db, "SELECT state FROM states WHERE "
	    "conversation = ?", -1, &st, NULL) != SQLITE_OK)
		goto done;
	sqlite3_bind_text(st, 1, out->id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		out->state_json = col_dup(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	/* a reply's latest rating, as review counts it */
	if (sqlite3_prepare_v2(db, "SELECT direction, text, id, intent, node, "
	    "(SELECT helpful FROM feedback f WHERE f.message = m.id AND "
	    "direction = 'out' ORDER BY f.id DESC LIMIT 1) FROM (SELECT "
	    "direction, text, id, intent, node FROM messages WHERE "
	    "conversation = ?1 ORDER BY id DESC LIMIT ?2) m ORDER BY id", -1,
	    &st, NULL) != SQLITE_OK)
		goto done;
	sqlite3_bind_text(st, 1, out->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max_messages);
	out->messages = calloc(max_messages + 1, sizeof(*out->messages));
	if (out->messages == NULL)
		goto done;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct store_resume_msg *m = &out->messages[out->nmessages];
		const unsigned char *dir = sqlite3_column_text(st, 0);

		m->direction = (dir && dir[0] == 'i') ? 'i' : 'o';
		m->text = col_dup(st, 1);
		m->id = sqlite3_column_int64(st, 2);
		m->helpful = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 :
		    sqlite3_column_int(st, 5) != 0;
		if (m->text == NULL)
			break;
		if (m->direction == 'o') {
			m->intent = col_dup(st, 3);
			m->node = col_dup(st, 4);
		}
		out->nmessages++;
	}
	rc = 1;
done:
	sqlite3_finalize(st);
	if (s->rd == NULL)
		pthread_mutex_unlock(&s->dbmu);
	if (rc != 1)
		store_resume_free(out);
	return rc;
}
