/*
 * loader.h: the content loaded again on a thread of its own, for a
 * reload.  Compiling the catalog's patterns and checking the trees takes
 * tens of milliseconds of CPU (more on a busy machine, and without limit
 * on a slow disk); on the event loop every connection waited for it.  The
 * loop starts a load, goes on serving, and takes the result once the
 * thread has called back.
 */
#ifndef ADVISOR_LOADER_H
#define ADVISOR_LOADER_H

#include <stdbool.h>

#include "daemon/content.h"

struct loader;

/* Start loading DIR's content (content_load, with JIT when JIT) on a new
 * thread, which calls WAKE(ARG) once it is done (from that thread: only
 * something like lws_cancel_service belongs there).  NULL when no thread
 * could be started. */
struct loader	*loader_start(const char *dir, bool jit, void (*wake)(void *),
		    void *arg);
/* Whether the load is over: loader_finish will not wait. */
bool		 loader_done(const struct loader *);
/* Wait for the load to end and free the loader.  0 and the content (now
 * the caller's), or -1 and nothing; either way *REPORT is content_load's
 * report (the caller frees it), or NULL. */
int		 loader_finish(struct loader *, struct intents **,
		    struct dialogues **, char **report);
/* Wait for the load to end and drop what it loaded. */
void		 loader_cancel(struct loader *);

#endif
