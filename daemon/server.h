/*
 * server.h: the libwebsockets shell around the advisor.  The only part of
 * advisord that knows about sockets, HTTP and WebSocket framing.
 */
#ifndef ADVISOR_SERVER_H
#define ADVISOR_SERVER_H

#include <stdbool.h>

#include "daemon/advisor.h"
#include "daemon/auth.h"
#include "daemon/config.h"
#include "storage/store.h"

/* Serve until SIGTERM or SIGINT; SIGHUP reloads the content and the
 * settings that can change while running (ARGC and ARGV are parsed again
 * for them).  Takes ownership of TOKENS.  JIT: whether the content's
 * patterns run on PCRE2's JIT (intents_jit), for the start's log.
 * Returns the exit status. */
int	server_run(const struct config *, int argc, char **argv,
	    struct advisor *, struct store *, struct bridge_tokens *tokens,
	    bool jit);
/* The function the log writer calls after each commit: wakes the loop. */
void	server_wake(void *arg);

#endif
