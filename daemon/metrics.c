/*
 * metrics.c: the counters and their Prometheus text rendering.  Replies by
 * intent and errors by code are kept in small tables of copied names, so a
 * content reload cannot leave a counter pointing at freed text.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/fnv.h"
#include "daemon/metrics.h"

struct metrics metrics;

struct named {
	char		*name;
	uint32_t	 hash;		/* of name, compared before it */
	uint64_t	 count;
};

struct table {
	struct named	*v;
	size_t		 n;
};

static struct table by_intent, by_error;

/* Upper bounds of the latency histogram, microseconds. */
static const int64_t bounds[12] = { 25, 50, 100, 250, 500, 1000, 2500,
    5000, 10000, 25000, 100000, 1000000 };

static const int close_codes[METRICS_NCLOSE] = METRICS_CLOSE_CODES;

static const char *const frame_names[MF_N] = { "start", "message", "choose",
    "feedback", "ping", "invalid", "reply", "history", "error", "ack",
    "pong" };

/* Counted once for every reply: the hash spares a strcmp per entry. */
static void
bump(struct table *t, const char *name)
{
	uint32_t h = (uint32_t)fnv1a(name);
	struct named *nv;
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].hash == h && strcmp(t->v[i].name, name) == 0) {
			t->v[i].count++;
			return;
		}
	if (t->n >= 512 || (nv = realloc(t->v, (t->n + 1) * sizeof(*nv))) ==
	    NULL)
		return;
	t->v = nv;
	if ((t->v[t->n].name = strdup(name)) == NULL)
		return;
	t->v[t->n].hash = h;
	t->v[t->n++].count = 1;
}

void
metrics_error(const char *code)
{
	bump(&by_error, code);
}

void
metrics_close(int code)
{
	size_t i;

	for (i = 0; i < METRICS_NCLOSE; i++)
		if (close_codes[i] == code)
			metrics.closes[i]++;
}

void
metrics_reply(const char *intent, int64_t latency_us)
{
	size_t i;

	if (intent == NULL)
		intent = "unknown";
	bump(&by_intent, intent);
	if (strcmp(intent, "fallback") == 0)
		metrics.fallbacks++;
	metrics.latency_count++;
	metrics.latency_sum_us += (uint64_t)latency_us;
	for (i = 0; i < 12; i++)
		if (latency_us <= bounds[i])
			metrics.latency_buckets[i]++;
}

void
metrics_reset(void)
{
	size_t i;

	for (i = 0; i < by_intent.n; i++)
		free(by_intent.v[i].name);
	for (i = 0; i < by_error.n; i++)
		free(by_error.v[i].name);
	free(by_intent.v);
	free(by_error.v);
	memset(&by_intent, 0, sizeof(by_intent));
	memset(&by_error, 0, sizeof(by_error));
	memset(&metrics, 0, sizeof(metrics));
}

static void
line(struct jbuf *b, const char *fmt, ...) __attribute__((format(printf, 2,
    3)));

static void
line(struct jbuf *b, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		jbuf_raw(b, buf, (size_t)n < sizeof(buf) ? (size_t)n :
		    sizeof(buf) - 1);
}

static void
counter(struct jbuf *b, const char *name, const char *help, uint64_t v)
{
	line(b, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name,
	    name, (unsigned long long)v);
}

static void
gauge(struct jbuf *b, const char *name, const char *help, uint64_t v)
{
	line(b, "# HELP %s %s\n# TYPE %s gauge\n%s %llu\n", name, help, name,
	    name, (unsigned long long)v);
}

