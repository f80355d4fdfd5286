/*
 * origin.h: whether a browser's WebSocket upgrade comes from a page
 * advisord serves, when no `origins` are configured.  The page must be of
 * the daemon's own host (its Origin is http:// or https:// plus the Host
 * header), and that host must be one a DNS-rebinding page cannot take:
 * after its name is pointed at 127.0.0.1 or an intranet address, such a
 * page sends its own name as Host and as Origin, and a comparison of the
 * two alone let it in.  An address or `localhost` cannot be rebound; a
 * name is taken only from one of trusted_proxies, whose own configuration
 * chose the names it forwards.  Pure, so that it is testable alone.
 */
#ifndef ADVISOR_ORIGIN_H
#define ADVISOR_ORIGIN_H

#include <stdbool.h>

enum origin_verdict {
	ORIGIN_OK,		/* the daemon's own page */
	ORIGIN_FOREIGN,		/* another host's page */
	ORIGIN_NAMED,		/* own host, but a name, not through a proxy:
				   what a DNS-rebinding page looks like */
};

/* Whether HOST (a Host header: a name, an IPv4 address or a bracketed
 * IPv6 one, then maybe ":port") is an address or localhost. */
bool			origin_host_fixed(const char *host);
/* The verdict on the Origin ORIGIN of an upgrade with Host HOST, PROXIED
 * when it came through one of trusted_proxies. */
enum origin_verdict	origin_same_host(const char *origin, const char *host,
			    bool proxied);

#endif
