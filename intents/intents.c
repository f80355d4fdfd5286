/*
 * intents.c: loading and matching the intent catalog.
 *
 * A catalog file holds {"concepts": {name: [alternatives]}, "intents": [...]}.
 * Patterns may say {name} for a concept; it expands to a non-capturing
 * alternation.  Patterns are compiled caseless and UTF, JIT-compiled when
 * the JIT is available, and run with match and depth limits so that no
 * input can make one pattern expensive.  Matching is done on normalised,
 * spell-corrected text; the choice among matching intents is priority,
 * then specificity (length of the matched span), then catalog order.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <cjson/cJSON.h>
#include <dirent.h>
#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/jbuf.h"
#include "daemon/jsondoc.h"
#include "intents/intents.h"
#include "intents/intents_int.h"
#include "intents/normalize.h"
#include "intents/prefilter.h"
#include "intents/spell.h"

#define MATCH_LIMIT	20000	/* backtracking steps per pattern */
#define DEPTH_LIMIT	400
#define EXPAND_MAX	16384	/* bytes of a pattern after concept expansion */
#define MATCH_TEXT_MAX	512	/* bytes of normalised text the patterns see */
#define SUGGEST_WORDS	32	/* content words of a text compared */
#define SUGGEST_MIN	0.2	/* least similarity worth suggesting */
#define GREETING_WORDS	3	/* words a hello before a question takes */

struct pattern {
	char		*src;		/* as written, for explanations */
	pcre2_code	*re;
	char		**ctx;		/* active only in these contexts */
	size_t		 nctx;
	size_t		 pid;		/* index in the prefilter */
	bool		 filtered;	/* runs only when its literals occur */
	bool		 named;		/* has named captures: slots */
};

/* "mentions": slot SLOT of a result names the one of some concepts the
 * text speaks of ("examples of kpo": model = kpo), when it names one. */
struct mention {
	char		*slot;
	char		**concepts;	/* concept names: the slot's values */
	struct pattern	*pats;		/* \b{concept}\b, one a name */
	size_t		 n;
};

struct intent {
	char		*id;
	char		*label;
	char		*file;
	int		 priority;
	struct pattern	*pats, *excl;
	size_t		 npats, nexcl;
	char		**ctx;
	size_t		 nctx;
	char		**examples;	/* normalised */
	size_t		 nexamples;
	bool		 slots;		/* a pattern captures: its answer
					   needs what was typed */
	struct mention	*ments;
	size_t		 nments;
};

/*
 * Per-catalog scratch of intents_match: generation stamps of the patterns
 * and intents the prefilter marked, and the candidate list.  It makes
 * intents_match non-reentrant for one catalog (one thread per catalog).
 */
struct scratch {
	uint32_t	 gen;
	uint32_t	*pstamp;	/* per pattern id */
	uint32_t	*istamp;	/* per intent */
	size_t		*cand;		/* candidate intents, catalog order */
	size_t		 ncand;
	const size_t	*pat_intent;
	/* "did you mean": per example and per intent */
	uint32_t	 sgen;
	uint32_t	*exstamp, *istamp2;
	size_t		*excommon, *extouched, *itouched;
	double		*ibest;
};

/* One word of one example, in the inverted index of the suggestions. */
struct posting {
	uint64_t	 hash;
	size_t		 ex;
};

struct example_meta {
	size_t		 intent;
	size_t		 nwords;
};

struct intents {
	struct intent		*v;
	size_t			 n;
	struct prefilter	*pf;
	size_t			*pat_intent;	/* pattern id -> intent */
	size_t			 npid, cappid;
	size_t			*always;	/* intents with an unfiltered
						   pattern */
	size_t			 nalways;
	struct scratch		*sc;
	const struct intent	*greeting;	/* for greeting_prefix; NULL
						   if the catalog has none */
	bool			 nofilter;	/* tests: run every pattern */
	struct example_meta	*exs;
	size_t			 nex;
	struct posting		*post;		/* sorted by hash */
	size_t			 npost;
	struct vocab		*vocab;		/* words a typo may become */
	struct vocab		*common;	/* known, never a correction */
	pcre2_match_data	*md;
	pcre2_match_context	*mctx;
	pcre2_jit_stack		*jstack;
	bool			 jit;
	char			 version[17];
};

static int	index_examples(struct intents *);
static const struct intent *find(const struct intents *, const char *);

static const char *const stopwords[] = {
	"a", "about", "an", "and", "are", "can", "do", "does", "for", "how",
	"i", "in", "is", "it", "me", "my", "of", "on", "please", "tell", "the",
	"to", "we", "what", "with", "you", "your", "our", "us", "this", "that",
	"who", "which", "why", "when", "where", "be", "am", "was", "not",
	"some", "any", "get", "give", "one", "or", "at", "by", "if", "so",
};

static void
strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
patterns_free(struct pattern *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(p[i].src);
		pcre2_code_free(p[i].re);
		strv_free(p[i].ctx, p[i].nctx);
	}
	free(p);
}

void
intents_free(struct intents *c)
{
	size_t i, j;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		struct intent *it = &c->v[i];

		free(it->id);
		free(it->label);
		free(it->file);
		patterns_free(it->pats, it->npats);
		patterns_free(it->excl, it->nexcl);
		strv_free(it->ctx, it->nctx);
		strv_free(it->examples, it->nexamples);
		for (j = 0; j < it->nments; j++) {
			free(it->ments[j].slot);
			strv_free(it->ments[j].concepts, it->ments[j].n);
			patterns_free(it->ments[j].pats, it->ments[j].n);
		}
		free(it->ments);
	}
	free(c->v);
	vocab_free(c->vocab);
	vocab_free(c->common);
	pcre2_match_data_free(c->md);
	pcre2_match_context_free(c->mctx);
	pcre2_jit_stack_free(c->jstack);
	prefilter_free(c->pf);
	free(c->pat_intent);
	free(c->always);
	free(c->exs);
	free(c->post);
	if (c->sc != NULL) {
		free(c->sc->pstamp);
		free(c->sc->istamp);
		free(c->sc->cand);
		free(c->sc->exstamp);
		free(c->sc->istamp2);
		free(c->sc->excommon);
		free(c->sc->extouched);
		free(c->sc->itouched);
		free(c->sc->ibest);
		free(c->sc);
	}
	free(c);
}

