/*
 * store_tune.h: knobs of the log writer that tests and benchmarks turn;
 * the daemon uses the defaults.  Not part of the store contract.
 */
#ifndef ADVISOR_STORE_TUNE_H
#define ADVISOR_STORE_TUNE_H

struct store;

/* Writer connection's busy timeout, attempts per batch before it is
 * dropped, and the first pause between attempts (doubling, up to 32x). */
void	store_tune(struct store *, unsigned busy_ms, unsigned retries,
	    unsigned pause_ms);
/* Run SQL on the writer's connection between batches (e.g. PRAGMA
 * max_page_count to make the disk "full").  0, or -1 on error. */
int	store_writer_exec(struct store *, const char *sql);

#endif
