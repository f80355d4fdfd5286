/*
 * normalize.c: canonical form of a message.  ASCII letters are folded to
 * lower case, any other ASCII punctuation becomes a space (apostrophes are
 * dropped inside words so "what's" and "whats" meet), runs of spaces
 * collapse, and a short table spells out contractions.  E-mail and web
 * addresses are left out.  Letters beyond ASCII are kept as they are, so
 * UTF-8 text survives untouched; symbols beyond ASCII (emoji, dingbats,
 * typographic punctuation) are punctuation too: "Hello \U0001F44B" is
 * "hello".
 */
#include <string.h>
#include <strings.h>

#include "intents/normalize.h"

/* Contractions after apostrophes are removed: "what's" is "whats" here. */
#define C(from, to)	{ from, to, sizeof(from) - 1, sizeof(to) - 1 }
static const struct {
	const char *from, *to;
	size_t flen, tlen;
} contractions[] = {
	C("whats", "what is"), C("wats", "what is"), C("wat", "what"),
	C("wht", "what"), C("wots", "what is"), C("hows", "how is"),
	C("wheres", "where is"), C("whos", "who is"), C("thats", "that is"),
	C("its", "it is"), C("isnt", "is not"), C("arent", "are not"),
	C("dont", "do not"), C("doesnt", "does not"), C("didnt", "did not"),
	C("cant", "can not"), C("cannot", "can not"), C("wont", "will not"),
	C("im", "i am"), C("ive", "i have"), C("youre", "you are"),
	C("theyre", "they are"), C("whatre", "what are"), C("whys", "why is"),
	C("u", "you"), C("r", "are"), C("pls", "please"), C("plz", "please"),
	C("thx", "thanks"), C("ty", "thank you"), C("vs", "versus"),
	C("v", "versus"), C("diff", "difference"), C("btw", "by the way"),
	C("wanna", "want to"), C("gonna", "going to"),
	/* chat shorthand */
	C("ppl", "people"), C("abt", "about"), C("ur", "your"),
	C("cuz", "because"), C("coz", "because"), C("thnx", "thanks"),
	C("thanx", "thanks"),
};
#undef C
#define CONTRACTION_MAX	6	/* the longest `from` above */

static int
is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* Append WORD (LEN bytes) to OUT, spelling out a contraction. */
static size_t
emit_word(const char *word, size_t len, char *out, size_t o, size_t size)
{
	size_t i, n;

	/* most words are longer than any contraction; of the rest, the
	 * first letter rules out nearly every entry */
	for (i = 0; len <= CONTRACTION_MAX &&
	    i < sizeof(contractions) / sizeof(contractions[0]); i++) {
		if (contractions[i].flen == len &&
		    contractions[i].from[0] == word[0] &&
		    memcmp(contractions[i].from, word, len) == 0) {
			word = contractions[i].to;
			len = contractions[i].tlen;
			break;
		}
	}
	n = (o > 0) ? len + 1 : len;
	if (o + n + 1 > size)
		return o;
	if (o > 0)
		out[o++] = ' ';
	memcpy(out + o, word, len);
	return o + len;
}

/* Length of the valid UTF-8 sequence at S (N bytes left), 0 if invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t k, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		k = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		k = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;	/* no surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		k = 4;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (k > n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < k; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return k;
}

/* Whether the K-byte UTF-8 character at S is a symbol, not a letter: the
 * Latin-1 signs and punctuation, general punctuation, arrows to dingbats
 * and other pictographs, variation selectors, and the emoji planes. */
static int
symbol(const unsigned char *s, size_t k)
{
	unsigned long cp;

	if (k == 2)
		cp = (unsigned long)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	else if (k == 3)
		cp = (unsigned long)(s[0] & 0x0f) << 12 |
		    (unsigned long)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
	else
		cp = (unsigned long)(s[0] & 0x07) << 18 |
		    (unsigned long)(s[1] & 0x3f) << 12 |
		    (unsigned long)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
	return (cp >= 0xa0 && cp <= 0xbf) || cp == 0xd7 || cp == 0xf7 ||
	    (cp >= 0x2000 && cp <= 0x206f) || (cp >= 0x2190 && cp <= 0x2bff) ||
	    (cp >= 0x3000 && cp <= 0x303f) || (cp >= 0xfe00 && cp <= 0xfe0f) ||
	    (cp >= 0x1f000 && cp <= 0x1faff) || (cp >= 0xe0000 && cp <= 0xe007f);
}

/*
 * The output is always valid UTF-8 (invalid bytes become word breaks), so
 * the matcher may skip its own UTF check.
 */
static int
space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * The end of the e-mail address or web address that starts at IN[I] (a
 * run of bytes up to the next space), or I if it is neither.  Addresses
 * say nothing about what is asked, and their words would be matched and
 * spell-corrected like any other: "write to joe@example.org, what is kpo"
 * had asked for examples.
 */
static size_t
address_end(const char *in, size_t len, size_t i)
{
	size_t e, at = 0, dot = 0, k;
#define S(s)	{ s, sizeof(s) - 1 }
	static const struct {
		const char	*s;
		size_t		 len;
	} schemes[] = { S("http://"), S("https://"), S("www.") };
#undef S

	for (e = i; e < len && !space((unsigned char)in[e]); e++) {
		if (in[e] == '@' && at == 0 && e > i)
			at = e;
		else if (in[e] == '.' && at != 0 && e > at + 1 && e + 1 < len &&
		    !space((unsigned char)in[e + 1]))
			dot = e;
	}
	if (at != 0 && dot != 0)
		return e;
	for (k = 0; k < sizeof(schemes) / sizeof(schemes[0]); k++)
		if (e - i > schemes[k].len &&
		    strncasecmp(in + i, schemes[k].s, schemes[k].len) == 0)
			return e;
	return i;
}

size_t
text_normalize(const char *in, size_t len, char *out, size_t size)
{
	char word[256];
	size_t i, w = 0, o = 0, k;

	if (size == 0)
		return 0;
	for (i = 0; i <= len; i++) {
		unsigned char c;

		/* an address is left out, as if it were a space */
		if (i < len && (i == 0 || space((unsigned char)in[i - 1])))
			i = address_end(in, len, i);
		c = (i < len) ? (unsigned char)in[i] : ' ';

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (c == '\'' || c == 0x60)
			continue;	/* what's -> whats */
		if (c == 0xe2 && i + 2 < len && (unsigned char)in[i + 1] == 0x80 &&
		    ((unsigned char)in[i + 2] == 0x98 ||
		    (unsigned char)in[i + 2] == 0x99)) {
			i += 2;		/* typographic apostrophe */
			continue;
		}
		if (c >= 0x80 && (k = utf8_len((const unsigned char *)in + i,
		    len - i)) > 0 && symbol((const unsigned char *)in + i, k)) {
			i += k - 1;
			c = ' ';	/* a break, like ASCII punctuation */
		} else if (c >= 0x80 && k > 0) {
			if (w + k <= sizeof(word))	/* whole characters */
				memcpy(word + w, in + i, k);
			w += w + k <= sizeof(word) ? k : 0;
			i += k - 1;
			continue;
		}
		if (c < 0x80 && is_word_byte(c)) {
			if (w < sizeof(word))
				word[w++] = (char)c;
			continue;
		}
		if (w > 0) {
			o = emit_word(word, w, out, o, size);
			w = 0;
		}
	}
	out[o] = '\0';
	return o;
}
