/*
 * bench_advisor.c: micro-benchmark of everything advisord does for one
 * answer apart from the transport: the frame parsed, the intent matched,
 * the dialogue walked, the reply written and its log rows enqueued, and
 * then the log writer's share of committing them.  It drives the advisor
 * (daemon/advisor.c) directly with the load generator's kind of mix over
 * 100 conversations (or as many as asked), on the real content and a temporary SQLite file in
 * fast durability, and reports CPU microseconds per answer for the event
 * loop's part and for the log's threads (writer and checkpoints).  Both
 * are thread CPU time, free of the network's noise, though a busy shared
 * machine still moves them (by up to 1.5x between minutes here); `make
 * bench` prints them beside the echo baseline to show what is left above
 * the transport.  Not a test: it asserts nothing about time.
 *   usage: bench_advisor [answers [conversations [turns]]]
 *          (200000, 100, 0)
 * Many conversations (2000) give the writer what people typing give it:
 * about one exchange per conversation per batch.  With TURNS, a
 * conversation ends after that many answers and a new visitor takes its
 * place, as people come and go (0: each stays to the end).
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/advisor.h"
#include "daemon/clock.h"
#include "daemon/content.h"


static const char *const texts[] = {
	"what is bpo", "whats the difference between bpo and kpo",
	"kpo vs bpo", "what kind of work does kpo do", "is kpo more expensive",
	"what are the risks of kpo", "what about our intellectual property",
	"how do we avoid vendor lock in", "give me some examples of kpo",
	"is market research kpo", "does it suit a small business",
	"tell me more", "what could go wrong", "what is the roi of kpo",
	"waht is bpo", "diffrence between bpo and kpo",
	"bussiness process outsorcing", "intelectual property", "cost savngs",
	"what is the weather in paris", "tell me a joke", "asdf qwerty",
	"are you a robot", "hi", "thanks", "back", "start over",
	"which one should we choose", "mostly data entry", "save money",
	"work closely together", "we are a startup", "very sensitive",
	"no experts",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct conv {
	struct session	*s;
	uint64_t	 seq;		/* log row the last reply waits for */
	char		 opt[64];	/* first option of the last reply */
	unsigned	 replies;
};

static uint64_t top_seq;	/* the last log row a reply waits for */

static void
emit(void *arg, const char *frame, size_t len, uint64_t seq)
{
	struct conv *c = arg;
	const char *p, *e;
	static const char key[] = "\"options\":[{\"id\":\"";

	c->seq = seq;
	if (seq > top_seq)
		top_seq = seq;
	c->replies++;
	c->opt[0] = '\0';
	if ((p = memmem(frame, len, key, sizeof(key) - 1)) == NULL)
		return;
	p += sizeof(key) - 1;
	if ((e = memchr(p, '"', len - (size_t)(p - frame))) != NULL &&
	    (size_t)(e - p) < sizeof(c->opt)) {
		memcpy(c->opt, p, (size_t)(e - p));
		c->opt[e - p] = '\0';
	}
}

static double
cpu_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* On-CPU microseconds of every thread of this process but the calling
 * one (the log writer and the checkpoint thread), from
 * /proc/self/task/N/schedstat. */
static double
others_us(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	double total = 0;
	char p[300];

	while (d != NULL && (e = readdir(d)) != NULL) {
		unsigned long long ns;
		FILE *f;

		if (e->d_name[0] == '.' || atoi(e->d_name) == gettid())
			continue;
		snprintf(p, sizeof(p), "/proc/self/task/%s/schedstat", e->d_name);
		if ((f = fopen(p, "r")) == NULL)
			continue;
		if (fscanf(f, "%llu", &ns) == 1)
			total += (double)ns / 1e3;
		fclose(f);
	}
	if (d != NULL)
		closedir(d);
	return total;
}

