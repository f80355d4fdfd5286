/*
 * relay.h: the bridge's frames to advisord and advisord's replies turned
 * into team chat answers.  Pure: cJSON only, no sockets.
 */
#ifndef BRIDGE_RELAY_H
#define BRIDGE_RELAY_H

#include <stddef.h>

#include "bridge/chat.h"

struct convmap;

#define RELAY_USER_MAX	128	/* advisord's limit on "user", in bytes */
/* The longest frame sent to advisord: its default max_message_bytes.  A
 * longer one closes the bridge's one WebSocket (1009), and with it every
 * person's request then waiting; a message whose frame would be longer is
 * answered relay_error("too_large") instead. */
#define RELAY_FRAME_MAX	16384

/* A frame for what USER typed in conversation CONV, request id REQID: a
 * "choose" of OPTION when it is not NULL (the caller found that TEXT picks
 * it: convmap_number, convmap_option), else a "message" of TEXT.  USER is
 * cut to RELAY_USER_MAX bytes, at a character boundary.  Caller frees;
 * NULL on allocation failure. */
char	*relay_request(const char *conv, const char *reqid, const char *user,
	    const char *text, const char *option);

/* One frame from advisord, understood. */
struct relay_reply {
	char	 in_reply_to[64];	/* "" when absent */
	char	 conversation[129];	/* "" when absent */
	char	*answer;		/* team chat JSON body, caller frees */
};

/* Parse a frame from advisord: a reply (rendered as a numbered list, its
 * options remembered in MAP when AWAITED is NULL or says that its
 * in_reply_to is still waiting: the options of a reply that came too
 * late were never shown, and a "2" must not pick one of them) or an
 * error, into OUT.  0, or -1 when the frame is not one to answer (other
 * types, malformed). */
int	relay_reply(struct convmap *, int (*awaited)(const char *in_reply_to),
	    const char *frame, size_t n, struct relay_reply *out);

/* A team chat answer {"text": TEXT}; caller frees. */
char	*relay_answer(const char *text);
/* ANSWER, a team chat answer (taken over), with its text addressed to
 * NAME ("@NAME text"), for an answer the chat posts into a channel; as it
 * was when NAME is "", the text is empty or it cannot be rebuilt. */
char	*relay_address(char *answer, const char *name);
/* ANSWER, a team chat answer (taken over), with advisord's markup in its
 * text put in CHAT's (chat_markup); as it was when there is nothing to
 * change or it cannot be rebuilt. */
char	*relay_markup(char *answer, enum chat);
/* The team chat answer to advisord's error CODE ("too_large", ...), in
 * the same words relay_reply uses for the error frame; caller frees. */
char	*relay_error(const char *code);

#endif
