/*
 * prefilter.c: required-literal analysis of PCRE2 patterns and a hashed
 * literal index.
 *
 * The analysis walks the pattern syntax (groups, alternation, classes,
 * escapes, quantifiers) and computes, for each part, a set of literals one
 * of which any match must contain: a concatenation needs every part, so it
 * takes the most selective part's set; an alternation needs one branch, so
 * it takes the union (or nothing, if one branch has no set); anything that
 * may repeat zero times needs nothing.  Unknown syntax gives "no set", which
 * only makes the pattern run always: the filter never hides a match.
 *
 * Literals are indexed by their first (up to) three bytes; a scan looks up
 * each position of the message with keys of one, two and three bytes.
 *
 * A literal the pattern puts between word boundaries ("\bai\b", or a
 * whole branch of "\b(?:ai|rpa)\b") is indexed with them, and a scan
 * counts it only where the message has them too: "ai" found inside
 * "said" or "explain" does not run the pattern.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "intents/prefilter.h"

#define LIT_MAX		32	/* bytes kept of a literal (a prefix still holds) */
#define SET_MAX		96	/* literals per set, beyond that: no set */
#define NBUCKET		4096
#define KEY_MAX		3

/* What is known of a literal's place in its part of the pattern. */
#define F_WHOLE		1	/* it is all that the part matches */
#define F_LB		2	/* a word boundary comes just before it */
#define F_RB		4	/* a word boundary comes just after it */

struct lit {
	char	 s[LIT_MAX];
	size_t	 len;
	unsigned flags;		/* F_LB, F_RB: checked by the scan */
	size_t	*pids;
	size_t	 npids;
	size_t	 next;		/* chain in the bucket, or (size_t)-1 */
};

struct prefilter {
	struct lit	*lits;
	size_t		 n, cap;
	size_t		 bucket[NBUCKET];
};

/* A set of literals under construction; none = no requirement known. */
struct set {
	int	 none;
	size_t	 n;
	char	 s[SET_MAX][LIT_MAX];
	size_t	 len[SET_MAX];
	unsigned flags[SET_MAX];	/* F_* of each literal */
};

struct parser {
	const char	*p;
	int		 depth;
	int		 bad;	/* syntax not understood: no filter at all */
};

#define NOLIT	((size_t)-1)

struct prefilter *
prefilter_new(void)
{
	struct prefilter *f;
	size_t i;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	for (i = 0; i < NBUCKET; i++)
		f->bucket[i] = NOLIT;
	return f;
}

void
prefilter_free(struct prefilter *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++)
		free(f->lits[i].pids);
	free(f->lits);
	free(f);
}

size_t
prefilter_literals(const struct prefilter *f)
{
	return f->n;
}

/* A literal's bucket: FNV-1a of its first K bytes (its key), folded
 * with K.  HASH_STEP adds one byte, so that a scan extends the hash of a
 * position's one-byte key to its two- and three-byte ones. */
#define HASH_INIT		((size_t)2166136261u)
#define HASH_STEP(h, c)		(((h) ^ (unsigned char)(c)) * 16777619u)
#define HASH_BUCKET(h, k)	(((h) ^ (k)) & (NBUCKET - 1))

static size_t
hash(const char *s, size_t k)
{
	size_t h = HASH_INIT, i;

	for (i = 0; i < k; i++)
		h = HASH_STEP(h, s[i]);
	return HASH_BUCKET(h, k);
}

/* Score of a set: longer shortest literal and fewer literals is better. */
static long
score(const struct set *s)
{
	size_t i, minlen = LIT_MAX;

	if (s->none || s->n == 0)
		return -1;
	for (i = 0; i < s->n; i++)
		if (s->len[i] < minlen)
			minlen = s->len[i];
	return (long)minlen * 1000 - (long)s->n;
}

static void
set_one(struct set *s, const char *lit, size_t len, unsigned flags)
{
	if (len > LIT_MAX)
		len = LIT_MAX;
	s->none = 0;
	s->n = 1;
	memcpy(s->s[0], lit, len);
	s->len[0] = len;
	s->flags[0] = flags;
}

/* A byte that \b counts as part of a word (PCRE2 without UCP: ASCII). */
static int
word_byte(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/* A part that a word boundary precedes (LB) or follows (RB): its whole
 * literals get that boundary, where the literal's own first (last) byte
 * is a word byte, so that the boundary means a non-word byte beside it. */
static void
set_bound(struct set *s, int lb, int rb)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (!(s->flags[i] & F_WHOLE))
			continue;
		if (lb && word_byte((unsigned char)s->s[i][0]))
			s->flags[i] |= F_LB;
		if (rb && s->len[i] < LIT_MAX &&
		    word_byte((unsigned char)s->s[i][s->len[i] - 1]))
			s->flags[i] |= F_RB;
	}
}