/* Read a whole file; NULL on error. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f;
	char *buf = NULL;
	long n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

static int
json_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 &&
	    strcmp(d->d_name + n - 5, ".json") == 0;
}

/* Strings of a JSON array (or one string) into a new vector. */
static int
strv_from_json(const cJSON *a, char ***out, size_t *n)
{
	const cJSON *e;
	size_t i = 0;

	*out = NULL;
	*n = 0;
	if (a == NULL)
		return 0;
	if (cJSON_IsString(a)) {
		if ((*out = calloc(1, sizeof(char *))) == NULL ||
		    ((*out)[0] = strdup(a->valuestring)) == NULL)
			return -1;
		*n = 1;
		return 0;
	}
	if (!cJSON_IsArray(a))
		return -1;
	if ((*out = calloc((size_t)cJSON_GetArraySize(a) + 1,
	    sizeof(char *))) == NULL)
		return -1;
	cJSON_ArrayForEach(e, a) {
		if (!cJSON_IsString(e))
			return -1;
		if (((*out)[i++] = strdup(e->valuestring)) == NULL)
			return -1;
		*n = i;
	}
	return 0;
}

/* Replace {name} with the concept's alternation.  -1 and a reason in ERR
 * when a concept is undefined or the result is too long. */
static int
expand(const char *src, const cJSON *concepts, char *out, size_t size,
    char *err, size_t errlen)
{
	size_t o = 0, n;
	const char *p = src, *e;
	char name[64];

	while (*p) {
		if (*p == '\\' && p[1]) {
			if (o + 2 >= size)
				goto toolong;
			out[o++] = *p++;
			out[o++] = *p++;
			continue;
		}
		if (*p == '{' && (e = strchr(p, '}')) != NULL &&
		    ((p[1] >= 'a' && p[1] <= 'z') || p[1] == '_')) {
			const cJSON *alts, *a;
			int first = 1;

			n = (size_t)(e - p - 1);
			if (n >= sizeof(name))
				n = sizeof(name) - 1;
			memcpy(name, p + 1, n);
			name[n] = '\0';
			alts = cJSON_GetObjectItemCaseSensitive(concepts, name);
			if (!cJSON_IsArray(alts)) {
				snprintf(err, errlen,
				    "undefined concept {%s}", name);
				return -1;
			}
			if (o + 4 >= size)
				goto toolong;
			memcpy(out + o, "(?:", 3);
			o += 3;
			cJSON_ArrayForEach(a, alts) {
				size_t l;

				if (!cJSON_IsString(a))
					continue;
				l = strlen(a->valuestring);
				if (o + l + 3 >= size)
					goto toolong;
				if (!first)
					out[o++] = '|';
				first = 0;
				memcpy(out + o, a->valuestring, l);
				o += l;
			}
			out[o++] = ')';
			p = e + 1;
			continue;
		}
		if (o + 1 >= size)
			goto toolong;
		out[o++] = *p++;
	}
	out[o] = '\0';
	return 0;
toolong:
	snprintf(err, errlen, "pattern too long after expansion");
	return -1;
}

/* Give positive pattern P of the current intent a prefilter id. */
static int
index_pattern(struct intents *c, struct pattern *p, const char *expanded)
{
	int rc;

	if (c->npid == c->cappid) {
		size_t cap = c->cappid ? c->cappid * 2 : 128, *np;

		if ((np = realloc(c->pat_intent, cap * sizeof(*np))) == NULL)
			return -1;
		c->pat_intent = np;
		c->cappid = cap;
	}
	p->pid = c->npid;
	c->pat_intent[c->npid++] = c->n - 1;
	if ((rc = prefilter_add(c->pf, expanded, p->pid)) == -1)
		return -1;
	p->filtered = rc == 1;
	return 0;
}

/* Compile one pattern (a string, or {"re": S, "context": [...]}); a
 * positive one (INDEX) also enters the prefilter. */
static int
compile_one(struct intents *c, const cJSON *j, const cJSON *concepts,
    struct pattern *p, bool index, char *err, size_t errlen)
{
	char expanded[EXPAND_MAX];
	PCRE2_UCHAR msg[160];
	const cJSON *re = j;
	uint32_t names;
	int ec;
	PCRE2_SIZE eo;

