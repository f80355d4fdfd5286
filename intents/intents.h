/*
 * intents.h: the PCRE2 intent catalog.  Loads the catalog files, normalises and
 * spell-corrects a message, and picks the intent it expresses.  Pure module:
 * no I/O beyond reading the catalog files, no libwebsockets.
 */
#ifndef ADVISOR_INTENTS_H
#define ADVISOR_INTENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct intents;			/* a loaded, compiled catalog (opaque) */
struct jbuf;			/* daemon/jbuf.h */

#define INTENT_TEXT_MAX		4096	/* normalised text, bytes incl. NUL */
#define INTENT_MAX_SLOTS	8
#define INTENT_MAX_REWRITES	8
#define INTENT_MAX_RUNNERS	4
#define INTENT_MAX_SUGGEST	3

/* One named capture of the winning pattern. */
struct intent_slot {
	char	name[32];
	char	value[128];
};

/* One spelling correction applied before matching. */
struct intent_rewrite {
	char	from[64];
	char	to[64];
};

/* Everything a match decided, and why.  Strings of type const char * point
 * into the catalog and live as long as it does. */
struct intent_result {
	const char		*intent;	/* winner; "fallback" when none */
	const char		*pattern;	/* winning pattern source, or NULL */
	char			 normalized[INTENT_TEXT_MAX];
	size_t			 nslots;
	struct intent_slot	 slots[INTENT_MAX_SLOTS];
	size_t			 nrewrites;
	struct intent_rewrite	 rewrites[INTENT_MAX_REWRITES];
	size_t			 nrunners;	/* other intents that matched */
	const char		*runners[INTENT_MAX_RUNNERS];
	size_t			 nsuggest;	/* "did you mean", fallback only */
	const char		*suggest[INTENT_MAX_SUGGEST];
	bool			 followup;	/* resolved against the context */
};

/* Load every .json file of DIR (sorted by name: catalog order).  On
 * failure returns NULL and writes "file: intent: pattern: reason" to ERR. */
struct intents	*intents_load(const char *dir, bool use_jit, char *err,
		    size_t errlen);
void		 intents_free(struct intents *);

/* Number of intents, the i-th id, the human label of an id ("What is KPO?"
 * style, used for "did you mean" buttons; falls back to the id). */
size_t		 intents_count(const struct intents *);
const char	*intents_id(const struct intents *, size_t i);
const char	*intents_label(const struct intents *, const char *id);
bool		 intents_has(const struct intents *, const char *id);
/* Whether intent ID's answer needs slots captured from the text, so that
 * it cannot be offered as a button. */
bool		 intents_needs_slots(const struct intents *, const char *id);
/* Short hash of the catalog files, part of the content version. */
const char	*intents_version(const struct intents *);
/* Whether the JIT is in use (false when unavailable or disabled). */
bool		 intents_jit(const struct intents *);

/*
 * Match TEXT (LEN bytes, UTF-8, not NUL-terminated) against the catalog.
 * CONTEXT lists the conversation's current node and last topic (the intent
 * of the previous reply), NCONTEXT entries, any may be NULL; intents with a
 * `context` list are active only when one of them is in it, and follow-ups
 * ("and kpo?", "the other one", "tell me more") resolve against them.
 * Always fills OUT; returns 0, or -1 on an internal error (OUT->intent is
 * then "fallback").  Allocation-free on the hot path.
 */
int		 intents_match(const struct intents *, const char *text,
		    size_t len, const char *const *context, size_t ncontext,
		    struct intent_result *out);

/*
 * The other question of a message that asks two (TEXT, LEN bytes, split
 * where a second question starts: "?", ". ", "and what", "also" ...), when
 * WINNER, the intent intents_match gave the whole, answers one half and
 * the other half is understood as a different intent; NULL otherwise, and
 * always for a fallback or a questionnaire answer.  Allocates only for a
 * text that has such a joint.
 */
const char	*intents_also(const struct intents *, const char *text,
		    size_t len, const char *const *context, size_t ncontext,
		    const char *winner);

/*
 * Validate the catalog: every example matches its own intent first (no
 * shadowing), warns on overlaps.  Writes one line per problem to REPORT,
 * naming the file, the intent and the pattern; returns the error count.
 */
int		 intents_check(const struct intents *, FILE *report);

/*
 * Append RES as a JSON object (the `why` of a reply and the log's match
 * explanation) to B: normalized, intent, pattern, followup, rewrites,
 * slots, runners, suggest.  0, or -1 when memory ran out.
 */
int		 intent_result_json(const struct intent_result *res,
		    struct jbuf *b);
/* Append RES's spelling corrections, [{"from":..,"to":..}, ...], to B. */
void		 intent_rewrites_json(const struct intent_result *res,
		    struct jbuf *b);

#endif
