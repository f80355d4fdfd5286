/*
 * dialogue_load.c: reads the dialogue trees.  Each .json file of the folder
 * holds {"routes": {intent: node}, "nodes": [...]}; files are read in name
 * order and their nodes and routes pooled.  Structural checks beyond "is
 * this well-formed" live in dialogue_check.c.
 */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/jsondoc.h"
#include "dialogues/dialogue_int.h"

static char *
dup_or_null(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? strdup(v->valuestring) : NULL;
}

static void
kv_free(struct dkv *kv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void
dialogues_free(struct dialogues *d)
{
	size_t i, j;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		struct dnode *n = &d->nodes[i];

		free(n->id); free(n->title); free(n->text); free(n->file);
		free(n->topic); free(n->deeper); free(n->next);
		free(n->verdict_bpo); free(n->verdict_kpo);
		free(n->verdict_split);
		for (j = 0; j < n->nopts; j++) {
			free(n->opts[j].id); free(n->opts[j].label);
			free(n->opts[j].target); free(n->opts[j].intent);
		}
		free(n->opts);
		for (j = 0; j < n->nanswers; j++) {
			free(n->answers[j].id); free(n->answers[j].label);
			free(n->answers[j].intent); free(n->answers[j].reason);
			free(n->answers[j].caution);
			free(n->answers[j].caution_bpo);
		}
		free(n->answers);
		kv_free(n->trans, n->ntrans);
	}
	free(d->nodes);
	free(d->byid);
	kv_free(d->routes, d->nroutes);
	free(d);
}

static int
kv_load(const cJSON *o, struct dkv **out, size_t *n)
{
	const cJSON *e;

	*n = 0;
	if (o == NULL)
		return 0;
	if (!cJSON_IsObject(o) ||
	    (*out = calloc((size_t)cJSON_GetArraySize(o) + 1,
	    sizeof(**out))) == NULL)
		return -1;
	cJSON_ArrayForEach(e, o) {
		if (!cJSON_IsString(e))
			return -1;
		(*out)[*n].key = strdup(e->string);
		(*out)[*n].value = strdup(e->valuestring);
		(*n)++;
		if ((*out)[*n - 1].key == NULL || (*out)[*n - 1].value == NULL)
			return -1;
	}
	return 0;
}