void
metrics_write(struct jbuf *b, const struct store_stats *st)
{
	uint64_t cum;
	size_t i;

	gauge(b, "advisord_connections_open", "Open WebSocket connections.",
	    metrics.connections_open);
	counter(b, "advisord_connections_total", "WebSocket connections "
	    "accepted.", metrics.connections_total);
	counter(b, "advisord_connections_refused_total", "Connections refused "
	    "(address cap, origin, authentication).",
	    metrics.connections_refused);
	line(b, "# HELP advisord_frames_in_total Frames received by type.\n"
	    "# TYPE advisord_frames_in_total counter\n");
	for (i = 0; i < MF_N; i++)
		if (i <= MF_INVALID)
			line(b, "advisord_frames_in_total{type=\"%s\"} %llu\n",
			    frame_names[i],
			    (unsigned long long)metrics.frames_in[i]);
	line(b, "# HELP advisord_frames_out_total Frames sent by type.\n"
	    "# TYPE advisord_frames_out_total counter\n");
	for (i = MF_REPLY; i < MF_N; i++)
		line(b, "advisord_frames_out_total{type=\"%s\"} %llu\n",
		    frame_names[i], (unsigned long long)metrics.frames_out[i]);
	line(b, "# HELP advisord_replies_total Replies by intent.\n"
	    "# TYPE advisord_replies_total counter\n");
	for (i = 0; i < by_intent.n; i++)
		line(b, "advisord_replies_total{intent=\"%s\"} %llu\n",
		    by_intent.v[i].name,
		    (unsigned long long)by_intent.v[i].count);
	counter(b, "advisord_fallbacks_total", "Messages no intent matched.",
	    metrics.fallbacks);
	line(b, "# HELP advisord_errors_total Error frames by code.\n"
	    "# TYPE advisord_errors_total counter\n");
	for (i = 0; i < by_error.n; i++)
		line(b, "advisord_errors_total{code=\"%s\"} %llu\n",
		    by_error.v[i].name, (unsigned long long)by_error.v[i].count);
	line(b, "# HELP advisord_reply_latency_seconds Time to work out a "
	    "reply (match, dialogue, log rows).\n"
	    "# TYPE advisord_reply_latency_seconds histogram\n");
	for (i = 0, cum = 0; i < 12; i++) {
		cum = metrics.latency_buckets[i];
		line(b, "advisord_reply_latency_seconds_bucket{le=\"%g\"} "
		    "%llu\n", (double)bounds[i] / 1e6, (unsigned long long)cum);
	}
	/* the sum to the microsecond: %g kept six digits, so that after a
	 * day's traffic it moved in whole seconds and the mean latency
	 * (rate of sum over rate of count) read as 0 or a multiple of a
	 * second */
	line(b, "advisord_reply_latency_seconds_bucket{le=\"+Inf\"} %llu\n"
	    "advisord_reply_latency_seconds_sum %.6f\n"
	    "advisord_reply_latency_seconds_count %llu\n",
	    (unsigned long long)metrics.latency_count,
	    (double)metrics.latency_sum_us / 1e6,
	    (unsigned long long)metrics.latency_count);
	gauge(b, "advisord_conversations", "Conversations held in memory.",
	    metrics.conversations);
	gauge(b, "advisord_conversations_unmoved", "Conversations held in "
	    "memory not yet moved to the content loaded last (each moves at "
	    "its next use, or a few every second).",
	    metrics.conversations_unmoved);
	line(b, "# HELP advisord_closes_total WebSocket connections closed "
	    "by advisord, by close code (1003 binary frame, 1007 bad UTF-8, "
	    "1009 message too big, 1008 bridge token revoked, 1011 out of "
	    "memory, 1001 stopping).\n"
	    "# TYPE advisord_closes_total counter\n");
	for (i = 0; i < METRICS_NCLOSE; i++)
		line(b, "advisord_closes_total{code=\"%d\"} %llu\n",
		    close_codes[i], (unsigned long long)metrics.closes[i]);
	counter(b, "advisord_slow_clients_dropped_total", "Connections closed "
	    "because their output queue was full.",
	    metrics.slow_clients_dropped);
	counter(b, "advisord_replies_held_total", "Frames held until the log "
	    "had resolved their rows (every frame in strict durability; in "
	    "fast, those sent while the log writer was behind).",
	    metrics.replies_held);
	counter(b, "advisord_content_reloads_total", "Content reloads that "
	    "succeeded.", metrics.reloads);
	counter(b, "advisord_content_reload_failures_total", "Content reloads "
	    "refused because the new content was invalid.",
	    metrics.reload_failures);
	counter(b, "advisord_settings_reload_failures_total", "Settings "
	    "reloads refused because the config or bridge token file was "
	    "bad (the old settings stay).", metrics.settings_reload_failures);
	if (st != NULL) {
		gauge(b, "advisord_log_queue_depth", "Log rows waiting for the "
		    "writer.", st->queued);
		counter(b, "advisord_log_rows_committed_total", "Log rows "
		    "written.", st->committed);
		counter(b, "advisord_log_rows_dropped_total", "Log rows given up "
		    "on (queue full or repeated write errors).", st->dropped);
		counter(b, "advisord_log_write_errors_total", "Failed log "
		    "commits (each is retried).", st->write_errors);
		counter(b, "advisord_log_checkpoints_total", "WAL checkpoints "
		    "completed by the log's checkpoint thread.",
		    st->checkpoints);
	}
}
