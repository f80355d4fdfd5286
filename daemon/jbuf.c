/*
 * jbuf.c: JSON output buffer.  Strings are escaped per RFC 8259: quote,
 * backslash and control characters; bytes that are not valid UTF-8 become
 * U+FFFD so that every frame we send is valid text.
 */
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "daemon/jbuf.h"
#include "daemon/utf8.h"

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

/* Bytes copied as they are inside a JSON string: printable ASCII but the
 * quote and the backslash. */
static const unsigned char plain[256] = {
	[0x20] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x30] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x40] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x50] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	[0x60] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x70] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/* Whether any of the eight bytes in V is not plain: below 0x20, a quote,
 * a backslash, or 0x80 and up.  Each term is the usual "some byte is
 * zero" (or "is below N") test, which is exact as to whether any is. */
static int
special8(uint64_t v)
{
	const uint64_t ones = 0x0101010101010101u, high = ones << 7;
	uint64_t q = v ^ (ones * '"'), b = v ^ (ones * '\\');

	return (((v - ones * 0x20) & ~v) | ((q - ones) & ~q) |
	    ((b - ones) & ~b) | v) & high ? 1 : 0;
}

#ifdef __SSE2__
/* The bytes of V that are not plain, one bit each: below 0x20 or 0x80
 * and up (both below 0x20 as signed bytes), a quote or a backslash. */
static unsigned
special16(__m128i v)
{
	__m128i x = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
	    _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
	    _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));

	return (unsigned)_mm_movemask_epi8(x);
}
#endif

/*
 * Every reply's text goes through here.  Room for the worst case (six
 * bytes out for one in) is made once, then the string is written straight
 * into the buffer, plain runs found through the table above.  With SSE2
 * (every x86-64) sixteen bytes are copied at a time up to the first that
 * is not plain: a block is stored whole before it is judged, which the
 * room made for the worst case allows.
 */
void
jbuf_str(struct jbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run, l;
	char *o;

	if (n > (SIZE_MAX - 3) / 6 || grow(b, 6 * n + 2) == -1) {
		b->oom = 1;
		return;
	}
	o = b->mem + b->pre + b->len;
	*o++ = '"';
	while (i < n) {
#ifdef __SSE2__
		for (; i + 16 <= n; i += 16, o += 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const
			    void *)(p + i));
			unsigned sp = special16(v);

			_mm_storeu_si128((__m128i *)(void *)o, v);
			if (sp != 0) {
				/* the plain bytes before the first other */
				while ((sp & 1) == 0) {
					sp >>= 1;
					i++;
					o++;
				}
				break;
			}
		}
#endif
		/* eight plain bytes at a time, the common case */
		for (; i + 8 <= n; i += 8, o += 8) {
			uint64_t v;

			memcpy(&v, p + i, 8);
			if (special8(v))
				break;
			memcpy(o, p + i, 8);
		}
		if (i == n)
			break;
		for (run = i; run < n && plain[p[run]]; run++)
			;
		if (run > i) {
			memcpy(o, s + i, run - i);
			o += run - i;
			i = run;
			continue;
		}
		if (p[i] == '"' || p[i] == '\\') {
			*o++ = '\\';
			*o++ = (char)p[i++];
		} else if (p[i] < 0x20) {
			*o++ = '\\';
			switch (p[i]) {
			case '\n': *o++ = 'n'; break;
			case '\r': *o++ = 'r'; break;
			case '\t': *o++ = 't'; break;
			default:
				memcpy(o, "u00", 3);
				o[3] = hex[p[i] >> 4];
				o[4] = hex[p[i] & 15];
				o += 5;
			}
			i++;
		} else if ((l = utf8_char_len(p + i, n - i)) > 0) {
			memcpy(o, s + i, l);
			o += l;
			i += l;
		} else {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	*o++ = '"';
	*o = '\0';
	b->len = (size_t)(o - (b->mem + b->pre));
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
	char num[24], *p = num + sizeof(num);
	/* the magnitude as unsigned: -INT64_MIN does not fit an int64_t */
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	/* every reply carries ids and times: no snprintf for them */
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	jbuf_raw(b, p, (size_t)(num + sizeof(num) - p));
}

/* Keys are nearly always plain names: those go in with one copy. */
void
jbuf_key(struct jbuf *b, const char *key, int first)
{
	size_t n = strlen(key), i;
	char *o;

	for (i = 0; i < n && plain[(unsigned char)key[i]]; i++)
		;
	if (i < n) {
		if (!first)
			jbuf_raw(b, ",", 1);
		jbuf_str(b, key, n);
		jbuf_raw(b, ":", 1);
		return;
	}
	if (grow(b, n + 4) == -1)
		return;
	o = b->mem + b->pre + b->len;
	if (!first)
		*o++ = ',';
	*o++ = '"';
	memcpy(o, key, n);
	o += n;
	*o++ = '"';
	*o++ = ':';
	*o = '\0';
	b->len = (size_t)(o - (b->mem + b->pre));
}
