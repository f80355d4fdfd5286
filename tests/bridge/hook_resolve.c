/*
 * hook_resolve.c: put before libc with LD_PRELOAD, a stand-in for
 * getaddrinfo that plays the DNS for test_bridge.py, whatever thread asks:
 *   HOOK_RESOLVE_HANG=NAME  a lookup of NAME hangs, as with a dead DNS
 *                           server, until the file HOOK_RESOLVE_GO exists
 *                           (60 s at most), then fails (EAI_AGAIN); it
 *                           says on stderr when it starts and ends;
 *   HOOK_RESOLVE_AS=NAME=ADDR  NAME is found at ADDR (a name the test's
 *                           certificate does not have);
 * any other name is the real getaddrinfo's.
 */
#include <dlfcn.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef int (*gai_fn)(const char *, const char *, const struct addrinfo *,
    struct addrinfo **);

static void
hang(const char *name)
{
	const char *go = getenv("HOOK_RESOLVE_GO");
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int i;

	fprintf(stderr, "hook: looking up %s hangs\n", name);
	for (i = 0; i < 6000 && (go == NULL || access(go, F_OK) != 0); i++)
		nanosleep(&tick, NULL);
	fprintf(stderr, "hook: the lookup of %s ends\n", name);
}

int
getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	const char *h = getenv("HOOK_RESOLVE_HANG");
	const char *as = getenv("HOOK_RESOLVE_AS");
	gai_fn real = (gai_fn)dlsym(RTLD_NEXT, "getaddrinfo");
	size_t n;

	if (real == NULL)
		return EAI_SYSTEM;
	if (node != NULL && h != NULL && strcmp(node, h) == 0) {
		hang(node);
		return EAI_AGAIN;
	}
	if (node != NULL && as != NULL && (n = strlen(node)) > 0 &&
	    strncmp(as, node, n) == 0 && as[n] == '=')
		return real(as + n + 1, service, hints, res);
	return real(node, service, hints, res);
}
