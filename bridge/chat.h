/*
 * chat.h: the team chats the bridge answers, and what differs between
 * them: how long each waits for an answer, and how each shows emphasis.
 * Pure: no sockets, no libwebsockets.
 */
#ifndef BRIDGE_CHAT_H
#define BRIDGE_CHAT_H

/* Which chat a request comes from (CHAT_AUTO: not said, not known). */
enum chat {
	CHAT_AUTO,
	CHAT_SLACK,
	CHAT_MATTERMOST,
	CHAT_ROCKETCHAT
};

/* The chat named NAME ("auto", "slack", "mattermost", "rocketchat"; case
 * ignored), or -1. */
int	chat_parse(const char *name);
/* CHAT's name as the log and the config file say it. */
const char *chat_name(enum chat);
/* How many ms CHAT waits for the answer to a webhook or slash command
 * before it shows the person an error of its own (CHAT_AUTO: Slack's,
 * the shortest, since any request may be Slack's); 0 when not known. */
int	chat_wait_ms(enum chat);
/* TEXT, advisord's markup (*emphasis*, as Slack shows bold), in CHAT's:
 * Mattermost's Markdown takes *x* for italics, **x** for bold.  NULL
 * when TEXT needs no change (or on allocation failure); else the caller
 * frees. */
char	*chat_markup(const char *text, enum chat);

#endif
