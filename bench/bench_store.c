/*
 * bench_store.c: rows per second through the log writer (enqueue, group
 * commit, resolved watermark) for fast and strict durability with batches
 * of 1 and of 200 rows, on a temporary file; also the enqueue cost the
 * event loop pays per row (NOREDACT=1 in the environment turns masking
 * off, to see its share).  Speed is measured here, never asserted.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "storage/store.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Put ROWS messages as fast as possible; rows/s until all are resolved. */
static int
run(const char *path, enum store_durability d, unsigned batch, long rows)
{
	struct store_opts o = { .path = path, .durability = d,
	    .queue_max = (size_t)rows + 16, .batch_ms = 5,
	    .batch_rows = batch, .redact = getenv("NOREDACT") == NULL };
	struct store_msg m = { .conv = "bench", .direction = 'i',
	    .text = "how does kpo differ from bpo for a 200 person team?",
	    .intent = "compare", .node = "root", .time_us = 1 };
	struct store_conv c = { .id = "bench", .channel = "web",
	    .resume_hash = "00", .content_version = "bench" };
	struct store_stats st;
	struct timespec nap = { 0, 200000 };
	char err[256];
	struct store *s;
	double t0, t1, t2;
	uint64_t last = 0;
	long i;

	store_remove(path);
	if ((s = store_open(&o, err, sizeof(err))) == NULL) {
		fprintf(stderr, "bench_store: %s\n", err);
		return -1;
	}
	store_put_conversation(s, &c);
	t0 = now_s();
	for (i = 0; i < rows; i++) {
		m.id = store_next_id(s);
		last = store_put_message(s, &m);
	}
	t1 = now_s();
	while (store_resolved(s) < last)
		nanosleep(&nap, NULL);
	t2 = now_s();
	store_get_stats(s, &st);
	printf("%-6s batch %3u: %9.0f rows/s  (%ld rows, %llu batches, "
	    "%llu dropped, enqueue %.0f ns/row)\n",
	    d == STORE_FAST ? "fast" : "strict", batch, (double)rows /
	    (t2 - t0), rows, (unsigned long long)st.batches,
	    (unsigned long long)st.dropped, (t1 - t0) * 1e9 / (double)rows);
	store_close(s);
	store_remove(path);
	return 0;
}

int
main(int argc, char *argv[])
{
	char path[256];
	long scale = argc > 1 ? atol(argv[1]) : 1;

	if (scale < 1)
		scale = 1;
	snprintf(path, sizeof(path), "%s/bench_store_%ld.db",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
	if (run(path, STORE_FAST, 1, 20000 * scale) == -1 ||
	    run(path, STORE_FAST, 200, 200000 * scale) == -1 ||
	    run(path, STORE_STRICT, 1, 2000 * scale) == -1 ||
	    run(path, STORE_STRICT, 200, 200000 * scale) == -1)
		return 1;
	return 0;
}
