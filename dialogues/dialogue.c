/*
 * dialogue.c: the dialogue engine.  A conversation's state is a small,
 * fixed-size record (no allocation per step): the current node, a history
 * stack for "back", the questionnaire's answers, the last topic, the
 * question left pending by a digression, and the options last offered, so
 * that a choice is checked against what the person was actually shown.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialogues/dialogue_int.h"

#define ID_MAX	DIALOGUE_ID_MAX

enum offer_kind { OF_NODE, OF_INTENT, OF_ANSWER, OF_SUGGEST };

struct offer {
	char		id[ID_MAX];
	enum offer_kind	kind;
	char		target[ID_MAX];	/* node, intent, or answer id */
	char		qnode[ID_MAX];	/* OF_ANSWER: the question */
};

struct dialogue_state {
	char		node[ID_MAX];
	char		topic[ID_MAX];
	char		pending[ID_MAX];	/* question to resume */
	char		history[DLG_HISTORY_MAX][ID_MAX];
	size_t		nhistory;
	char		akey[DLG_ANSWERS_MAX][ID_MAX];	/* question node */
	char		aval[DLG_ANSWERS_MAX][ID_MAX];	/* answer id */
	size_t		nanswers;
	struct offer	offered[DIALOGUE_MAX_OPTIONS];
	size_t		noffered;
	bool		restarted;
};

static const char restarted_note[] =
    "The advisor's content has changed since we last spoke, so that part "
    "of our conversation no longer exists. We are back at the start.\n\n";

struct dialogue_state *
dialogue_state_new(void)
{
	struct dialogue_state *st = calloc(1, sizeof(*st));

	if (st != NULL)
		strcpy(st->node, "root");
	return st;
}

void
dialogue_state_free(struct dialogue_state *st)
{
	free(st);
}

const char *
dialogue_node(const struct dialogue_state *st)
{
	return st->node[0] ? st->node : NULL;
}

const char *
dialogue_topic(const struct dialogue_state *st)
{
	return st->topic[0] ? st->topic : NULL;
}

const char *
dialogue_pending(const struct dialogue_state *st)
{
	return st->pending[0] ? st->pending : NULL;
}

size_t
dialogue_context(const struct dialogue_state *st,
    const char *ctx[DIALOGUE_CONTEXTS])
{
	ctx[0] = dialogue_node(st);
	ctx[1] = dialogue_topic(st);
	ctx[2] = dialogue_pending(st);
	return DIALOGUE_CONTEXTS;
}

