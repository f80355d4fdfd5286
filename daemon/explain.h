/*
 * explain.h: how one text is understood, for the people who write the
 * content (advisord --explain): the normalised text, spelling rewrites,
 * the winning intent with its pattern and captures, the runners-up, the
 * "did you mean" suggestions, and the same as JSON.  Pure module.
 */
#ifndef ADVISOR_EXPLAIN_H
#define ADVISOR_EXPLAIN_H

#include <stddef.h>
#include <stdio.h>

#include "dialogues/dialogue.h"
#include "intents/intents.h"

/*
 * Match TEXT as a conversation standing at dialogue node AT would (the
 * context the daemon matches with there: a questionnaire answer such as
 * "mostly routine" is understood only at its question), or with no
 * context when AT is NULL, and write the explanation to OUT.  Returns 0,
 * or -1 with the reason in ERR (AT is not a node of DL).
 */
int	explain_text(FILE *out, const struct intents *,
	    const struct dialogues *dl, const char *text, const char *at,
	    char *err, size_t errlen);

#endif
