/*
 * test_protocol.c: protocol v1 parsing (every error code the parser can
 * give) and the hand-written JSON of server frames, checked by parsing it
 * back with cJSON.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <inttypes.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/jbuf.h"
#include "daemon/protocol.h"

/* Parse S; returns the error code, or NULL when it parsed (M filled). */
static const char *
parse(const char *s, struct proto_msg *m, const char **irt)
{
	static char idbuf[PROTO_ID_MAX + 1];
	const char *code = NULL;
	char msg[256];

	if (proto_parse(s, strlen(s), m, &code, msg, sizeof(msg), idbuf,
	    irt) == 0)
		return NULL;
	assert_non_null(code);
	assert_true(strlen(msg) > 0);
	return code;
}

static const char *
parse_err(const char *s)
{
	struct proto_msg m;
	const char *irt;
	const char *code = parse(s, &m, &irt);

	if (code == NULL)
		proto_msg_free(&m);
	return code;
}

static void
t_valid_frames(void **state)
{
	struct proto_msg m;
	const char *irt;

	(void)state;
	assert_null(parse("{\"type\":\"start\"}", &m, &irt));
	assert_int_equal(m.type, P_START);
	assert_null(m.conversation);
	proto_msg_free(&m);

	assert_null(parse("{\"type\":\"start\",\"conversation\":\"c-1\","
	    "\"resume\":\"abc\"}", &m, &irt));
	assert_string_equal(m.conversation, "c-1");
	assert_string_equal(m.resume, "abc");
	proto_msg_free(&m);

	assert_null(parse("{\"type\":\"message\",\"text\":\"what is kpo\","
	    "\"id\":\"m1\",\"user\":\"ann\",\"conversation\":\"a.b:c@d_e-f\"}",
	    &m, &irt));
	assert_int_equal(m.type, P_MESSAGE);
	assert_string_equal(m.text, "what is kpo");
	assert_int_equal(m.text_len, 11);
	assert_string_equal(m.id, "m1");
	assert_string_equal(m.user, "ann");
	proto_msg_free(&m);

	assert_null(parse("{\"type\":\"choose\",\"option\":\"quiz\"}", &m,
	    &irt));
	assert_int_equal(m.type, P_CHOOSE);
	assert_string_equal(m.option, "quiz");
	proto_msg_free(&m);

	assert_null(parse("{\"type\":\"feedback\",\"message\":42,"
	    "\"helpful\":false,\"comment\":\"meh\"}", &m, &irt));
	assert_int_equal(m.type, P_FEEDBACK);
	assert_int_equal(m.message, 42);
	assert_false(m.helpful);
	assert_string_equal(m.comment, "meh");
	proto_msg_free(&m);

	assert_null(parse("{\"type\":\"ping\",\"id\":\"p\"}", &m, &irt));
	assert_int_equal(m.type, P_PING);
	proto_msg_free(&m);

	/* null means absent */
	assert_null(parse("{\"type\":\"message\",\"text\":\"x\","
	    "\"conversation\":null}", &m, &irt));
	assert_null(m.conversation);
	proto_msg_free(&m);
	/* an escaped backslash before u0000 is no NUL */
	assert_null(parse("{\"type\":\"message\",\"text\":\"a\\\\u0000\"}",
	    &m, &irt));
	assert_string_equal(m.text, "a\\u0000");
	proto_msg_free(&m);
}

static void
t_invalid_json(void **state)
{
	char *deep;
	size_t i;

	(void)state;
	assert_string_equal(parse_err(""), E_INVALID_JSON);
	assert_string_equal(parse_err("{"), E_INVALID_JSON);
	assert_string_equal(parse_err("{\"type\":\"ping\"} x"),
	    E_INVALID_JSON);
	assert_string_equal(parse_err("{'type':'ping'}"), E_INVALID_JSON);

	/* nesting far beyond cJSON's limit, and just beyond ours */
	deep = malloc(4001);
	for (i = 0; i < 2000; i++) {
		deep[i] = '[';
		deep[2000 + i] = ']';
	}
	deep[4000] = '\0';
	assert_string_equal(parse_err(deep), E_INVALID_JSON);
	free(deep);
	deep = malloc(200);
	for (i = 0; i < PROTO_DEPTH_MAX; i++)
		deep[i] = '[';
	deep[i] = '\0';
	strcat(deep, "{\"a\":1}");
	for (i = 0; i < PROTO_DEPTH_MAX; i++)
		strcat(deep, "]");
	assert_string_equal(parse_err(deep), E_INVALID_JSON);
	free(deep);
	/* brackets inside strings do not count */
	assert_null(parse_err("{\"type\":\"message\",\"text\":\"[[[[[[[[[["
	    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	    "[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[\"}"));
}

