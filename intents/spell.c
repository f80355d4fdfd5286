/*
 * spell.c: the catalog's vocabulary and the spelling corrector.  Words are
 * kept sorted for exact look-up and bucketed by length, so a correction
 * compares an unknown word only with known words of nearly its length.
 * Distance is Damerau-Levenshtein (optimal string alignment), cut off as
 * soon as it must exceed the bound.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intents/spell.h"

#define WORD_MAX	48
#define DOUBLES_MAX	2	/* doubled letters a typist may write once */
#define DOUBLES_LEN	6	/* shortest word read that way */
#define KEEP_FIRST_BELOW 6	/* a word shorter keeps its first letter when
				   corrected ("chat" is not "that") */
#define SPELL_TRIES	16	/* unknown words looked up per message: bounds
				   the cost of a long hostile text */
#define MEMO_SLOTS	512	/* unknown words whose look-up is kept */

/* An unknown word and its nearest known word (NULL: none), as nearest()
 * found it: a pure function of the vocabulary and the word, so that a
 * word seen again costs one hash.  The slot is the word's hash; a new
 * word takes it over. */
struct memo {
	char		 word[WORD_MAX + 1];	/* "" while unused */
	const char	*nearest;
};

struct vocab {
	char	**words;	/* sorted, unique */
	size_t	  n, cap;
	unsigned *count;	/* times each word was added, parallel to
				   words[]: how much the catalog uses it */
	size_t	  bylen[WORD_MAX + 2];	/* first index of each length in
					   lenorder[] */
	size_t	 *lenorder;	/* indexes into words[], by length */
	unsigned *mask;		/* letters present, parallel to lenorder */
	/* byfirst[len][c]: first index in lenorder[] of the words of LEN
	 * letters that start with 'a' + c or a later letter (c == 26: the
	 * end of the length's group).  A group is in alphabetical order,
	 * so the words of one first letter are a run of it. */
	size_t	  byfirst[WORD_MAX + 1][27];
	/* MEMO_SLOTS look-ups, from vocab_finish; written by vocab_correct,
	 * which makes it non-reentrant for one vocabulary (as intents_match
	 * is for its catalog) */
	struct memo *memo;
};

struct vocab *
vocab_new(void)
{
	return calloc(1, sizeof(struct vocab));
}

void
vocab_free(struct vocab *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++)
		free(v->words[i]);
	free(v->words);
	free(v->count);
	free(v->lenorder);
	free(v->mask);
	free(v->memo);
	free(v);
}

size_t
vocab_size(const struct vocab *v)
{
	return v->n;
}

static int
add_word(struct vocab *v, const char *w, size_t len)
{
	char **nw;

	if (len < 2 || len > WORD_MAX)
		return 0;
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 256;
		if ((nw = realloc(v->words, v->cap * sizeof(*nw))) == NULL)
			return -1;
		v->words = nw;
	}
	if ((v->words[v->n] = strndup(w, len)) == NULL)
		return -1;
	v->n++;
	return 0;
}