/* The part is not all of its sequence: its literals are no longer whole. */
static void
set_part(struct set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		s->flags[i] &= ~(unsigned)F_WHOLE;
}

/* Keep the better of BEST and CAND in BEST. */
static void
keep_best(struct set *best, const struct set *cand)
{
	if (score(cand) > score(best))
		memcpy(best, cand, sizeof(*best));
}

static void	parse_alt(struct parser *, struct set *);

/* Skip a quantifier at P; report its minimum.  Returns 1 if there was one. */
static int
quantifier(struct parser *ps, unsigned *min)
{
	const char *p = ps->p;

	if (*p == '?' || *p == '*') {
		*min = 0;
		p++;
	} else if (*p == '+') {
		*min = 1;
		p++;
	} else if (*p == '{' && p[1] >= '0' && p[1] <= '9') {
		const char *q = p + 1;
		unsigned m = 0;

		while (*q >= '0' && *q <= '9')
			m = m * 10 + (unsigned)(*q++ - '0');
		if (*q == ',')
			while (*++q >= '0' && *q <= '9')
				;
		if (*q != '}')
			return 0;	/* a literal brace */
		*min = m;
		p = q + 1;
	} else
		return 0;
	if (*p == '?' || *p == '+')
		p++;		/* lazy or possessive */
	ps->p = p;
	return 1;
}

/* Skip a character class starting at '['. */
static void
skip_class(struct parser *ps)
{
	const char *p = ps->p + 1;

	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	while (*p && *p != ']') {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '[' && (p[1] == ':' || p[1] == '.' ||
		    p[1] == '=')) {
			/* a POSIX [:name:] only if it is well formed */
			const char *e = p + 2;

			while (*e >= 'a' && *e <= 'z')
				e++;
			if (e > p + 2 && e[0] == p[1] && e[1] == ']')
				p = e + 1;
		}
		p++;
	}
	ps->p = *p ? p + 1 : p;
}

/* Skip to just past the byte CLOSE, if there is one before the end. */
static const char *
skip_past(const char *p, char close)
{
	const char *e = strchr(p, close);

	return e ? e + 1 : p + strlen(p);
}

/* Skip an escape starting at '\'; returns the literal byte it stands for,
 * or -1 when it is a class, an anchor, a reference or anything else. */
