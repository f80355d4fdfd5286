/*
 * closeframe.c: a close frame's code and its reason, made safe to log.
 */
#include <string.h>

#include "daemon/closeframe.h"

void
closeframe_reason(char *why, size_t whylen, const char *text, size_t n)
{
	size_t i;

	if (whylen == 0)
		return;
	if (n >= whylen) {
		n = whylen - 1;
		/* a cut inside a character leaves half of it: drop that */
		while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(why, text, n);
	why[n] = '\0';
	for (i = 0; i < n; i++)
		if ((unsigned char)why[i] < 0x20 || why[i] == 0x7f)
			why[i] = '?';
}

int
closeframe_parse(const void *in, size_t len, char *why, size_t whylen)
{
	const unsigned char *c = in;

	if (whylen > 0)
		why[0] = '\0';
	if (in == NULL || len < 2)
		return 0;
	closeframe_reason(why, whylen, (const char *)c + 2, len - 2);
	return (c[0] << 8) | c[1];
}
