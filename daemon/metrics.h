/*
 * metrics.h: counters behind GET /metrics (Prometheus text format).  The
 * event loop is the only writer, so plain integers suffice.
 */
#ifndef ADVISOR_METRICS_H
#define ADVISOR_METRICS_H

#include <stdint.h>

#include "daemon/jbuf.h"
#include "storage/store.h"

enum metric_frame { MF_START, MF_MESSAGE, MF_CHOOSE, MF_FEEDBACK, MF_PING,
    MF_INVALID, MF_REPLY, MF_HISTORY, MF_ERROR, MF_ACK, MF_PONG, MF_N };

/* The close codes advisord itself sends (RFC 6455 7.4.1): going away
 * (stop), binary frame, bad UTF-8, policy (revoked bridge token), too big,
 * internal error; metrics_close counts them in this order. */
#define METRICS_CLOSE_CODES	{ 1001, 1003, 1007, 1008, 1009, 1011 }
#define METRICS_NCLOSE		6

struct metrics {
	uint64_t	connections_open;
	uint64_t	connections_total;
	uint64_t	connections_refused;	/* per-IP cap, origin, auth */
	uint64_t	frames_in[MF_N];
	uint64_t	frames_out[MF_N];
	uint64_t	fallbacks;
	uint64_t	reloads, reload_failures;
	uint64_t	settings_reload_failures;
	uint64_t	slow_clients_dropped;
	uint64_t	closes[METRICS_NCLOSE];	/* sent, by METRICS_CLOSE_CODES */
	uint64_t	replies_held;		/* waited for their log rows */
	uint64_t	conversations;		/* in memory now */
	/* of those, the ones not yet moved to the content loaded last
	 * (advisor_unmoved; the advisor keeps it) */
	uint64_t	conversations_unmoved;
	uint64_t	latency_count;
	uint64_t	latency_sum_us;
	uint64_t	latency_buckets[12];
};

extern struct metrics metrics;

void	metrics_error(const char *code);
void	metrics_reply(const char *intent, int64_t latency_us);
/* A WebSocket closed by advisord with CODE (one of METRICS_CLOSE_CODES;
 * any other is not counted). */
void	metrics_close(int code);
/* Write the whole page; STATS may be NULL. */
void	metrics_write(struct jbuf *, const struct store_stats *stats);
void	metrics_reset(void);

#endif
