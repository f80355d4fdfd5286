/*
 * fnv.h: the 64-bit FNV-1a hash of a string, for in-memory tables only
 * (nothing stores it): quick on the short keys they hold, and spread well
 * enough over a power-of-two count of buckets.  Shared by advisord and
 * advisor-bridge.
 */
#ifndef ADVISOR_FNV_H
#define ADVISOR_FNV_H

#include <stdint.h>

/* The FNV-1a hash of the NUL-terminated S. */
uint64_t	fnv1a(const char *s);

#endif