static int
escape(struct parser *ps)
{
	const char *p = ps->p + 1;
	int c = (unsigned char)*p, i;

	if (c == '\0') {
		ps->p = p;
		return -1;
	}
	p++;
	ps->p = p;
	if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9')))
		return c >= 0x80 ? -1 : c;	/* escaped punctuation */
	switch (c) {
	case 'x':	/* \x{hh..} or \xhh */
		if (*p == '{')
			ps->p = skip_past(p, '}');
		else
			for (i = 0; i < 2 && isxdigit((unsigned char)*ps->p);
			    i++)
				ps->p++;
		break;
	case 'o': case 'N':
		if (*p == '{')
			ps->p = skip_past(p, '}');
		break;
	case 'p': case 'P':
		if (*p == '{')
			ps->p = skip_past(p, '}');
		else if (*p)
			ps->p++;
		break;
	case 'c':	/* \cX: a control character */
		if (*p)
			ps->p++;
		break;
	case 'g': case 'k':	/* references and subroutine calls */
		ps->bad = 1;
		break;
	case 'Q':
		p = strstr(p, "\\E");
		ps->p = p ? p + 2 : ps->p + strlen(ps->p);
		break;
	default:
		if (c >= '1' && c <= '9')
			ps->bad = 1;	/* back reference */
		while (c >= '0' && c <= '9' && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
		break;
	}
	return -1;
}

/* A concatenation, up to '|', ')' or the end.  Each part that consumes
 * text (a run of literal bytes, a group, a class, an escape) is a
 * candidate; a part's literals are held back one token (PEND), until it
 * is known whether a \b follows it. */
static void
parse_seq(struct parser *ps, struct set *best)
{
	char run[LIT_MAX];
	size_t rlen = 0;
	struct set *cand, *pend;
	unsigned min, nparts = 0;
	int wb = 0;		/* the token just before was \b */
	int run_lb = 0;		/* a \b came just before the run */
	int havepend = 0;

	best->none = 1;
	best->n = 0;
	cand = malloc(sizeof(*cand));
	pend = malloc(sizeof(*pend));
	if (cand == NULL || pend == NULL) {
		free(cand);
		free(pend);
		return;
	}
	/* End the pending part; RB: a \b comes next. */
#define KEEP_PEND(rb) do {						\
		if (havepend) {						\
			set_bound(pend, 0, (rb));			\
			keep_best(best, pend);				\
			havepend = 0;					\
		}							\
	} while (0)
	/* End the pending part and the run. */
#define FLUSH(rb) do {							\
		KEEP_PEND(rb);						\
		if (rlen > 0) {						\
			set_one(cand, run, rlen, F_WHOLE);		\
			set_bound(cand, run_lb, (rb));			\
			keep_best(best, cand);				\
			rlen = 0;					\
			nparts++;					\
		}							\
	} while (0)
	while (*ps->p && *ps->p != '|' && *ps->p != ')') {
		int c = (unsigned char)*ps->p;
		int at_wb = c == '\\' && ps->p[1] == 'b';

		if (c == '(') {
			const char *p = ps->p + 1;
			int look = 0, lb = wb;

			FLUSH(0);
			wb = 0;
			nparts++;
			if (*p == '*')
				ps->bad = 1;	/* a verb: (*ACCEPT) and kin */
			if (*p == '*' || (*p == '?' && p[1] == '#')) {
				/* verb or comment: nothing to match */
				const char *e = strchr(p, ')');

				ps->p = e ? e + 1 : p + strlen(p);
				continue;
			}
			if (*p == '?' && ((p[1] >= 'a' && p[1] <= 'z') ||
			    p[1] == '-' || p[1] == '^')) {
				/* option setting (?i) or group (?i:...) */
				const char *e = p + 1;

				while (*e && *e != ')' && *e != ':')
					if (*e++ == 'x')
						ps->bad = 1;	/* extended */
				if (*e == ':') {
					ps->p = e + 1;
					goto group;
				}
				ps->p = *e ? e + 1 : e;
				continue;
			}
			if (*p == '?') {
				if (p[1] == '=' || p[1] == '!' ||
				    (p[1] == '<' && (p[2] == '=' || p[2] == '!')))
					look = 1;
				if (p[1] == ':' || p[1] == '>' || p[1] == '|' ||
				    p[1] == '=' || p[1] == '!')
					ps->p = p + 2;
				else if (p[1] == '<' && (p[2] == '=' ||
				    p[2] == '!'))
					ps->p = p + 3;
				else if (p[1] == 'P' && p[2] != '<') {
					ps->bad = 1;	/* (?P=n), (?P>n) */
					ps->p = p + 2;
				} else if ((p[1] == '<' || p[1] == 'P' ||
				    p[1] == '\'') && (isalpha((unsigned char)
				    p[p[1] == 'P' ? 3 : 2]) ||
				    p[p[1] == 'P' ? 3 : 2] == '_')) {
					const char *e = strpbrk(p + 2, ">'");

					ps->p = e ? e + 1 : p + strlen(p);
				} else {
					/* (?R), (?1), (?&n), (?(cond)..): give up */
					ps->bad = 1;
					ps->p = p + 1;
					look = 1;
				}
			} else
				ps->p = p;
group:
			ps->depth++;
			if (ps->depth > 64) {
				free(cand);
				free(pend);
				best->none = 1;
				best->n = 0;
				ps->p += strlen(ps->p);
				return;
			}
			parse_alt(ps, cand);
			ps->depth--;
			if (*ps->p == ')')
				ps->p++;
			min = 1;
			if (quantifier(ps, &min))
				set_part(cand);	/* repeated: not one match */
			if (!look && min > 0) {
				set_bound(cand, lb, 0);
				memcpy(pend, cand, sizeof(*pend));
				havepend = 1;
			}
			continue;
		}
		if (c == '[') {
			FLUSH(0);
			wb = 0;
			nparts++;
			skip_class(ps);
			quantifier(ps, &min);
			continue;
		}
		if (c == '.' || c == '^' || c == '$') {
			FLUSH(0);
			wb = 0;
			nparts++;
			ps->p++;
			quantifier(ps, &min);
			continue;
		}
		if (c == '\\')
			c = escape(ps);
		else
			ps->p++;
		if (c < 0 || c >= 0x80) {
			FLUSH(at_wb);
			wb = at_wb;
			if (!at_wb)
				nparts++;
			quantifier(ps, &min);
			continue;
		}
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (quantifier(ps, &min)) {
			/* the char is repeated or optional: the run ends */
			FLUSH(0);
			wb = 0;
			nparts++;
			if (min > 0) {
				char one = (char)c;

				set_one(cand, &one, 1, 0);
				keep_best(best, cand);
			}
			continue;
		}
		KEEP_PEND(0);
		if (rlen == 0)
			run_lb = wb;
		wb = 0;
		if (rlen < LIT_MAX)
			run[rlen++] = (char)c;
	}
	FLUSH(0);
