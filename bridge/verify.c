/*
 * verify.c: verification tokens and Slack request signatures (HMAC-SHA256
 * through libcrypto).  Pure: no sockets.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "bridge/verify.h"

int
verify_token(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), i;
	unsigned char d = (unsigned char)(na != nb);

	/* walk the expected token's length whatever was sent */
	for (i = 0; i < nb; i++)
		d |= (unsigned char)(b[i] ^ (i < na ? a[i] : 0));
	return d == 0 && nb > 0;
}

int
verify_slack_sign(const char *secret, const char *ts, const char *body,
    size_t n, char *out, size_t outlen)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0, i;
	size_t tn = strlen(ts);
	char *base = NULL;
	int rc = -1;

	if (outlen < 3 + 64 + 1)
		return -1;
	/* the signed base string is "v0:" timestamp ":" body */
	if ((base = malloc(3 + tn + 1 + n)) == NULL)
		goto fail;
	memcpy(base, "v0:", 3);
	memcpy(base + 3, ts, tn);
	base[3 + tn] = ':';
	memcpy(base + 4 + tn, body, n);
	if (HMAC(EVP_sha256(), secret, (int)strlen(secret),
	    (const unsigned char *)base, 4 + tn + n, mac, &maclen) == NULL ||
	    maclen != 32)
		goto fail;
	memcpy(out, "v0=", 3);
	for (i = 0; i < maclen; i++)
		snprintf(out + 3 + 2 * i, 3, "%02x", mac[i]);
	rc = 0;
fail:
	free(base);
	return rc;
}

int
verify_slack(const char *secret, const char *ts, const char *sig,
    const char *body, size_t n, time_t now)
{
	char want[3 + 64 + 1], *end;
	long long t;

	if (ts == NULL || sig == NULL || ts[0] == '\0')
		return -1;
	errno = 0;
	t = strtoll(ts, &end, 10);
	if (errno != 0 || *end != '\0' || t <= 0)
		return -1;
	if (t < (long long)now - VERIFY_MAX_SKEW ||
	    t > (long long)now + VERIFY_MAX_SKEW)
		return -1;
	if (verify_slack_sign(secret, ts, body, n, want, sizeof(want)) == -1)
		return 0;
	if (strlen(sig) != strlen(want))
		return 0;
	return CRYPTO_memcmp(sig, want, strlen(want)) == 0;
}
