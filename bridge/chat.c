/*
 * chat.c: what differs between Slack, Mattermost and Rocket.Chat for the
 * bridge: their names, how long they wait, their markup.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bridge/chat.h"

static const char *const names[] = { "auto", "slack", "mattermost",
    "rocketchat" };

int
chat_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(name, names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
chat_name(enum chat c)
{
	return (unsigned)c < sizeof(names) / sizeof(names[0]) ? names[c] :
	    "?";
}

int
chat_wait_ms(enum chat c)
{
	switch (c) {
	case CHAT_AUTO:
	case CHAT_SLACK:
		return 3000;	/* then "operation_timeout" */
	case CHAT_MATTERMOST:
		/* OutgoingIntegrationRequestsTimeout, 30 s unless changed */
		return 30000;
	default:
		return 0;
	}
}

/* Where the emphasis opened at T[0] ('*') ends, or NULL: a '*' on the
 * same line after a character that is no space, the one after the
 * opening no space either (so that "2 * 3 * 4" stays as it is). */
static const char *
closing(const char *t)
{
	const char *e;

	if (t[1] == '\0' || t[1] == ' ' || t[1] == '*' || t[1] == '\n')
		return NULL;
	for (e = t + 2; *e != '\0' && *e != '\n'; e++)
		if (*e == '*')
			return e[-1] == ' ' ? NULL : e;
	return NULL;
}

char *
chat_markup(const char *text, enum chat c)
{
	const char *t, *e;
	char *out, *o;

	/* Slack's mrkdwn and Rocket.Chat both show *x* in bold */
	if (c != CHAT_MATTERMOST || strchr(text, '*') == NULL)
		return NULL;
	/* at worst every character a '*' that doubles */
	if ((out = malloc(strlen(text) * 2 + 1)) == NULL)
		return NULL;
	for (t = text, o = out; *t != '\0'; t++) {
		if (*t != '*' || (e = closing(t)) == NULL) {
			*o++ = *t;
			continue;
		}
		*o++ = '*';
		*o++ = '*';
		memcpy(o, t + 1, (size_t)(e - t - 1));
		o += e - t - 1;
		*o++ = '*';
		*o++ = '*';
		t = e;
	}
	*o = '\0';
	return out;
}
