/*
 * jsondoc.c: a content file parsed as exactly one JSON document (see
 * jsondoc.h).
 */
#include <cjson/cJSON.h>
#include <stdio.h>

#include "daemon/jsondoc.h"

cJSON *
jsondoc_parse(const char *path, const char *text, size_t len, char *err,
    size_t errlen)
{
	const char *end = NULL;
	size_t k, at, line = 1;
	cJSON *j = cJSON_ParseWithLengthOpts(text, len, &end, 0);

	at = end != NULL && end >= text ? (size_t)(end - text) : 0;
	if (j != NULL)
		while (at < len && (text[at] == ' ' || text[at] == '\t' ||
		    text[at] == '\r' || text[at] == '\n'))
			at++;
	if (j != NULL && at >= len)
		return j;
	for (k = 0; k < at && k < len; k++)
		line += text[k] == '\n';
	if (j == NULL)
		snprintf(err, errlen, "%s:%zu: invalid JSON", path, line);
	else
		snprintf(err, errlen, "%s:%zu: trailing data after the JSON "
		    "document at byte offset %zu", path, line, at);
	cJSON_Delete(j);
	return NULL;
}
