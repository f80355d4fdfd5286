/*
 * loader.c: content_load on a thread.  The thread owns the loader until
 * it sets `done`; after that only the caller touches it.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/loader.h"

struct loader {
	pthread_t	 thread;
	char		*dir;
	bool		 jit;
	void		(*wake)(void *);
	void		*arg;
	atomic_bool	 done;
	int		 rc;
	struct intents	*in;
	struct dialogues *dl;
	char		*report;	/* content_load's, or NULL */
	size_t		 rlen;
};

static void *
run(void *v)
{
	struct loader *l = v;
	FILE *f = open_memstream(&l->report, &l->rlen);

	l->rc = -1;
	if (f != NULL) {
		l->rc = content_load(l->dir, l->jit, f, &l->in, &l->dl);
		fclose(f);
	}
	atomic_store(&l->done, true);
	if (l->wake != NULL)
		l->wake(l->arg);
	return NULL;
}

struct loader *
loader_start(const char *dir, bool jit, void (*wake)(void *), void *arg)
{
	struct loader *l = calloc(1, sizeof(*l));
	sigset_t all, old;
	int err;

	if (l == NULL || (l->dir = strdup(dir)) == NULL) {
		free(l);
		return NULL;
	}
	l->jit = jit;
	l->wake = wake;
	l->arg = arg;
	atomic_init(&l->done, false);
	/* signals are the loop's: the thread starts with them all blocked */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&l->thread, NULL, run, l);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		free(l->dir);
		free(l);
		return NULL;
	}
	return l;
}

bool
loader_done(const struct loader *l)
{
	return atomic_load(&l->done);
}

int
loader_finish(struct loader *l, struct intents **in, struct dialogues **dl,
    char **report)
{
	int rc;

	pthread_join(l->thread, NULL);
	rc = l->rc;
	*in = l->in;
	*dl = l->dl;
	*report = l->report;
	free(l->dir);
	free(l);
	return rc;
}

void
loader_cancel(struct loader *l)
{
	struct intents *in;
	struct dialogues *dl;
	char *report;

	if (loader_finish(l, &in, &dl, &report) == 0) {
		intents_free(in);
		dialogues_free(dl);
	}
	free(report);
}
