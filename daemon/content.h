/*
 * content.h: loading and validating the advisor's content (the intent
 * catalog and the dialogue trees) as one unit, for start-up, --check and
 * reload alike.
 */
#ifndef ADVISOR_CONTENT_H
#define ADVISOR_CONTENT_H

#include <stdbool.h>
#include <stdio.h>

#include "dialogues/dialogue.h"
#include "intents/intents.h"

/*
 * Load DIR/intents and DIR/dialogues and run every check.  Problems are
 * written to REPORT (one line each, naming file and place).  Returns 0 and
 * the loaded content, or -1 and nothing.
 */
int	content_load(const char *dir, bool jit, FILE *report,
	    struct intents **in, struct dialogues **dl);

#endif