int
main(int argc, char **argv)
{
	unsigned long answers = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
	unsigned long nconvs = argc > 2 ? strtoul(argv[2], NULL, 10) : 100;
	unsigned long turns = argc > 3 ? strtoul(argv[3], NULL, 10) : 0;
	char path[] = "/tmp/bench-advisor-XXXXXX", db[64], frame[256], err[256];
	char stay[48];	/* how long a conversation lasts, for the report */
	struct conv *convs;
	struct intents *in;
	struct dialogues *dl;
	struct store *st;
	struct store_opts so;
	struct store_stats stats;
	struct advisor_opts ao;
	struct advisor *a;
	uint32_t rng = 12345;
	double t0, w0, t1, w1;
	uint64_t last = 0;
	unsigned long i, sent = 0, total = 0;
	int fd, n;

	if (nconvs == 0 || nconvs > 100000 ||
	    (convs = calloc(nconvs, sizeof(*convs))) == NULL) {
		fprintf(stderr, "bench_advisor: 1 to 100000 conversations\n");
		return 1;
	}
	if ((fd = mkstemp(path)) == -1)
		return 1;
	close(fd);
	unlink(path);
	snprintf(db, sizeof(db), "%s.db", path);
	if (content_load(ADVISOR_CONTENT_DIR, true, stderr, &in, &dl) == -1)
		return 1;
	memset(&so, 0, sizeof(so));
	so.path = db;
	so.durability = STORE_FAST;
	so.redact = true;
	if ((st = store_open(&so, err, sizeof(err))) == NULL) {
		fprintf(stderr, "bench_advisor: %s\n", err);
		return 1;
	}
	memset(&ao, 0, sizeof(ao));
	ao.store = st;
	ao.max_text_chars = 2000;
	ao.max_conversations = (unsigned)nconvs;
	ao.defer_state = true;
	if ((a = advisor_new(in, dl, &ao)) == NULL)
		return 1;
	for (i = 0; i < nconvs; i++)
		convs[i].s = session_new(a, NULL);

	t0 = cpu_us(CLOCK_THREAD_CPUTIME_ID);
	w0 = others_us();
	for (i = 0; i < answers; i++) {
		struct conv *c = &convs[i % nconvs];
		struct sink k = { emit, c };
		uint32_t r;

		if (turns > 0 && c->replies == turns) {
			/* this visitor leaves; a new one comes */
			total += c->replies;
			session_free(c->s);
			c->s = session_new(a, NULL);
			c->replies = 0;
			c->opt[0] = '\0';
		}

		rng = rng * 1103515245u + 12345u;
		r = (rng >> 8) % 100;
		if (c->replies == 0)
			n = snprintf(frame, sizeof(frame), "{\"type\":\"start\"}");
		else if (r < 18 && c->opt[0] != '\0')
			n = snprintf(frame, sizeof(frame), "{\"type\":\"choose\","
			    "\"option\":\"%s\",\"id\":\"%lu\"}", c->opt, i);
		else
			n = snprintf(frame, sizeof(frame), "{\"type\":\"message\","
			    "\"text\":\"%s\",\"id\":\"%lu\"}",
			    texts[(rng >> 16) % NELEM(texts)], i);
		session_handle(c->s, frame, (size_t)n, wall_us(), &k);
		sent++;
		/* as the server does: once the writer is behind, a reply goes
		 * out only after its rows are written */
		if (store_backlogged(st))
			while (store_resolved(st) < c->seq) {
				struct timespec ts = { 0, 50000 };

				nanosleep(&ts, NULL);
			}
	}
	t1 = cpu_us(CLOCK_THREAD_CPUTIME_ID);
	/* let the writer finish: every reply's rows written (a batch taken,
	 * so no longer queued, but not yet committed had been counted as
	 * done when its commit took longer than the wait below), then
	 * nothing queued and nothing committed over more than one batch
	 * window */
	while (store_resolved(st) < top_seq) {
		struct timespec ts = { 0, 1000000 };

		nanosleep(&ts, NULL);
	}
	for (;;) {
		struct timespec ts = { 0, 250000000 };

		store_get_stats(st, &stats);
		if (stats.queued == 0 && stats.committed == last)
			break;
		last = stats.committed;
		nanosleep(&ts, NULL);
	}
	w1 = others_us();
	if (stats.dropped > 0) {
		fprintf(stderr, "bench_advisor: %" PRIu64 " log rows dropped\n",
		    stats.dropped);
		return 1;
	}
	for (i = 0; i < nconvs; i++) {
		total += convs[i].replies;
		session_free(convs[i].s);
	}
	free(convs);
	advisor_free(a);	/* and the content it was given */
	store_close(st);	/* the writer commits what is left */
	store_remove(db);
	if (total != sent) {
		fprintf(stderr, "bench_advisor: %lu frames but %lu answers\n",
		    sent, total);
		return 1;
	}
	if (turns > 0)
		snprintf(stay, sizeof(stay), "%lu answers each", turns);
	else
		snprintf(stay, sizeof(stay), "each to the end");
	printf("advisor path: %lu answers over %lu conversations at a time "
	    "(%s), event-loop part %.2f us/answer, log threads (writer, "
	    "checkpoints) %.2f us/answer (%" PRIu64 " rows)\n", sent, nconvs,
	    stay,
	    (t1 - t0) / (double)sent, (w1 - w0) / (double)sent,
	    stats.committed);
	printf("RESULT advisor_us=%.2f writer_us=%.2f\n",
	    (t1 - t0) / (double)sent, (w1 - w0) / (double)sent);
	return 0;
}
