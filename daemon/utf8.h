/*
 * utf8.h: UTF-8 validation that takes its input in pieces, as a WebSocket
 * message arrives (RFC 6455 8.1: a text message must be UTF-8 as a whole,
 * and a character may be split between fragments).  Overlong forms,
 * surrogates and code points past U+10FFFF are not UTF-8 (RFC 3629).
 * Also one character's length, for jbuf's JSON strings.  Pure, so that it
 * is testable alone.
 */
#ifndef ADVISOR_UTF8_H
#define ADVISOR_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where the check stands between pieces; all zero is the start. */
struct utf8_check {
	uint32_t	cp;		/* the character read so far */
	uint32_t	min;		/* its least value for its length */
	unsigned	need;		/* continuation bytes still to come */
};

/* Check the N bytes at P after those fed before: -1 as soon as they
 * cannot be UTF-8, else 0. */
int	utf8_check_feed(struct utf8_check *, const void *p, size_t n);
/* Whether the bytes fed so far end between characters. */
bool	utf8_check_done(const struct utf8_check *);
/* The length of the one character at P (N bytes there), by the same
 * rules: 1 to 4, or 0 when those bytes do not start with a whole
 * character. */
size_t	utf8_char_len(const void *p, size_t n);

#endif
