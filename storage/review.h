/*
 * review.h: the queries behind advisorctl, the staff's review tool.  A
 * review opens one or more log files read-only and sees them as one: temp
 * views all_conversations, all_messages and all_feedback union them, a
 * conversation or a message two files hold (a copy) once.
 * Every report writes either a table for people or JSON (one document).
 */
#ifndef ADVISOR_REVIEW_H
#define ADVISOR_REVIEW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct review;

/* Open PATHS (N of them).  WRITABLE for purge.  NULL and a reason in ERR
 * (a missing file, a file that is not an advisord log). */
struct review	*review_open(const char *const *paths, int n, bool writable,
		    char *err, size_t errlen);
void		 review_close(struct review *);

/* S on F as one line, as the tables show a text (a line break or tab as
 * a space, each control and invisible format character as '?'), then a
 * line break: for advisorctl's errors, which name a conversation, a file
 * or a date as it was typed or read from the log. */
void		 review_line(FILE *f, const char *s);

/* "YYYY-MM-DD" (UTC midnight) to microseconds: exactly that shape, a day
 * the month has, from 1970 on; -1 for anything else. */
int64_t		 review_parse_date(const char *);

/* Each report returns 0, or -1 with a reason in ERR (e.g. an unknown
 * conversation).  SINCE_US 0 means from the beginning. */
/* The reports that take SINCE_US count only what happened before
 * UNTIL_US too (the same times as SINCE_US: a conversation by its start,
 * a message, a rating, a conversation's end by its last reply); from
 * review_open on, INT64_MAX: no end. */
void	review_until(struct review *, int64_t until_us);
int	review_stats(struct review *, int64_t since_us, bool json, FILE *out,
	    char *err, size_t errlen);
/* VERSION: only the questions matched by that content version
 * (messages.content_version; a row without one, written before
 * user_version 3, by its conversation's), after a line that says when it
 * was loaded and how many questions were typed of it; NULL: all. */
int	review_unmatched(struct review *, int64_t since_us,
	    const char *version, bool json, FILE *out, char *err,
	    size_t errlen);
/* The newest content version in the log, in VERSION: the one loaded
 * last (content_loads), else that of the newest message that records
 * one, else of the conversation started last.  -1 when none does. */
int	review_current_version(struct review *, char *version, size_t len,
	    char *err, size_t errlen);
/* Whether the log has content version VERSION: loaded (content_loads),
 * matching a question, or a conversation's.  1; 0, with ERR saying so
 * and naming the version loaded last (a mistyped version would read as
 * one nobody has asked yet); -1 with the reason in ERR. */
int	review_version_known(struct review *, const char *version, char *err,
	    size_t errlen);
/* A conversation still open with a message at or after LIVE_AFTER_US is
 * in progress, counted apart from those that ended or were given up. */
int	review_dropoff(struct review *, int64_t since_us,
	    int64_t live_after_us, bool json, FILE *out, char *err,
	    size_t errlen);
/* The replies rated not helpful; with HELPFUL, then those rated helpful
 * too (their comments say what worked).  VERSION: only the replies to
 * questions matched by that content version, as review_unmatched counts
 * them; NULL: all.  NODE: only the replies said at that dialogue node;
 * NULL: all. */
int	review_feedback(struct review *, int64_t since_us,
	    const char *version, const char *node, bool helpful, bool json,
	    FILE *out, char *err, size_t errlen);
/* Whether a reply in the log was said at dialogue node NODE: 1; 0, with
 * ERR saying so (a mistyped node would read as one nobody rated); -1
 * with the reason in ERR. */
int	review_node_known(struct review *, const char *node, char *err,
	    size_t errlen);
int	review_transcript(struct review *, const char *conversation,
	    bool json, FILE *out, char *err, size_t errlen);
int	review_export(struct review *, int64_t since_us, bool csv, FILE *out,
	    char *err, size_t errlen);
/* Delete conversations with no activity since CUTOFF_US, with their
 * messages, feedback and saved state; *DELETED counts conversations. */
int	review_purge(struct review *, int64_t cutoff_us, long *deleted,
	    char *err, size_t errlen);

#endif
