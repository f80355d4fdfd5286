/*
 * review_cluster.c: unmatched's similarity clusters.  The questions that
 * fell to fallback come grouped by their normalised text; texts that
 * differ but ask the same ("what does rpa cost", "how much does rpa
 * cost") are gathered greedily, each into the first cluster whose first
 * text shares at least half of its content words, so that a reviewer
 * can answer them once.
 */
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "storage/review_cluster.h"

/*
 * Words that say how a question is asked, not what about: "what is lpo"
 * and "what is rpa" share half their words and nothing a reviewer could
 * answer once for both, so the clusters compare the other words only.
 */
static bool
filler(const char *w)
{
	static const char *const fill[] = { "a", "an", "the", "is", "are",
	    "was", "be", "do", "does", "did", "can", "could", "should",
	    "would", "will", "what", "which", "how", "why", "when", "where",
	    "who", "i", "me", "my", "we", "us", "our", "you", "your", "it",
	    "its", "this", "that", "there", "of", "for", "to", "in", "on", "at",
	    "by", "with", "about", "and", "or", "so", "if", "please", "tell",
	    "explain", "exactly" };
	size_t i;

	for (i = 0; i < sizeof(fill) / sizeof(fill[0]); i++)
		if (strcmp(w, fill[i]) == 0)
			return true;
	return false;
}

/* The content words of a text, lower case, for the similarity
 * clusters: each cluster's first text is taken apart once, not again for
 * every text compared with it (5,000 distinct questions took 20 s). */
#define BAG_WORDS	24
struct bag {
	char	w[BAG_WORDS][32];
	int	n;
};

static void
words(const char *s, struct bag *b)
{
	int k;

	b->n = 0;
	while (*s && b->n < BAG_WORDS) {
		while (*s && !((*s >= 'a' && *s <= 'z') || (*s >= '0' &&
		    *s <= '9')))
			s++;
		for (k = 0; ((*s >= 'a' && *s <= 'z') || (*s >= '0' &&
		    *s <= '9')); s++)
			if (k < 31)
				b->w[b->n][k++] = *s;
		if (k > 0) {
			b->w[b->n][k] = '\0';
			if (!filler(b->w[b->n]))
				b->n++;
		}
	}
}

static double
jaccard(const struct bag *a, const struct bag *b)
{
	int i, j, common = 0;

	for (i = 0; i < a->n; i++)
		for (j = 0; j < b->n; j++)
			if (strcmp(a->w[i], b->w[j]) == 0) {
				common++;
				break;
			}
	return a->n + b->n - common ? (double)common / (a->n + b->n -
	    common) : 0;
}

struct ranked {
	cJSON	*c;
	double	 count;
	int	 seen;		/* order of its first text */
};

static int
by_count(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->seen - y->seen;
}

/* CLUSTERS, largest first (a cluster grows after its first text was
 * placed, so the order of first texts is not the order of size). */
static cJSON *
largest_first(cJSON *clusters)
{
	int n = cJSON_GetArraySize(clusters), i = 0;
	struct ranked *v = calloc((size_t)n + 1, sizeof(*v));
	cJSON *c, *sorted;

	if (v == NULL)
		return clusters;
	cJSON_ArrayForEach(c, clusters) {
		v[i].c = c;
		v[i].count = cJSON_GetObjectItem(c, "count")->valuedouble;
		v[i].seen = i;
		i++;
	}
	qsort(v, (size_t)n, sizeof(*v), by_count);
	sorted = cJSON_CreateArray();
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(sorted, cJSON_DetachItemViaPointer(
		    clusters, v[i].c));
	free(v);
	cJSON_Delete(clusters);
	return sorted;
}

/* The clusters so far, in the order of their first texts. */
struct cluster {
	cJSON		*clusters;	/* {count, texts} in order of first text */
	struct bag	*heads;		/* the words of each cluster's first */
	size_t		 nheads, cap;
};

struct cluster *
cluster_new(void)
{
	struct cluster *cl = calloc(1, sizeof(*cl));

	if (cl != NULL && (cl->clusters = cJSON_CreateArray()) == NULL) {
		free(cl);
		return NULL;
	}
	return cl;
}

void
cluster_free(struct cluster *cl)
{
	if (cl == NULL)
		return;
	cJSON_Delete(cl->clusters);
	free(cl->heads);
	free(cl);
}

int
cluster_add(struct cluster *cl, const char *t, int n)
{
	struct bag bag, *more;
	cJSON *c;
	size_t k = 0;

	words(t, &bag);
	cJSON_ArrayForEach(c, cl->clusters)
		if (jaccard(&cl->heads[k++], &bag) >= 0.5)
			break;
	if (c == NULL) {
		if (cl->nheads == cl->cap) {
			cl->cap = cl->cap ? 2 * cl->cap : 64;
			if ((more = realloc(cl->heads, cl->cap *
			    sizeof(*more))) == NULL)
				return -1;
			cl->heads = more;
		}
		cl->heads[cl->nheads++] = bag;
		c = cJSON_CreateObject();
		cJSON_AddNumberToObject(c, "count", 0);
		cJSON_AddArrayToObject(c, "texts");
		cJSON_AddItemToArray(cl->clusters, c);
	}
	cJSON_AddItemToArray(cJSON_GetObjectItem(c, "texts"),
	    cJSON_CreateString(t));
	cJSON_SetNumberValue(cJSON_GetObjectItem(c, "count"),
	    cJSON_GetObjectItem(c, "count")->valuedouble + n);
	return 0;
}

cJSON *
cluster_take(struct cluster *cl)
{
	cJSON *sorted = largest_first(cl->clusters);

	cl->clusters = NULL;
	cluster_free(cl);
	return sorted;
}
