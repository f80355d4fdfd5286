/*
 * dialogue.h: dialogue trees and the advisor questionnaire.  Loads
 * the JSON trees in dialogues/ and walks a conversation through them.  Takes intent ids
 * as plain strings: it never includes the intent engine.  Pure module.
 */
#ifndef ADVISOR_DIALOGUE_H
#define ADVISOR_DIALOGUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct dialogues;		/* loaded trees (opaque) */
struct dialogue_state;		/* one conversation's place in them (opaque) */

#define DIALOGUE_TEXT_MAX	4096
#define DIALOGUE_MAX_OPTIONS	12
#define DIALOGUE_ID_MAX		48	/* node, topic and option ids, with
					   their NUL */

/* A button offered with a reply. */
struct dialogue_option {
	const char	*id;		/* stable, unique within the reply */
	const char	*label;
};

/* A named value handed in from the intent match (captures). */
struct dialogue_slot {
	const char	*name;
	const char	*value;
};

/* What to say.  Pointers live as long as the dialogues and the state. */
struct dialogue_reply {
	const char		*node;		/* node now current */
	const char		*intent;	/* intent the reply answers */
	char			 text[DIALOGUE_TEXT_MAX];
	size_t			 noptions;
	struct dialogue_option	 options[DIALOGUE_MAX_OPTIONS];
	const char		*picked_suggestion; /* intent id when the
					   option chosen was a "did you mean" */
	bool			 restarted;	/* state's node had vanished */
};

/* Load every .json file of DIR.  NULL on failure, "file: node: reason" in ERR. */
struct dialogues *dialogues_load(const char *dir, char *err, size_t errlen);
void		 dialogues_free(struct dialogues *);
const char	*dialogues_version(const struct dialogues *);

/*
 * Validate the trees: unique ids, targets exist, every node reachable from
 * the root, no dead end, no empty text, every one of the NIDS catalog
 * intents has a route, and the recommendation is total over all answer
 * combinations.  One line per problem to REPORT; returns the error count.
 */
int		 dialogues_check(const struct dialogues *,
		    const char *const *intent_ids, size_t nids, FILE *report);

struct dialogue_state *dialogue_state_new(void);
void		 dialogue_state_free(struct dialogue_state *);
/* Serialise to a malloc'd JSON string (node, history, answers, topic,
 * offered options).  NULL on allocation failure. */
char		*dialogue_state_save(const struct dialogue_state *);
/* Rebuild from JSON.  A node that no longer exists sets the state back to
 * the root and makes the next reply say so (reply.restarted).  NULL when
 * JSON is not a saved state. */
struct dialogue_state *dialogue_state_load(const struct dialogues *,
		    const char *json, size_t len);

/* Context for the intent matcher: the current node and the last topic
 * (either may be NULL).  They point into the state, so the next move
 * changes what they say: copy one to keep it. */
const char	*dialogue_node(const struct dialogue_state *);
const char	*dialogue_topic(const struct dialogue_state *);
/* The questionnaire question a side question interrupted, or NULL: its
 * answers are still on offer, so the matcher takes it as context too. */
const char	*dialogue_pending(const struct dialogue_state *);
/* All three, in the order the matcher weighs them, into CTX; returns how
 * many (DIALOGUE_CONTEXTS).  The daemon and the story tests both match
 * with this, so a story sees what a conversation sees. */
#define DIALOGUE_CONTEXTS	3
size_t		 dialogue_context(const struct dialogue_state *,
		    const char *ctx[DIALOGUE_CONTEXTS]);

/* The welcome: root node with its options. */
int		 dialogue_start(const struct dialogues *,
		    struct dialogue_state *, struct dialogue_reply *);

/*
 * Step on an intent the person's text expressed.  For "fallback", the
 * SUGGEST list (intent ids, NSUGGEST of them, labels in LABELS) is offered
 * as "did you mean" options.  Globals (help, restart, back, greeting, ...)
 * work from any node.  Returns 0.
 */
int		 dialogue_on_intent(const struct dialogues *,
		    struct dialogue_state *, const char *intent,
		    const struct dialogue_slot *slots, size_t nslots,
		    const char *const *suggest, const char *const *labels,
		    size_t nsuggest, struct dialogue_reply *);

/* Offer INTENT, labelled LABEL (both must outlive the reply), as one more
 * button of R, which the state just said: the other question of a
 * message that asked two.  Nothing when R has no room or already offers
 * it, or a button that reads the same. */
void		 dialogue_offer_intent(struct dialogue_state *,
		    struct dialogue_reply *, const char *intent,
		    const char *label);

/* The person picked option ID of the last reply.  Returns 0, or -1 when ID
 * was not offered (the state is left as it was). */
int		 dialogue_choose(const struct dialogues *,
		    struct dialogue_state *, const char *id,
		    struct dialogue_reply *);

#endif