	if (cJSON_IsObject(j)) {
		re = cJSON_GetObjectItemCaseSensitive(j, "re");
		if (strv_from_json(cJSON_GetObjectItemCaseSensitive(j,
		    "context"), &p->ctx, &p->nctx) == -1) {
			snprintf(err, errlen, "context must be strings");
			return -1;
		}
	}
	if (!cJSON_IsString(re)) {
		snprintf(err, errlen, "a pattern must be a string");
		return -1;
	}
	if ((p->src = strdup(re->valuestring)) == NULL)
		return -1;
	if (expand(p->src, concepts, expanded, sizeof(expanded), err,
	    errlen) == -1)
		return -1;
	p->re = pcre2_compile((PCRE2_SPTR)expanded, PCRE2_ZERO_TERMINATED,
	    PCRE2_CASELESS | PCRE2_UTF, &ec, &eo, NULL);
	if (p->re == NULL) {
		pcre2_get_error_message(ec, msg, sizeof(msg));
		snprintf(err, errlen, "does not compile at offset %zu: %s",
		    (size_t)eo, (char *)msg);
		return -1;
	}
	if (c->jit && pcre2_jit_compile(p->re, PCRE2_JIT_COMPLETE) != 0)
		c->jit = false;	/* e.g. MemoryDenyWriteExecute: interpret */
	names = 0;
	p->named = pcre2_pattern_info(p->re, PCRE2_INFO_NAMECOUNT, &names) ==
	    0 && names > 0;
	if (index && index_pattern(c, p, expanded) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int
compile_list(struct intents *c, const cJSON *a, const cJSON *concepts,
    struct pattern **out, size_t *n, bool index, char *err, size_t errlen)
{
	const cJSON *e;

	*n = 0;
	*out = NULL;
	if (a == NULL)
		return 0;
	if (!cJSON_IsArray(a)) {
		snprintf(err, errlen, "patterns must be an array");
		return -1;
	}
	if ((*out = calloc((size_t)cJSON_GetArraySize(a) + 1,
	    sizeof(**out))) == NULL)
		return -1;
	cJSON_ArrayForEach(e, a) {
		if (compile_one(c, e, concepts, &(*out)[*n], index, err, errlen)
		    == -1) {
			(*n)++;
			return -1;
		}
		(*n)++;
	}
	return 0;
}

/* What follows the close of the group a word ends in (at P, a '|' or
 * ')'), or NULL when the group does not close. */
static const char *
group_after(const char *p)
{
	int depth = 0;

	for (; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')' && depth-- == 0)
			break;
	}
	return *p == ')' ? p + 1 : NULL;
}

/*
 * Whether the group a word ends in (at P, a '|' or ')') is glued to more
 * letters after its close, "(?:outsourc|nearshor)\\w*": its words are
 * stems, and a stem as a known word turned "nearshores" into "nearshor".
 */
static int
group_is_stem(const char *p)
{
	if ((p = group_after(p)) == NULL)
		return 0;
	return (*p >= 'a' && *p <= 'z') || *p == '[' ||
	    (*p == '\\' && p[1] == 'w');
}

/* Whether P, right after a word or the group it ends, is "\\w*": the
 * stem typed alone is matched as it stands. */
static int
any_letters(const char *p)
{
	return p != NULL && p[0] == '\\' && p[1] == 'w' && p[2] == '*';
}

/*
 * Literal words of a pattern, for the spelling vocabulary.  A run of
 * letters counts only when it stands as a whole word: not after a
 * backslash (\\b, \\w), not glued to a class or repeat ("minimi[sz]e",
 * "outsourc\\w*"), and not inside a suffix group ("process(?:es)?").
 * "challenges?" gives both "challenges" and "challenge".  A stem that
 * "\\w*" continues ("intellectual prop\\w*") matches when typed alone,
 * so it goes to STEMS (may be NULL), words known as typed but never a
 * correction: "prop" was corrected to "pros".
 */
static void
vocab_from_pattern(struct vocab *v, struct vocab *stems, const char *src)
{
	char word[64];
	const char *p = src, *s, *esc = NULL;
	int suffix = 0;		/* depth inside a group glued to a word */
	size_t n;

	while (*p) {
		if (*p == '\\') {
			p += p[1] ? 2 : 1;
			esc = p;	/* "\\b(" is no word before a group */
			continue;
		}
		if (*p == '(') {
			if (suffix || (p > src && p != esc && p[-1] >= 'a' &&
			    p[-1] <= 'z'))
				suffix++;
			p++;
			continue;
		}
		if (*p == ')') {
			if (suffix)
				suffix--;
			p++;
			continue;
		}
		if (!(*p >= 'a' && *p <= 'z')) {
			p++;
			continue;
		}
		s = p;
		while (*p >= 'a' && *p <= 'z')
			p++;
		n = (size_t)(p - s);
		if (suffix || n >= sizeof(word) ||
		    (s > src && (s[-1] == ']' || s[-1] == '?' || s[-1] == ')')))
			continue;
		memcpy(word, s, n);
		word[n] = '\0';
		if (*p == '[' || *p == '*' || *p == '+' || *p == '{' ||
		    (*p == '\\' && p[1] != 'b') ||
		    ((*p == '|' || *p == ')') && group_is_stem(p))) {
			if (stems != NULL && (any_letters(p) ||
			    ((*p == '|' || *p == ')') &&
			    any_letters(group_after(p)))))
				vocab_add_text(stems, word);
			continue;
		}
		vocab_add_text(v, word);
		if (*p == '?' && n > 1) {
			word[n - 1] = '\0';
			vocab_add_text(v, word);
		}
	}
}

/* An intent's "mentions": {slot: [concept, ...]}, each concept compiled
 * as a whole-word pattern.  -1 and a reason in WHY. */
static int
load_mentions(struct intents *c, struct intent *it, const cJSON *m,
    const cJSON *concepts, char *why, size_t whylen)
{
	const cJSON *e;
	char src[96];
	size_t i;

	if (m == NULL)
		return 0;
	if (!cJSON_IsObject(m)) {
		snprintf(why, whylen, "mentions must map slots to concept "
		    "names");
		return -1;
	}
	if ((it->ments = calloc((size_t)cJSON_GetArraySize(m) + 1,
	    sizeof(*it->ments))) == NULL)
		return -1;
	cJSON_ArrayForEach(e, m) {
		struct mention *mt = &it->ments[it->nments++];

		if (strlen(e->string) >= sizeof(((struct intent_slot *)0)->name)
		    || strv_from_json(e, &mt->concepts, &mt->n) == -1 ||
		    !cJSON_IsArray(e)) {
			snprintf(why, whylen, "mentions: %s: must be a short "
			    "slot name with a list of concept names", e->string);
			return -1;
		}
		if ((mt->slot = strdup(e->string)) == NULL ||
		    (mt->pats = calloc(mt->n + 1, sizeof(*mt->pats))) == NULL)
			return -1;
		for (i = 0; i < mt->n; i++) {
			cJSON *re;
			int rc;

			if (strlen(mt->concepts[i]) > 64) {
				snprintf(why, whylen, "mentions: %s: concept "
				    "name too long", e->string);
				return -1;
			}
			snprintf(src, sizeof(src), "\\b{%s}\\b",
			    mt->concepts[i]);
			if ((re = cJSON_CreateString(src)) == NULL)
				return -1;
			rc = compile_one(c, re, concepts, &mt->pats[i], false,
			    why, whylen);
			cJSON_Delete(re);
			if (rc == -1)
				return -1;
		}
	}
	return 0;
}

static int
load_intent(struct intents *c, const char *file, const cJSON *j,
    const cJSON *concepts, char *err, size_t errlen)
{
	struct intent *it = &c->v[c->n];
	const cJSON *id, *label, *prio, *ex;
	char why[256] = "out of memory";
	char norm[INTENT_TEXT_MAX];
	size_t i;

	id = cJSON_GetObjectItemCaseSensitive(j, "id");
	if (!cJSON_IsString(id) || id->valuestring[0] == '\0') {
		snprintf(err, errlen, "%s: an intent without a string id",
		    file);
		return -1;
	}
	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i].id, id->valuestring) == 0) {
			snprintf(err, errlen, "%s: %s: duplicate intent id "
			    "(first in %s)", file, id->valuestring,
			    c->v[i].file);
			return -1;
		}
	c->n++;
	label = cJSON_GetObjectItemCaseSensitive(j, "label");
	prio = cJSON_GetObjectItemCaseSensitive(j, "priority");
	it->id = strdup(id->valuestring);
	it->file = strdup(file);
	it->label = strdup(cJSON_IsString(label) ? label->valuestring :
	    id->valuestring);
	it->priority = cJSON_IsNumber(prio) ? prio->valueint : 0;
	if (it->id == NULL || it->file == NULL || it->label == NULL)
		goto fail;
	if (strv_from_json(cJSON_GetObjectItemCaseSensitive(j, "context"),
	    &it->ctx, &it->nctx) == -1) {
		snprintf(why, sizeof(why), "context must be strings");
		goto fail;
	}
	if (compile_list(c, cJSON_GetObjectItemCaseSensitive(j, "patterns"),
	    concepts, &it->pats, &it->npats, true, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "%s: %s: pattern %zu \"%s\": %s", file,
		    it->id, it->npats, it->npats ? (it->pats[it->npats - 1].src
		    ? it->pats[it->npats - 1].src : "?") : "?", why);
		return -1;
	}
	if (compile_list(c, cJSON_GetObjectItemCaseSensitive(j, "exclude"),
	    concepts, &it->excl, &it->nexcl, false, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "%s: %s: exclude %zu: %s", file, it->id,
		    it->nexcl, why);
		return -1;
	}
	if (load_mentions(c, it, cJSON_GetObjectItemCaseSensitive(j,
	    "mentions"), concepts, why, sizeof(why)) == -1)
		goto fail;
	ex = cJSON_GetObjectItemCaseSensitive(j, "examples");
	if (strv_from_json(ex, &it->examples, &it->nexamples) == -1) {
		snprintf(why, sizeof(why), "examples must be strings");
		goto fail;
	}
	for (i = 0; i < it->nexamples; i++) {
		text_normalize(it->examples[i], strlen(it->examples[i]), norm,
		    sizeof(norm));
		free(it->examples[i]);
		if ((it->examples[i] = strdup(norm)) == NULL)
			goto fail;
		vocab_add_text(c->vocab, norm);
	}
	for (i = 0; i < it->npats; i++) {
		vocab_from_pattern(c->vocab, c->common, it->pats[i].src);
		if (it->pats[i].re != NULL && it->pats[i].named)
			it->slots = true;
	}
	return 0;