static void
setid(char *dst, const char *src)
{
	size_t n = src != NULL ? strnlen(src, ID_MAX - 1) : 0;

	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Append S to the reply text, cutting cleanly if it would not fit: at a
 * character, never inside one (the frame must stay valid UTF-8), and
 * nothing more after the cut. */
static void
put(struct dialogue_reply *r, size_t *o, const char *s, size_t n)
{
	if (*o + n < sizeof(r->text)) {
		memcpy(r->text + *o, s, n);
		*o += n;
		r->text[*o] = '\0';
		return;
	}
	if (*o >= sizeof(r->text) - 1)
		return;		/* cut already */
	n = sizeof(r->text) - 1 - *o;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	memcpy(r->text + *o, s, n);
	r->text[*o + n] = '\0';
	*o = sizeof(r->text) - 1;
}

static void
puts_(struct dialogue_reply *r, size_t *o, const char *s)
{
	put(r, o, s, strlen(s));
}

/* Copy TEXT, replacing {name} by the slot's value (or a neutral word). */
static void
render_text(struct dialogue_reply *r, size_t *o, const char *text,
    const struct dialogue_slot *slots, size_t nslots)
{
	const char *p = text, *e;
	size_t i;

	while (*p) {
		/* the text up to the next brace in one copy */
		if (*p != '{') {
			e = strchrnul(p, '{');
			put(r, o, p, (size_t)(e - p));
			p = e;
			continue;
		}
		if ((e = strchr(p, '}')) != NULL && e - p < 40) {
			for (i = 0; i < nslots; i++)
				if (strlen(slots[i].name) == (size_t)(e - p - 1) &&
				    memcmp(slots[i].name, p + 1, e - p - 1) == 0)
					break;
			if (i < nslots) {
				put(r, o, slots[i].value, strlen(slots[i].value));
				p = e + 1;
				continue;
			}
		}
		put(r, o, p, 1);
		p++;
	}
}

static void
set_answer(struct dialogue_state *st, const char *q, const char *a)
{
	size_t i;

	for (i = 0; i < st->nanswers; i++)
		if (strcmp(st->akey[i], q) == 0)
			break;
	if (i == st->nanswers) {
		if (st->nanswers == DLG_ANSWERS_MAX)
			return;
		st->nanswers++;
	}
	setid(st->akey[i], q);
	setid(st->aval[i], a);
}

/* Forget the answer to question Q (it was skipped). */
static void
unset_answer(struct dialogue_state *st, const char *q)
{
	size_t i;

	for (i = 0; i < st->nanswers; i++)
		if (strcmp(st->akey[i], q) == 0) {
			st->nanswers--;
			memmove(st->akey[i], st->akey[i + 1],
			    (st->nanswers - i) * ID_MAX);
			memmove(st->aval[i], st->aval[i + 1],
			    (st->nanswers - i) * ID_MAX);
			return;
		}
}

static const struct danswer *
find_answer(const struct dnode *q, const char *id)
{
	size_t i;

	for (i = 0; q && id && i < q->nanswers; i++)
		if (strcmp(q->answers[i].id, id) == 0)
			return &q->answers[i];
	return NULL;
}

int
dlg_score(const struct dialogues *d, const char *const *keys,
    const char *const *values, size_t n)
{
	size_t i;
	int score = 0;

	for (i = 0; i < n; i++) {
		const struct danswer *a = find_answer(dlg_node(d, keys[i]),
		    values[i]);
		if (a != NULL)
			score += a->lean;
	}
	return score;
}

/* The recommendation, built from the answers given so far. */
/* An answer's REASON as a line of the recommendation; one that points
 * the other way is marked so, and goes on mid-sentence ("...: you lack",
 * not "...: You lack"; a word in capitals, KPO, stays). */
static void
put_reason(struct dialogue_reply *r, size_t *o, const char *reason,
    bool other)
{
	if (!other) {
		puts_(r, o, reason);
		return;
	}
	puts_(r, o, "Pointing the other way: ");
	if (reason[0] >= 'A' && reason[0] <= 'Z' && reason[1] >= 'a' &&
	    reason[1] <= 'z') {
		char lc = (char)(reason[0] - 'A' + 'a');

		put(r, o, &lc, 1);
		reason++;
	}
	puts_(r, o, reason);
}

static void
render_recommendation(const struct dialogues *d,
    const struct dialogue_state *st, const struct dnode *n,
    struct dialogue_reply *r, size_t *o)
{
	const char *keys[DLG_ANSWERS_MAX], *vals[DLG_ANSWERS_MAX];
	const char *p = n->text, *verdict;
	size_t i, k, neutral = 0;
	int score, side;

	for (i = 0; i < st->nanswers; i++) {
		keys[i] = st->akey[i];
		vals[i] = st->aval[i];
	}
	score = dlg_score(d, keys, vals, st->nanswers);
	/* 1: KPO, -1: BPO, 0: a split */
	side = score >= 2 ? 1 : score <= -2 ? -1 : 0;
	verdict = side > 0 ? n->verdict_kpo : side < 0 ? n->verdict_bpo :
	    n->verdict_split;
	while (*p) {
		if (strncmp(p, "{verdict}", 9) == 0) {
			put(r, o, verdict, strlen(verdict));
			p += 9;
		} else if (strncmp(p, "{reasons}", 9) == 0) {
			/* the reasons for the verdict first, then, marked,
			 * the answers that pointed the other way (a BPO
			 * verdict had listed "bringing it in is what KPO is
			 * for" as one of its reasons) */
			for (k = 0, i = 0; i < 2 * st->nanswers; i++) {
				size_t j = i % st->nanswers;
				const struct dnode *q = dlg_node(d, keys[j]);
				const struct danswer *a = find_answer(q, vals[j]);
				bool other = a != NULL && side * a->lean < 0;

				/* first round the verdict's, second the rest */
				if (q == NULL || other != (i >= st->nanswers))
					continue;
				/* an answer that tips neither way but carries a
				 * caution (sensitive data) is said there, not
				 * given as a reason */
				if (a != NULL && a->lean == 0 && (side < 0 ?
				    a->caution_bpo : a->caution) != NULL) {
					neutral++;
					continue;
				}
				put(r, o, "- ", 2);
				if (a != NULL)
					put_reason(r, o, a->reason, other);
				else {
					put(r, o, q->title, strlen(q->title));
					/* "not sure" and "it depends" are
					 * answered this way too */
					puts_(r, o, ": you said a bit of both, "
					    "or were not sure, so this point "
					    "does not tip the balance.");
				}
				put(r, o, "\n", 1);
				k++;
			}
			if (k == 0 && neutral > 0)
				puts_(r, o, "- None of your answers tips the "
				    "balance either way, so this is only a "
				    "neutral starting point.\n");
			else if (k == 0)
				puts_(r, o, "- You have not answered any of "
				    "the questions yet, so this is only a "
				    "neutral starting point.\n");
			if (*o > 0 && r->text[*o - 1] == '\n')
				r->text[--(*o)] = '\0';
			p += 9;
		} else if (strncmp(p, "{cautions}", 10) == 0) {
			/* a caution drawn from KPO's risks is not one of
			 * a BPO verdict's: the seed names none for BPO */
			for (i = k = 0; i < st->nanswers; i++) {
				const struct danswer *a = find_answer(
				    dlg_node(d, keys[i]), vals[i]);
				const char *c = a == NULL ? NULL : side < 0 ?
				    a->caution_bpo : a->caution;

				if (c == NULL)
					continue;
				put(r, o, "- ", 2);
				put(r, o, c, strlen(c));
				put(r, o, "\n", 1);
				k++;
			}
			if (k == 0)
				puts_(r, o, "- Nothing beyond the usual care "
				    "in choosing a provider and writing clear "
				    "service levels.\n");
			if (*o > 0 && r->text[*o - 1] == '\n')
				r->text[--(*o)] = '\0';
			p += 10;
		} else
			put(r, o, p++, 1);
	}
}

static void
offer(struct dialogue_state *st, struct dialogue_reply *r, const char *id,
    const char *label, enum offer_kind kind, const char *target,
    const char *qnode)
{
	struct offer *of;
	size_t i;

	if (r->noptions >= DIALOGUE_MAX_OPTIONS)
		return;
	/* one button per id, and no two buttons that read the same: a
	 * "did you mean" suggestion and a node's own option may lead to the
	 * same place under different ids; the first offered stays */
	for (i = 0; i < r->noptions; i++)
		if (dlg_streq(r->options[i].id, id) ||
		    dlg_streq(r->options[i].label, label))
			return;
	of = &st->offered[st->noffered++];
	setid(of->id, id);
	of->kind = kind;
	setid(of->target, target);
	setid(of->qnode, qnode);
	r->options[r->noptions].id = id;
	r->options[r->noptions].label = label;
	r->noptions++;
}

static void
offer_answers(struct dialogue_state *st, struct dialogue_reply *r,
    const struct dnode *q)
{
	size_t i;

	for (i = 0; i < q->nanswers; i++)
		offer(st, r, q->answers[i].id, q->answers[i].label, OF_ANSWER,
		    q->answers[i].id, q->id);
}

/* Say node N: its text, then its options, and a way back to a pending
 * question.  SUGGEST are "did you mean" intents offered first. */
static void
render(const struct dialogues *d, struct dialogue_state *st,
    const struct dnode *n, const char *intent,
    const struct dialogue_slot *slots, size_t nslots,
    const char *const *suggest, const char *const *labels, size_t nsuggest,
    struct dialogue_reply *r)
{
	size_t o = 0, i;
	const struct dnode *pq;

	r->node = n->id;
	r->intent = intent;
	r->noptions = 0;
	r->text[0] = '\0';
	r->restarted = st->restarted;
	r->picked_suggestion = NULL;
	st->noffered = 0;
	if (st->restarted) {
		put(r, &o, restarted_note, sizeof(restarted_note) - 1);
		st->restarted = false;
	}
	if (n->kind == DN_RECOMMENDATION)
		render_recommendation(d, st, n, r, &o);
	else
		render_text(r, &o, n->text, slots, nslots);
	for (i = 0; i < nsuggest; i++)
		offer(st, r, suggest[i], labels[i], OF_SUGGEST, suggest[i],
		    NULL);
	if (n->kind == DN_QUESTION)
		offer_answers(st, r, n);
	pq = dlg_node(d, st->pending);
	if (pq != NULL && n->kind != DN_QUESTION) {
		offer(st, r, "resume", "Back to the questions", OF_NODE, pq->id,
		    NULL);
		offer_answers(st, r, pq);
	}
	for (i = 0; i < n->nopts; i++) {
		const struct dopt *op = &n->opts[i];

		offer(st, r, op->id, op->label, op->target ? OF_NODE :
		    OF_INTENT, op->target ? op->target : op->intent, NULL);
	}
}

/* Move to node N, remembering where we were. */
static void
enter(struct dialogue_state *st, const struct dnode *from,
    const struct dnode *n)
{
	if (from != NULL && strcmp(from->id, n->id) != 0) {
		if (st->nhistory == DLG_HISTORY_MAX) {
			memmove(st->history[0], st->history[1],
			    (DLG_HISTORY_MAX - 1) * ID_MAX);
			st->nhistory--;
		}
		setid(st->history[st->nhistory++], from->id);
	}
	/* leaving a question for a topic leaves it pending */
	if (from != NULL && from->kind == DN_QUESTION &&
	    n->kind == DN_ANSWER && strcmp(from->id, n->id) != 0)
		setid(st->pending, from->id);
	if (n->kind != DN_ANSWER)
		st->pending[0] = '\0';
	setid(st->node, n->id);
	if (n->topic != NULL)
		setid(st->topic, n->topic);
}

int
dialogue_start(const struct dialogues *d, struct dialogue_state *st,
    struct dialogue_reply *r)
{
	const struct dnode *n = dlg_node(d, st->node);

	if (n == NULL) {
		n = dlg_node(d, "root");
		setid(st->node, "root");
	}
	render(d, st, n, "start", NULL, 0, NULL, NULL, 0, r);
	return 0;
}

static const char *
lookup(const struct dkv *kv, size_t n, const char *k)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (dlg_streq(kv[i].key, k))
			return kv[i].value;
	return NULL;
}

