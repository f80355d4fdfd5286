/*
 * protocol.c: protocol v1 frames.  Parsing goes through cJSON, bounded by
 * the frame size cap before it gets here and by a nesting check of our own
 * (far below cJSON's limit of 1000, so its recursion stays shallow);
 * writing is done by hand into a jbuf.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "daemon/protocol.h"

static const struct {
	const char	*name;
	enum proto_type	 type;
} types[] = {
	{ "start", P_START }, { "message", P_MESSAGE }, { "choose", P_CHOOSE },
	{ "feedback", P_FEEDBACK }, { "ping", P_PING },
};

bool
proto_valid_id(const char *s)
{
	size_t n = 0;

	for (; *s; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("_.:@-", *s)))
			return false;
	return n >= 1 && n <= PROTO_ID_MAX;
}

size_t
proto_utf8_chars(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

/* The fields a frame may carry. */
enum field {
	F_ID, F_TYPE, F_CONVERSATION, F_USER, F_RESUME, F_COMMENT, F_TEXT,
	F_OPTION, F_MESSAGE, F_HELPFUL, F_NFIELDS
};

static const char *const field_names[F_NFIELDS] = {
	"id", "type", "conversation", "user", "resume", "comment", "text",
	"option", "message", "helpful",
};

/*
 * The first member of object O named after each field (NULL: none), as
 * cJSON_GetObjectItemCaseSensitive would find it, in one pass over the
 * members rather than one per field.  Only the names that begin with the
 * member's first letter are compared.
 */
static void
find_fields(const cJSON *o, const cJSON *f[F_NFIELDS])
{
	const cJSON *c;
	enum field a, b;

	memset(f, 0, F_NFIELDS * sizeof(f[0]));
	for (c = o->child; c != NULL && c->string != NULL; c = c->next) {
		a = b = F_NFIELDS;
		switch (c->string[0]) {
		case 'i': a = F_ID; break;
		case 't': a = F_TYPE; b = F_TEXT; break;
		case 'c': a = F_CONVERSATION; b = F_COMMENT; break;
		case 'u': a = F_USER; break;
		case 'r': a = F_RESUME; break;
		case 'o': a = F_OPTION; break;
		case 'm': a = F_MESSAGE; break;
		case 'h': a = F_HELPFUL; break;
		default: continue;
		}
		if (f[a] == NULL && strcmp(c->string, field_names[a]) == 0)
			f[a] = c;
		else if (b != F_NFIELDS && f[b] == NULL &&
		    strcmp(c->string, field_names[b]) == 0)
			f[b] = c;
	}
}

/* Optional string field K: absent is fine, present must be a string. */
static int
opt_str(const cJSON *const f[F_NFIELDS], enum field k, const char **out,
    const char **why)
{
	const cJSON *v = f[k];

	*out = NULL;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v)) {
		*why = field_names[k];
		return -1;
	}
	*out = v->valuestring;
	return 0;
}

/* Whether the JSON text nests arrays and objects deeper than
 * PROTO_DEPTH_MAX; checked before cJSON, which recurses per level.  Only
 * '[' and '{' deepen it, so a text with no more of them than that (any
 * frame a client sends) cannot: counted with memchr before the walk that
 * tells those in strings from the others. */
static bool
too_deep(const char *s, size_t n)
{
	size_t i, depth = 0, opens = 0;
	const char *p, *e = s + n;
	bool str = false;

	for (p = s; opens <= PROTO_DEPTH_MAX && (p = memchr(p, '{', (size_t)
	    (e - p))) != NULL; p++)
		opens++;
	for (p = s; opens <= PROTO_DEPTH_MAX && (p = memchr(p, '[', (size_t)
	    (e - p))) != NULL; p++)
		opens++;
	if (opens <= PROTO_DEPTH_MAX)
		return false;
	for (i = 0; i < n; i++) {
		if (str) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				str = false;
		} else if (s[i] == '"')
			str = true;
		else if (s[i] == '[' || s[i] == '{') {
			if (++depth > PROTO_DEPTH_MAX)
				return true;
		} else if ((s[i] == ']' || s[i] == '}') && depth > 0)
			depth--;
	}
	return false;
}

