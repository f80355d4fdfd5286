/*
 * intents_int.h: internals of the intent engine exposed to its own tests
 * and benchmark only (not part of the contract).
 */
#ifndef ADVISOR_INTENTS_INT_H
#define ADVISOR_INTENTS_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "intents/intents.h"

/* Turn the literal prefilter off (every pattern runs) or back on. */
void	intents_set_prefilter(struct intents *, bool on);
/* Intents tried on every message whatever it says (no literal filter). */
size_t	intents_always(const struct intents *);

#endif
