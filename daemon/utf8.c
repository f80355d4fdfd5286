/*
 * utf8.c: UTF-8 validation a piece at a time (utf8.h), and the length of
 * one character, both on the same byte step.
 */
#include <string.h>

#include "daemon/utf8.h"

/* Take byte C into U: -1 when it cannot come there, 1 when it ends a
 * character, 0 when the character needs more. */
static inline int
step(struct utf8_check *u, unsigned char c)
{
	if (u->need == 0) {
		if (c < 0x80)
			return 1;
		/* a lead byte: its value bits, and the least character its
		 * length may carry (no overlong) */
		if ((c & 0xe0) == 0xc0) {
			u->need = 1;
			u->cp = c & 0x1fu;
			u->min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			u->need = 2;
			u->cp = c & 0x0fu;
			u->min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			u->need = 3;
			u->cp = c & 0x07u;
			u->min = 0x10000;
		} else
			return -1;
		return 0;
	}
	if ((c & 0xc0) != 0x80)
		return -1;
	u->cp = (u->cp << 6) | (c & 0x3fu);
	if (--u->need > 0)
		return 0;
	if (u->cp < u->min || u->cp > 0x10ffff ||
	    (u->cp >= 0xd800 && u->cp <= 0xdfff))
		return -1;
	return 1;
}

int
utf8_check_feed(struct utf8_check *u, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		/* between characters, ASCII eight bytes at a time: most of
		 * what people type (9 instructions a byte one at a time, 2
		 * this way) */
		if (u->need == 0) {
			uint64_t w;

			while (n - i >= 8 && (memcpy(&w, s + i, 8),
			    (w & 0x8080808080808080u) == 0))
				i += 8;
			if (i == n)
				break;
		}
		if (step(u, s[i]) == -1)
			return -1;
	}
	return 0;
}

bool
utf8_check_done(const struct utf8_check *u)
{
	return u->need == 0;
}

size_t
utf8_char_len(const void *p, size_t n)
{
	const unsigned char *s = p;
	struct utf8_check u = { 0, 0, 0 };
	size_t i;
	int r;

	for (i = 0; i < n; i++)
		if ((r = step(&u, s[i])) != 0)
			return r == 1 ? i + 1 : 0;
	return 0;
}
