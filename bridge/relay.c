/*
 * relay.c: build advisor.v1 frames for team chat messages and render
 * advisord's replies as team chat JSON ({"text": ...}, options as a
 * numbered list).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bridge/chat.h"
#include "bridge/convmap.h"
#include "bridge/relay.h"

/* USER in at most RELAY_USER_MAX bytes into OUT (RELAY_USER_MAX + 1):
 * advisord refuses a longer one, and so every message of that person. */
static const char *
clip_user(const char *user, char *out)
{
	size_t n = strlen(user);

	if (n <= RELAY_USER_MAX)
		return user;
	n = RELAY_USER_MAX;
	/* not in the middle of a UTF-8 character */
	while (n > 0 && ((unsigned char)user[n] & 0xc0) == 0x80)
		n--;
	memcpy(out, user, n);
	out[n] = '\0';
	return out;
}

char *
relay_request(const char *conv, const char *reqid, const char *user,
    const char *text, const char *opt)
{
	char ubuf[RELAY_USER_MAX + 1];
	cJSON *o;
	char *s = NULL;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	if (cJSON_AddStringToObject(o, "type", opt ? "choose" : "message") ==
	    NULL || cJSON_AddStringToObject(o, "conversation", conv) == NULL ||
	    cJSON_AddStringToObject(o, "id", reqid) == NULL)
		goto fail;
	if (opt != NULL) {
		if (cJSON_AddStringToObject(o, "option", opt) == NULL)
			goto fail;
	} else if (cJSON_AddStringToObject(o, "user", clip_user(user,
	    ubuf)) == NULL ||
	    cJSON_AddStringToObject(o, "text", text) == NULL)
		goto fail;
	s = cJSON_PrintUnformatted(o);
fail:
	cJSON_Delete(o);
	return s;
}

char *
relay_answer(const char *text)
{
	cJSON *o;
	char *s = NULL;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	if (cJSON_AddStringToObject(o, "text", text) != NULL)
		s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

/* ANSWER (taken over) with its text as EDIT makes it from ARG (a new
 * string, or NULL: no change); as it was when its text is empty or it
 * cannot be rebuilt. */
static char *
rewrite_text(char *answer, char *(*edit)(const char *, const void *),
    const void *arg)
{
	cJSON *o, *text;
	char *s = NULL, *t;

	if (answer == NULL || (o = cJSON_Parse(answer)) == NULL)
		return answer;
	text = cJSON_GetObjectItemCaseSensitive(o, "text");
	if (cJSON_IsString(text) && text->valuestring[0] != '\0' &&
	    (t = edit(text->valuestring, arg)) != NULL) {
		s = relay_answer(t);
		free(t);
	}
	cJSON_Delete(o);
	if (s == NULL)
		return answer;
	free(answer);
	return s;
}

static char *
addressed(const char *text, const void *name)
{
	size_t n = strlen(name) + strlen(text) + 3;
	char *t;

	if ((t = malloc(n)) != NULL)
		snprintf(t, n, "@%s %s", (const char *)name, text);
	return t;
}

char *
relay_address(char *answer, const char *name)
{
	if (name[0] == '\0')
		return answer;
	return rewrite_text(answer, addressed, name);
}

static char *
marked_up(const char *text, const void *chat)
{
	return chat_markup(text, *(const enum chat *)chat);
}

char *
relay_markup(char *answer, enum chat chat)
{
	return rewrite_text(answer, marked_up, &chat);
}

static void
copy_str(char *dst, size_t cap, const cJSON *v)
{
	dst[0] = '\0';
	if (cJSON_IsString(v) && strlen(v->valuestring) < cap)
		strcpy(dst, v->valuestring);
}

/* "text\n\n1. label\n2. label" from a reply; caller frees. */
static char *
render_reply(struct convmap *map, const char *conv, const cJSON *root)
{
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(root, "text");
	const cJSON *opts = cJSON_GetObjectItemCaseSensitive(root, "options");
	const cJSON *o, *id, *label;
	const char *ids[CONV_OPTS_MAX];
	size_t len, n = 0, cap;
	char *buf = NULL, *ans = NULL;
	int k;

	if (!cJSON_IsString(text))
		return NULL;
	len = strlen(text->valuestring);
	cap = len + 1;
	cJSON_ArrayForEach(o, opts) {
		label = cJSON_GetObjectItemCaseSensitive(o, "label");
		if (cJSON_IsString(label))
			cap += strlen(label->valuestring) + 16;
	}
	if ((buf = malloc(cap + 2)) == NULL)
		return NULL;
	memcpy(buf, text->valuestring, len + 1);
	cJSON_ArrayForEach(o, opts) {
		id = cJSON_GetObjectItemCaseSensitive(o, "id");
		label = cJSON_GetObjectItemCaseSensitive(o, "label");
		if (!cJSON_IsString(id) || !cJSON_IsString(label) ||
		    n == CONV_OPTS_MAX)
			continue;
		ids[n++] = id->valuestring;
		k = snprintf(buf + len, cap + 2 - len, "%s%zu. %s",
		    n == 1 ? "\n\n" : "\n", n, label->valuestring);
		if (k > 0)
			len += (size_t)k;
	}
	if (conv[0] != '\0' && map != NULL)
		(void)convmap_set_options(map, conv, ids, n);
	ans = relay_answer(buf);
	free(buf);
	return ans;
}

/* Words for the person behind an error frame. */
static const char *
error_words(const char *code)
{
	if (strcmp(code, "rate_limited") == 0)
		return "That was a lot at once; please wait a moment and "
		    "try again.";
	if (strcmp(code, "too_large") == 0)
		return "That message is too long for me; could you make it "
		    "shorter?";
	if (strcmp(code, "unknown_option") == 0)
		return "That option is no longer open; please type your "
		    "question instead.";
	if (strcmp(code, "too_many_conversations") == 0)
		return "The advisor is busy with many conversations; please "
		    "try again later.";
	return "Sorry, something went wrong on my side; please try again.";
}

char *
relay_error(const char *code)
{
	return relay_answer(error_words(code));
}

int
relay_reply(struct convmap *map, int (*awaited)(const char *),
    const char *frame, size_t n, struct relay_reply *out)
{
	const cJSON *type, *code;
	cJSON *root;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if ((root = cJSON_ParseWithLength(frame, n)) == NULL)
		return -1;
	type = cJSON_GetObjectItemCaseSensitive(root, "type");
	copy_str(out->in_reply_to, sizeof(out->in_reply_to),
	    cJSON_GetObjectItemCaseSensitive(root, "in_reply_to"));
	copy_str(out->conversation, sizeof(out->conversation),
	    cJSON_GetObjectItemCaseSensitive(root, "conversation"));
	if (!cJSON_IsString(type))
		goto fail;
	if (strcmp(type->valuestring, "reply") == 0)
		out->answer = render_reply(awaited == NULL ||
		    awaited(out->in_reply_to) ? map : NULL, out->conversation,
		    root);
	else if (strcmp(type->valuestring, "error") == 0) {
		code = cJSON_GetObjectItemCaseSensitive(root, "code");
		out->answer = relay_error(cJSON_IsString(code) ?
		    code->valuestring : "");
	} else
		goto fail;
	rc = out->answer ? 0 : -1;
fail:
	cJSON_Delete(root);
	return rc;
}
