/*
 * dialogue_int.h: the loaded form of the dialogue trees, shared by the
 * loader (dialogue_load.c), the checker (dialogue_check.c) and the engine
 * (dialogue.c).  Not part of the module's public contract.
 */
#ifndef ADVISOR_DIALOGUE_INT_H
#define ADVISOR_DIALOGUE_INT_H

#include <stdbool.h>
#include <string.h>

#include "dialogues/dialogue.h"

#define DLG_HISTORY_MAX	32
#define DLG_ANSWERS_MAX	16

enum dnode_kind { DN_ANSWER, DN_QUESTION, DN_RECOMMENDATION };

/* An option as written: leads to a node, or stands for an intent. */
struct dopt {
	char	*id, *label;
	char	*target;	/* node id, or NULL */
	char	*intent;	/* intent id, or NULL */
};

/* One way to answer a question node. */
struct danswer {
	char	*id, *label;
	char	*intent;	/* free-text answers arrive as this intent */
	int	 lean;		/* < 0 leans BPO, > 0 leans KPO */
	char	*reason;	/* why it leans so, in the person's terms */
	char	*caution;	/* what to watch for, or NULL: under a KPO
				 * verdict or a split (its KPO half) */
	char	*caution_bpo;	/* the same under a BPO verdict, or NULL:
				 * the seed names KPO's risks only */
};

struct dkv {
	char	*key, *value;
};

struct dnode {
	char		*id, *title, *text, *file;
	enum dnode_kind	 kind;
	char		*topic;		/* intent this node answers, or NULL */
	char		*deeper;	/* node "tell me more" leads to */
	char		*next;		/* question: node after an answer */
	struct dopt	*opts;
	size_t		 nopts;
	struct dkv	*trans;		/* intent -> node */
	size_t		 ntrans;
	struct danswer	*answers;	/* question nodes */
	size_t		 nanswers;
	/* recommendation nodes: text for each verdict */
	char		*verdict_bpo, *verdict_kpo, *verdict_split;
};

struct dialogues {
	struct dnode	*nodes;
	size_t		 n;
	const struct dnode **byid;	/* the nodes sorted by id */
	struct dkv	*routes;	/* global intent -> node */
	size_t		 nroutes;
	char		 version[17];
};

/* Whether A and B are the same string.  The first bytes are compared in
 * line: most of the ids and labels the engine compares differ there, and
 * then no strcmp call is made. */
static inline bool
dlg_streq(const char *a, const char *b)
{
	return a[0] == b[0] && strcmp(a, b) == 0;
}

const struct dnode *dlg_node(const struct dialogues *, const char *id);
const char	*dlg_route(const struct dialogues *, const char *intent);
/* The three verdicts and the reasons for a set of answers. */
int		 dlg_score(const struct dialogues *, const char *const *keys,
		    const char *const *values, size_t n);

#endif
