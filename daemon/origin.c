/*
 * origin.c: the default Origin check (see origin.h): the page's host must
 * be the daemon's, and be an address or localhost unless a trusted proxy
 * brought the upgrade.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "daemon/origin.h"

/* Whether P is empty or ":" and a port number. */
static bool
port_ok(const char *p)
{
	size_t n;

	if (*p == '\0')
		return true;
	if (*p++ != ':')
		return false;
	n = strspn(p, "0123456789");
	return n >= 1 && n <= 5 && p[n] == '\0';
}

bool
origin_host_fixed(const char *host)
{
	unsigned char bin[sizeof(struct in6_addr)];
	char name[256];
	const char *end;
	size_t n;

	if (host[0] == '[') {
		if ((end = strchr(host, ']')) == NULL)
			return false;
		host++;
	} else
		end = host + strcspn(host, ":");
	if ((n = (size_t)(end - host)) == 0 || n >= sizeof(name))
		return false;
	memcpy(name, host, n);
	name[n] = '\0';
	if (*end == ']')
		return inet_pton(AF_INET6, name, bin) == 1 && port_ok(end + 1);
	/* a browser resolves localhost to the machine itself, whatever DNS
	 * says of it */
	return (inet_pton(AF_INET, name, bin) == 1 ||
	    strcasecmp(name, "localhost") == 0) && port_ok(end);
}

enum origin_verdict
origin_same_host(const char *origin, const char *host, bool proxied)
{
	char want[300];
	bool same;

	snprintf(want, sizeof(want), "http://%s", host);
	same = strcmp(origin, want) == 0;
	snprintf(want, sizeof(want), "https://%s", host);
	if (!same && strcmp(origin, want) != 0)
		return ORIGIN_FOREIGN;
	return proxied || origin_host_fixed(host) ? ORIGIN_OK : ORIGIN_NAMED;
}
