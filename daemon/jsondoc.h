/*
 * jsondoc.h: one content file's text parsed as one JSON document, for the
 * intents and dialogue loaders.  Anything but white space after the
 * document is an error: a stray brace or a second document would
 * otherwise be dropped without a word.
 */
#ifndef ADVISOR_JSONDOC_H
#define ADVISOR_JSONDOC_H

#include <stddef.h>

struct cJSON;

/* Parse LEN bytes of TEXT, the file PATH.  On error returns NULL with ERR
 * naming the file, the line and, for trailing data, the byte offset where
 * it starts ("topics.json:12: trailing data after the JSON document at
 * byte offset 301"). */
struct cJSON	*jsondoc_parse(const char *path, const char *text, size_t len,
		    char *err, size_t errlen);

#endif