static void
t_bad_request(void **state)
{
	struct proto_msg m;
	const char *irt;

	(void)state;
	assert_string_equal(parse_err("[]"), E_BAD_REQUEST);
	assert_string_equal(parse_err("\"start\""), E_BAD_REQUEST);
	assert_string_equal(parse_err("{}"), E_BAD_REQUEST);
	assert_string_equal(parse_err("{\"type\":5}"), E_BAD_REQUEST);
	assert_string_equal(parse_err("{\"type\":\"message\"}"),
	    E_BAD_REQUEST);
	assert_string_equal(parse_err("{\"type\":\"message\",\"text\":7}"),
	    E_BAD_REQUEST);
	/* nothing to answer: empty or blank text; a NUL would cut it */
	assert_string_equal(parse_err("{\"type\":\"message\",\"text\":\"\"}"),
	    E_BAD_REQUEST);
	assert_string_equal(parse_err("{\"type\":\"message\",\"text\":"
	    "\" \\t\\n \"}"), E_BAD_REQUEST);
	assert_string_equal(parse_err("{\"type\":\"message\",\"text\":"
	    "\"what is \\u0000 kpo\"}"), E_BAD_REQUEST);
	assert_string_equal(parse_err("{\"type\":\"message\",\"text\":"
	    "\"kpo\",\"user\":\"\\u0000\"}"), E_BAD_REQUEST);
	assert_string_equal(parse_err("{\"type\":\"choose\"}"), E_BAD_REQUEST);
	assert_string_equal(parse_err("{\"type\":\"choose\",\"option\":1}"),
	    E_BAD_REQUEST);
	assert_string_equal(parse_err("{\"type\":\"feedback\",\"helpful\":"
	    "true}"), E_BAD_REQUEST);
	assert_string_equal(parse_err("{\"type\":\"feedback\",\"message\":"
	    "\"3\",\"helpful\":true}"), E_BAD_REQUEST);
	assert_string_equal(parse_err("{\"type\":\"feedback\",\"message\":"
	    "1.5,\"helpful\":true}"), E_BAD_REQUEST);
	assert_string_equal(parse_err("{\"type\":\"feedback\",\"message\":"
	    "0,\"helpful\":true}"), E_BAD_REQUEST);
	assert_string_equal(parse_err("{\"type\":\"feedback\",\"message\":"
	    "3,\"helpful\":\"yes\"}"), E_BAD_REQUEST);
	assert_string_equal(parse_err("{\"type\":\"ping\",\"id\":5}"),
	    E_BAD_REQUEST);
	assert_string_equal(parse_err("{\"type\":\"start\",\"resume\":[]}"),
	    E_BAD_REQUEST);
	assert_string_equal(parse_err("{\"type\":\"message\",\"text\":\"x\","
	    "\"user\":{}}"), E_BAD_REQUEST);
	/* conversation ids: charset and length */
	assert_string_equal(parse_err("{\"type\":\"start\",\"conversation\":"
	    "\"a b\"}"), E_BAD_REQUEST);
	assert_string_equal(parse_err("{\"type\":\"start\",\"conversation\":"
	    "\"\"}"), E_BAD_REQUEST);
	assert_string_equal(parse_err("{\"type\":\"start\",\"conversation\":"
	    "\"caf\xc3\xa9\"}"), E_BAD_REQUEST);
	/* the id of a bad frame still comes back as in_reply_to */
	assert_string_equal(parse("{\"type\":\"message\",\"id\":\"q7\"}", &m,
	    &irt), E_BAD_REQUEST);
	assert_string_equal(irt, "q7");
	/* and so does that of a frame refused for a NUL in its text */
	assert_string_equal(parse("{\"type\":\"message\",\"id\":\"q8\","
	    "\"text\":\"a\\u0000b\"}", &m, &irt), E_BAD_REQUEST);
	assert_non_null(irt);
	assert_string_equal(irt, "q8");
	assert_string_equal(parse("{\"type\":\"message\",\"text\":\"x\", "
	    "\"id\" : \"q9\",\"user\":\"\\u0000\"}", &m, &irt), E_BAD_REQUEST);
	assert_non_null(irt);
	assert_string_equal(irt, "q9");
	/* but a NUL in the id itself would echo it cut short: "a" for
	 * "a\u0000b", another request's id maybe */
	assert_string_equal(parse("{\"type\":\"message\",\"text\":\"x\","
	    "\"id\":\"a\\u0000b\"}", &m, &irt), E_BAD_REQUEST);
	assert_null(irt);
	/* nor is "id" inside another string taken for the member */
	assert_string_equal(parse("{\"type\":\"message\",\"text\":"
	    "\"say \\\"id\\\":\\\"a\\\"\",\"id\":\"a\\u0000\"}", &m, &irt),
	    E_BAD_REQUEST);
	assert_null(irt);
}