int
vocab_add_text(struct vocab *v, const char *text)
{
	const char *p = text, *s;

	while (*p) {
		while (*p && !(*p >= 'a' && *p <= 'z'))
			p++;
		s = p;
		while (*p >= 'a' && *p <= 'z')
			p++;
		/* only purely alphabetic words: no digits, no UTF-8 */
		if (p > s && (*p == '\0' || *p == ' ') &&
		    (s == text || s[-1] == ' '))
			if (add_word(v, s, (size_t)(p - s)) == -1)
				return -1;
		while (*p && *p != ' ')
			p++;
	}
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* qsort's comparison cannot take an argument: the vocabulary being
 * sorted, one per thread (a reload builds its content on a thread of its
 * own, while --check or a test may build another) */
static _Thread_local const struct vocab *sort_vocab;

static int
cmp_len(const void *a, const void *b)
{
	size_t la = strlen(sort_vocab->words[*(const size_t *)a]);
	size_t lb = strlen(sort_vocab->words[*(const size_t *)b]);

	if (la != lb)
		return la < lb ? -1 : 1;
	return (*(const size_t *)a < *(const size_t *)b) ? -1 : 1;
}

/* The set of letters in W, one bit each. */
static unsigned
letters(const char *w)
{
	unsigned m = 0;

	for (; *w; w++)
		if (*w >= 'a' && *w <= 'z')
			m |= 1u << (*w - 'a');
	return m;
}

void
vocab_finish(struct vocab *v)
{
	size_t i, j, len, c;

	if (v->n > 0)
		qsort(v->words, v->n, sizeof(char *), cmp_str);
	free(v->count);
	if ((v->count = calloc(v->n ? v->n : 1, sizeof(unsigned))) == NULL) {
		free(v->lenorder);
		v->lenorder = NULL;	/* vocab_correct then corrects nothing */
		return;
	}
	for (i = j = 0; i < v->n; i++) {
		if (j > 0 && strcmp(v->words[j - 1], v->words[i]) == 0) {
			free(v->words[i]);
			v->count[j - 1]++;
			continue;
		}
		v->count[j] = 1;
		v->words[j++] = v->words[i];
	}
	v->n = j;
	free(v->lenorder);
	v->lenorder = malloc((v->n ? v->n : 1) * sizeof(size_t));
	if (v->lenorder == NULL)
		return;
	for (i = 0; i < v->n; i++)
		v->lenorder[i] = i;
	sort_vocab = v;
	qsort(v->lenorder, v->n, sizeof(size_t), cmp_len);
	sort_vocab = NULL;
	free(v->mask);
	if ((v->mask = calloc(v->n ? v->n : 1, sizeof(unsigned))) == NULL) {
		free(v->lenorder);
		v->lenorder = NULL;
		return;
	}
	for (i = 0; i < v->n; i++)
		v->mask[i] = letters(v->words[v->lenorder[i]]);
	for (len = 0, i = 0; len <= WORD_MAX + 1; len++) {
		while (i < v->n && strlen(v->words[v->lenorder[i]]) < len)
			i++;
		v->bylen[len] = i;
	}
	for (len = 0; len <= WORD_MAX; len++)
		for (c = 0, i = v->bylen[len]; c <= 26; c++) {
			while (i < v->bylen[len + 1] &&
			    v->words[v->lenorder[i]][0] < 'a' + (int)c)
				i++;
			v->byfirst[len][c] = c == 26 ? v->bylen[len + 1] : i;
		}
	/* none is kept without it: nearest() is then asked each time */
	free(v->memo);
	v->memo = calloc(MEMO_SLOTS, sizeof(*v->memo));
}

static int
known(const struct vocab *v, const char *w)
{
	return bsearch(&w, v->words, v->n, sizeof(char *), cmp_str) != NULL;
}

/*
 * Optimal string alignment distance, or MAX+1 once it must exceed MAX.
 * Only the cells within MAX of the diagonal are worked out: any other is
 * more than MAX already, and with every cell capped at MAX+1 (the cells
 * around the band read as MAX+1) the values up to MAX come out the same.
 */
static size_t
distance(const char *a, size_t la, const char *b, size_t lb, size_t max)
{
	size_t d[WORD_MAX + 1][WORD_MAX + 1];
	size_t i, j, lo, hi, best, cap = max + 1;

	if ((la > lb ? la - lb : lb - la) > max)
		return cap;
	for (j = 0; j <= lb && j <= cap; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		lo = i > max ? i - max : 1;
		hi = i + max < lb ? i + max : lb;
		d[i][lo - 1] = lo == 1 && i < cap ? i : cap;
		best = d[i][lo - 1];
		for (j = lo; j <= hi; j++) {
			size_t cost = (a[i - 1] == b[j - 1]) ? 0 : 1;
			size_t x = d[i - 1][j] + 1, y = d[i][j - 1] + 1;
			size_t z = d[i - 1][j - 1] + cost;

			x = x < y ? x : y;
			x = x < z ? x : z;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < x)
				x = d[i - 2][j - 2] + 1;
			x = x < cap ? x : cap;
			d[i][j] = x;
			if (x < best)
				best = x;
		}
		if (best > max)
			return cap;
		if (hi < lb)	/* what the next row reads past the band */
			d[i][hi + 1] = cap;
	}
	return d[la][lb];
}

/* Whether X has more than K bits set: K of them cleared, lowest first
 * (a plain loop: without -mpopcnt, __builtin_popcount is a library
 * call). */
static int
more_bits(unsigned x, size_t k)
{
	for (; k > 0; k--)
		x &= x - 1;
	return x != 0;
}

/*
 * K (KL letters) with each doubled letter written once, into OUT; its
 * length, or 0 when K has no doubled letter.
 */
static size_t
undouble(const char *k, size_t kl, char *out)
{
	size_t i, n = 0;

	for (i = 0; i < kl; i++)
		if (i == 0 || k[i] != k[i - 1])
			out[n++] = k[i];
	out[n] = '\0';
	return n < kl ? n : 0;
}

/*
 * Distance from W to the known word K, or MAX+1 past MAX.  In a word of
 * DOUBLES_LEN letters or more, a doubled letter typed once is no edit:
 * the commonest slip, and "difrent" is then one edit from "different",
 * not the two that put it out of reach.  A shorter word has too many
 * neighbours ("cats" would be "calls").
 */
