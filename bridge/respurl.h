/*
 * respurl.h: a chat's response_url, the address a late answer may be
 * POSTed to, parsed and checked against the hosts the bridge may contact.
 * The URL comes in the request body: whoever can send a request (a
 * leaked token) chooses it, so only https to a listed host is taken.
 * Pure: no sockets, no libwebsockets.
 */
#ifndef BRIDGE_RESPURL_H
#define BRIDGE_RESPURL_H

#define RESPURL_MAX	512	/* bytes of a response_url, NUL included */
#define RESPURL_HOST	254	/* a DNS name's bytes, NUL included */

/* A parsed response_url: https://HOST[:PORT]/PATH. */
struct respurl {
	char	host[RESPURL_HOST];	/* lower case */
	int	port;			/* 443 unless given */
	char	path[RESPURL_MAX];	/* from its '/', query kept, no
					 * fragment */
};

/* What respurl_parse says. */
enum {
	RESPURL_OK = 0,
	RESPURL_BAD = -1,	/* no URL we take (too long, spaces, control
				 * or non-ASCII bytes, user info, an odd
				 * host or port) */
	RESPURL_NOT_HTTPS = -2	/* another scheme (http://): never posted
				 * in the clear */
};

/* Parse URL into OUT: RESPURL_OK or one of the errors above. */
int	respurl_parse(const char *url, struct respurl *out);
/* The words for what respurl_parse returned RC. */
const char *respurl_error(int rc);
/* Whether HOST (as respurl_parse gives it) is one of HOSTS, a list of
 * host names separated by commas or spaces; the whole name matches, case
 * ignored, no wildcards (an empty list allows none). */
int	respurl_allowed(const char *hosts, const char *host);

#endif
