/*
 * checkpoint.c: the log's checkpoint thread (see checkpoint.h).  The WAL
 * hook runs on the writer thread after each commit and only compares and
 * signals; the thread waits for that signal, then runs a passive
 * checkpoint, which copies what no reader still needs and never blocks
 * the writer, and then a truncating one for the frames the writer added
 * meanwhile.  Should the WAL outgrow the threshold again while one runs,
 * the next starts as soon as it ends.
 */
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "storage/checkpoint.h"

struct checkpointer {
	sqlite3		*writer;	/* whose WAL hook we hold */
	sqlite3		*db;		/* our own connection */
	unsigned	 pages;
	int		 nice;
	pthread_t	 thread;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	bool		 due, stop;
	uint64_t	 done;
};

/* On the writer thread, after every commit: N frames are in the WAL. */
static int
hook(void *arg, sqlite3 *db, const char *name, int n)
{
	struct checkpointer *c = arg;

	(void)db;
	(void)name;
	if (n >= 0 && (unsigned)n >= c->pages) {
		pthread_mutex_lock(&c->mu);
		if (!c->due) {
			c->due = true;
			pthread_cond_signal(&c->cv);
		}
		pthread_mutex_unlock(&c->mu);
	}
	return SQLITE_OK;
}

static void *
run(void *arg)
{
	struct checkpointer *c = arg;
	int nlog, nckpt, rc;

	if (c->nice != 0)
		setpriority(PRIO_PROCESS, (id_t)gettid(), c->nice);
	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->due && !c->stop)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->stop)
			break;
		c->due = false;
		pthread_mutex_unlock(&c->mu);
		rc = sqlite3_wal_checkpoint_v2(c->db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, &nlog, &nckpt);
		/*
		 * The writer went on committing meanwhile.  Copy the few
		 * frames it added with it held off (its next BEGIN waits out
		 * this short pass) and start the WAL over, so that it does
		 * not grow for as long as the load lasts.  A passive pass
		 * alone left the writer appending to an ever longer WAL here
		 * (13 MB for 7 MB of rows in test_checkpoint_thread).
		 */
		if (rc == SQLITE_OK)
			rc = sqlite3_wal_checkpoint_v2(c->db, NULL,
			    SQLITE_CHECKPOINT_TRUNCATE, &nlog, &nckpt);
		pthread_mutex_lock(&c->mu);
		if (rc == SQLITE_OK)
			c->done++;
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

struct checkpointer *
checkpointer_start(sqlite3 *writer, sqlite3 *own, unsigned pages, int nice,
    char *err, size_t errlen)
{
	struct checkpointer *c;

	/* a connection learns that the file is in WAL mode only once it
	 * reads it; until then a checkpoint does nothing */
	if (sqlite3_exec(own, "PRAGMA journal_mode = WAL", NULL, NULL,
	    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(own));
		sqlite3_close(own);
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		sqlite3_close(own);
		return NULL;
	}
	c->writer = writer;
	c->db = own;
	c->pages = pages > 0 ? pages : 1;
	c->nice = nice;
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	if (pthread_create(&c->thread, NULL, run, c) != 0) {
		snprintf(err, errlen, "cannot start the checkpoint thread");
		pthread_mutex_destroy(&c->mu);
		pthread_cond_destroy(&c->cv);
		sqlite3_close(own);
		free(c);
		return NULL;
	}
	sqlite3_wal_hook(writer, hook, c);
	return c;
}

void
checkpointer_stop(struct checkpointer *c)
{
	if (c == NULL)
		return;
	sqlite3_wal_hook(c->writer, NULL, NULL);
	pthread_mutex_lock(&c->mu);
	c->stop = true;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	sqlite3_close(c->db);
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	free(c);
}

uint64_t
checkpointer_count(struct checkpointer *c)
{
	uint64_t n;

	if (c == NULL)
		return 0;
	pthread_mutex_lock(&c->mu);
	n = c->done;
	pthread_mutex_unlock(&c->mu);
	return n;
}