/* The value of slot NAME, or NULL. */
static const char *
slot(const struct dialogue_slot *slots, size_t nslots, const char *name)
{
	size_t i;

	for (i = 0; i < nslots; i++)
		if (strcmp(slots[i].name, name) == 0)
			return slots[i].value;
	return NULL;
}

/* The recommendation this conversation has been given: the node N, or one
 * it has moved on from, of kind recommendation; NULL before any. */
static const struct dnode *
given_recommendation(const struct dialogues *d,
    const struct dialogue_state *st, const struct dnode *n)
{
	const struct dnode *h;
	size_t i;

	if (n->kind == DN_RECOMMENDATION)
		return n;
	for (i = st->nhistory; i-- > 0;)
		if ((h = dlg_node(d, st->history[i])) != NULL &&
		    h->kind == DN_RECOMMENDATION)
			return h;
	return NULL;
}

/* Record ANSWER for question Q and go on to the question after it. */
static void
answer(const struct dialogues *d, struct dialogue_state *st,
    const struct dnode *cur, const struct dnode *q, const char *id,
    const char *intent, struct dialogue_reply *r)
{
	const struct dnode *next = dlg_node(d, q->next);

	set_answer(st, q->id, id);
	st->pending[0] = '\0';
	if (next == NULL)
		next = dlg_node(d, "root");
	enter(st, cur, next);
	render(d, st, next, intent, NULL, 0, NULL, NULL, 0, r);
}

