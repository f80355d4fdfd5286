/*
 * dialogue_check.c: validates loaded trees before they are used: every
 * reference resolves, every node can be reached from the root and offers a
 * way on, nothing is empty, every intent of the catalog leads somewhere,
 * and the recommendation gives an answer for every combination of answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialogues/dialogue_int.h"

/* Intents the engine answers itself, wherever the conversation is. */
static const char *const builtin[] = { "restart", "back", "more",
    "fallback", "answer_mixed", "answer_skip" };

static int
ref(const struct dialogues *d, const struct dnode *n, const char *what,
    const char *id, FILE *report)
{
	if (id == NULL || dlg_node(d, id) != NULL)
		return 0;
	fprintf(report, "%s: %s: %s \"%s\" is not a node\n", n->file, n->id,
	    what, id);
	return 1;
}

static size_t
index_of(const struct dialogues *d, const char *id)
{
	const struct dnode *n = dlg_node(d, id);

	return n ? (size_t)(n - d->nodes) : d->n;
}

static void
mark(const struct dialogues *d, const char *id, char *seen, size_t *queue,
    size_t *tail)
{
	size_t i = index_of(d, id);

	if (i < d->n && !seen[i]) {
		seen[i] = 1;
		queue[(*tail)++] = i;
	}
}

static int
reachability(const struct dialogues *d, FILE *report)
{
	char *seen = calloc(d->n + 1, 1);
	size_t *queue = calloc(d->n + 1, sizeof(size_t));
	size_t head = 0, tail = 0, i, j;
	int errors = 0;

	if (seen == NULL || queue == NULL) {
		free(seen);
		free(queue);
		return 1;
	}
	mark(d, "root", seen, queue, &tail);
	/* global routes are reachable from anywhere by typing */
	for (i = 0; i < d->nroutes; i++)
		mark(d, d->routes[i].value, seen, queue, &tail);
	while (head < tail) {
		const struct dnode *n = &d->nodes[queue[head++]];

		for (j = 0; j < n->nopts; j++)
			mark(d, n->opts[j].target ? n->opts[j].target :
			    dlg_route(d, n->opts[j].intent), seen, queue, &tail);
		for (j = 0; j < n->ntrans; j++)
			mark(d, n->trans[j].value, seen, queue, &tail);
		mark(d, n->deeper, seen, queue, &tail);
		mark(d, n->next, seen, queue, &tail);
	}
	for (i = 0; i < d->n; i++)
		if (!seen[i]) {
			fprintf(report, "%s: %s: not reachable from root\n",
			    d->nodes[i].file, d->nodes[i].id);
			errors++;
		}
	free(seen);
	free(queue);
	return errors;
}

/* Try every combination of answers (each answer, "mixed" or none). */
static int
totality(const struct dialogues *d, const struct dnode *rec, FILE *report)
{
	const struct dnode *qs[DLG_ANSWERS_MAX];
	const char *keys[DLG_ANSWERS_MAX], *vals[DLG_ANSWERS_MAX];
	size_t pick[DLG_ANSWERS_MAX] = { 0 };
	size_t nq = 0, i, n;
	long combos = 0;

	for (i = 0; i < d->n && nq < DLG_ANSWERS_MAX; i++)
		if (d->nodes[i].kind == DN_QUESTION)
			qs[nq++] = &d->nodes[i];
	for (;;) {
		int score;

		for (i = n = 0; i < nq; i++) {
			if (pick[i] == qs[i]->nanswers + 1)
				continue;	/* left unanswered */
			keys[n] = qs[i]->id;
			vals[n++] = pick[i] < qs[i]->nanswers ?
			    qs[i]->answers[pick[i]].id : "mixed";
		}
		score = dlg_score(d, keys, vals, n);
		if ((score >= 2 ? rec->verdict_kpo : score <= -2 ?
		    rec->verdict_bpo : rec->verdict_split) == NULL) {
			fprintf(report, "%s: %s: no verdict for a score of "
			    "%d\n", rec->file, rec->id, score);
			return 1;
		}
		combos++;
		for (i = 0; i < nq; i++) {
			if (++pick[i] <= qs[i]->nanswers + 1)
				break;
			pick[i] = 0;
		}
		if (i == nq)
			break;
	}
	(void)combos;
	return 0;
}

int
dialogues_check(const struct dialogues *d, const char *const *ids,
    size_t nids, FILE *report)
{
	size_t i, j, k;
	int errors = 0;

	for (i = 0; i < d->n; i++) {
		const struct dnode *n = &d->nodes[i];

		if (strlen(n->id) >= 48) {
			fprintf(report, "%s: %s: id longer than 47 bytes\n",
			    n->file, n->id);
			errors++;
		}
		if (n->text == NULL || n->text[0] == '\0') {
			fprintf(report, "%s: %s: empty text\n", n->file, n->id);
			errors++;
		}
		if (n->title == NULL || n->title[0] == '\0') {
			fprintf(report, "%s: %s: no title\n", n->file, n->id);
			errors++;
		}
		if (n->nopts == 0 && n->nanswers == 0) {
			fprintf(report, "%s: %s: dead end: no options\n",
			    n->file, n->id);
			errors++;
		}
		for (j = 0; j < n->nopts; j++) {
			errors += ref(d, n, "option target", n->opts[j].target,
			    report);
			if (n->opts[j].intent &&
			    dlg_route(d, n->opts[j].intent) == NULL) {
				fprintf(report, "%s: %s: option %s: intent %s "
				    "has no route\n", n->file, n->id,
				    n->opts[j].id, n->opts[j].intent);
				errors++;
			}
		}
		for (j = 0; j < n->ntrans; j++)
			errors += ref(d, n, "transition target",
			    n->trans[j].value, report);
		errors += ref(d, n, "deeper", n->deeper, report);
		errors += ref(d, n, "next", n->next, report);
		if (n->kind == DN_QUESTION && (n->nanswers < 2 ||
		    n->next == NULL)) {
			fprintf(report, "%s: %s: a question needs two answers "
			    "and a next node\n", n->file, n->id);
			errors++;
		}
		if (n->kind == DN_RECOMMENDATION) {
			if (!n->verdict_bpo || !n->verdict_kpo ||
			    !n->verdict_split) {
				fprintf(report, "%s: %s: needs verdict_bpo, "
				    "verdict_kpo and verdict_split\n", n->file,
				    n->id);
				errors++;
			} else
				errors += totality(d, n, report);
		}
	}
	for (i = 0; i < d->nroutes; i++)
		if (dlg_node(d, d->routes[i].value) == NULL) {
			fprintf(report, "routes: %s: \"%s\" is not a node\n",
			    d->routes[i].key, d->routes[i].value);
			errors++;
		}
	errors += reachability(d, report);
	for (i = 0; i < nids; i++) {
		int found = dlg_route(d, ids[i]) != NULL;

		for (k = 0; !found && k < sizeof(builtin) / sizeof(*builtin);
		    k++)
			found = strcmp(ids[i], builtin[k]) == 0;
		for (j = 0; !found && j < d->n; j++)
			for (k = 0; !found && k < d->nodes[j].nanswers; k++)
				found = d->nodes[j].answers[k].intent &&
				    strcmp(d->nodes[j].answers[k].intent,
				    ids[i]) == 0;
		if (!found) {
			fprintf(report, "intent %s has no route in the "
			    "dialogues\n", ids[i]);
			errors++;
		}
	}
	return errors;
}
