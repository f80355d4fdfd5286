/*
 * chat.h: the team chats the bridge answers, and what differs between
 * them: how each shows emphasis.
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
/* TEXT, advisord's markup (*emphasis*, as Slack shows bold), in CHAT's:
 * Mattermost's Markdown takes *x* for italics, **x** for bold.  NULL
 * when TEXT needs no change (or on allocation failure); else the caller
 * frees. */
char	*chat_markup(const char *text, enum chat);

#endif