fail:
	snprintf(err, errlen, "%s: %s: %s", file, id->valuestring, why);
	return -1;
}

static void
vocab_from_concepts(struct vocab *v, struct vocab *stems,
    const cJSON *concepts)
{
	const cJSON *set, *a;

	cJSON_ArrayForEach(set, concepts)
		cJSON_ArrayForEach(a, set)
			if (cJSON_IsString(a))
				vocab_from_pattern(v, stems, a->valuestring);
}

/* The match scratch, and the intents that must always be tried. */
static int
scratch_new(struct intents *c)
{
	size_t i, j, n = c->n ? c->n : 1;

	if ((c->sc = calloc(1, sizeof(*c->sc))) == NULL ||
	    (c->sc->pstamp = calloc(c->npid ? c->npid : 1,
	    sizeof(uint32_t))) == NULL ||
	    (c->sc->istamp = calloc(n, sizeof(uint32_t))) == NULL ||
	    (c->sc->cand = calloc(n, sizeof(size_t))) == NULL ||
	    (c->always = calloc(n, sizeof(size_t))) == NULL)
		return -1;
	c->sc->pat_intent = c->pat_intent;
	for (i = 0; i < c->n; i++)
		for (j = 0; j < c->v[i].npats; j++)
			if (!c->v[i].pats[j].filtered) {
				c->always[c->nalways++] = i;
				break;
			}
	return index_examples(c);
}

