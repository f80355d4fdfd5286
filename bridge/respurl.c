/*
 * respurl.c: parse a response_url and check its host against the list the
 * bridge may contact (see respurl.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bridge/respurl.h"

/* Whether C may be in a host name: letters, digits, '-', '.'.  An IPv6
 * literal or %-encoded name is no host of a chat's list. */
static int
host_char(int c)
{
	return isalnum(c) || c == '-' || c == '.';
}

int
respurl_parse(const char *url, struct respurl *out)
{
	const char *h, *e, *colon, *p;
	size_t n, hl;
	long port = 443;
	char *end;

	memset(out, 0, sizeof(*out));
	n = strlen(url);
	if (n == 0 || n >= RESPURL_MAX)
		return RESPURL_BAD;
	/* printable ASCII only: no space, CR or LF to smuggle in a header */
	for (p = url; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return RESPURL_BAD;
	if (strncasecmp(url, "https://", 8) != 0)
		return strstr(url, "://") != NULL ? RESPURL_NOT_HTTPS :
		    RESPURL_BAD;
	h = url + 8;
	e = h + strcspn(h, "/?#");
	/* user info ("https://hooks.slack.com@elsewhere/") and a backslash
	 * (some parsers take it for a '/') are refused, not interpreted */
	if (memchr(h, '@', (size_t)(e - h)) != NULL ||
	    memchr(h, '\\', (size_t)(e - h)) != NULL)
		return RESPURL_BAD;
	colon = memchr(h, ':', (size_t)(e - h));
	hl = (size_t)((colon ? colon : e) - h);
	if (hl == 0 || hl >= sizeof(out->host) || h[0] == '.' ||
	    h[hl - 1] == '.' || h[0] == '-')
		return RESPURL_BAD;
	for (p = h; p < h + hl; p++) {
		if (!host_char((unsigned char)*p) ||
		    (*p == '.' && p[1] == '.'))
			return RESPURL_BAD;
		out->host[p - h] = (char)tolower((unsigned char)*p);
	}
	if (colon != NULL) {
		if (colon + 1 == e || !isdigit((unsigned char)colon[1]))
			return RESPURL_BAD;
		port = strtol(colon + 1, &end, 10);
		if (end != e || port < 1 || port > 65535)
			return RESPURL_BAD;
	}
	out->port = (int)port;
	/* the fragment is the client's, never sent */
	n = strcspn(e, "#");
	if (n + 2 > sizeof(out->path))
		return RESPURL_BAD;
	out->path[0] = '/';
	memcpy(out->path + (*e == '/' ? 0 : 1), e, n);
	out->path[n + (*e == '/' ? 0 : 1)] = '\0';
	return RESPURL_OK;
}

const char *
respurl_error(int rc)
{
	switch (rc) {
	case RESPURL_OK:
		return "ok";
	case RESPURL_NOT_HTTPS:
		return "not https";
	default:
		return "not a URL the bridge takes";
	}
}

int
respurl_allowed(const char *hosts, const char *host)
{
	const char *s = hosts;
	size_t n, hl = strlen(host);

	if (hl == 0)
		return 0;
	while (*s != '\0') {
		s += strspn(s, ", \t");
		n = strcspn(s, ", \t");
		if (n == hl && strncasecmp(s, host, n) == 0)
			return 1;
		s += n;
	}
	return 0;
}