static int
node_load(struct dnode *n, const cJSON *j, const char *file, char *why,
    size_t whylen)
{
	const cJSON *kind, *a, *e;

	n->file = strdup(file);
	n->id = dup_or_null(j, "id");
	if (n->id == NULL) {
		snprintf(why, whylen, "a node without a string id");
		return -1;
	}
	n->title = dup_or_null(j, "title");
	n->text = dup_or_null(j, "text");
	n->topic = dup_or_null(j, "topic");
	n->deeper = dup_or_null(j, "deeper");
	n->next = dup_or_null(j, "next");
	n->verdict_bpo = dup_or_null(j, "verdict_bpo");
	n->verdict_kpo = dup_or_null(j, "verdict_kpo");
	n->verdict_split = dup_or_null(j, "verdict_split");
	kind = cJSON_GetObjectItemCaseSensitive(j, "kind");
	if (kind == NULL || (cJSON_IsString(kind) &&
	    strcmp(kind->valuestring, "answer") == 0))
		n->kind = DN_ANSWER;
	else if (cJSON_IsString(kind) &&
	    strcmp(kind->valuestring, "question") == 0)
		n->kind = DN_QUESTION;
	else if (cJSON_IsString(kind) &&
	    strcmp(kind->valuestring, "recommendation") == 0)
		n->kind = DN_RECOMMENDATION;
	else {
		snprintf(why, whylen, "kind must be answer, question or "
		    "recommendation");
		return -1;
	}
	a = cJSON_GetObjectItemCaseSensitive(j, "options");
	if (a != NULL && !cJSON_IsArray(a)) {
		snprintf(why, whylen, "options must be an array");
		return -1;
	}
	n->opts = calloc((size_t)cJSON_GetArraySize(a) + 1, sizeof(*n->opts));
	if (n->opts == NULL)
		return -1;
	cJSON_ArrayForEach(e, a) {
		struct dopt *o = &n->opts[n->nopts++];

		o->id = dup_or_null(e, "id");
		o->label = dup_or_null(e, "label");
		o->target = dup_or_null(e, "target");
		o->intent = dup_or_null(e, "intent");
		if (o->id == NULL || o->label == NULL ||
		    (o->target == NULL) == (o->intent == NULL)) {
			snprintf(why, whylen, "option %zu needs id, label and "
			    "one of target or intent", n->nopts);
			return -1;
		}
	}
	a = cJSON_GetObjectItemCaseSensitive(j, "answers");
	n->answers = calloc((size_t)cJSON_GetArraySize(a) + 1,
	    sizeof(*n->answers));
	if (n->answers == NULL)
		return -1;
	cJSON_ArrayForEach(e, a) {
		struct danswer *s = &n->answers[n->nanswers++];
		const cJSON *lean = cJSON_GetObjectItemCaseSensitive(e, "lean");

		s->id = dup_or_null(e, "id");
		s->label = dup_or_null(e, "label");
		s->intent = dup_or_null(e, "intent");
		s->reason = dup_or_null(e, "reason");
		s->caution = dup_or_null(e, "caution");
		s->caution_bpo = dup_or_null(e, "caution_bpo");
		s->lean = cJSON_IsNumber(lean) ? lean->valueint : 0;
		if (s->id == NULL || s->label == NULL || s->reason == NULL) {
			snprintf(why, whylen, "answer %zu needs id, label and "
			    "reason", n->nanswers);
			return -1;
		}
	}
	if (kv_load(cJSON_GetObjectItemCaseSensitive(j, "transitions"),
	    &n->trans, &n->ntrans) == -1) {
		snprintf(why, whylen, "transitions must map intents to nodes");
		return -1;
	}
	return 0;
}

static int
json_file(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return e->d_name[0] != '.' && n > 5 &&
	    strcmp(e->d_name + n - 5, ".json") == 0;
}

static cJSON *
parse_file(const char *path, uint64_t *h, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, r, k;
	cJSON *j = NULL;

	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot read", path);
		return NULL;
	}
	do {
		if (len + 4096 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 8192);
			if (nb == NULL)
				goto out;
			buf = nb;
		}
		r = fread(buf + len, 1, cap - len, f);
		len += r;
	} while (r > 0);
	for (k = 0; k < len; k++)
		*h = (*h ^ (unsigned char)buf[k]) * 1099511628211ULL;
	if ((j = jsondoc_parse(path, buf, len, err, errlen)) == NULL)
		goto out;
	if (!cJSON_IsObject(j)) {
		snprintf(err, errlen, "%s: not a JSON object", path);
		cJSON_Delete(j);
		j = NULL;
	}
out:
	free(buf);
	fclose(f);
	return j;
}

static int
by_id(const void *x, const void *y)
{
	const struct dnode *const *a = x, *const *b = y;

	return strcmp((*a)->id, (*b)->id);
}