struct intents *
intents_load(const char *dir, bool use_jit, char *err, size_t errlen)
{
	struct intents *c;
	struct dirent **names = NULL;
	cJSON **docs = NULL, *concepts = NULL;
	char path[4096];
	uint64_t h = 1469598103934665603ULL;
	int nf = 0, i, total = 0;

	snprintf(err, errlen, "out of memory");
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->jit = use_jit;
	if ((c->vocab = vocab_new()) == NULL ||
	    (c->common = vocab_new()) == NULL ||
	    (c->pf = prefilter_new()) == NULL ||
	    (concepts = cJSON_CreateObject()) == NULL)
		goto fail;
	if ((nf = scandir(dir, &names, json_file, alphasort)) < 0) {
		snprintf(err, errlen, "%s: cannot read the folder", dir);
		goto fail;
	}
	if (nf == 0) {
		snprintf(err, errlen, "%s: no .json catalog files", dir);
		goto fail;
	}
	if ((docs = calloc((size_t)nf, sizeof(*docs))) == NULL)
		goto fail;
	/* First pass: parse every file and gather the concepts. */
	for (i = 0; i < nf; i++) {
		const cJSON *cs, *e, *in;
		size_t len, k;
		char *text;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if ((text = slurp(path, &len)) == NULL) {
			snprintf(err, errlen, "%s: cannot read", path);
			goto fail;
		}
		for (k = 0; k < len; k++)
			h = (h ^ (unsigned char)text[k]) * 1099511628211ULL;
		docs[i] = jsondoc_parse(path, text, len, err, errlen);
		if (docs[i] == NULL) {
			free(text);
			goto fail;
		}
		free(text);
		if (!cJSON_IsObject(docs[i])) {
			snprintf(err, errlen, "%s: not a JSON object", path);
			goto fail;
		}
		cs = cJSON_GetObjectItemCaseSensitive(docs[i], "concepts");
		cJSON_ArrayForEach(e, cs) {
			if (!cJSON_IsArray(e)) {
				snprintf(err, errlen, "%s: concept %s: not an "
				    "array of strings", path, e->string);
				goto fail;
			}
			cJSON_DeleteItemFromObjectCaseSensitive(concepts,
			    e->string);
			cJSON_AddItemToObject(concepts, e->string,
			    cJSON_Duplicate(e, 1));
		}
		/* words the speller must know but no pattern uses */
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(docs[i],
		    "vocabulary"))
			if (cJSON_IsString(e) &&
			    vocab_add_text(c->common, e->valuestring) == -1)
				goto fail;
		in = cJSON_GetObjectItemCaseSensitive(docs[i], "intents");
		if (in != NULL && !cJSON_IsArray(in)) {
			snprintf(err, errlen, "%s: intents must be an array",
			    path);
			goto fail;
		}
		total += cJSON_GetArraySize(in);
	}
	if ((c->v = calloc((size_t)total + 1, sizeof(*c->v))) == NULL)
		goto fail;
	vocab_from_concepts(c->vocab, c->common, concepts);
	for (i = 0; i < nf; i++) {
		const cJSON *e;

		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(docs[i],
		    "intents")) {
			if (!cJSON_IsObject(e)) {
				snprintf(err, errlen, "%s: an intent must be "
				    "an object", names[i]->d_name);
				goto fail;
			}
			if (load_intent(c, names[i]->d_name, e, concepts, err,
			    errlen) == -1)
				goto fail;
		}
	}
	vocab_finish(c->vocab);
	vocab_finish(c->common);
	if (!intents_has(c, "fallback")) {
		snprintf(err, errlen, "%s: no intent named fallback", dir);
		goto fail;
	}
	if (scratch_new(c) == -1 ||
	    (c->md = pcre2_match_data_create(32, NULL)) == NULL ||
	    (c->mctx = pcre2_match_context_create(NULL)) == NULL)
		goto fail;
	pcre2_set_match_limit(c->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(c->mctx, DEPTH_LIMIT);
	if (c->jit) {
		if ((c->jstack = pcre2_jit_stack_create(32 * 1024, 256 * 1024,
		    NULL)) == NULL)
			goto fail;
		pcre2_jit_stack_assign(c->mctx, NULL, c->jstack);
	}
	c->greeting = find(c, "greeting");	/* c->v is final now */
	snprintf(c->version, sizeof(c->version), "%016llx",
	    (unsigned long long)h);
	err[0] = '\0';
	goto done;
fail:
	intents_free(c);
	c = NULL;
done:
	for (i = 0; docs && i < nf; i++)
		cJSON_Delete(docs[i]);
	free(docs);
	for (i = 0; names && i < nf; i++)
		free(names[i]);
	free(names);
	cJSON_Delete(concepts);
	return c;
}

void
intents_set_prefilter(struct intents *c, bool on)
{
	c->nofilter = !on;
}

size_t
intents_always(const struct intents *c)
{
	return c->nalways;
}

size_t
intents_count(const struct intents *c)
{
	return c->n;
}

const char *
intents_id(const struct intents *c, size_t i)
{
	return i < c->n ? c->v[i].id : NULL;
}

static const struct intent *
find(const struct intents *c, const char *id)
{
	size_t i;

	/* the first byte in line: it tells most ids apart without a call */
	for (i = 0; id && i < c->n; i++)
		if (c->v[i].id[0] == id[0] && strcmp(c->v[i].id, id) == 0)
			return &c->v[i];
	return NULL;
}

const char *
intents_label(const struct intents *c, const char *id)
{
	const struct intent *it = find(c, id);

	return it ? it->label : id;
}

bool
intents_has(const struct intents *c, const char *id)
{
	return find(c, id) != NULL;
}

bool
intents_needs_slots(const struct intents *c, const char *id)
{
	const struct intent *it = find(c, id);

	return it != NULL && it->slots;
}

const char *
intents_version(const struct intents *c)
{
	return c->version;
}

bool
intents_jit(const struct intents *c)
{
	return c->jit;
}

static bool
in_context(char *const *want, size_t nwant, const char *const *ctx,
    size_t nctx)
{
	size_t i, j;

	if (nwant == 0)
		return true;
	for (i = 0; i < nwant; i++)
		for (j = 0; j < nctx; j++)
			if (ctx[j] && want[i][0] == ctx[j][0] &&
			    strcmp(want[i], ctx[j]) == 0)
				return true;
	return false;
}

/* Run one pattern; the matched span's length, or -1 for no match. */
static long
run(const struct intents *c, const struct pattern *p, const char *s,
    size_t len)
{
	int rc;
	PCRE2_SIZE *ov;

	if (c->jit)
		rc = pcre2_jit_match(p->re, (PCRE2_SPTR)s, len, 0, 0, c->md,
		    c->mctx);
	else
		rc = pcre2_match(p->re, (PCRE2_SPTR)s, len, 0,
		    PCRE2_NO_UTF_CHECK, c->md, c->mctx);
	if (rc < 0)
		return -1;	/* no match, limit hit or bad UTF-8 alike */
	ov = pcre2_get_ovector_pointer(c->md);
	return (long)(ov[1] - ov[0]);
}

/* Copy the named captures of the last match of P into OUT's slots. */
static void
take_slots(const struct intents *c, const struct pattern *p, const char *s,
    struct intent_result *out)
{
	uint32_t count = 0, esz = 0, i;
	PCRE2_SPTR table;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(c->md);