int
dialogue_on_intent(const struct dialogues *d, struct dialogue_state *st,
    const char *intent, const struct dialogue_slot *slots, size_t nslots,
    const char *const *suggest, const char *const *labels, size_t nsuggest,
    struct dialogue_reply *r)
{
	const struct dnode *cur = dlg_node(d, st->node), *n = NULL, *q, *g;
	const char *to, *m;
	char key[2 * ID_MAX];
	size_t i;

	r->picked_suggestion = NULL;
	if (cur == NULL) {
		cur = dlg_node(d, "root");
		setid(st->node, "root");
	}
	if (strcmp(intent, "restart") == 0) {
		bool note = st->restarted;

		memset(st, 0, sizeof(*st));
		st->restarted = note;
		n = dlg_node(d, dlg_route(d, "restart") ?
		    dlg_route(d, "restart") : "root");
		if (n == NULL)
			n = dlg_node(d, "root");
		setid(st->node, n->id);
		render(d, st, n, intent, slots, nslots, NULL, NULL, 0, r);
		return 0;
	}
	if (strcmp(intent, "back") == 0) {
		while (st->nhistory > 0 && n == NULL)
			n = dlg_node(d, st->history[--st->nhistory]);
		if (n == NULL)
			n = dlg_node(d, "root");
		if (n->kind == DN_QUESTION)
			st->pending[0] = '\0';
		setid(st->node, n->id);
		if (n->topic != NULL)
			setid(st->topic, n->topic);
		render(d, st, n, intent, slots, nslots, NULL, NULL, 0, r);
		return 0;
	}
	/* the question being asked: this node, or the one a side question
	 * interrupted, whose answers the reply still offers */
	q = cur->kind == DN_QUESTION ? cur : st->pending[0] ?
	    dlg_node(d, st->pending) : NULL;
	if (q != NULL && q->kind == DN_QUESTION) {
		for (i = 0; i < q->nanswers; i++)
			if (q->answers[i].intent != NULL &&
			    dlg_streq(q->answers[i].intent, intent)) {
				answer(d, st, cur, q, q->answers[i].id, intent,
				    r);
				return 0;
			}
		if (strcmp(intent, "answer_mixed") == 0) {
			answer(d, st, cur, q, "mixed", intent, r);
			return 0;
		}
		/* typed, as the Skip button: on, with the question left
		 * unanswered ("skip" was taken for "a bit of both") */
		if (strcmp(intent, "answer_skip") == 0 && q->next != NULL &&
		    (n = dlg_node(d, q->next)) != NULL) {
			unset_answer(st, q->id);
			st->pending[0] = '\0';
			enter(st, cur, n);
			render(d, st, n, intent, NULL, 0, NULL, NULL, 0, r);
			return 0;
		}
	}
	/* the model the text named wins over this node's own follow-up:
	 * "examples of kpo" at the BPO definition, a route or transition
	 * keyed "examples/kpo" (the intent's "model" slot); and over the
	 * current topic for "tell me more about kpo" ("more/kpo"), which
	 * at that very node is the step after it */
	if ((m = slot(slots, nslots, "model")) != NULL &&
	    snprintf(key, sizeof(key), "%s/%s", intent, m) < (int)sizeof(key)) {
		if ((to = lookup(cur->trans, cur->ntrans, key)) == NULL)
			to = dlg_route(d, key);
		if ((n = dlg_node(d, to)) == cur && strcmp(intent, "more") == 0)
			n = dlg_node(d, cur->deeper);
	}
	if (n == NULL && strcmp(intent, "more") == 0) {
		const struct dnode *t = dlg_node(d, dlg_route(d, st->topic));

		n = dlg_node(d, cur->deeper);
		if (n == NULL && t != NULL)
			n = dlg_node(d, t->deeper);
	}
	if (n == NULL && (to = lookup(cur->trans, cur->ntrans, intent)))
		n = dlg_node(d, to);
	if (n == NULL) {
		n = dlg_node(d, dlg_route(d, intent));
		/* asked again which one suits once the questionnaire has
		 * made its suggestion, with no question waiting: that
		 * suggestion again, not question 1 ("what would you do in
		 * my position" a step after it started the questionnaire
		 * over); its "Answer again" button still does */
		if (n != NULL && n->kind == DN_QUESTION && q == NULL &&
		    (g = given_recommendation(d, st, cur)) != NULL)
			n = g;
	}
	if (n == NULL || strcmp(intent, "fallback") == 0) {
		if (n == NULL)
			n = dlg_node(d, dlg_route(d, "fallback"));
		if (n == NULL)
			n = dlg_node(d, "root");
		/* a fallback does not move the conversation; at a question
		 * it offers the question's answers again */
		if (cur->kind == DN_QUESTION)
			setid(st->pending, cur->id);
		render(d, st, n, "fallback", slots, nslots, suggest, labels,
		    nsuggest, r);
		if (cur->kind == DN_QUESTION)
			st->pending[0] = '\0';
		return 0;
	}
	enter(st, cur, n);
	render(d, st, n, intent, slots, nslots, NULL, NULL, 0, r);
	return 0;
}

