/*
 * normalize.h: turns what a person typed into the canonical form the
 * patterns are written against: lower case, single spaces, no punctuation,
 * common contractions spelled out, no e-mail or web addresses.
 */
#ifndef ADVISOR_NORMALIZE_H
#define ADVISOR_NORMALIZE_H

#include <stddef.h>

/* Normalise LEN bytes of IN into OUT (SIZE bytes, NUL-terminated, cut at a
 * word boundary when it does not fit).  Returns the output length. */
size_t	text_normalize(const char *in, size_t len, char *out, size_t size);

#endif
