/*
 * jbuf.c: JSON output buffer.  Strings are escaped per RFC 8259: quote,
 * backslash and control characters; bytes that are not valid UTF-8 become
 * U+FFFD so that every frame we send is valid text.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/jbuf.h"

void
jbuf_init(struct jbuf *b, size_t pre)
{
	memset(b, 0, sizeof(*b));
	b->pre = pre;
}

void
jbuf_free(struct jbuf *b)
{
	free(b->mem);
	memset(b, 0, sizeof(*b));
}

void
jbuf_reset(struct jbuf *b)
{
	b->len = 0;
	b->oom = 0;
}

char *
jbuf_data(const struct jbuf *b)
{
	return b->mem ? b->mem + b->pre : NULL;
}

static int
grow(struct jbuf *b, size_t more)
{
	size_t cap;
	char *m;

	if (b->len + more + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 512;
	while (cap < b->len + more + 1)
		cap *= 2;
	if ((m = realloc(b->mem, b->pre + cap)) == NULL) {
		b->oom = 1;
		return -1;
	}
	b->mem = m;
	b->cap = cap;
	return 0;
}

void
jbuf_raw(struct jbuf *b, const char *s, size_t n)
{
	if (grow(b, n) == -1)
		return;
	memcpy(b->mem + b->pre + b->len, s, n);
	b->len += n;
	b->mem[b->pre + b->len] = '\0';
}

void
jbuf_lit(struct jbuf *b, const char *s)
{
	jbuf_raw(b, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at S (N bytes left), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void
jbuf_str(struct jbuf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run, l;
	char esc[8];

	if (grow(b, n + 2) == -1)
		return;
	jbuf_raw(b, "\"", 1);
	while (i < n) {
		/* copy plain runs in one go */
		for (run = i; run < n && p[run] >= 0x20 && p[run] < 0x80 &&
		    p[run] != '"' && p[run] != '\\'; run++)
			;
		if (run > i) {
			jbuf_raw(b, s + i, run - i);
			i = run;
			continue;
		}
		if (p[i] == '"' || p[i] == '\\') {
			esc[0] = '\\';
			esc[1] = (char)p[i];
			jbuf_raw(b, esc, 2);
			i++;
		} else if (p[i] < 0x20) {
			switch (p[i]) {
			case '\n': jbuf_raw(b, "\\n", 2); break;
			case '\r': jbuf_raw(b, "\\r", 2); break;
			case '\t': jbuf_raw(b, "\\t", 2); break;
			default:
				snprintf(esc, sizeof(esc), "\\u%04x", p[i]);
				jbuf_raw(b, esc, 6);
			}
			i++;
		} else if ((l = utf8_len(p + i, n - i)) > 0) {
			jbuf_raw(b, s + i, l);
			i += l;
		} else {
			jbuf_raw(b, "\xef\xbf\xbd", 3);
			i++;
		}
	}
	jbuf_raw(b, "\"", 1);
}

void
jbuf_cstr(struct jbuf *b, const char *s)
{
	if (s == NULL)
		jbuf_raw(b, "null", 4);
	else
		jbuf_str(b, s, strlen(s));
}

void
jbuf_int(struct jbuf *b, int64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%" PRId64, v);

	jbuf_raw(b, num, (size_t)n);
}

void
jbuf_key(struct jbuf *b, const char *key, int first)
{
	if (!first)
		jbuf_raw(b, ",", 1);
	jbuf_cstr(b, key);
	jbuf_raw(b, ":", 1);
}
