/*
 * auth.c: tokens and their hashes.  Only hashes are kept on disk and in
 * memory; a presented token is hashed and compared with CRYPTO_memcmp
 * against every entry, so timing reveals neither which entry nor how much
 * of it matched.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "daemon/auth.h"

struct bridge_token {
	char	name[64];
	char	hash[AUTH_HASH_HEX + 1];
	size_t	line;		/* in the file, for the error of a repeat */
};

struct bridge_tokens {
	struct bridge_token	*v;
	size_t			 n;
};

static void
hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int
auth_random_token(char *out)
{
	unsigned char raw[AUTH_TOKEN_HEX / 2];
	size_t got = 0;
	ssize_t r;

	while (got < sizeof(raw)) {
		r = getrandom(raw + got, sizeof(raw) - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)r;
	}
	hex(raw, sizeof(raw), out);
	return 0;
}

void
auth_sha256_hex(const char *s, size_t n, char *out)
{
	unsigned char md[32];
	unsigned int len = 0;

	EVP_Digest(s, n, md, &len, EVP_sha256(), NULL);
	hex(md, 32, out);
}

struct bridge_tokens *
bridge_tokens_load(const char *path, char *err, size_t errlen)
{
	struct bridge_tokens *t;
	char line[512], name[64], h[128];
	size_t lineno = 0, i;
	FILE *f;

	err[0] = '\0';
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		goto fail;
	while (fgets(line, sizeof(line), f) != NULL) {
		struct bridge_token *nv;
		char *p = line;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == '\n' || *p == '\0')
			continue;
		if (sscanf(p, "%63s %127s", name, h) != 2 ||
		    strlen(h) != AUTH_HASH_HEX ||
		    strspn(h, "0123456789abcdef") != AUTH_HASH_HEX) {
			snprintf(err, errlen, "%s:%zu: expected \"name "
			    "sha256-hex-of-token\"", path, lineno);
			goto fail;
		}
		for (i = 0; name[i]; i++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
			    "QRSTUVWXYZ0123456789_.-", name[i])) {
				snprintf(err, errlen, "%s:%zu: a bridge name is "
				    "letters, digits, _ . -", path, lineno);
				goto fail;
			}
		/* A name is a bridge's identity in the logs and in its
		 * conversation ids (b-NAME:...), so each has one line; a
		 * token under two names would authenticate as whichever
		 * came last.  Rotating a token replaces its line's hash. */
		for (i = 0; i < t->n; i++) {
			if (strcmp(t->v[i].name, name) == 0) {
				snprintf(err, errlen, "%s:%zu: bridge \"%s\" "
				    "again (first on line %zu): one line a "
				    "bridge; to rotate its token, replace the "
				    "hash on that line", path, lineno, name,
				    t->v[i].line);
				goto fail;
			}
			if (strcmp(t->v[i].hash, h) == 0) {
				snprintf(err, errlen, "%s:%zu: bridge \"%s\" "
				    "has the token of bridge \"%s\" (line "
				    "%zu): each bridge needs a token of its own",
				    path, lineno, name, t->v[i].name,
				    t->v[i].line);
				goto fail;
			}
		}
		if ((nv = realloc(t->v, (t->n + 1) * sizeof(*nv))) == NULL)
			goto fail;
		t->v = nv;
		snprintf(t->v[t->n].name, sizeof(t->v[t->n].name), "%s", name);
		memcpy(t->v[t->n].hash, h, AUTH_HASH_HEX + 1);
		t->v[t->n].line = lineno;
		t->n++;
	}
	fclose(f);
	return t;
fail:
	if (err[0] == '\0')
		snprintf(err, errlen, "%s: out of memory", path);
	fclose(f);
	bridge_tokens_free(t);
	return NULL;
}

void
bridge_tokens_free(struct bridge_tokens *t)
{
	if (t == NULL)
		return;
	free(t->v);
	free(t);
}

const char *
bridge_tokens_check(const struct bridge_tokens *t, const char *token,
    size_t n)
{
	char h[AUTH_HASH_HEX + 1];

	if (t == NULL || n == 0)
		return NULL;
	auth_sha256_hex(token, n, h);
	return bridge_tokens_find(t, h);
}

const char *
bridge_tokens_find(const struct bridge_tokens *t, const char *hash)
{
	const char *who = NULL;
	size_t i;

	if (t == NULL)
		return NULL;
	for (i = 0; i < t->n; i++)
		if (CRYPTO_memcmp(hash, t->v[i].hash, AUTH_HASH_HEX) == 0)
			who = t->v[i].name;
	return who;
}