	pcre2_pattern_info(p->re, PCRE2_INFO_NAMECOUNT, &count);
	if (count == 0)
		return;
	pcre2_pattern_info(p->re, PCRE2_INFO_NAMEENTRYSIZE, &esz);
	pcre2_pattern_info(p->re, PCRE2_INFO_NAMETABLE, &table);
	for (i = 0; i < count && out->nslots < INTENT_MAX_SLOTS; i++) {
		const unsigned char *e = table + (size_t)i * esz;
		uint32_t g = ((uint32_t)e[0] << 8) | e[1];
		struct intent_slot *sl = &out->slots[out->nslots];
		size_t n;

		if (ov[2 * g] == PCRE2_UNSET)
			continue;
		n = ov[2 * g + 1] - ov[2 * g];
		if (n >= sizeof(sl->value))
			n = sizeof(sl->value) - 1;
		snprintf(sl->name, sizeof(sl->name), "%s", (const char *)e + 2);
		memcpy(sl->value, s + ov[2 * g], n);
		sl->value[n] = '\0';
		out->nslots++;
	}
}

/* The winner's mentions: each slot names the one of its concepts the text
 * speaks of; none when it names several or none, or a capture of the
 * winning pattern already filled that slot. */
static void
take_mentions(const struct intents *c, const struct intent *it,
    const char *s, size_t len, struct intent_result *out)
{
	size_t i, j, k;

	for (i = 0; i < it->nments && out->nslots < INTENT_MAX_SLOTS; i++) {
		const struct mention *m = &it->ments[i];
		const char *named = NULL;

		for (j = 0; j < out->nslots; j++)
			if (strcmp(out->slots[j].name, m->slot) == 0)
				break;
		if (j < out->nslots)
			continue;
		for (j = k = 0; j < m->n; j++)
			if (run(c, &m->pats[j], s, len) >= 0) {
				named = m->concepts[j];
				k++;
			}
		if (k != 1)
			continue;
		snprintf(out->slots[out->nslots].name,
		    sizeof(out->slots[0].name), "%s", m->slot);
		snprintf(out->slots[out->nslots].value,
		    sizeof(out->slots[0].value), "%s", named);
		out->nslots++;
	}
}

static bool
stopword(const char *w, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(stopwords) / sizeof(stopwords[0]); i++)
		if (strlen(stopwords[i]) == n && memcmp(stopwords[i], w, n) == 0)
			return true;
	return false;
}

/* FNV-1a of a word. */
static uint64_t
word_hash(const char *w, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)w[i]) * 1099511628211ULL;
	return h;
}

/* Distinct content words of TEXT as hashes into H (room for MAX). */
static size_t
content_words(const char *text, uint64_t *h, size_t max)
{
	const char *p = text, *s;
	size_t n = 0, i;

	while (*p) {
		uint64_t x;

		s = p;
		while (*p && *p != ' ')
			p++;
		if (p > s && !stopword(s, (size_t)(p - s))) {
			x = word_hash(s, (size_t)(p - s));
			for (i = 0; i < n && h[i] != x; i++)
				;
			if (i == n && n < max)
				h[n++] = x;
		}
		while (*p == ' ')
			p++;
	}
	return n;
}

static int
cmp_post(const void *a, const void *b)
{
	const struct posting *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return (x->ex > y->ex) - (x->ex < y->ex);
}

/* Index the content words of the examples of intents that work anywhere,
 * for "did you mean". */
static int
index_examples(struct intents *c)
{
	uint64_t h[SUGGEST_WORDS];
	size_t i, j, k, n, nex = 0, np = 0;

	for (i = 0; i < c->n; i++)
		nex += c->v[i].nexamples;
	if ((c->exs = calloc(nex + 1, sizeof(*c->exs))) == NULL ||
	    (c->post = calloc(nex * SUGGEST_WORDS + 1,
	    sizeof(*c->post))) == NULL)
		return -1;
	for (i = 0; i < c->n; i++) {
		const struct intent *it = &c->v[i];

		if (it->nctx > 0 || strcmp(it->id, "fallback") == 0)
			continue;	/* only intents that work anywhere */
		for (j = 0; j < it->nexamples; j++) {
			n = content_words(it->examples[j], h, SUGGEST_WORDS);
			if (n == 0)
				continue;
			c->exs[c->nex].intent = i;
			c->exs[c->nex].nwords = n;
			for (k = 0; k < n; k++) {
				c->post[np].hash = h[k];
				c->post[np++].ex = c->nex;
			}
			c->nex++;
		}
	}
	c->npost = np;
	qsort(c->post, np, sizeof(*c->post), cmp_post);
	if ((c->sc->exstamp = calloc(c->nex + 1, sizeof(uint32_t))) == NULL ||
	    (c->sc->excommon = calloc(c->nex + 1, sizeof(size_t))) == NULL ||
	    (c->sc->extouched = calloc(c->nex + 1, sizeof(size_t))) == NULL ||
	    (c->sc->ibest = calloc(c->n + 1, sizeof(double))) == NULL ||
	    (c->sc->istamp2 = calloc(c->n + 1, sizeof(uint32_t))) == NULL ||
	    (c->sc->itouched = calloc(c->n + 1, sizeof(size_t))) == NULL)
		return -1;
	return 0;
}

/*
 * The intents whose examples come nearest to TEXT, best first: Jaccard
 * similarity of content words, best example per intent, ties in catalog
 * order.  Works from the inverted index, so it touches only examples that
 * share a word with the text.
 */