void
dialogue_offer_intent(struct dialogue_state *st, struct dialogue_reply *r,
    const char *intent, const char *label)
{
	size_t n = r->noptions;
	struct dialogue_option first;

	offer(st, r, intent, label, OF_INTENT, intent, NULL);
	if (r->noptions == n || n == 0)
		return;
	/* first: it answers what the person asked */
	first = r->options[n];
	memmove(&r->options[1], &r->options[0], n * sizeof(r->options[0]));
	r->options[0] = first;
}

/* The dialogues' own copy of the string INTENT, or "choose". */
static const char *
stable_intent(const struct dialogues *d, const char *intent)
{
	size_t i, j;

	for (i = 0; i < d->nroutes; i++)
		if (dlg_streq(d->routes[i].key, intent))
			return d->routes[i].key;
	for (i = 0; i < d->n; i++)
		for (j = 0; j < d->nodes[i].ntrans; j++)
			if (dlg_streq(d->nodes[i].trans[j].key, intent))
				return d->nodes[i].trans[j].key;
	return "choose";
}

int
dialogue_choose(const struct dialogues *d, struct dialogue_state *st,
    const char *id, struct dialogue_reply *r)
{
	const struct dnode *cur = dlg_node(d, st->node), *n;
	struct offer of;
	size_t i;

	for (i = 0; i < st->noffered; i++)
		if (strcmp(st->offered[i].id, id) == 0)
			break;
	if (i == st->noffered)
		return -1;
	of = st->offered[i];
	switch (of.kind) {
	case OF_ANSWER:
		if ((n = dlg_node(d, of.qnode)) == NULL)
			return -1;
		answer(d, st, cur, n, of.target, "choose", r);
		return 0;
	case OF_NODE:
		if ((n = dlg_node(d, of.target)) == NULL)
			return -1;
		if (cur != NULL && strcmp(of.id, "resume") == 0)
			st->pending[0] = '\0';
		/* moving on from a question without answering skips it */
		if (cur != NULL && cur->kind == DN_QUESTION && cur->next != NULL
		    && strcmp(cur->next, n->id) == 0)
			unset_answer(st, cur->id);
		enter(st, cur, n);
		render(d, st, n, n->topic ? n->topic : "choose", NULL, 0, NULL,
		    NULL, 0, r);
		return 0;
	case OF_SUGGEST:
	case OF_INTENT:
		dialogue_on_intent(d, st, of.target, NULL, 0, NULL, NULL, 0, r);
		/* of is on our stack: point into the dialogues instead */
		r->intent = stable_intent(d, of.target);
		r->picked_suggestion = of.kind == OF_SUGGEST ? r->intent : NULL;
		return 0;
	}
	return -1;
}