#undef FLUSH
#undef KEEP_PEND
	if (nparts != 1)
		set_part(best);
	free(cand);
	free(pend);
}

static void
parse_alt(struct parser *ps, struct set *out)
{
	struct set *branch;
	size_t i, j;

	if ((branch = malloc(sizeof(*branch))) == NULL) {
		out->none = 1;
		return;
	}
	parse_seq(ps, out);
	while (*ps->p == '|') {
		ps->p++;
		parse_seq(ps, branch);
		if (out->none || branch->none ||
		    out->n + branch->n > SET_MAX) {
			out->none = 1;
			out->n = 0;
			continue;
		}
		for (i = 0; i < branch->n; i++) {
			for (j = 0; j < out->n; j++)
				if (out->len[j] == branch->len[i] &&
				    memcmp(out->s[j], branch->s[i],
				    branch->len[i]) == 0)
					break;
			if (j == out->n) {
				memcpy(out->s[j], branch->s[i], LIT_MAX);
				out->len[j] = branch->len[i];
				out->flags[j] = branch->flags[i];
				out->n++;
			} else	/* either branch: only what both promise */
				out->flags[j] &= branch->flags[i];
		}
	}
	free(branch);
}

static size_t
keylen(size_t len)
{
	return len < KEY_MAX ? len : KEY_MAX;
}

/* Find or add literal S with the boundaries FLAGS (F_LB, F_RB) promise;
 * its index, or NOLIT when out of memory. */
static size_t
intern(struct prefilter *f, const char *s, size_t len, unsigned flags)
{
	size_t b = hash(s, keylen(len)), i;
	struct lit *nl;

	flags &= F_LB | F_RB;
	for (i = f->bucket[b]; i != NOLIT; i = f->lits[i].next)
		if (f->lits[i].len == len && f->lits[i].flags == flags &&
		    memcmp(f->lits[i].s, s, len) == 0)
			return i;
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;

		if ((nl = realloc(f->lits, cap * sizeof(*nl))) == NULL)
			return NOLIT;
		f->lits = nl;
		f->cap = cap;
	}
	nl = &f->lits[f->n];
	memset(nl, 0, sizeof(*nl));
	memcpy(nl->s, s, len);
	nl->len = len;
	nl->flags = flags;
	nl->next = f->bucket[b];
	f->bucket[b] = f->n;
	return f->n++;
}

int
prefilter_add(struct prefilter *f, const char *re, size_t pid)
{
	struct parser ps = { re, 0, 0 };
	struct set *s;
	size_t i;
	int rc = 0;

	if ((s = malloc(sizeof(*s))) == NULL)
		return -1;
	parse_alt(&ps, s);
	if (*ps.p != '\0' || ps.bad || s->none || s->n == 0)
		goto done;	/* unbalanced or no requirement: always run */
	for (i = 0; i < s->n; i++) {
		size_t li = intern(f, s->s[i], s->len[i], s->flags[i]);
		struct lit *l;
		size_t *np;

		if (li == NOLIT) {
			rc = -1;
			goto done;
		}
		l = &f->lits[li];
		if (l->npids > 0 && l->pids[l->npids - 1] == pid)
			continue;
		if ((np = realloc(l->pids, (l->npids + 1) * sizeof(*np)))
		    == NULL) {
			rc = -1;
			goto done;
		}
		l->pids = np;
		l->pids[l->npids++] = pid;
	}
	rc = 1;
done:
	free(s);
	return rc;
}

void
prefilter_scan(const struct prefilter *f, const char *text, size_t len,
    void (*hit)(void *, size_t), void *arg)
{
	size_t pos, k, i, j, h;

	for (pos = 0; pos < len; pos++)
		for (k = 1, h = HASH_INIT; k <= KEY_MAX && pos + k <= len;
		    k++) {
			h = HASH_STEP(h, text[pos + k - 1]);
			for (i = f->bucket[HASH_BUCKET(h, k)]; i != NOLIT;
			    i = f->lits[i].next) {
				const struct lit *l = &f->lits[i];

				if (keylen(l->len) != k || pos + l->len > len ||
				    memcmp(l->s, text + pos, l->len) != 0)
					continue;
				if ((l->flags & F_LB) && pos > 0 &&
				    word_byte((unsigned char)text[pos - 1]))
					continue;	/* inside a word */
				if ((l->flags & F_RB) && pos + l->len < len &&
				    word_byte((unsigned char)text[pos + l->len]))
					continue;
				for (j = 0; j < l->npids; j++)
					hit(arg, l->pids[j]);
			}
		}
}
