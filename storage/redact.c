/*
 * redact.c: finds e-mail addresses and phone numbers with a hand-written
 * scanner (no regex engine in the storage module) and masks them.  A phone
 * number is a run of at least 7 digits, possibly with a leading +, spaces,
 * dots, dashes and parentheses between them; shorter digit runs (years,
 * company sizes, prices) are left alone, and a longer one is cut at a
 * space (two numbers typed one after the other).  A run of 13 to 19
 * digits whose check digit is right (Luhn, as every payment card has) is
 * a card number, masked whole as "[card]"; a run longer than 15 digits
 * that no space divides into numbers is masked as "[number]" (an account
 * or card number that fails the check is still no one's business in a
 * log).
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "storage/redact.h"

static int
local_char(int c)
{
	return isalnum(c) || strchr("._%+-", c) != NULL;
}

static int
domain_char(int c)
{
	return isalnum(c) || c == '-' || c == '.';
}

/* Replace S[from, to) with WORD; returns the index after it. */
static size_t
mask(char *s, size_t from, size_t to, const char *word)
{
	size_t wl = strlen(word);

	/* move the tail first: the mask may be longer than what it hides */
	memmove(s + from + wl, s + to, strlen(s + to) + 1);
	memcpy(s + from, word, wl);
	return from + wl;
}

static size_t
emails(char *s)
{
	size_t n = 0, i, a, b, e;

	for (i = 0; s[i]; i++) {
		int dot = 0;

		if (s[i] != '@')
			continue;
		for (a = i; a > 0 && local_char((unsigned char)s[a - 1]); a--)
			;
		for (b = i + 1; domain_char((unsigned char)s[b]); b++)
			if (s[b] == '.')
				dot = 1;
		e = b;
		while (e > i + 1 && (s[e - 1] == '.' || s[e - 1] == '-'))
			e--;	/* sentence punctuation after the address */
		if (a == i || e <= i + 1 || !dot || s[e - 1] == '@')
			continue;
		i = mask(s, a, e, "[email]") - 1;
		n++;
	}
	return n;
}

/* Where the first number of the run S[from, to) ends if the run is cut
 * at a space: the last digit before a space with 7 to 15 digits up to
 * it; FROM when no cut gives one. */
static size_t
split(const char *s, size_t from, size_t to)
{
	size_t j, digits = 0, cut = from;

	for (j = from; j < to && digits <= 15; j++) {
		if (isdigit((unsigned char)s[j]))
			digits++;
		if (digits >= 7 && digits <= 15 && isdigit((unsigned char)s[j])
		    && s[j + 1] == ' ')
			cut = j + 1;
	}
	return cut;
}

/* Whether the digits of S[from, to) pass the Luhn check: from the last
 * digit leftwards, every second one doubled (less 9 past 9), the sum a
 * multiple of 10. */
static int
luhn(const char *s, size_t from, size_t to)
{
	unsigned sum = 0, k = 0, d;
	size_t j;

	for (j = to; j > from; j--) {
		if (!isdigit((unsigned char)s[j - 1]))
			continue;
		d = (unsigned)(s[j - 1] - '0');
		if (k++ % 2 == 1)
			d = d * 2 > 9 ? d * 2 - 9 : d * 2;
		sum += d;
	}
	return sum % 10 == 0;
}

/* Whether S[from, to) is written as a card number is: digits in groups
 * divided by spaces or dashes, with no "+" or brackets (a phone number's
 * country code or area code). */
static int
card_shaped(const char *s, size_t from, size_t to)
{
	size_t j;

	for (j = from; j < to; j++)
		if (!isdigit((unsigned char)s[j]) && s[j] != ' ' &&
		    s[j] != '-')
			return 0;
	return 1;
}

