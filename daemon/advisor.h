/*
 * advisor.h: the advisor itself, without any transport.  A session is one
 * client connection (an anonymous web visitor with one conversation, or an
 * authenticated bridge carrying many); it takes protocol frames in and
 * hands frames out through a sink.  Conversations live in a table shared
 * by all sessions, so a resume token or a reconnecting bridge finds them,
 * and in the log, so they survive a restart.
 */
#ifndef ADVISOR_ADVISOR_H
#define ADVISOR_ADVISOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dialogues/dialogue.h"
#include "intents/intents.h"
#include "storage/store.h"

/* Conversations no session holds kept in memory for a resume, at most:
 * past it advisor_sweep forgets the oldest (a resume reads them back from
 * the log). */
#define ADVISOR_DETACHED_MAX	10000

struct advisor;
struct session;

struct advisor_opts {
	struct store	*store;		/* the log; required */
	bool		 debug;		/* replies carry `why` */
	size_t		 max_text_chars;
	unsigned	 rate_limit;	/* per conversation, messages/s */
	unsigned	 max_conversations; /* per bridge session */
	/* a resume token whose conversation was idle longer is refused as
	 * unknown (0: never) */
	int64_t		 resume_max_age_us;
	unsigned	 idle_evict_s;	/* forget detached conversations after (60) */
	unsigned	 bridge_idle_s;	/* a bridge lets go of a conversation
					   idle this long (1800) */
	/* memory the detached conversations may hold in all, with their
	 * histories (64 MiB); past it the oldest are forgotten first */
	size_t		 detached_bytes_max;
	/* Log a conversation's dialogue state when it is left, evicted or
	 * swept (every sweep), rather than with every reply: fast mode.
	 * Kept from advisor_new(); advisor_set_opts() does not change it. */
	bool		 defer_state;
};

/* Where a session's output goes.  SEQ is the log sequence number the
 * frame must wait for (0: send at once); see store_resolved(). */
struct sink {
	void	(*emit)(void *arg, const char *frame, size_t len,
		    uint64_t seq);
	void	*arg;
};

/* Takes ownership of the content. */
struct advisor	*advisor_new(struct intents *, struct dialogues *,
		    const struct advisor_opts *);
void		 advisor_free(struct advisor *);
/* Swap in new (already validated) content; conversations carry on, and
 * one whose node vanished starts over with a word of explanation.  Each
 * conversation is moved to it at its next use, or by advisor_sweep a few
 * at a time: the swap's work does not grow with their number. */
void		 advisor_set_content(struct advisor *, struct intents *,
		    struct dialogues *);
/* Conversations in memory not yet moved to the content now served. */
size_t		 advisor_unmoved(const struct advisor *);
const char	*advisor_content_version(const struct advisor *);
/* Take new limits and debug setting from OPTS (its store is ignored). */
void		 advisor_set_opts(struct advisor *, const struct advisor_opts *);
/* Log the dialogue state of conversations that moved at least 10 s ago
 * and were not logged since (defer_state), let go of a bridge's
 * conversations idle for bridge_idle_s, and forget conversations no
 * session holds that were idle for the eviction time, or the oldest of
 * them while there are too many or they hold too much memory (their state
 * is in the log).  The server calls it every second. */
void		 advisor_sweep(struct advisor *, int64_t now_us);

/* BRIDGE is the authenticated bridge's name, or NULL for a visitor. */
struct session	*session_new(struct advisor *, const char *bridge);
void		 session_free(struct session *);
/* Handle one complete text frame.  NOW_US is the wall clock, for what is
 * logged; T0_US the monotonic clock when the frame arrived, which rates
 * and the reply's latency are taken on (the server reads it once, for
 * its own rate limit too). */
void		 session_handle_at(struct session *, const char *frame,
		    size_t len, int64_t now_us, int64_t t0_us,
		    const struct sink *);
/* session_handle_at, the monotonic clock read now. */
void		 session_handle(struct session *, const char *frame, size_t len,
		    int64_t now_us, const struct sink *);
/* Refuse the complete text frame FRAME with an error CODE through SINK
 * (for limits the server enforces), its in_reply_to the frame's id when it
 * has one: a bridge matches answers to requests by it. */
void		 session_error(struct session *, const char *frame,
		    size_t len, const char *code, const char *msg,
		    const struct sink *);

#endif
