/*
 * payload.c: parse team chat POST bodies (form-encoded or JSON) into a
 * struct payload.  Pure: no sockets, no libwebsockets.
 */
#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "bridge/payload.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
form_decode(const char *s, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;
	int c, h, l;

	if (outlen == 0)
		return -1;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '+')
			c = ' ';
		else if (c == '%') {
			if (i + 2 >= n)
				return -1;
			if ((h = hexval(s[i + 1])) < 0 ||
			    (l = hexval(s[i + 2])) < 0)
				return -1;
			c = h * 16 + l;
			i += 2;
		}
		if (c == 0)
			return -1;
		if (o + 1 >= outlen)
			return -2;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

/* Where a known key's value goes, or NULL (ignored key); trigger_word,
 * whatever its value, marks P in_channel, and a key only one chat sends
 * says which chat P is from. */
static char *
field_slot(struct payload *p, const char *key, size_t klen, size_t *cap)
{
	static const struct {
		const char *name;
		size_t off, cap;
	} map[] = {
		{ "token", offsetof(struct payload, token), PAYLOAD_FIELD },
		{ "team_id", offsetof(struct payload, team), PAYLOAD_FIELD },
		{ "channel_id", offsetof(struct payload, channel),
		    PAYLOAD_FIELD },
		{ "user_id", offsetof(struct payload, user), PAYLOAD_FIELD },
		{ "user_name", offsetof(struct payload, user_name),
		    PAYLOAD_FIELD },
		{ "text", offsetof(struct payload, text), PAYLOAD_TEXT },
		{ "trigger_word", offsetof(struct payload, trigger),
		    PAYLOAD_FIELD },
		{ "command", offsetof(struct payload, trigger),
		    PAYLOAD_FIELD },
		{ "ssl_check", offsetof(struct payload, check),
		    sizeof(((struct payload *)0)->check) },
		{ "response_url", offsetof(struct payload, response_url),
		    RESPURL_MAX },
	};
	/* fields only one chat sends, whatever their value */
	static const struct {
		const char *name;
		enum chat chat;
	} own[] = {
		{ "api_app_id", CHAT_SLACK },		/* slash commands */
		{ "service_id", CHAT_SLACK },		/* outgoing webhooks */
		{ "is_enterprise_install", CHAT_SLACK },
		{ "post_id", CHAT_MATTERMOST },		/* outgoing webhooks */
		{ "file_ids", CHAT_MATTERMOST },
		{ "message_id", CHAT_ROCKETCHAT },	/* outgoing webhooks */
		{ "siteUrl", CHAT_ROCKETCHAT },
		{ "isEdited", CHAT_ROCKETCHAT },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strlen(map[i].name) == klen &&
		    memcmp(map[i].name, key, klen) == 0) {
			if (strcmp(map[i].name, "trigger_word") == 0)
				p->in_channel = 1;
			*cap = map[i].cap;
			return (char *)p + map[i].off;
		}
	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (strlen(own[i].name) == klen &&
		    memcmp(own[i].name, key, klen) == 0)
			p->chat = own[i].chat;
	return NULL;
}

int
payload_parse_form(const char *body, size_t n, struct payload *p)
{
	const char *s = body, *end = body + n, *amp, *eq;
	char key[64], *slot;
	size_t cap;
	int rc;

	memset(p, 0, sizeof(*p));
	while (s < end) {
		if ((amp = memchr(s, '&', (size_t)(end - s))) == NULL)
			amp = end;
		if ((eq = memchr(s, '=', (size_t)(amp - s))) == NULL)
			eq = amp;
		if (form_decode(s, (size_t)(eq - s), key, sizeof(key)) == 0 &&
		    (slot = field_slot(p, key, strlen(key), &cap)) != NULL) {
			rc = eq == amp ? 0 : form_decode(eq + 1,
			    (size_t)(amp - eq - 1), slot, cap);
			if (rc == -2 && slot == p->text)
				p->text_too_long = 1;
			else if (rc != 0 && slot != p->response_url)
				return -1;
			if (rc != 0 || eq == amp)
				slot[0] = '\0';
		}
		s = amp + 1;
	}
	return 0;
}

