/*
 * protocol.h: protocol v1 (docs/protocol.md).  Parses the JSON objects
 * clients send and writes the ones the server sends.  Pure: no sockets.
 */
#ifndef ADVISOR_PROTOCOL_H
#define ADVISOR_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/jbuf.h"

#define PROTO_ID_MAX	128	/* conversation ids, client ids, options */
#define PROTO_DEPTH_MAX	64	/* nesting of arrays and objects */

enum proto_type { P_START, P_MESSAGE, P_CHOOSE, P_FEEDBACK, P_PING };

/* A parsed client frame.  Strings point into the parsed document and live
 * until proto_msg_free. */
struct proto_msg {
	enum proto_type	 type;
	const char	*conversation;	/* NULL: the connection's default */
	const char	*id;		/* client's id, echoed as in_reply_to */
	const char	*user;
	const char	*resume;
	const char	*text;		/* message */
	size_t		 text_len;
	const char	*option;	/* choose */
	int64_t		 message;	/* feedback: reply id */
	bool		 helpful;
	const char	*comment;
	void		*doc;		/* the parsed document */
};

/* Stable error codes, as sent in error frames. */
#define E_INVALID_JSON		"invalid_json"
#define E_BAD_REQUEST		"bad_request"
#define E_UNKNOWN_TYPE		"unknown_type"
#define E_TOO_LARGE		"too_large"
#define E_RATE_LIMITED		"rate_limited"
#define E_UNAUTHORIZED		"unauthorized"
#define E_TOO_MANY		"too_many_conversations"
#define E_UNKNOWN_OPTION	"unknown_option"
#define E_UNKNOWN_RESUME	"unknown_resume"
#define E_INTERNAL		"internal"

/*
 * Parse LEN bytes.  Returns 0, or -1 with *CODE set to one of the codes
 * above and a human message in MSG.  On failure *IN_REPLY_TO is the
 * frame's `id` if it could be read (copied into IDBUF), else NULL.
 */
int	proto_parse(const char *buf, size_t len, struct proto_msg *,
	    const char **code, char *msg, size_t msglen, char *idbuf,
	    const char **in_reply_to);
void	proto_msg_free(struct proto_msg *);
/* Whether S is a valid conversation id: 1..128 of [A-Za-z0-9_.:@-]. */
bool	proto_valid_id(const char *s);
/* Number of Unicode characters in valid UTF-8 S of N bytes. */
size_t	proto_utf8_chars(const char *s, size_t n);

/* An option of a reply. */
struct proto_option {
	const char	*id, *label;
};

struct proto_reply {
	const char		*conversation;
	int64_t			 id;
	const char		*in_reply_to;	/* or NULL */
	const char		*text;
	const char		*intent;
	const char		*node;
	const struct proto_option *options;
	size_t			 noptions;
	const char		*resume;
	const char		*why;		/* raw JSON object, or NULL */
	size_t			 max_text_chars; /* the text limit; 0: not said */
};

void	proto_write_reply(struct jbuf *, const struct proto_reply *);
void	proto_write_error(struct jbuf *, const char *code, const char *msg,
	    const char *in_reply_to);
void	proto_write_pong(struct jbuf *, const char *in_reply_to);
void	proto_write_ack(struct jbuf *, const char *conversation,
	    int64_t message, const char *in_reply_to);
/* History frames are written in three calls: begin, one per message, end. */
void	proto_history_begin(struct jbuf *, const char *conversation);
/* One message of a history.  id, intent, node and helpful are written
 * for the advisor's only, and intent and node only when known (not NULL
 * or ""), helpful only when the reply was rated. */
struct proto_hist_item {
	bool		 from_user;
	const char	*text;
	int64_t		 id;
	const char	*intent;
	const char	*node;
	int		 helpful;	/* 1 helpful, 0 not, -1 not rated */
};
void	proto_history_item(struct jbuf *, const struct proto_hist_item *,
	    bool first);
void	proto_history_end(struct jbuf *);

#endif
