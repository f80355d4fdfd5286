/*
 * payload.h: what a team chat POSTs to the bridge, parsed without any I/O.
 * Slack slash commands and outgoing webhooks, Mattermost and Rocket.Chat
 * outgoing webhooks: application/x-www-form-urlencoded or JSON bodies.
 */
#ifndef BRIDGE_PAYLOAD_H
#define BRIDGE_PAYLOAD_H

#include <stddef.h>

#include "bridge/chat.h"
#include "bridge/respurl.h"

#define PAYLOAD_FIELD	256	/* ids and names */
#define PAYLOAD_TEXT	8192	/* what the person typed: advisord's 2,000
				 * characters even at 4 bytes each */

/* One request from the team chat; every field NUL-terminated, "" if absent. */
struct payload {
	char	token[PAYLOAD_FIELD];	/* verification token, if sent */
	char	team[PAYLOAD_FIELD];	/* team_id (Slack, Mattermost) */
	char	channel[PAYLOAD_FIELD];	/* channel_id */
	char	user[PAYLOAD_FIELD];	/* user_id */
	char	user_name[PAYLOAD_FIELD]; /* user_name, for attribution */
	char	text[PAYLOAD_TEXT];	/* text, trigger word kept */
	char	trigger[PAYLOAD_FIELD];	/* trigger_word / command, if any */
	char	check[4];		/* ssl_check, as sent */
	char	response_url[RESPURL_MAX]; /* where a late answer may go
					 * (slash commands), as sent; "" when
					 * absent or longer than this */
	int	text_too_long;		/* text did not fit: it is "" */
	int	ssl_check;		/* Slack checking the URL's TLS
					 * certificate (ssl_check=1): no person */
	int	in_channel;		/* trigger_word sent (even empty or
					 * null): an outgoing webhook, whose
					 * answer the chat posts into the
					 * channel for everyone */
	enum chat chat;			/* the chat whose own fields it has
					 * (Slack's api_app_id, Mattermost's
					 * post_id, Rocket.Chat's message_id,
					 * ...), or CHAT_AUTO: the fields
					 * do not say */
};

/* Decode %XX and '+' of S[0..n) into OUT (outlen bytes incl. NUL); -1 if
 * it holds a bad escape or a NUL byte, -2 if it does not fit. */
int	form_decode(const char *s, size_t n, char *out, size_t outlen);
/* Parse a form body; 0, or -1 on malformed input. */
int	payload_parse_form(const char *body, size_t n, struct payload *);
/* Parse a JSON object body; 0, or -1 on malformed input. */
int	payload_parse_json(const char *body, size_t n, struct payload *);
/* Parse by content type (form unless it names JSON); 0 or -1.  A payload
 * without user is rejected too (but for Slack's ssl_check=1, to answer 200
 * once it is authenticated), and so is one whose fields are not all
 * UTF-8 or do not fit, but for a text over PAYLOAD_TEXT: that one is a
 * person's long message, to be answered (text_too_long). */
int	payload_parse(const char *content_type, const char *body, size_t n,
	    struct payload *);
/* Text with a leading trigger word (outgoing webhooks) removed. */
const char *payload_message(const struct payload *);

#endif
