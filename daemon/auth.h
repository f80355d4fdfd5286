/*
 * auth.h: secrets.  Random tokens (resume tokens, bridge tokens), their
 * SHA-256 hashes, and the bridge token file: one "name sha256hex" a line.
 */
#ifndef ADVISOR_AUTH_H
#define ADVISOR_AUTH_H

#include <stddef.h>

#define AUTH_TOKEN_HEX	64	/* 256 random bits as hex */
#define AUTH_HASH_HEX	64

struct bridge_tokens;

/* Fill OUT (AUTH_TOKEN_HEX + 1 bytes) with a fresh random token; 0 or -1. */
int	auth_random_token(char *out);
/* Hex SHA-256 of S into OUT (AUTH_HASH_HEX + 1 bytes). */
void	auth_sha256_hex(const char *s, size_t n, char *out);

/* Load a token file; NULL and "file:line: reason" in ERR on failure,
 * also for a name or a hash that a line before already has. */
struct bridge_tokens *bridge_tokens_load(const char *path, char *err,
	    size_t errlen);
void	bridge_tokens_free(struct bridge_tokens *);
/* The bridge name whose token is TOKEN, or NULL.  Compares every entry in
 * constant time, whatever matches. */
const char *bridge_tokens_check(const struct bridge_tokens *,
	    const char *token, size_t n);
/* The same for a token already hashed (HASH, AUTH_HASH_HEX hex digits):
 * whether the bridge that presented it is still in the file after a
 * reload. */
const char *bridge_tokens_find(const struct bridge_tokens *,
	    const char *hash);

#endif