struct dialogues *
dialogues_load(const char *dir, char *err, size_t errlen)
{
	struct dialogues *d;
	struct dirent **names = NULL;
	cJSON **docs = NULL;
	char path[4096], why[256];
	uint64_t h = 1469598103934665603ULL;
	size_t total = 0, troutes = 0, k;
	int nf, i;

	snprintf(err, errlen, "out of memory");
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	if ((nf = scandir(dir, &names, json_file, alphasort)) < 0) {
		snprintf(err, errlen, "%s: cannot read the folder", dir);
		goto fail;
	}
	if (nf == 0) {
		snprintf(err, errlen, "%s: no .json dialogue files", dir);
		goto fail;
	}
	if ((docs = calloc((size_t)nf, sizeof(*docs))) == NULL)
		goto fail;
	for (i = 0; i < nf; i++) {
		const cJSON *nodes;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if ((docs[i] = parse_file(path, &h, err, errlen)) == NULL)
			goto fail;
		nodes = cJSON_GetObjectItemCaseSensitive(docs[i], "nodes");
		if (nodes != NULL && !cJSON_IsArray(nodes)) {
			snprintf(err, errlen, "%s: nodes must be an array",
			    path);
			goto fail;
		}
		total += (size_t)cJSON_GetArraySize(nodes);
		troutes += (size_t)cJSON_GetArraySize(
		    cJSON_GetObjectItemCaseSensitive(docs[i], "routes"));
	}
	d->nodes = calloc(total + 1, sizeof(*d->nodes));
	d->routes = calloc(troutes + 1, sizeof(*d->routes));
	if (d->nodes == NULL || d->routes == NULL)
		goto fail;
	for (i = 0; i < nf; i++) {
		const char *file = names[i]->d_name;
		const cJSON *e;
		struct dkv *kv = NULL;
		size_t nkv;

		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(docs[i],
		    "nodes")) {
			snprintf(why, sizeof(why), "out of memory");
			if (node_load(&d->nodes[d->n++], e, file, why,
			    sizeof(why)) == -1) {
				snprintf(err, errlen, "%s: %s: %s", file,
				    d->nodes[d->n - 1].id ?
				    d->nodes[d->n - 1].id : "?", why);
				goto fail;
			}
			for (k = 0; k + 1 < d->n; k++)
				if (strcmp(d->nodes[k].id,
				    d->nodes[d->n - 1].id) == 0) {
					snprintf(err, errlen, "%s: %s: duplicate "
					    "node id (first in %s)", file,
					    d->nodes[k].id, d->nodes[k].file);
					goto fail;
				}
		}
		if (kv_load(cJSON_GetObjectItemCaseSensitive(docs[i],
		    "routes"), &kv, &nkv) == -1) {
			snprintf(err, errlen, "%s: routes must map intents to "
			    "node ids", file);
			goto fail;
		}
		for (k = 0; k < nkv; k++)
			d->routes[d->nroutes++] = kv[k];
		free(kv);
	}
	if ((d->byid = calloc(d->n + 1, sizeof(*d->byid))) == NULL)
		goto fail;
	for (k = 0; k < d->n; k++)
		d->byid[k] = &d->nodes[k];
	qsort(d->byid, d->n, sizeof(*d->byid), by_id);
	if (dlg_node(d, "root") == NULL) {
		snprintf(err, errlen, "%s: no node named root", dir);
		goto fail;
	}
	snprintf(d->version, sizeof(d->version), "%016llx",
	    (unsigned long long)h);
	err[0] = '\0';
	goto done;
fail:
	dialogues_free(d);
	d = NULL;
done:
	for (i = 0; docs && i < nf; i++)
		cJSON_Delete(docs[i]);
	free(docs);
	for (i = 0; names && i < nf; i++)
		free(names[i]);
	free(names);
	return d;
}

const char *
dialogues_version(const struct dialogues *d)
{
	return d->version;
}

/* Every reply looks nodes up by id, several times: a binary search over
 * the sorted index, not a scan of the nodes. */
const struct dnode *
dlg_node(const struct dialogues *d, const char *id)
{
	size_t lo = 0, hi = d->n;

	while (id != NULL && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *k = d->byid[mid]->id;
		/* strcmp's order is that of the first differing byte, as
		 * unsigned char: most steps are decided by the first */
		int c = (unsigned char)id[0] - (unsigned char)k[0];

		if (c == 0)
			c = strcmp(id, k);

		if (c == 0)
			return d->byid[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *
dlg_route(const struct dialogues *d, const char *intent)
{
	size_t i;

	for (i = 0; intent && i < d->nroutes; i++)
		if (dlg_streq(d->routes[i].key, intent))
			return d->routes[i].value;
	return NULL;
}