static void
t_unknown_type(void **state)
{
	struct proto_msg m;
	const char *irt;

	(void)state;
	assert_string_equal(parse_err("{\"type\":\"hello\"}"), E_UNKNOWN_TYPE);
	assert_string_equal(parse_err("{\"type\":\"\"}"), E_UNKNOWN_TYPE);
	assert_string_equal(parse_err("{\"type\":\"START\"}"), E_UNKNOWN_TYPE);
	assert_string_equal(parse("{\"type\":\"x\",\"id\":\"i\"}", &m, &irt),
	    E_UNKNOWN_TYPE);
	assert_string_equal(irt, "i");
}

static void
t_valid_id(void **state)
{
	char s[PROTO_ID_MAX + 2];

	(void)state;
	assert_true(proto_valid_id("abc-DEF_1.2:3@x"));
	assert_false(proto_valid_id(""));
	assert_false(proto_valid_id("a/b"));
	assert_false(proto_valid_id("a\"b"));
	memset(s, 'a', PROTO_ID_MAX);
	s[PROTO_ID_MAX] = '\0';
	assert_true(proto_valid_id(s));
	s[PROTO_ID_MAX] = 'a';
	s[PROTO_ID_MAX + 1] = '\0';
	assert_false(proto_valid_id(s));
}

static void
t_utf8_chars(void **state)
{
	(void)state;
	assert_int_equal(proto_utf8_chars("abc", 3), 3);
	assert_int_equal(proto_utf8_chars("caf\xc3\xa9", 5), 4);
	assert_int_equal(proto_utf8_chars("\xe2\x82\xac\xf0\x9f\x98\x80", 7),
	    2);
}

/* Parse the jbuf's text back; fails the test if it is not JSON. */
static cJSON *
back(const struct jbuf *b)
{
	cJSON *j = cJSON_ParseWithLength(jbuf_data(b), b->len);

	assert_non_null(j);
	return j;
}