static size_t
phones(char *s)
{
	size_t n = 0, i = 0, j, end, digits, cut;

	while (s[i]) {
		if (!(isdigit((unsigned char)s[i]) || (s[i] == '+' &&
		    isdigit((unsigned char)s[i + 1])) || (s[i] == '(' &&
		    isdigit((unsigned char)s[i + 1])))) {
			i++;
			continue;
		}
		if (i > 0 && isalnum((unsigned char)s[i - 1])) {
			/* digits inside a word ("b2b", "alert(1)") are not a
			 * phone number; always move on, or "x(1)" loops */
			i++;
			while (isalnum((unsigned char)s[i]))
				i++;
			continue;
		}
		digits = 0;
		end = i;
		for (j = i; s[j] && (isdigit((unsigned char)s[j]) ||
		    strchr("+ .-()", s[j]) != NULL); j++) {
			if (isdigit((unsigned char)s[j])) {
				digits++;
				end = j + 1;
			}
			if (s[j] == ' ' && s[j + 1] == ' ')
				break;
		}
		/* more than a number can hold: two typed one after the other
		 * ("0612345678 0698765432"), each masked on its own, the
		 * first up to the last space that leaves it 15 digits or
		 * fewer */
		if (digits >= 13 && digits <= 19 && card_shaped(s, i, end) &&
		    luhn(s, i, end) && !isalpha((unsigned char)s[end])) {
			i = mask(s, i, end, "[card]");
			n++;
			continue;
		}
		cut = digits > 15 ? split(s, i, end) : i;
		if (cut > i)
			end = cut;
		if ((cut > i || (digits >= 7 && digits <= 15)) &&
		    !isalpha((unsigned char)s[end])) {
			i = mask(s, i, end, "[phone]");
			n++;
		} else if (digits > 15 && !isalpha((unsigned char)s[end])) {
			i = mask(s, i, end, "[number]");
			n++;
		} else
			i = end > i ? end : i + 1;
	}
	return n;
}

/*
 * Most texts hold no '@' and fewer than 7 digits, so nothing can match:
 * one pass over the bytes settles that before the scanners run, eight at
 * a time.  In X = byte ^ '0' a digit is 0..9; adding 0x76 to the low seven
 * bits of each byte sets its top bit exactly when that is 10 or more, and
 * no byte carries into the next.  The digit bytes' top bits are summed by
 * one multiplication (at most 8, so no byte overflows).  With SSE2 (every
 * x86-64) sixteen bytes go at a time first: a digit is a byte that, less
 * '0', is below 10 as unsigned, compared as signed once its top bit is
 * flipped; the digits of each block are added up by _mm_sad_epu8.
 */
static void
candidates(const char *s, int *at, int *digits)
{
	const uint64_t ones = 0x0101010101010101u, high = ones << 7;
	size_t n = strlen(s), i = 0;
	int d = 0, a = 0;
#ifdef __SSE2__
	const __m128i zero = _mm_setzero_si128(), one = _mm_set1_epi8(1);
	const __m128i c0 = _mm_set1_epi8('0'), flip = _mm_set1_epi8(-128);
	const __m128i c10 = _mm_set1_epi8(-128 + 10), c_at = _mm_set1_epi8('@');
	__m128i sum = zero, ats = zero;

	for (; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)
		    (s + i));
		__m128i dg = _mm_cmplt_epi8(_mm_xor_si128(_mm_sub_epi8(v, c0),
		    flip), c10);

		sum = _mm_add_epi64(sum, _mm_sad_epu8(_mm_and_si128(dg, one),
		    zero));
		ats = _mm_or_si128(ats, _mm_cmpeq_epi8(v, c_at));
	}
	d = _mm_cvtsi128_si32(sum) + _mm_cvtsi128_si32(_mm_srli_si128(sum, 8));
	a = _mm_movemask_epi8(ats) != 0;
#endif
	for (; i + 8 <= n; i += 8) {
		uint64_t v, x, ten, t;

		memcpy(&v, s + i, 8);
		x = v ^ (ones * '0');
		ten = (x & ~high) + ones * 0x76;
		d += (int)((((~(ten | x) & high) >> 7) * ones) >> 56);
		t = v ^ (ones * '@');
		a |= ((t - ones) & ~t & high) != 0;
	}
	for (; i < n; i++) {
		if (s[i] == '@')
			a = 1;
		else if ((unsigned char)(s[i] - '0') <= 9)
			d++;
	}
	*at = a;
	*digits = d;
}

size_t
redact(char *s)
{
	size_t n = 0;
	int at, digits;

	candidates(s, &at, &digits);
	if (at)
		n += emails(s);
	if (digits >= 7)
		n += phones(s);
	return n;
}