/*
 * Whether the valid JSON in BUF escapes a NUL (\u0000) in some string.
 * cJSON hands strings over NUL-terminated, so one would silently cut the
 * text there ("what is \u0000 kpo" was read as "what is ").  Backslashes
 * are few: memchr goes from one to the next.
 */
static int
nul_escape(const char *buf, size_t len)
{
	const char *p = buf, *q;

	while (len >= 2 && p < buf + len - 1 &&
	    (q = memchr(p, '\\', (size_t)(buf + len - 1 - p))) != NULL) {
		if ((size_t)(q - buf) + 5 < len &&
		    memcmp(q + 1, "u0000", 5) == 0)
			return 1;
		p = q + 2;	/* the escaped byte: "\\\\u0000" is no NUL */
	}
	return 0;
}

/* The first byte from P on that is not JSON white space, or E. */
static const char *
skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/*
 * Whether the frame's "id" member is the string ID written out plainly in
 * BUF (LEN bytes).  Asked only of a frame that escapes a NUL: one in the
 * id itself cut it short, and the cut id must not come back as
 * in_reply_to, where it could name another request ("a\u0000b" read as
 * "a").  An id written with escapes is not echoed either then.
 */
static bool
id_plain(const char *buf, size_t len, const char *id)
{
	const char *p = buf, *e = buf + len, *q;
	size_t n = strlen(id);

	while ((q = memmem(p, (size_t)(e - p), "\"id\"", 4)) != NULL) {
		p = q + 4;
		if ((q = skip_ws(p, e)) == e || *q != ':')
			continue;
		q = skip_ws(q + 1, e);
		return (size_t)(e - q) >= n + 2 && q[0] == '"' &&
		    memcmp(q + 1, id, n) == 0 && q[n + 1] == '"';
	}
	return false;
}

