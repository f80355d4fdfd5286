/*
 * redact.h: masks personal data (e-mail addresses, phone and card numbers) in
 * text before it is written to the log.
 */
#ifndef ADVISOR_REDACT_H
#define ADVISOR_REDACT_H

#include <stddef.h>

/* Mask e-mail addresses as "[email]", phone numbers as "[phone]", card
 * numbers as "[card]" and longer digit runs as "[number]" in the
 * NUL-terminated S, in place; S needs room for 2 * strlen(S) + 1 bytes, as
 * a mask can be longer than a very short address.  Returns the
 * number of items masked. */
size_t	redact(char *s);

#endif
