/*
 * verify.h: is a team chat request genuine?  The platform's verification
 * token (compared in constant time) or Slack's request signature.
 */
#ifndef BRIDGE_VERIFY_H
#define BRIDGE_VERIFY_H

#include <stddef.h>
#include <time.h>

#define VERIFY_MAX_SKEW	300	/* seconds a signed request may be old */

/* 1 if A equals B, compared in time independent of where they differ. */
int	verify_token(const char *a, const char *b);
/* Slack's v0 signature: SIG must be "v0=" hex HMAC-SHA256(SECRET,
 * "v0:" TS ":" BODY) and TS within VERIFY_MAX_SKEW of NOW.  1 genuine,
 * 0 bad signature, -1 stale or malformed timestamp. */
int	verify_slack(const char *secret, const char *ts, const char *sig,
	    const char *body, size_t n, time_t now);
/* The hex signature (with "v0=") for TS and BODY into OUT (68 bytes). */
int	verify_slack_sign(const char *secret, const char *ts,
	    const char *body, size_t n, char *out, size_t outlen);

#endif
