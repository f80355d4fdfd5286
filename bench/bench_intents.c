/*
 * bench_intents.c: micro-benchmark of intents_match.  Reports the median
 * and p99 microseconds per message for the shipped catalog and for a
 * generated catalog of 1,000 intents (the shipped one plus synthetic
 * intents written to a temporary folder), with the JIT and without.
 * Not a test: it asserts nothing about time.
 *   usage: bench_intents [content-dir]   (default ADVISOR_CONTENT_DIR)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "intents/intents.h"
#include "intents/intents_int.h"

#define ROUNDS	200

static const char *const texts[] = {
	"hi", "whats kpo", "bpo vs kpo", "what's the diference between bpo "
	"and knowlege process outsorcing", "tell me more", "how much does "
	"kpo cost", "is my data safe with an offshore provider",
	"which one should we choose", "examples of bpo please",
	"we are a small startup", "what is the weather like today",
	"thanks a lot", "how do we reduce the risk of depending on a vendor",
	"what skills do kpo analysts need", "zorvex meaning", "define quilbaro",
	"asdf qwer zxcv", "a a a a a a a a a a a a a a a a a a a a a a a a a",
};

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* A made-up word per number, so synthetic intents do not overlap. */
static void
word(unsigned n, char *out)
{
	static const char *const syl[] = { "zo", "rve", "qui", "lba", "ro",
	    "tem", "nax", "pul", "dri", "ko", "fa", "sen", "gu", "yor", "wib",
	    "hes" };
	size_t o = 0;
	int i;

	for (i = 0; i < 3; i++) {
		const char *s = syl[n % 16];

		n /= 16;
		memcpy(out + o, s, strlen(s));
		o += strlen(s);
	}
	out[o++] = 'x';
	out[o] = '\0';
}

static int
write_generated(const char *dir, const char *content, unsigned total)
{
	char path[4096], w1[32], w2[32];
	FILE *f;
	unsigned i;
	int rc;

	snprintf(path, sizeof(path), "cp %s/intents/*.json %s/", content, dir);
	if ((rc = system(path)) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/zz_generated.json", dir);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fprintf(f, "{\"intents\": [\n");
	for (i = 0; i < total; i++) {
		word(i, w1);
		word(i + 4096, w2);
		fprintf(f, "%s{\"id\": \"gen_%u\", \"priority\": %u, "
		    "\"patterns\": [\"\\\\b(?:{whatis}) (?:the )?%s\\\\b\", "
		    "\"^%s (?:meaning|info|details)$\", "
		    "\"\\\\b%s\\\\b.*\\\\b%s\\\\b\"], "
		    "\"examples\": [\"what is %s\", \"%s meaning\"]}\n",
		    i ? "," : "", i, i % 3, w1, w1, w1, w2, w1, w1);
	}
	fprintf(f, "]}\n");
	return fclose(f) == 0 ? 0 : -1;
}

static void
run(const char *name, const char *dir, int jit)
{
	static struct intent_result res;
	static double t[ROUNDS * (sizeof(texts) / sizeof(texts[0]))];
	const char *ctx[2] = { "define_bpo", NULL };
	struct intents *c;
	char err[512];
	size_t n = 0, i, r;

	if ((c = intents_load(dir, jit != 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s: %s\n", name, err);
		exit(1);
	}
	for (r = 0; r < ROUNDS; r++)
		for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
			double t0 = now_us();

			intents_match(c, texts[i], strlen(texts[i]), ctx, 2,
			    &res);
			t[n++] = now_us() - t0;
		}
	qsort(t, n, sizeof(t[0]), cmp_double);
	printf("%-10s %5zu intents  jit=%-3s  always-run %3zu  median %6.2f us"
	    "  p99 %7.2f us\n", name, intents_count(c),
	    intents_jit(c) ? "yes" : "no", intents_always(c), t[n / 2],
	    t[n * 99 / 100]);
	intents_free(c);
}

int
main(int argc, char **argv)
{
	const char *content = argc > 1 ? argv[1] : ADVISOR_CONTENT_DIR;
	char shipped[4096], tmpl[] = "/tmp/bench_intents.XXXXXX", cmd[4200];
	struct intents *c;
	char err[512];
	size_t base;

	snprintf(shipped, sizeof(shipped), "%s/intents", content);
	if ((c = intents_load(shipped, true, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	base = intents_count(c);
	intents_free(c);
	if (mkdtemp(tmpl) == NULL || write_generated(tmpl, content,
	    (unsigned)(1000 - base)) == -1) {
		perror("generated catalog");
		return 1;
	}
	run("shipped", shipped, 1);
	run("shipped", shipped, 0);
	run("generated", tmpl, 1);
	run("generated", tmpl, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpl);
	return system(cmd) == 0 ? 0 : 1;
}