static void
suggest(const struct intents *c, const char *text, struct intent_result *out)
{
	struct scratch *sc = c->sc;
	uint64_t h[SUGGEST_WORDS];
	size_t nw, w, i, k, nt = 0, ni = 0;

	out->nsuggest = 0;
	nw = content_words(text, h, SUGGEST_WORDS);
	if (++sc->sgen == 0) {
		memset(sc->exstamp, 0, (c->nex + 1) * sizeof(uint32_t));
		memset(sc->istamp2, 0, (c->n + 1) * sizeof(uint32_t));
		sc->sgen = 1;
	}
	for (w = 0; w < nw; w++) {
		size_t lo = 0, hi = c->npost;

		while (lo < hi) {	/* first posting of the word */
			size_t mid = lo + (hi - lo) / 2;

			if (c->post[mid].hash < h[w])
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < c->npost && c->post[lo].hash == h[w]; lo++) {
			size_t e = c->post[lo].ex;

			if (sc->exstamp[e] != sc->sgen) {
				sc->exstamp[e] = sc->sgen;
				sc->excommon[e] = 0;
				sc->extouched[nt++] = e;
			}
			sc->excommon[e]++;
		}
	}
	for (k = 0; k < nt; k++) {
		size_t e = sc->extouched[k], it = c->exs[e].intent;
		double x = (double)sc->excommon[e] / (double)(nw +
		    c->exs[e].nwords - sc->excommon[e]);

		if (sc->istamp2[it] != sc->sgen) {
			sc->istamp2[it] = sc->sgen;
			sc->ibest[it] = 0;
			sc->itouched[ni++] = it;
		}
		if (x > sc->ibest[it])
			sc->ibest[it] = x;
	}
	for (k = 0; k < INTENT_MAX_SUGGEST; k++) {
		size_t best = SIZE_MAX;

		for (i = 0; i < ni; i++) {
			size_t it = sc->itouched[i];

			/* a button cannot carry what a capture took from
			 * the text ("Work like {task} ...") */
			if (sc->ibest[it] < SUGGEST_MIN || c->v[it].slots)
				continue;
			if (best == SIZE_MAX || sc->ibest[it] > sc->ibest[best] ||
			    (sc->ibest[it] == sc->ibest[best] && it < best))
				best = it;
		}
		if (best == SIZE_MAX)
			break;
		out->suggest[out->nsuggest++] = c->v[best].id;
		sc->ibest[best] = -1;	/* taken */
	}
}

static void
mark(struct scratch *sc, size_t i)
{
	if (sc->istamp[i] != sc->gen) {
		sc->istamp[i] = sc->gen;
		sc->cand[sc->ncand++] = i;
	}
}

static void
on_literal(void *arg, size_t pid)
{
	struct scratch *sc = arg;

	sc->pstamp[pid] = sc->gen;
	mark(sc, sc->pat_intent[pid]);
}

/* Fill the scratch's candidate list, in catalog order: the intents with a
 * pattern whose literals occur in TEXT, and those that always run. */
static void
candidates(const struct intents *c, const char *text, size_t len)
{
	struct scratch *sc = c->sc;
	size_t i, j, x;

	if (++sc->gen == 0) {	/* wrapped: forget every old stamp */
		memset(sc->pstamp, 0, (c->npid ? c->npid : 1) *
		    sizeof(uint32_t));
		memset(sc->istamp, 0, (c->n ? c->n : 1) * sizeof(uint32_t));
		sc->gen = 1;
	}
	sc->ncand = 0;
	if (c->nofilter) {
		for (i = 0; i < c->npid; i++)
			sc->pstamp[i] = sc->gen;
		for (i = 0; i < c->n; i++)
			sc->cand[sc->ncand++] = i;
		return;
	}
	prefilter_scan(c->pf, text, len, on_literal, sc);
	for (i = 0; i < c->nalways; i++)
		mark(sc, c->always[i]);
	for (i = 1; i < sc->ncand; i++) {	/* insertion sort: few */
		x = sc->cand[i];
		for (j = i; j > 0 && sc->cand[j - 1] > x; j--)
			sc->cand[j] = sc->cand[j - 1];
		sc->cand[j] = x;
	}
}

/*
 * The winning intent for the normalised text S (LEN bytes), its pattern in
 * *WINP; the others that matched go to OUT's runners.  NULL when nothing
 * matched.
 */
static const struct intent *
pick(const struct intents *c, const char *s, size_t len,
    const char *const *context, size_t ncontext, struct intent_result *out,
    const struct pattern **winp)
{
	const struct intent *win = NULL;
	struct scratch *sc = c->sc;
	long winspan = -1;
	size_t ci, j, k;

	out->nrunners = 0;
	candidates(c, s, len);
	for (ci = 0; ci < sc->ncand; ci++) {
		const struct intent *it = &c->v[sc->cand[ci]];
		const struct pattern *hit = NULL;
		long span = -1, n;

		if (!in_context(it->ctx, it->nctx, context, ncontext))
			continue;
		for (j = 0; j < it->npats; j++) {
			const struct pattern *p = &it->pats[j];

			if (p->filtered && sc->pstamp[p->pid] != sc->gen)
				continue;	/* its literals are absent */
			if (!in_context(p->ctx, p->nctx, context, ncontext))
				continue;
			/* context-bound patterns outrank general ones */
			n = run(c, p, s, len);
			if (n >= 0 && p->nctx > 0)
				n += 10000;
			if (n > span) {
				span = n;
				hit = p;
			}
		}
		if (hit == NULL)
			continue;
		for (k = 0; k < it->nexcl; k++)
			if (run(c, &it->excl[k], s, len) >= 0)
				break;
		if (k < it->nexcl)
			continue;
		if (win == NULL || it->priority > win->priority ||
		    (it->priority == win->priority && span > winspan)) {
			if (win != NULL && out->nrunners < INTENT_MAX_RUNNERS)
				out->runners[out->nrunners++] = win->id;
			win = it;
			*winp = hit;
			winspan = span;
		} else if (out->nrunners < INTENT_MAX_RUNNERS)
			out->runners[out->nrunners++] = it->id;
	}
	if (win != NULL && strcmp(win->id, "fallback") == 0)
		win = NULL;
	return win;
}

/*
 * Bytes of the normalised text S (LEN bytes) taken by a greeting in front
 * of something else, with the space after it: up to GREETING_WORDS words
 * that the greeting intent's general patterns match on their own ("hola",
 * "hi there"), the longest such run; 0 when S does not open that way.
 */
