/*
 * checkpoint.h: folds a log's WAL back into its database from a thread
 * of its own.  SQLite's automatic checkpoint runs inside the COMMIT that
 * crosses the threshold, so the writer thread copied the whole WAL and
 * waited for the database file's fsync there, while rows (and, once
 * enough were behind, replies) piled up behind it.  Here the writer only
 * pokes; a passive checkpoint on a second connection does the copying,
 * and the writer goes on appending to the WAL meanwhile.  Pure module:
 * no libwebsockets.
 */
#ifndef ADVISOR_CHECKPOINT_H
#define ADVISOR_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sqlite3;
struct checkpointer;

/*
 * Watch the WAL of the writer's connection WRITER: once a commit leaves
 * PAGES or more frames in it, the thread checkpoints through OWN, a
 * read-write connection to the same file, which it takes over (closed on
 * failure too).  OWN's busy timeout bounds how long the truncating pass
 * holds the writer off while it waits for readers: keep it short.
 * NICE lowers the thread's priority (nothing waits for it).  Installs DB's WAL hook, which turns SQLite's own automatic
 * checkpoint off.  NULL and a message in ERR on failure; the caller then
 * keeps SQLite's automatic checkpoint.
 */
struct checkpointer *checkpointer_start(struct sqlite3 *writer,
		    struct sqlite3 *own, unsigned pages, int nice, char *err,
		    size_t errlen);
/* Stop the thread (a checkpoint under way finishes first), remove the
 * hook and close its connection. */
void		 checkpointer_stop(struct checkpointer *);
/* Checkpoints completed so far (every frame then in the WAL copied). */
uint64_t	 checkpointer_count(struct checkpointer *);

#endif
