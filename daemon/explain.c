/*
 * explain.c: advisord --explain, how one text is understood, written for
 * people: the content's authors try a fix before they reload it.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/explain.h"
#include "daemon/jbuf.h"

/* The state of a conversation standing at node AT, in *ST; -1 when the
 * content has no such node (loading a state at one starts it over at the
 * root, as after a reload that removed it). */
static int
state_at(const struct dialogues *dl, const char *at,
    struct dialogue_state **st)
{
	cJSON *o = cJSON_CreateObject();
	char *js;

	*st = NULL;
	if (o == NULL)
		return -1;
	cJSON_AddNumberToObject(o, "v", 1);
	cJSON_AddStringToObject(o, "node", at);
	if ((js = cJSON_PrintUnformatted(o)) != NULL)
		*st = dialogue_state_load(dl, js, strlen(js));
	free(js);
	cJSON_Delete(o);
	if (*st != NULL && dialogue_node(*st) != NULL &&
	    strcmp(dialogue_node(*st), at) == 0)
		return 0;
	dialogue_state_free(*st);
	*st = NULL;
	return -1;
}

int
explain_text(FILE *f, const struct intents *in, const struct dialogues *dl,
    const char *text, const char *at, char *err, size_t errlen)
{
	static struct intent_result r;
	const char *ctx[DIALOGUE_CONTEXTS];
	struct dialogue_state *st = NULL;
	struct jbuf json;
	size_t i, nctx = 0;

	if (at != NULL) {
		if (state_at(dl, at, &st) == -1) {
			snprintf(err, errlen, "no dialogue node \"%.64s\" in "
			    "the content", at);
			return -1;
		}
		nctx = dialogue_context(st, ctx);
	}
	intents_match(in, text, strlen(text), nctx ? ctx : NULL, nctx, &r);
	fprintf(f, "text:       %s\n", text);
	if (at != NULL)
		fprintf(f, "at node:    %s\n", at);
	fprintf(f, "normalised: %s\n", r.normalized);
	for (i = 0; i < r.nrewrites; i++)
		fprintf(f, "rewrite:    %s -> %s\n", r.rewrites[i].from,
		    r.rewrites[i].to);
	fprintf(f, "intent:     %s%s\n", r.intent, r.followup ?
	    " (follow-up)" : "");
	if (r.pattern != NULL)
		fprintf(f, "pattern:    %s\n", r.pattern);
	for (i = 0; i < r.nslots; i++)
		fprintf(f, "capture:    %s = %s\n", r.slots[i].name,
		    r.slots[i].value);
	for (i = 0; i < r.nrunners; i++)
		fprintf(f, "runner-up:  %s\n", r.runners[i]);
	for (i = 0; i < r.nsuggest; i++)
		fprintf(f, "did you mean: %s (%s)\n", r.suggest[i],
		    intents_label(in, r.suggest[i]));
	jbuf_init(&json, 0);
	if (intent_result_json(&r, &json) == 0)
		fprintf(f, "json:       %s\n", jbuf_data(&json));
	jbuf_free(&json);
	dialogue_state_free(st);
	return 0;
}