static const char *const kind_names[] = { "node", "intent", "answer",
    "suggest" };

/* Append S as a JSON string at *O in BUF (room checked by the caller:
 * every field is shorter than ID_MAX, escaped at most six bytes each). */
static void
put_json_str(char *buf, size_t *o, const char *s)
{
	buf[(*o)++] = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			buf[(*o)++] = '\\';
			buf[(*o)++] = (char)c;
		} else if (c < 0x20)
			*o += (size_t)sprintf(buf + *o, "\\u%04x", c);
		else
			buf[(*o)++] = (char)c;
	}
	buf[(*o)++] = '"';
}

/*
 * Written by hand rather than through a cJSON tree: it runs for every
 * reply, and building and freeing a tree was a fifth of a reply's cost.
 * dialogue_state_load reads it back with cJSON.
 */
char *
dialogue_state_save(const struct dialogue_state *st)
{
	/* every id-sized field may grow six times when escaped */
	size_t cap = 256 + 6 * ID_MAX * (3 + DLG_HISTORY_MAX +
	    2 * DLG_ANSWERS_MAX + 3 * DIALOGUE_MAX_OPTIONS) +
	    64 * DIALOGUE_MAX_OPTIONS, o = 0, i;
	char *b = malloc(cap);

	if (b == NULL)
		return NULL;
	o += (size_t)sprintf(b, "{\"v\":1,\"node\":");
	put_json_str(b, &o, st->node);
	o += (size_t)sprintf(b + o, ",\"topic\":");
	put_json_str(b, &o, st->topic);
	o += (size_t)sprintf(b + o, ",\"pending\":");
	put_json_str(b, &o, st->pending);
	o += (size_t)sprintf(b + o, ",\"history\":[");
	for (i = 0; i < st->nhistory; i++) {
		if (i)
			b[o++] = ',';
		put_json_str(b, &o, st->history[i]);
	}
	o += (size_t)sprintf(b + o, "],\"answers\":{");
	for (i = 0; i < st->nanswers; i++) {
		if (i)
			b[o++] = ',';
		put_json_str(b, &o, st->akey[i]);
		b[o++] = ':';
		put_json_str(b, &o, st->aval[i]);
	}
	o += (size_t)sprintf(b + o, "},\"offered\":[");
	for (i = 0; i < st->noffered; i++) {
		const struct offer *of = &st->offered[i];

		o += (size_t)sprintf(b + o, "%s{\"id\":", i ? "," : "");
		put_json_str(b, &o, of->id);
		o += (size_t)sprintf(b + o, ",\"kind\":\"%s\",\"target\":",
		    kind_names[of->kind]);
		put_json_str(b, &o, of->target);
		if (of->qnode[0]) {
			o += (size_t)sprintf(b + o, ",\"q\":");
			put_json_str(b, &o, of->qnode);
		}
		b[o++] = '}';
	}
	o += (size_t)sprintf(b + o, "]}");
	return b;
}