static void
t_escaping(void **state)
{
	struct jbuf b;
	cJSON *j;
	static const char in[] = "q\"b\\s/\n\r\t\x01\x1f end \xc3\xa9 "
	    "\xe2\x82\xac \xf0\x9f\x98\x80";

	(void)state;
	jbuf_init(&b, 16);
	jbuf_cstr(&b, in);
	assert_non_null(strstr(jbuf_data(&b), "\\u0001"));
	assert_non_null(strstr(jbuf_data(&b), "\\u001f"));
	assert_non_null(strstr(jbuf_data(&b), "\\n"));
	assert_non_null(strstr(jbuf_data(&b), "\\\""));
	j = back(&b);
	assert_true(cJSON_IsString(j));
	assert_string_equal(j->valuestring, in);
	cJSON_Delete(j);

	/* invalid UTF-8 (stray continuation, overlong, surrogate, truncated)
	 * becomes U+FFFD, so the frame is always valid text */
	jbuf_reset(&b);
	jbuf_cstr(&b, "a\x80" "b\xc0\xaf" "c\xed\xa0\x80" "d\xe2\x82");
	j = back(&b);
	assert_string_equal(j->valuestring, "a\xef\xbf\xbd" "b\xef\xbf\xbd"
	    "\xef\xbf\xbd" "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "d\xef\xbf\xbd\xef\xbf\xbd");
	cJSON_Delete(j);

	/* embedded NUL with an explicit length */
	jbuf_reset(&b);
	jbuf_str(&b, "a\0b", 3);
	assert_string_equal(jbuf_data(&b), "\"a\\u0000b\"");
	jbuf_reset(&b);
	jbuf_cstr(&b, NULL);
	assert_string_equal(jbuf_data(&b), "null");
	jbuf_reset(&b);
	jbuf_int(&b, -9007199254740993LL);
	assert_string_equal(jbuf_data(&b), "-9007199254740993");
	/* the ends of the range and the digits' edges, after other output */
	{
		static const int64_t v[] = { 0, 7, -1, 9, 10, -10, 99, 100,
		    1796128773897011LL, INT64_MAX, INT64_MIN };
		char want[32];
		size_t i;

		for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			jbuf_reset(&b);
			jbuf_lit(&b, "[");
			jbuf_int(&b, v[i]);
			snprintf(want, sizeof(want), "[%" PRId64, v[i]);
			assert_string_equal(jbuf_data(&b), want);
		}
	}
	jbuf_free(&b);
}

/* Every ASCII byte, in strings appended after other output and long
 * enough to grow the buffer, comes back as it went in. */
static void
t_escaping_every_byte(void **state)
{
	char in[128 * 40 + 1];
	const cJSON *v;
	struct jbuf b;
	cJSON *j;
	size_t i;

	(void)state;
	for (i = 0; i + 1 < sizeof(in); i++)
		in[i] = (char)(1 + i % 127);
	in[sizeof(in) - 1] = '\0';
	jbuf_init(&b, 0);
	jbuf_raw(&b, "[", 1);
	jbuf_cstr(&b, "x");
	jbuf_raw(&b, ",", 1);
	jbuf_cstr(&b, in);
	jbuf_raw(&b, ",", 1);
	jbuf_str(&b, in + 5, 3);
	jbuf_raw(&b, "]", 1);
	assert_false(b.oom);
	assert_int_equal(strlen(jbuf_data(&b)), b.len);
	j = back(&b);
	assert_true(cJSON_IsArray(j));
	assert_string_equal(cJSON_GetArrayItem(j, 0)->valuestring, "x");
	v = cJSON_GetArrayItem(j, 1);
	assert_string_equal(v->valuestring, in);
	assert_string_equal(cJSON_GetArrayItem(j, 2)->valuestring,
	    "\x06\x07\x08");
	cJSON_Delete(j);
	jbuf_free(&b);
}

/* Strings are copied sixteen (SSE2) or eight bytes at a time while they
 * are plain: a byte that must be escaped (or checked as UTF-8) at any
 * offset of a longer plain string, across two blocks of sixteen, is still
 * found, and round-trips, or becomes U+FFFD. */
static void
t_escaping_at_every_offset(void **state)
{
	static const struct {
		const char *in, *out;
	} odd[] = {
		{ "\"", "\"" }, { "\\", "\\" }, { "\x01", "\x01" },
		{ "\x1f", "\x1f" }, { "\n", "\n" }, { "\x7f", "\x7f" },
		{ "\xc3\xa9", "\xc3\xa9" }, { "\xe2\x82\xac", "\xe2\x82\xac" },
		{ "\xff", "\xef\xbf\xbd" }, { "\xc3", "\xef\xbf\xbd" },
	};
	static const char tail[] = "bcdefghijklmnopq";
	char in[64], want[64];
	struct jbuf b;
	size_t k, at, t;
	cJSON *j;

	(void)state;
	/* k == NELEM(odd): no odd byte, plain strings of every length */
	for (k = 0; k <= sizeof(odd) / sizeof(odd[0]); k++)
		for (at = 0; at < 33; at++)
			for (t = 0; t < sizeof(tail); t++) {
				const char *oi = k < sizeof(odd) / sizeof(odd[0]) ?
				    odd[k].in : "", *oo = k < sizeof(odd) /
				    sizeof(odd[0]) ? odd[k].out : "";

				memset(in, 'a', at);
				strcpy(in + at, oi);
				memcpy(in + strlen(in), tail, t + 1);
				in[at + strlen(oi) + t] = '\0';
				memset(want, 'a', at);
				strcpy(want + at, oo);
				memcpy(want + strlen(want), tail, t + 1);
				want[at + strlen(oo) + t] = '\0';
				jbuf_init(&b, 0);
				jbuf_cstr(&b, in);
				assert_int_equal(b.len, strlen(jbuf_data(&b)));
				/* nothing read past the end (its NUL) */
				assert_null(strstr(jbuf_data(&b), "\\u0000"));
				j = back(&b);
				assert_true(cJSON_IsString(j));
				if (strcmp(j->valuestring, want) != 0)
					fail_msg("odd byte %zu at %zu, tail %zu",
					    k, at, t);
				cJSON_Delete(j);
				jbuf_free(&b);
			}
}