static size_t
word_distance(const char *w, size_t len, const char *k, size_t kl,
    size_t max)
{
	char once[WORD_MAX + 1];
	size_t d = max + 1, d2, ol;

	if (kl <= len + max)
		d = distance(w, len, k, kl, max);
	if (d > 0 && len >= DOUBLES_LEN &&
	    (ol = undouble(k, kl, once)) > 0 && ol + max >= len &&
	    ol <= len + max && (d2 = distance(w, len, once, ol, max)) < d)
		d = d2;
	return d;
}

/*
 * How near the known word LI of lenorder[] is to W (letter set M) at
 * distance D, lower is nearer: the distance first; at distance 1 two
 * letters swapped (the same letters, "waht" for "what") beats one letter
 * wrong ("want"); then the word the catalog uses more ("thwn" is "then",
 * not "than").  Equal ranks go to the first in (length, alphabetical)
 * order.
 */
static unsigned long
rank(const struct vocab *v, size_t li, unsigned m, size_t d)
{
	unsigned long r = (unsigned long)d * 2;
	unsigned n = v->count[v->lenorder[li]];

	if (d != 1 || m != v->mask[li])
		r += 1;
	if (n > 0xffffffu)
		n = 0xffffffu;
	return (r << 24) | (0xffffffu - n);
}

/* Nearest known word to W within the bound for its length, or NULL. */
static const char *
nearest(const struct vocab *v, const char *w, size_t len)
{
	size_t max = (len >= 8) ? 2 : 1, lo, hi, i, kl, d;
	const char *best = NULL;
	unsigned long bestr = (unsigned long)-1, r;
	unsigned m = letters(w);

	lo = (len > max) ? len - max : 0;
	/* a longer word may have doubled letters the typist wrote once */
	hi = (len + max + DOUBLES_MAX > WORD_MAX) ? WORD_MAX :
	    len + max + DOUBLES_MAX;
	/* lenorder[] is grouped by length, so each word's length is its
	 * group's; words under 4 letters are never corrected to */
	if (lo < 4)
		lo = 4;
	for (kl = lo; kl <= hi; kl++) {
		size_t from = v->bylen[kl], to = v->bylen[kl + 1];

		/* a short word keeps its first letter: "chat" is not "that";
		 * the words of one first letter are a run of their group */
		if (len < KEEP_FIRST_BELOW) {
			from = v->byfirst[kl][w[0] - 'a'];
			to = v->byfirst[kl][w[0] - 'a' + 1];
		}
		for (i = from; i < to; i++) {
			const char *k;

			/* an edit changes at most two letters of the
			 * letter set */
			if (more_bits(m ^ v->mask[i], 2 * max))
				continue;
			k = v->words[v->lenorder[i]];
			/* a word in -ing names an activity and stays one:
			 * "accounting" is not "accountant" (two edits, both
			 * in the ending) */
			if (len > 5 && memcmp(w + len - 3, "ing", 3) == 0 &&
			    (kl < 3 || memcmp(k + kl - 3, "ing", 3) != 0))
				continue;
			d = word_distance(w, len, k, kl, max);
			if (d > max)
				continue;
			if ((r = rank(v, i, m, d)) < bestr) {
				bestr = r;
				best = k;
			}
		}
	}
	return best;
}

/* nearest(), through the memo when there is one. */
static const char *
nearest_memo(const struct vocab *v, const char *w, size_t len)
{
	struct memo *m;
	uint32_t h = 2166136261u;
	size_t i;

	if (v->memo == NULL)
		return nearest(v, w, len);
	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)w[i]) * 16777619u;
	m = &v->memo[h % MEMO_SLOTS];
	if (memcmp(m->word, w, len + 1) != 0) {
		m->nearest = nearest(v, w, len);
		memcpy(m->word, w, len + 1);
	}
	return m->nearest;
}

static int
upper(char ch)
{
	return ch >= 'A' && ch <= 'Z';
}

static int
letter(char ch)
{
	return upper(ch) || (ch >= 'a' && ch <= 'z');
}

/*
 * Whether the lower-case word W (LEN letters) stands in ORIG, the text as
 * typed, as a name: capitalised ("Paris", not "PARIS"), as a whole word,
 * and not at the start of a sentence.  A name is nobody's misspelling of a
 * catalog word: "to Paris" must not become "to parts".
 */
static int
named(const char *orig, size_t olen, const char *w, size_t len)
{
	size_t i, k, b;

	for (i = 0; i + len <= olen; i++) {
		if (!upper(orig[i]) || (i > 0 && letter(orig[i - 1])) ||
		    (i + len < olen && letter(orig[i + len])))
			continue;
		for (k = 0; k < len; k++)
			if ((orig[i + k] | 0x20) != w[k] ||
			    (k > 0 && upper(orig[i + k])))
				break;
		if (k < len)
			continue;
		/* the sentence's first word is capitalised anyway */
		for (b = i; b > 0 && (orig[b - 1] == ' ' || orig[b - 1] == '"' ||
		    orig[b - 1] == '\'' || orig[b - 1] == '('); b--)
			;
		if (b > 0 && orig[b - 1] != '.' && orig[b - 1] != '!' &&
		    orig[b - 1] != '?' && orig[b - 1] != ':' &&
		    orig[b - 1] != '\n')
			return 1;
	}
	return 0;
}

