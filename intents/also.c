/*
 * also.c: the second question of a message that asks two ("what is kpo
 * and what are its risks?").  The matcher picks one intent per message,
 * so the other question went unanswered without a word; this finds it, so
 * that the reply can offer it as a button.  Pure module: runs the matcher
 * on the two halves of the text.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intents/intents.h"

/* Words that start a second question after "and": "and what ...". */
static const char *const asks[] = { "what ", "how ", "which ", "why ",
    "is ", "are ", "can ", "do ", "does ", "should ", "give ", "tell " };

/*
 * Offset in TEXT (LEN bytes) of the earliest place where a second question
 * starts, with text on both sides, and in *SKIP the bytes of the joint to
 * drop: "? ", ". " or "; ", " also ", or " and " before a question word
 * (which is kept).  0 when there is none.  One pass, looking closer only
 * at punctuation and spaces: every message goes through here.
 */
static size_t
joint(const char *text, size_t len, size_t *skip)
{
	size_t i, k, n;

	for (i = 1; i + 2 < len; i++) {
		if ((text[i] == '?' || text[i] == '.' || text[i] == ';') &&
		    text[i + 1] == ' ') {
			*skip = 2;
			return i;
		}
		if (text[i] != ' ')
			continue;
		if (i + 6 < len && strncasecmp(text + i, " also ", 6) == 0) {
			*skip = 6;
			return i;
		}
		if (i + 5 >= len || strncasecmp(text + i, " and ", 5) != 0)
			continue;
		for (k = 0; k < sizeof(asks) / sizeof(asks[0]); k++) {
			n = strlen(asks[k]);
			if (i + 5 + n < len &&
			    strncasecmp(text + i + 5, asks[k], n) == 0) {
				*skip = 5;
				return i;
			}
		}
	}
	return 0;
}

/* Whether INTENT is a question of its own: not a fallback, not a
 * questionnaire answer, and not small talk or a move ("thanks. and what is
 * bpo" must not offer a "Say thanks" button). */
static int
plain(const char *intent)
{
	static const char *const moves[] = { "fallback", "greeting",
	    "goodbye", "thanks", "help", "restart", "back", "more" };
	size_t k;

	for (k = 0; k < sizeof(moves) / sizeof(moves[0]); k++)
		if (intent[0] == moves[k][0] && strcmp(intent, moves[k]) == 0)
			return 0;
	return strncmp(intent, "answer_", 7) != 0;
}

const char *
intents_also(const struct intents *c, const char *text, size_t len,
    const char *const *context, size_t ncontext, const char *winner)
{
	struct intent_result *r;
	const char *first, *second, *also = NULL;
	size_t at, skip = 0;

	if (winner == NULL || !plain(winner) ||
	    (at = joint(text, len, &skip)) == 0)
		return NULL;
	if ((r = malloc(sizeof(*r))) == NULL)
		return NULL;
	intents_match(c, text, at, context, ncontext, r);
	first = r->intent;
	intents_match(c, text + at + skip, len - at - skip, context,
	    ncontext, r);
	second = r->intent;
	/* only when the winner is one of the two questions, and the other
	 * is a different one that was understood */
	if (strcmp(first, winner) == 0 && plain(second) &&
	    strcmp(second, winner) != 0)
		also = second;
	else if (strcmp(second, winner) == 0 && plain(first) &&
	    strcmp(first, winner) != 0)
		also = first;
	/* a button cannot carry what a capture took from the text */
	if (also != NULL && intents_needs_slots(c, also))
		also = NULL;
	free(r);
	return also;
}
