/*
 * fnv.c: FNV-1a, 64 bits (offset basis and prime from the FNV
 * specification, draft-eastlake-fnv).
 */
#include "daemon/fnv.h"

#define FNV64_BASIS	14695981039346656037ULL
#define FNV64_PRIME	1099511628211ULL

uint64_t
fnv1a(const char *s)
{
	uint64_t h = FNV64_BASIS;

	while (*s)
		h = (h ^ (unsigned char)*s++) * FNV64_PRIME;
	return h;
}