int
proto_parse(const char *buf, size_t len, struct proto_msg *m,
    const char **code, char *msg, size_t msglen, char *idbuf,
    const char **in_reply_to)
{
	const cJSON *t, *v, *f[F_NFIELDS];
	cJSON *doc;
	const char *why = NULL, *end = NULL;
	size_t i, n;

	memset(m, 0, sizeof(*m));
	*in_reply_to = NULL;
	if (too_deep(buf, len)) {
		*code = E_INVALID_JSON;
		snprintf(msg, msglen, "the frame nests deeper than %d levels",
		    PROTO_DEPTH_MAX);
		return -1;
	}
	doc = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
	if (doc != NULL)	/* only white space may follow the value */
		for (; end < buf + len; end++)
			if (!strchr(" \t\r\n", *end) || *end == '\0') {
				cJSON_Delete(doc);
				doc = NULL;
				break;
			}
	if (doc == NULL) {
		*code = E_INVALID_JSON;
		snprintf(msg, msglen, "the frame is not valid JSON");
		return -1;
	}
	m->doc = doc;
	if (!cJSON_IsObject(doc)) {
		*code = E_BAD_REQUEST;
		snprintf(msg, msglen, "a frame must be a JSON object");
		goto fail;
	}
	find_fields(doc, f);
	v = f[F_ID];
	if (cJSON_IsString(v) && (n = strlen(v->valuestring)) <=
	    PROTO_ID_MAX) {
		memcpy(idbuf, v->valuestring, n + 1);
		*in_reply_to = idbuf;
	}
	/* after the id, so that the client learns which request it was */
	if (nul_escape(buf, len)) {
		if (*in_reply_to != NULL && !id_plain(buf, len, idbuf))
			*in_reply_to = NULL;
		*code = E_BAD_REQUEST;
		snprintf(msg, msglen, "a string holds \\u0000, which no "
		    "field takes");
		goto fail;
	}
	t = f[F_TYPE];
	if (!cJSON_IsString(t)) {
		*code = E_BAD_REQUEST;
		snprintf(msg, msglen, "missing string field \"type\"");
		goto fail;
	}
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(t->valuestring, types[i].name) == 0)
			break;
	if (i == sizeof(types) / sizeof(types[0])) {
		*code = E_UNKNOWN_TYPE;
		snprintf(msg, msglen, "unknown type \"%.64s\"", t->valuestring);
		goto fail;
	}
	m->type = types[i].type;
	if (opt_str(f, F_ID, &m->id, &why) || opt_str(f, F_CONVERSATION,
	    &m->conversation, &why) || opt_str(f, F_USER, &m->user, &why) ||
	    opt_str(f, F_RESUME, &m->resume, &why) || opt_str(f, F_COMMENT,
	    &m->comment, &why))
		goto badtype;
	if (m->id != NULL && strlen(m->id) > PROTO_ID_MAX) {
		*code = E_BAD_REQUEST;
		snprintf(msg, msglen, "\"id\" is longer than %d bytes",
		    PROTO_ID_MAX);
		goto fail;
	}
	if (m->conversation != NULL && !proto_valid_id(m->conversation)) {
		*code = E_BAD_REQUEST;
		snprintf(msg, msglen, "\"conversation\" must be 1 to %d of "
		    "A-Z a-z 0-9 _ . : @ -", PROTO_ID_MAX);
		goto fail;
	}
	if (m->user != NULL && strlen(m->user) > PROTO_ID_MAX) {
		*code = E_BAD_REQUEST;
		snprintf(msg, msglen, "\"user\" is longer than %d bytes",
		    PROTO_ID_MAX);
		goto fail;
	}
	switch (m->type) {
	case P_MESSAGE:
		v = f[F_TEXT];
		if (!cJSON_IsString(v)) {
			why = "text";
			goto badtype;
		}
		m->text = v->valuestring;
		m->text_len = strlen(v->valuestring);
		/* nothing to answer, and nothing for the review of what
		 * went unanswered */
		if (m->text[strspn(m->text, " \t\r\n\f\v")] == '\0') {
			*code = E_BAD_REQUEST;
			snprintf(msg, msglen, "\"text\" is empty");
			goto fail;
		}
		break;
	case P_CHOOSE:
		if (opt_str(f, F_OPTION, &m->option, &why))
			goto badtype;
		if (m->option == NULL) {
			why = "option";
			goto badtype;
		}
		break;
	case P_FEEDBACK:
		v = f[F_MESSAGE];
		if (!cJSON_IsNumber(v) || v->valuedouble < 1 ||
		    v->valuedouble > 9007199254740992.0 ||
		    floor(v->valuedouble) != v->valuedouble) {
			why = "message";
			goto badtype;
		}
		m->message = (int64_t)v->valuedouble;
		v = f[F_HELPFUL];
		if (!cJSON_IsBool(v)) {
			why = "helpful";
			goto badtype;
		}
		m->helpful = cJSON_IsTrue(v);
		break;
	default:
		break;
	}
	return 0;
badtype:
	*code = E_BAD_REQUEST;
	snprintf(msg, msglen, "field \"%s\" is missing or has the wrong type",
	    why);
fail:
	cJSON_Delete(doc);
	m->doc = NULL;
	return -1;
}

void
proto_msg_free(struct proto_msg *m)
{
	cJSON_Delete(m->doc);
	m->doc = NULL;
}

static void
irt(struct jbuf *b, const char *in_reply_to)
{
	if (in_reply_to != NULL) {
		JBUF_LIT(b, ",\"in_reply_to\":");
		jbuf_cstr(b, in_reply_to);
	}
}

/* Every key below is a plain name, so each goes in as a literal with its
 * punctuation (what jbuf_key writes for one). */