/* Keys: plain names in one copy, others escaped like any string. */
static void
t_keys(void **state)
{
	struct jbuf b;
	cJSON *j;

	(void)state;
	jbuf_init(&b, 0);
	jbuf_raw(&b, "{", 1);
	jbuf_key(&b, "plain_key", 1);
	jbuf_int(&b, 1);
	jbuf_key(&b, "say \"hi\"\n", 0);
	jbuf_int(&b, 2);
	jbuf_key(&b, "", 0);
	jbuf_int(&b, 3);
	jbuf_raw(&b, "}", 1);
	assert_string_equal(jbuf_data(&b),
	    "{\"plain_key\":1,\"say \\\"hi\\\"\\n\":2,\"\":3}");
	assert_int_equal(b.len, strlen(jbuf_data(&b)));
	j = back(&b);
	assert_int_equal(cJSON_GetObjectItem(j, "say \"hi\"\n")->valueint, 2);
	cJSON_Delete(j);
	jbuf_free(&b);
}

static void
t_reply_frame(void **state)
{
	struct proto_option opts[2] = { { "a", "Yes \"please\"" },
	    { "b", "No\n" } };
	struct proto_reply r = { .conversation = "c1", .id = 77,
	    .in_reply_to = "m1", .text = "Hello <b>&", .intent = "define_kpo",
	    .node = "n1", .options = opts, .noptions = 2, .resume = "tok",
	    .why = "{\"intent\":\"define_kpo\"}", .max_text_chars = 2000 };
	const cJSON *o;
	struct jbuf b;
	cJSON *j;

	(void)state;
	jbuf_init(&b, 0);
	proto_write_reply(&b, &r);
	j = back(&b);
	assert_string_equal(cJSON_GetObjectItem(j, "type")->valuestring,
	    "reply");
	assert_string_equal(cJSON_GetObjectItem(j, "conversation")->valuestring,
	    "c1");
	assert_int_equal(cJSON_GetObjectItem(j, "id")->valueint, 77);
	assert_string_equal(cJSON_GetObjectItem(j, "in_reply_to")->valuestring,
	    "m1");
	assert_string_equal(cJSON_GetObjectItem(j, "text")->valuestring,
	    "Hello <b>&");
	assert_string_equal(cJSON_GetObjectItem(j, "resume")->valuestring,
	    "tok");
	o = cJSON_GetObjectItem(j, "options");
	assert_int_equal(cJSON_GetArraySize(o), 2);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(o, 0),
	    "label")->valuestring, "Yes \"please\"");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "why"),
	    "intent")->valuestring, "define_kpo");
	assert_non_null(o = cJSON_GetObjectItem(j, "max_text_chars"));
	assert_int_equal(o->valueint, 2000);
	cJSON_Delete(j);

	/* no in_reply_to, no why, no options, no limit */
	jbuf_reset(&b);
	r.in_reply_to = NULL;
	r.why = NULL;
	r.noptions = 0;
	r.max_text_chars = 0;
	proto_write_reply(&b, &r);
	j = back(&b);
	assert_null(cJSON_GetObjectItem(j, "in_reply_to"));
	assert_null(cJSON_GetObjectItem(j, "why"));
	assert_null(cJSON_GetObjectItem(j, "max_text_chars"));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "options")),
	    0);
	cJSON_Delete(j);
	jbuf_free(&b);
}

