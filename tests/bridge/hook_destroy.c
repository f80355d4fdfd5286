/*
 * hook_destroy.c: put before libwebsockets with LD_PRELOAD, a stand-in for
 * lws_context_destroy that says whether a stop or reload signal could
 * reach the bridge's handler while its context is freed (on_signal calls
 * lws_cancel_service on it).  It raises SIGHUP to be sure: blocked, the
 * signal waits and dies with the process; not, the handler runs now.
 * Then the real lws_context_destroy.
 */
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>

struct lws_context;

void	lws_context_destroy(struct lws_context *);

void
lws_context_destroy(struct lws_context *cx)
{
	void (*real)(struct lws_context *);
	sigset_t now;

	if (sigprocmask(SIG_BLOCK, NULL, &now) == 0 &&
	    sigismember(&now, SIGTERM) && sigismember(&now, SIGINT) &&
	    sigismember(&now, SIGHUP))
		fputs("hook: the context is freed with the signals blocked\n",
		    stderr);
	else
		fputs("hook: a signal can reach the bridge while its context "
		    "is freed\n", stderr);
	raise(SIGHUP);
	real = (void (*)(struct lws_context *))dlsym(RTLD_NEXT,
	    "lws_context_destroy");
	if (real != NULL)
		real(cx);
}