/* Whether the words before S in TEXT introduce a name: "my name is
 * alice", "a firm called acme", "named bob". */
static int
after_name_cue(const char *text, const char *s)
{
	static const char *const cues[] = { "name is ", "called ", "named " };
	size_t k, n, before = (size_t)(s - text);

	for (k = 0; k < sizeof(cues) / sizeof(cues[0]); k++) {
		n = strlen(cues[k]);
		if (before >= n && memcmp(s - n, cues[k], n) == 0 &&
		    (before == n || s[-(long)n - 1] == ' '))
			return 1;
	}
	return 0;
}

/* What vocab_correct makes of one word. */
enum word_kind {
	WORD_OTHER,	/* short, not all letters, a name, or past the tries */
	WORD_KNOWN,	/* a word of the catalog's (V) */
	WORD_COMMON,	/* known to ALSO only: an everyday word */
	WORD_ALONE,	/* unknown, and no known word near it */
	WORD_NEAR	/* unknown, one known word near it (in *K) */
};

static enum word_kind
word_kind(const struct vocab *v, const struct vocab *also, const char *text,
    const char *s, size_t len, const char *orig, size_t olen, size_t *tries,
    const char **k)
{
	char word[WORD_MAX + 1];
	size_t i;

	if (len < 4 || len > WORD_MAX)
		return WORD_OTHER;
	for (i = 0; i < len; i++)
		if (s[i] < 'a' || s[i] > 'z')
			return WORD_OTHER;
	memcpy(word, s, len);
	word[len] = '\0';
	if (known(v, word))
		return WORD_KNOWN;
	if (also != NULL && also->n > 0 && known(also, word))
		return WORD_COMMON;
	if ((*tries)++ >= SPELL_TRIES ||
	    (orig != NULL && named(orig, olen, word, len)) ||
	    after_name_cue(text, s))
		return WORD_OTHER;
	*k = nearest_memo(v, word, len);
	return *k != NULL ? WORD_NEAR : WORD_ALONE;
}

size_t
vocab_correct(const struct vocab *v, const struct vocab *also, char *text,
    size_t size, const char *orig, size_t olen, struct intent_rewrite *rw,
    size_t maxrw)
{
	struct {
		size_t		 off, len;
		const char	*to;
	} fix[SPELL_TRIES];
	size_t n = 0, nfix = 0, alone = 0, tries = 0, i, len, tl, kl;
	long delta = 0;
	int catalog = 0;
	char *p = text, *s;
	const char *k = NULL;

	if (v == NULL || v->lenorder == NULL || v->n == 0)
		return 0;
	while (*p) {
		s = p;
		while (*p && *p != ' ')
			p++;
		len = (size_t)(p - s);
		switch (word_kind(v, also, text, s, len, orig, olen, &tries,
		    &k)) {
		case WORD_KNOWN:
			catalog = 1;
			break;
		case WORD_COMMON:
		case WORD_ALONE:
			alone++;
			break;
		case WORD_NEAR:
			fix[nfix].off = (size_t)(s - text);
			fix[nfix].len = len;
			fix[nfix++].to = k;
			break;
		case WORD_OTHER:
			break;
		}
		while (*p == ' ')
			p++;
	}
	/*
	 * Words of its own rather than misspelt catalog words: none of them
	 * the catalog's, and the others, everyday words and words near no
	 * known one, two or more and more than those near a catalog word
	 * ("purple monkey dishwasher" is not about money, while "comunication
	 * gaps" is still communication).
	 */
	if (!catalog && alone >= 2 && alone > nfix)
		return 0;
	for (i = 0; i < nfix; i++) {
		s = text + (long)fix[i].off + delta;
		len = fix[i].len;
		kl = strlen(fix[i].to);
		tl = strlen(text);
		if (tl - len + kl + 1 > size)
			break;
		if (n < maxrw) {
			snprintf(rw[n].from, sizeof(rw[n].from), "%.*s",
			    (int)len, s);
			snprintf(rw[n].to, sizeof(rw[n].to), "%s", fix[i].to);
		}
		memmove(s + kl, s + len, strlen(s + len) + 1);
		memcpy(s, fix[i].to, kl);
		delta += (long)kl - (long)len;
		n++;
	}
	return n < maxrw ? n : maxrw;
}