static void
t_other_frames(void **state)
{
	struct jbuf b;
	cJSON *j, *msgs;

	(void)state;
	jbuf_init(&b, 0);
	proto_write_error(&b, E_RATE_LIMITED, "slow \"down\"", "x");
	j = back(&b);
	assert_string_equal(cJSON_GetObjectItem(j, "type")->valuestring,
	    "error");
	assert_string_equal(cJSON_GetObjectItem(j, "code")->valuestring,
	    "rate_limited");
	assert_string_equal(cJSON_GetObjectItem(j, "message")->valuestring,
	    "slow \"down\"");
	assert_string_equal(cJSON_GetObjectItem(j, "in_reply_to")->valuestring,
	    "x");
	cJSON_Delete(j);

	jbuf_reset(&b);
	proto_write_pong(&b, NULL);
	assert_string_equal(jbuf_data(&b), "{\"type\":\"pong\"}");
	jbuf_reset(&b);
	proto_write_pong(&b, "p1");
	assert_string_equal(jbuf_data(&b),
	    "{\"type\":\"pong\",\"in_reply_to\":\"p1\"}");

	jbuf_reset(&b);
	proto_write_ack(&b, "c", 12, NULL);
	j = back(&b);
	assert_string_equal(cJSON_GetObjectItem(j, "type")->valuestring, "ack");
	assert_int_equal(cJSON_GetObjectItem(j, "message")->valueint, 12);
	cJSON_Delete(j);

	jbuf_reset(&b);
	proto_history_begin(&b, "c");
	{
		const struct proto_hist_item it[] = {
			{ false, "hi", 1, "start", "root", -1 },
			{ true, "what \"is\" kpo", 2, NULL, NULL, 1 },
			{ false, "from the log", 3, "", NULL, -1 },
			{ false, "rated up", 4, "define_kpo", "kpo", 1 },
			{ false, "rated down", 5, "cost", "cost", 0 },
		};
		size_t i;

		for (i = 0; i < sizeof(it) / sizeof(it[0]); i++)
			proto_history_item(&b, &it[i], i == 0);
	}
	proto_history_end(&b);
	j = back(&b);
	msgs = cJSON_GetObjectItem(j, "messages");
	assert_int_equal(cJSON_GetArraySize(msgs), 5);
	/* the rating a reply got, so a reloaded page shows it; a person's
	 * message and an unrated reply have none */
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs,
	    3), "helpful")));
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs,
	    4), "helpful")));
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 0), "helpful"));
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 1), "helpful"));
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 0),
	    "from")->valuestring, "bot");
	/* a reply says what it was, so a client can tell answers apart */
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 0),
	    "intent")->valuestring, "start");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 0),
	    "node")->valuestring, "root");
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 1), "intent"));
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 2), "intent"));
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 2), "node"));
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 0),
	    "id")->valueint, 1);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 1),
	    "text")->valuestring, "what \"is\" kpo");
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 1), "id"));
	cJSON_Delete(j);

	jbuf_reset(&b);
	proto_history_begin(&b, "c");
	proto_history_end(&b);
	j = back(&b);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j,
	    "messages")), 0);
	cJSON_Delete(j);
	jbuf_free(&b);
}

static void
t_headroom(void **state)
{
	struct jbuf b;

	(void)state;
	jbuf_init(&b, 16);
	jbuf_lit(&b, "x");
	assert_ptr_equal(jbuf_data(&b), b.mem + 16);
	assert_int_equal(b.len, 1);
	jbuf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_valid_frames),
		cmocka_unit_test(t_invalid_json),
		cmocka_unit_test(t_bad_request),
		cmocka_unit_test(t_unknown_type),
		cmocka_unit_test(t_valid_id),
		cmocka_unit_test(t_utf8_chars),
		cmocka_unit_test(t_escaping),
		cmocka_unit_test(t_escaping_every_byte),
		cmocka_unit_test(t_escaping_at_every_offset),
		cmocka_unit_test(t_keys),
		cmocka_unit_test(t_reply_frame),
		cmocka_unit_test(t_other_frames),
		cmocka_unit_test(t_headroom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