/* Whether BODY[0..n) escapes a NUL (\u0000).  cJSON ends the string there,
 * so "what is kpo\u0000 and bpo" would go on as "what is kpo"; %00 in a
 * form is refused, and so is this.  Counting backslashes over the whole
 * body is enough: outside a string one is not JSON at all. */
static int
escapes_nul(const char *body, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++) {
		if (body[i] != '\\')
			continue;
		if (body[i + 1] == 'u' && i + 5 < n &&
		    memcmp(body + i + 2, "0000", 4) == 0)
			return 1;
		i++;	/* the escaped character, a backslash too */
	}
	return 0;
}

int
payload_parse_json(const char *body, size_t n, struct payload *p)
{
	cJSON *root, *it;
	char *slot;
	size_t cap, len;
	int rc = -1;

	memset(p, 0, sizeof(*p));
	if (escapes_nul(body, n) ||
	    (root = cJSON_ParseWithLength(body, n)) == NULL)
		return -1;
	if (!cJSON_IsObject(root))
		goto fail;
	cJSON_ArrayForEach(it, root) {
		/* null is no value, as advisord takes it: a webhook with no
		 * trigger word may send "trigger_word": null */
		if (it->string == NULL || (slot = field_slot(p, it->string,
		    strlen(it->string), &cap)) == NULL || cJSON_IsNull(it))
			continue;
		if (!cJSON_IsString(it))
			goto fail;
		if ((len = strlen(it->valuestring)) < cap)
			memcpy(slot, it->valuestring, len + 1);
		else if (slot == p->text) {
			p->text[0] = '\0';
			p->text_too_long = 1;
		} else if (slot == p->response_url)
			/* no late answer for it, but the person's answer */
			p->response_url[0] = '\0';
		else
			goto fail;
	}
	rc = 0;
fail:
	cJSON_Delete(root);
	return rc;
}

/* Whether S is well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF). */
static int
utf8_ok(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned cp, min;
	int more;

	while (*u) {
		if (*u < 0x80) {
			u++;
			continue;
		}
		if ((*u & 0xe0) == 0xc0)
			more = 1, min = 0x80, cp = *u & 0x1f;
		else if ((*u & 0xf0) == 0xe0)
			more = 2, min = 0x800, cp = *u & 0x0f;
		else if ((*u & 0xf8) == 0xf0)
			more = 3, min = 0x10000, cp = *u & 0x07;
		else
			return 0;
		for (u++; more > 0; more--, u++) {
			if ((*u & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (*u & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
	}
	return 1;
}

int
payload_parse(const char *ctype, const char *body, size_t n,
    struct payload *p)
{
	int rc;

	if (ctype != NULL && strncasecmp(ctype, "application/json", 16) == 0)
		rc = payload_parse_json(body, n, p);
	else
		rc = payload_parse_form(body, n, p);
	if (rc == -1)
		return -1;
	/* Slack's own check of the certificate: a token and nothing else */
	if (p->user[0] == '\0' && strcmp(p->check, "1") == 0)
		p->ssl_check = 1;
	else if (p->user[0] == '\0')
		return -1;
	/* advisord closes the bridge's one WebSocket, every person's, on a
	 * frame that is not UTF-8: refuse such a request here instead */
	if (!utf8_ok(p->team) || !utf8_ok(p->channel) || !utf8_ok(p->user) ||
	    !utf8_ok(p->user_name) || !utf8_ok(p->text) ||
	    !utf8_ok(p->trigger))
		return -1;
	return 0;
}

const char *
payload_message(const struct payload *p)
{
	const char *t = p->text;
	size_t n = strlen(p->trigger);

	/* outgoing webhooks repeat the trigger word; slash commands don't */
	if (n > 0 && p->trigger[0] != '/' && strncmp(t, p->trigger, n) == 0)
		t += n;
	while (isspace((unsigned char)*t))
		t++;
	return t;
}
