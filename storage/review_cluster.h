/*
 * review_cluster.h: similarity clusters of unmatched questions
 * (review_cluster.c).  Texts come one by one, most asked first; each joins
 * the first cluster whose first text shares at least half of its content
 * words (the words that say how a question is asked, "what", "is",
 * "the", do not count), else starts a cluster of its own.
 */
#ifndef ADVISOR_REVIEW_CLUSTER_H
#define ADVISOR_REVIEW_CLUSTER_H

#include <cjson/cJSON.h>

struct cluster;

/* No clusters yet; NULL without memory. */
struct cluster	*cluster_new(void);
void		 cluster_free(struct cluster *);
/* Text T, asked N times, into its cluster; -1 without memory. */
int		 cluster_add(struct cluster *, const char *t, int n);
/* The clusters, each {"count": the texts' N added up, "texts": [T, ...]
 * in the order they came}, largest first (ties by their first text's
 * order), for the caller to cJSON_Delete; CL is freed. */
cJSON		*cluster_take(struct cluster *cl);

#endif
