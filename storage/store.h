/*
 * store.h: the SQLite conversation log.  A writer thread owns the write
 * connection and group-commits rows taken from a bounded queue, so the
 * event loop never waits on the disk.  Reads (resume) use a separate
 * connection.  Pure module: no libwebsockets.
 */
#ifndef ADVISOR_STORE_H
#define ADVISOR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

enum store_durability {
	STORE_FAST,	/* reply at once; a crash loses the last batch window */
	STORE_STRICT	/* reply only after its row is committed */
};

struct store_opts {
	const char		*path;		/* database file, or ":memory:" */
	enum store_durability	 durability;
	size_t			 queue_max;	/* rows waiting, then drop+count */
	unsigned		 batch_ms;	/* commit at least this often */
	unsigned		 batch_rows;	/* or once this many rows wait */
	bool			 redact;	/* mask e-mail and phone numbers */
	unsigned		 checkpoint_pages; /* WAL frames that start a
						      checkpoint (250) */
	/* Called from the writer thread after each commit (or failed batch);
	 * the daemon passes a function that wakes its event loop. */
	void			(*notify)(void *arg);
	void			*notify_arg;
};

/* A conversation's row.  Strings are copied on enqueue. */
struct store_conv {
	const char	*id;		/* internal key, unique */
	const char	*channel;	/* "web" or "bridge" */
	const char	*user;		/* may be NULL */
	const char	*resume_hash;	/* hex sha256 of the resume token */
	const char	*content_version;
	int64_t		 started_us;	/* unix time, microseconds */
};

/* One message, either way. */
struct store_msg {
	int64_t		 id;		/* from store_next_id() */
	const char	*conv;		/* store_conv.id */
	char		 direction;	/* 'i' from the person, 'o' advisor */
	const char	*text;
	const char	*intent;	/* may be NULL */
	const char	*node;		/* may be NULL */
	const char	*why;		/* match explanation JSON, or NULL */
	const char	*rewrites;	/* spelling rewrites JSON, or NULL */
	const char	*suggestion;	/* "did you mean" intent picked, or NULL */
	int64_t		 latency_us;	/* reply latency; 0 for incoming */
	int64_t		 time_us;
	/* the content version an incoming message was matched by; replies
	 * leave it NULL (their question's is the one before them) */
	const char	*content_version;
};

/* Counters for /metrics. */
struct store_stats {
	uint64_t	queued;		/* rows now waiting */
	uint64_t	committed;	/* rows written */
	uint64_t	dropped;	/* rows given up on (queue full, errors) */
	uint64_t	write_errors;	/* failed commits (each retried) */
	uint64_t	batches;
	uint64_t	checkpoints;	/* by the checkpoint thread */
};

/* Open (create, migrate, WAL) and start the writer.  NULL and a message
 * in ERR on failure. */
struct store	*store_open(const struct store_opts *, char *err, size_t errlen);
/* The schema version the file had when opened: 0 for a new file, below
 * schema_nmigrations when this open migrated it (which an older advisord
 * then refuses to open). */
int		 store_schema_found(const struct store *);
/* Commit everything queued, stop the writer, close. */
void		 store_close(struct store *);
/* Remove a closed log at PATH with its -wal and -shm files (tests, tools). */
void		 store_remove(const char *path);

/* Next message id: unique in the database (continues after restarts). */
int64_t		 store_next_id(struct store *);

/*
 * Enqueue writes.  Each returns the row's sequence number (> 0), or 0 when
 * the row had to be dropped (queue full; counted).  Rows commit in order.
 */
uint64_t	 store_put_conversation(struct store *, const struct store_conv *);
uint64_t	 store_put_message(struct store *, const struct store_msg *);
uint64_t	 store_put_feedback(struct store *, const char *conv,
		    int64_t message_id, bool helpful, const char *comment,
		    int64_t time_us);
uint64_t	 store_put_state(struct store *, const char *conv,
		    const char *state_json, int64_t time_us);
uint64_t	 store_end_conversation(struct store *, const char *conv,
		    int64_t time_us);
/* The daemon loaded content VERSION (at start, or a reload that took). */
uint64_t	 store_put_content(struct store *, const char *version,
		    int64_t time_us);

/* Every row with a sequence number <= this has been resolved: committed,
 * or dropped after retries (then counted in stats.dropped).  Strict mode
 * releases a reply once its sequence number is resolved. */
uint64_t	 store_resolved(const struct store *);
/* True while the writer is behind (half a batch, or an eighth of the
 * queue, waits: 4,096 rows by default).  Fast
 * mode then holds replies like strict mode until their rows are resolved,
 * so that a load the disk cannot absorb slows the answers down instead of
 * overflowing the queue and losing rows. */
bool		 store_backlogged(const struct store *);
void		 store_get_stats(struct store *, struct store_stats *);

/* A conversation brought back for resume. */
struct store_resume {
	char		*id;		/* store_conv.id */
	char		*channel;
	char		*user;
	char		*state_json;	/* last saved state, or NULL */
	int64_t		 last_us;	/* its last start, end or message */
	size_t		 nmessages;	/* last messages, oldest first */
	struct store_resume_msg {
		char	 direction;
		char	*text;
		int64_t	 id;
		/* of a reply: its intent and node (NULL if unknown), and
		 * its latest rating: 1 helpful, 0 not, -1 none */
		char	*intent;
		char	*node;
		int	 helpful;
	}		*messages;
};

/*
 * Look a conversation up by resume-token hash (BY_RESUME) or by id, on the
 * read connection, and fill OUT with at most MAX_MESSAGES last messages.
 * Returns 1 found, 0 not found, -1 error.  Sees only committed rows.
 */
int		 store_lookup(struct store *, const char *key, bool by_resume,
		    size_t max_messages, struct store_resume *out);
void		 store_resume_free(struct store_resume *);

#endif