static size_t
greeting_prefix(const struct intents *c, const char *s, size_t len)
{
	const struct intent *g = c->greeting;
	size_t i, words = 0, best = 0, j;

	if (g == NULL)
		return 0;
	for (i = 0; i < len && words < GREETING_WORDS; i++) {
		if (s[i] != ' ')
			continue;
		words++;
		for (j = 0; j < g->npats; j++)
			if (g->pats[j].nctx == 0 &&
			    run(c, &g->pats[j], s, i) == (long)i) {
				best = i + 1;
				break;
			}
	}
	return best;
}

int
intents_match(const struct intents *c, const char *text, size_t len,
    const char *const *context, size_t ncontext, struct intent_result *out)
{
	const struct intent *win;
	const struct pattern *winp = NULL;
	const char *s;
	size_t nlen, skip;

	memset(out, 0, offsetof(struct intent_result, normalized));
	out->normalized[0] = '\0';
	out->nslots = out->nrewrites = out->nrunners = out->nsuggest = 0;
	out->followup = false;
	out->intent = "fallback";
	text_normalize(text, len, out->normalized, sizeof(out->normalized));
	out->nrewrites = vocab_correct(c->vocab, c->common, out->normalized,
	    sizeof(out->normalized), text, len, out->rewrites,
	    INTENT_MAX_REWRITES);
	nlen = strlen(out->normalized);
	if (nlen > MATCH_TEXT_MAX) {	/* judge a long text by its start */
		nlen = MATCH_TEXT_MAX;
		while (nlen > 0 && out->normalized[nlen] != ' ')
			nlen--;
	}
	s = out->normalized;
	win = pick(c, s, nlen, context, ncontext, out, &winp);
	/* "hola kpo meaning": a hello in front of a question that the
	 * anchored patterns would take alone; the question is answered */
	if (win == NULL && (skip = greeting_prefix(c, s, nlen)) > 0) {
		s += skip;
		nlen -= skip;
		win = pick(c, s, nlen, context, ncontext, out, &winp);
	}
	if (win == NULL) {
		suggest(c, out->normalized, out);
		return 0;
	}
	out->intent = win->id;
	out->pattern = winp->src;
	out->followup = winp->nctx > 0 || win->nctx > 0;
	/* rerun the winner to take its captures, when it has any */
	if (winp->named && run(c, winp, s, nlen) >= 0)
		take_slots(c, winp, s, out);
	take_mentions(c, win, s, nlen, out);
	return 0;
}

int
intents_check(const struct intents *c, FILE *report)
{
	static struct intent_result res;
	size_t i, j, k;
	int errors = 0;

	for (i = 0; i < c->n; i++) {
		const struct intent *it = &c->v[i];
		const char *ctx[1];

		if (strcmp(it->id, "fallback") != 0 && it->npats == 0) {
			fprintf(report, "%s: %s: no patterns\n", it->file,
			    it->id);
			errors++;
		}
		for (j = 0; j < it->nexamples; j++) {
			const char *ex = it->examples[j];

			ctx[0] = it->nctx ? it->ctx[0] : NULL;
			for (k = 0; k < it->npats && it->pats[k].nctx; k++)
				;
			if (k == it->npats && it->npats && !it->nctx)
				ctx[0] = it->pats[0].ctx[0];
			intents_match(c, ex, strlen(ex), ctx, 1, &res);
			if (strcmp(res.intent, it->id) != 0) {
				fprintf(report, "%s: %s: example \"%s\" is "
				    "taken by %s%s%s\n", it->file, it->id, ex,
				    res.intent, res.pattern ? " via pattern " :
				    "", res.pattern ? res.pattern : "");
				errors++;
			} else {
				/* an overlap only matters between equals */
				for (k = 0; k < res.nrunners; k++)
					if (find(c, res.runners[k])->priority ==
					    it->priority)
						fprintf(report, "%s: %s: warning: "
						    "example \"%s\" also matches "
						    "%s\n", it->file, it->id, ex,
						    res.runners[k]);
			}
		}
	}
	return errors;
}

void
intent_rewrites_json(const struct intent_result *r, struct jbuf *b)
{
	/* the first without ',' */
	static const char from[] = ",{\"from\":";
	size_t i;

	JBUF_LIT(b, "[");
	for (i = 0; i < r->nrewrites; i++) {
		jbuf_raw(b, from + (i == 0), sizeof(from) - 1 - (i == 0));
		jbuf_cstr(b, r->rewrites[i].from);
		JBUF_LIT(b, ",\"to\":");
		jbuf_cstr(b, r->rewrites[i].to);
		JBUF_LIT(b, "}");
	}
	JBUF_LIT(b, "]");
}

/* ["a","b"] */
static void
id_list(struct jbuf *b, const char *const *v, size_t n)
{
	size_t i;

	JBUF_LIT(b, "[");
	for (i = 0; i < n; i++) {
		if (i)
			JBUF_LIT(b, ",");
		jbuf_cstr(b, v[i]);
	}
	JBUF_LIT(b, "]");
}

/* Written by hand into B (no cJSON tree): it runs for every message. */
int
intent_result_json(const struct intent_result *r, struct jbuf *b)
{
	size_t i;

	JBUF_LIT(b, "{\"normalized\":");
	jbuf_cstr(b, r->normalized);
	JBUF_LIT(b, ",\"intent\":");
	jbuf_cstr(b, r->intent);
	JBUF_LIT(b, ",\"pattern\":");
	jbuf_cstr(b, r->pattern);
	if (r->followup)
		JBUF_LIT(b, ",\"followup\":true,\"rewrites\":");
	else
		JBUF_LIT(b, ",\"followup\":false,\"rewrites\":");
	intent_rewrites_json(r, b);
	JBUF_LIT(b, ",\"slots\":{");
	for (i = 0; i < r->nslots; i++) {
		jbuf_key(b, r->slots[i].name, i == 0);
		jbuf_cstr(b, r->slots[i].value);
	}
	JBUF_LIT(b, "},\"runners\":");
	id_list(b, r->runners, r->nrunners);
	JBUF_LIT(b, ",\"suggest\":");
	id_list(b, r->suggest, r->nsuggest);
	JBUF_LIT(b, "}");
	return b->oom ? -1 : 0;
}