static const char *
str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

struct dialogue_state *
dialogue_state_load(const struct dialogues *d, const char *json, size_t len)
{
	struct dialogue_state *st;
	const cJSON *a, *e;
	cJSON *o;
	size_t k;

	if ((o = cJSON_ParseWithLength(json, len)) == NULL)
		return NULL;
	if (!cJSON_IsObject(o) || !cJSON_IsNumber(cJSON_GetObjectItem(o, "v"))
	    || (st = dialogue_state_new()) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	setid(st->node, str(o, "node"));
	setid(st->topic, str(o, "topic"));
	setid(st->pending, str(o, "pending"));
	if (dlg_node(d, st->node) == NULL) {
		/* the node vanished in a content reload: start over */
		memset(st, 0, sizeof(*st));
		strcpy(st->node, "root");
		st->restarted = true;
		cJSON_Delete(o);
		return st;
	}
	if (dlg_node(d, st->pending) == NULL)
		st->pending[0] = '\0';
	a = cJSON_GetObjectItemCaseSensitive(o, "history");
	cJSON_ArrayForEach(e, a)
		if (cJSON_IsString(e) && dlg_node(d, e->valuestring) &&
		    st->nhistory < DLG_HISTORY_MAX)
			setid(st->history[st->nhistory++], e->valuestring);
	a = cJSON_GetObjectItemCaseSensitive(o, "answers");
	cJSON_ArrayForEach(e, a)
		if (cJSON_IsString(e) && dlg_node(d, e->string))
			set_answer(st, e->string, e->valuestring);
	a = cJSON_GetObjectItemCaseSensitive(o, "offered");
	cJSON_ArrayForEach(e, a) {
		struct offer *of;

		if (st->noffered == DIALOGUE_MAX_OPTIONS)
			break;
		of = &st->offered[st->noffered];
		for (k = 0; k < 4; k++)
			if (strcmp(str(e, "kind"), kind_names[k]) == 0)
				break;
		if (k == 4 || str(e, "id")[0] == '\0')
			continue;
		of->kind = (enum offer_kind)k;
		setid(of->id, str(e, "id"));
		setid(of->target, str(e, "target"));
		setid(of->qnode, str(e, "q"));
		st->noffered++;
	}
	cJSON_Delete(o);
	return st;
}
