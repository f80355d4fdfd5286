/*
 * test_stories.c: runs the scripted conversations in tests/stories (.json files)
 * against the shipped content, with the real intent engine for "say" turns.
 * A story is {"title": ..., "turns": [...]}; a turn is one of
 *   {"say": "free text"}      matched by the intent catalog
 *   {"intent": "define_kpo"}  stepped on an intent directly
 *   {"choose": "option id"}   an option of the previous reply
 * with expectations "intent", "node", "text" (an extended regex),
 * "options" (ids that must be offered) or "options_exact" (exactly these,
 * in order), "restarted" (bool), and "rejected": true for a choice that
 * must be refused.  Together the stories must visit every node; the test
 * prints the coverage and fails below 100%.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <dirent.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialogues/dialogue.h"
#include "intents/intents.h"

#define STORIES_DIR	ADVISOR_CONTENT_DIR "/tests/stories"
#define MAX_NODES	256

static struct dialogues	*dl;
static struct intents	*in;
static char		*visited[MAX_NODES];
static size_t		 nvisited;
static int		 failures;

static void
visit(const char *node)
{
	size_t i;

	for (i = 0; i < nvisited; i++)
		if (strcmp(visited[i], node) == 0)
			return;
	if (nvisited < MAX_NODES)
		visited[nvisited++] = strdup(node);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc(n + 1)) == NULL)
		goto fail;
	if (fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
		goto fail;
	}
	buf[n] = '\0';
fail:
	fclose(f);
	return buf;
}

static bool
offered(const struct dialogue_reply *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->noptions; i++)
		if (strcmp(r->options[i].id, id) == 0)
			return true;
	return false;
}

static void complain(const char *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
complain(const char *file, int turn, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: turn %d: ", file, turn);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	failures++;
}

/* Compare reply R with the expectations of turn T. */
static void
expect(const char *file, int k, const cJSON *t,
    const struct dialogue_reply *r)
{
	const cJSON *v, *e;
	regex_t re;

	v = cJSON_GetObjectItemCaseSensitive(t, "intent");
	if (cJSON_IsString(v) && (r->intent == NULL ||
	    strcmp(v->valuestring, r->intent) != 0))
		complain(file, k, "intent %s, expected %s",
		    r->intent ? r->intent : "(none)", v->valuestring);
	v = cJSON_GetObjectItemCaseSensitive(t, "node");
	if (cJSON_IsString(v) && strcmp(v->valuestring, r->node) != 0)
		complain(file, k, "node %s, expected %s", r->node,
		    v->valuestring);
	v = cJSON_GetObjectItemCaseSensitive(t, "text");
	if (cJSON_IsString(v)) {
		if (regcomp(&re, v->valuestring,
		    REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0)
			complain(file, k, "bad regex %s", v->valuestring);
		else {
			if (regexec(&re, r->text, 0, NULL, 0) != 0)
				complain(file, k, "text /%s/ not in: %s",
				    v->valuestring, r->text);
			regfree(&re);
		}
	}
	v = cJSON_GetObjectItemCaseSensitive(t, "options");
	cJSON_ArrayForEach(e, v)
		if (cJSON_IsString(e) && !offered(r, e->valuestring))
			complain(file, k, "option %s not offered at %s",
			    e->valuestring, r->node);
	v = cJSON_GetObjectItemCaseSensitive(t, "options_exact");
	if (cJSON_IsArray(v)) {
		size_t i = 0;

		if ((size_t)cJSON_GetArraySize(v) != r->noptions)
			complain(file, k, "options at %s: count differs",
			    r->node);
		cJSON_ArrayForEach(e, v) {
			if (i < r->noptions && cJSON_IsString(e) &&
			    strcmp(e->valuestring, r->options[i].id) != 0)
				complain(file, k, "option %s, expected %s",
				    r->options[i].id, e->valuestring);
			i++;
		}
	}
	v = cJSON_GetObjectItemCaseSensitive(t, "restarted");
	if (cJSON_IsBool(v) && cJSON_IsTrue(v) != r->restarted)
		complain(file, k, "restarted is %s",
		    r->restarted ? "true" : "false");
	v = cJSON_GetObjectItemCaseSensitive(t, "suggests");
	cJSON_ArrayForEach(e, v)
		if (cJSON_IsString(e) && !offered(r, e->valuestring))
			complain(file, k, "suggestion %s not offered",
			    e->valuestring);
	v = cJSON_GetObjectItemCaseSensitive(t, "picked");
	if (cJSON_IsString(v) && (r->picked_suggestion == NULL ||
	    strcmp(r->picked_suggestion, v->valuestring) != 0))
		complain(file, k, "picked_suggestion %s, expected %s",
		    r->picked_suggestion ? r->picked_suggestion : "(none)",
		    v->valuestring);
}

/* One user turn: say, intent or choose.  Fills R. */
static void
step(const char *file, int k, struct dialogue_state *st, const cJSON *t,
    struct dialogue_reply *r)
{
	const cJSON *say = cJSON_GetObjectItemCaseSensitive(t, "say");
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(t, "intent");
	const cJSON *ch = cJSON_GetObjectItemCaseSensitive(t, "choose");
	const cJSON *rej = cJSON_GetObjectItemCaseSensitive(t, "rejected");
	static struct intent_result res;
	struct dialogue_slot slots[INTENT_MAX_SLOTS];
	const char *labels[INTENT_MAX_SUGGEST], *ctx[DIALOGUE_CONTEXTS];
	size_t i, nctx;

	if (cJSON_IsString(say)) {
		/* the context a conversation in the daemon has */
		nctx = dialogue_context(st, ctx);
		intents_match(in, say->valuestring, strlen(say->valuestring),
		    ctx, nctx, &res);
		for (i = 0; i < res.nsuggest; i++)
			labels[i] = intents_label(in, res.suggest[i]);
		for (i = 0; i < res.nslots; i++) {
			slots[i].name = res.slots[i].name;
			slots[i].value = res.slots[i].value;
		}
		dialogue_on_intent(dl, st, res.intent, slots, res.nslots,
		    res.suggest, labels, res.nsuggest, r);
	} else if (cJSON_IsString(it) && cJSON_IsString(ch) == 0) {
		dialogue_on_intent(dl, st, it->valuestring, NULL, 0, NULL, NULL,
		    0, r);
	} else if (cJSON_IsString(ch)) {
		int rc = dialogue_choose(dl, st, ch->valuestring, r);

		if (cJSON_IsTrue(rej)) {
			if (rc != -1)
				complain(file, k, "choice %s accepted",
				    ch->valuestring);
			return;
		}
		if (rc != 0) {
			complain(file, k, "option %s refused at %s",
			    ch->valuestring, dialogue_node(st));
			return;
		}
	} else {
		complain(file, k, "turn has no say, intent or choose");
		return;
	}
	visit(r->node);
	expect(file, k, t, r);
}

static void
run_story(const char *file, const char *path)
{
	char *buf = slurp(path);
	cJSON *o = buf ? cJSON_Parse(buf) : NULL, *t;
	struct dialogue_state *st = dialogue_state_new();
	static struct dialogue_reply r;
	int k = 0;

	assert_non_null(st);
	if (o == NULL) {
		complain(file, 0, "not valid JSON");
		goto out;
	}
	dialogue_start(dl, st, &r);
	visit(r.node);
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(o, "turns")) {
		const cJSON *save = cJSON_GetObjectItemCaseSensitive(t,
		    "save_load");

		k++;
		if (cJSON_IsTrue(save)) {
			/* round trip the state, as a reconnect would */
			char *js = dialogue_state_save(st);
			struct dialogue_state *st2;

			assert_non_null(js);
			st2 = dialogue_state_load(dl, js, strlen(js));
			free(js);
			assert_non_null(st2);
			dialogue_state_free(st);
			st = st2;
			continue;
		}
		step(file, k, st, t, &r);
	}
out:
	cJSON_Delete(o);
	dialogue_state_free(st);
	free(buf);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
test_stories(void **state)
{
	char *names[128], path[512], err[256] = "";
	struct dirent *e;
	size_t n = 0, i, total = 0;
	DIR *dp;

	(void)state;
	dl = dialogues_load(ADVISOR_CONTENT_DIR "/dialogues", err, sizeof(err));
	if (dl == NULL)
		fail_msg("dialogues: %s", err);
	in = intents_load(ADVISOR_CONTENT_DIR "/intents", false, err,
	    sizeof(err));
	if (in == NULL)
		fail_msg("intents: %s", err);
	dp = opendir(STORIES_DIR);
	assert_non_null(dp);
	while ((e = readdir(dp)) != NULL && n < 128) {
		size_t l = strlen(e->d_name);

		if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0)
			names[n++] = strdup(e->d_name);
	}
	closedir(dp);
	qsort(names, n, sizeof(names[0]), name_cmp);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", STORIES_DIR, names[i]);
		run_story(names[i], path);
		free(names[i]);
	}
	/* every node the shipped trees define must have been visited */
	dp = opendir(ADVISOR_CONTENT_DIR "/dialogues");
	assert_non_null(dp);
	while ((e = readdir(dp)) != NULL) {
		size_t l = strlen(e->d_name), j;
		char *text;
		cJSON *o, *nd;

		if (l <= 5 || strcmp(e->d_name + l - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/dialogues/%s",
		    ADVISOR_CONTENT_DIR, e->d_name);
		text = slurp(path);
		o = text ? cJSON_Parse(text) : NULL;
		cJSON_ArrayForEach(nd, cJSON_GetObjectItemCaseSensitive(o,
		    "nodes")) {
			const char *id = cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(nd, "id"));

			if (id == NULL)
				continue;
			total++;
			for (j = 0; j < nvisited; j++)
				if (strcmp(visited[j], id) == 0)
					break;
			if (j == nvisited)
				fprintf(stderr, "not visited: %s\n", id);
		}
		cJSON_Delete(o);
		free(text);
	}
	closedir(dp);
	printf("stories: %zu, nodes visited: %zu/%zu\n", n, nvisited, total);
	for (i = 0; i < nvisited; i++)
		free(visited[i]);
	intents_free(in);
	dialogues_free(dl);
	assert_int_equal(failures, 0);
	assert_true(n > 0);
	assert_int_equal(nvisited, total);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stories),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