void
proto_write_reply(struct jbuf *b, const struct proto_reply *r)
{
	static const char opt[] = ",{\"id\":";	/* the first without ',' */
	size_t i;

	JBUF_LIT(b, "{\"type\":\"reply\",\"conversation\":");
	jbuf_cstr(b, r->conversation);
	JBUF_LIT(b, ",\"id\":");
	jbuf_int(b, r->id);
	irt(b, r->in_reply_to);
	JBUF_LIT(b, ",\"text\":");
	jbuf_cstr(b, r->text);
	JBUF_LIT(b, ",\"intent\":");
	jbuf_cstr(b, r->intent);
	JBUF_LIT(b, ",\"node\":");
	jbuf_cstr(b, r->node);
	JBUF_LIT(b, ",\"options\":[");
	for (i = 0; i < r->noptions; i++) {
		jbuf_raw(b, opt + (i == 0), sizeof(opt) - 1 - (i == 0));
		jbuf_cstr(b, r->options[i].id);
		JBUF_LIT(b, ",\"label\":");
		jbuf_cstr(b, r->options[i].label);
		JBUF_LIT(b, "}");
	}
	JBUF_LIT(b, "],\"resume\":");
	jbuf_cstr(b, r->resume);
	/* so that a client checks a text against the limit in force (it
	 * changes with a reload) before it sends it */
	if (r->max_text_chars > 0) {
		JBUF_LIT(b, ",\"max_text_chars\":");
		jbuf_int(b, (int64_t)r->max_text_chars);
	}
	if (r->why != NULL) {
		JBUF_LIT(b, ",\"why\":");
		jbuf_lit(b, r->why);
	}
	JBUF_LIT(b, "}");
}

void
proto_write_error(struct jbuf *b, const char *code, const char *msg,
    const char *in_reply_to)
{
	JBUF_LIT(b, "{\"type\":\"error\",\"code\":");
	jbuf_cstr(b, code);
	JBUF_LIT(b, ",\"message\":");
	jbuf_cstr(b, msg);
	irt(b, in_reply_to);
	JBUF_LIT(b, "}");
}

void
proto_write_pong(struct jbuf *b, const char *in_reply_to)
{
	JBUF_LIT(b, "{\"type\":\"pong\"");
	irt(b, in_reply_to);
	JBUF_LIT(b, "}");
}

void
proto_write_ack(struct jbuf *b, const char *conversation, int64_t message,
    const char *in_reply_to)
{
	JBUF_LIT(b, "{\"type\":\"ack\",\"conversation\":");
	jbuf_cstr(b, conversation);
	JBUF_LIT(b, ",\"message\":");
	jbuf_int(b, message);
	irt(b, in_reply_to);
	JBUF_LIT(b, "}");
}

void
proto_history_begin(struct jbuf *b, const char *conversation)
{
	JBUF_LIT(b, "{\"type\":\"history\",\"conversation\":");
	jbuf_cstr(b, conversation);
	JBUF_LIT(b, ",\"messages\":[");
}

void
proto_history_item(struct jbuf *b, const struct proto_hist_item *h,
    bool first)
{
	if (first)
		JBUF_LIT(b, "{\"from\":");
	else
		JBUF_LIT(b, ",{\"from\":");
	if (h->from_user)
		JBUF_LIT(b, "\"user\",\"text\":");
	else
		JBUF_LIT(b, "\"bot\",\"text\":");
	jbuf_cstr(b, h->text);
	if (!h->from_user) {
		JBUF_LIT(b, ",\"id\":");
		jbuf_int(b, h->id);
		if (h->intent != NULL && *h->intent) {
			JBUF_LIT(b, ",\"intent\":");
			jbuf_cstr(b, h->intent);
		}
		if (h->node != NULL && *h->node) {
			JBUF_LIT(b, ",\"node\":");
			jbuf_cstr(b, h->node);
		}
		if (h->helpful > 0)
			JBUF_LIT(b, ",\"helpful\":true");
		else if (h->helpful == 0)
			JBUF_LIT(b, ",\"helpful\":false");
	}
	JBUF_LIT(b, "}");
}

void
proto_history_end(struct jbuf *b)
{
	JBUF_LIT(b, "]}");
}
