/*
 * test_payload.c: the bridge's parsing of team chat bodies: form fields
 * with %-escapes and '+', JSON (Mattermost), trigger words, bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bridge/payload.h"

static void
test_decode(void **state)
{
	char out[32];

	(void)state;
	assert_int_equal(form_decode("a+b%20c%2Bd", 11, out, sizeof(out)), 0);
	assert_string_equal(out, "a b c+d");
	assert_int_equal(form_decode("%C3%A9", 6, out, sizeof(out)), 0);
	assert_string_equal(out, "\xc3\xa9");
	assert_int_equal(form_decode("%4", 2, out, sizeof(out)), -1);
	assert_int_equal(form_decode("%zz", 3, out, sizeof(out)), -1);
	assert_int_equal(form_decode("a%00b", 5, out, sizeof(out)), -1);
	assert_int_equal(form_decode("abcd", 4, out, 4), -2);
	assert_int_equal(form_decode("abc", 3, out, 4), 0);
	assert_int_equal(form_decode("", 0, out, 1), 0);
	assert_string_equal(out, "");
}

static void
test_form(void **state)
{
	static const char body[] = "token=gIk&team_id=T0001&team_domain=ex"
	    "&channel_id=C2147&channel_name=test&user_id=U2147&user_name=Ste"
	    "ve&command=%2Fadvisor&text=what+is+KPO%3F&response_url=https%3A"
	    "%2F%2Fx";
	struct payload p;

	(void)state;
	assert_int_equal(payload_parse("application/x-www-form-urlencoded",
	    body, strlen(body), &p), 0);
	assert_string_equal(p.token, "gIk");
	assert_string_equal(p.team, "T0001");
	assert_string_equal(p.channel, "C2147");
	assert_string_equal(p.user, "U2147");
	assert_string_equal(p.user_name, "Steve");
	assert_string_equal(p.text, "what is KPO?");
	/* a slash command's text does not repeat the command */
	assert_string_equal(payload_message(&p), "what is KPO?");
	assert_string_equal(p.response_url, "https://x");
}

/* A response_url too long to keep costs its late answer, not the answer:
 * the request is taken without it, as form and as JSON. */
static void
test_response_url_long(void **state)
{
	char body[RESPURL_MAX + 128];
	struct payload p;
	int n;

	(void)state;
	n = snprintf(body, sizeof(body), "token=t&user_id=U1&text=hi&"
	    "response_url=https://x/%0*d", RESPURL_MAX, 7);
	assert_true(n > 0 && (size_t)n < sizeof(body));
	assert_int_equal(payload_parse(NULL, body, strlen(body), &p), 0);
	assert_string_equal(p.response_url, "");
	assert_string_equal(p.text, "hi");
	snprintf(body, sizeof(body), "{\"user_id\":\"U1\",\"text\":\"hi\","
	    "\"response_url\":\"https://x/%0*d\"}", RESPURL_MAX, 7);
	assert_int_equal(payload_parse("application/json", body, strlen(body),
	    &p), 0);
	assert_string_equal(p.response_url, "");
	assert_string_equal(p.text, "hi");
	snprintf(body, sizeof(body), "{\"user_id\":\"U1\",\"text\":\"hi\","
	    "\"response_url\":\"https://mm.example/hooks/1\"}");
	assert_int_equal(payload_parse("application/json", body, strlen(body),
	    &p), 0);
	assert_string_equal(p.response_url, "https://mm.example/hooks/1");
}

static void
test_trigger(void **state)
{
	static const char body[] = "token=t&user_id=U1&trigger_word=advisor"
	    "&text=advisor+++hello";
	struct payload p;

	(void)state;
	assert_int_equal(payload_parse(NULL, body, strlen(body), &p), 0);
	assert_string_equal(payload_message(&p), "hello");
	assert_true(p.in_channel);
}

/* An outgoing webhook (trigger_word sent, even empty, as a channel's
 * webhook without trigger words sends it, or null) posts its answer into
 * the channel; a slash command (command) and a bare request do not. */
static void
test_in_channel(void **state)
{
	static const char *const posted[] = {
		"user_id=U1&trigger_word=&text=hi",
		"user_id=U1&trigger_word&text=hi",
		"{\"user_id\":\"U1\",\"trigger_word\":null,\"text\":\"hi\"}",
	}, *const own[] = {
		"user_id=U1&command=%2Fadvisor&text=hi",
		"user_id=U1&text=hi",
		"{\"user_id\":\"U1\",\"text\":\"hi\"}",
	};
	struct payload p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(posted) / sizeof(posted[0]); i++) {
		assert_int_equal(payload_parse(posted[i][0] == '{' ?
		    "application/json" : NULL, posted[i], strlen(posted[i]),
		    &p), 0);
		assert_true(p.in_channel);
	}
	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		assert_int_equal(payload_parse(own[i][0] == '{' ?
		    "application/json" : NULL, own[i], strlen(own[i]), &p), 0);
		assert_false(p.in_channel);
	}
}

/* The chat a request comes from, by the fields only that chat sends. */
static void
test_chat(void **state)
{
	static const struct {
		const char *body;
		enum chat chat;
	} posted[] = {
		{ "user_id=U1&command=%2Fadvisor&text=hi&api_app_id=A1",
		    CHAT_SLACK },
		{ "user_id=U1&trigger_word=advisor&text=advisor+hi&"
		    "service_id=1", CHAT_SLACK },
		{ "{\"user_id\":\"U1\",\"text\":\"hi\",\"post_id\":\"p\"}",
		    CHAT_MATTERMOST },
		{ "user_id=U1&text=hi&file_ids=", CHAT_MATTERMOST },
		{ "{\"user_id\":\"U1\",\"text\":\"hi\",\"message_id\":\"m\","
		    "\"bot\":false,\"isEdited\":true}", CHAT_ROCKETCHAT },
		/* nothing that says: the bridge decides */
		{ "user_id=U1&command=%2Fadvisor&text=hi", CHAT_AUTO },
		{ "{\"user_id\":\"U1\",\"text\":\"hi\"}", CHAT_AUTO },
	};
	struct payload p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(posted) / sizeof(posted[0]); i++) {
		assert_int_equal(payload_parse(posted[i].body[0] == '{' ?
		    "application/json" : NULL, posted[i].body,
		    strlen(posted[i].body), &p), 0);
		assert_int_equal(p.chat, posted[i].chat);
	}
}

static void
test_json(void **state)
{
	static const char body[] = "{\"token\":\"t\",\"team_id\":\"tm\","
	    "\"channel_id\":\"ch\",\"user_id\":\"u1\",\"user_name\":\"mia\","
	    "\"text\":\"hi \\u00e9\",\"timestamp\":1234,\"file_ids\":null}";
	struct payload p;

	(void)state;
	assert_int_equal(payload_parse("application/json; charset=utf-8",
	    body, strlen(body), &p), 0);
	assert_string_equal(p.team, "tm");
	assert_string_equal(p.user_name, "mia");
	assert_string_equal(p.text, "hi \xc3\xa9");
	/* a null field is no field; another type is still malformed */
	assert_int_equal(payload_parse("application/json", "{\"user_id\":"
	    "\"u\",\"text\":\"hi\",\"trigger_word\":null,\"team_id\":null}",
	    62, &p), 0);
	assert_string_equal(p.team, "");
	assert_string_equal(p.trigger, "");
	assert_int_equal(payload_parse("application/json", "{\"user_id\":"
	    "\"u\",\"text\":\"hi\",\"team_id\":false}", 43, &p), -1);
}

static void
test_bad(void **state)
{
	struct payload p;

	(void)state;
	assert_int_equal(payload_parse("application/json", "{", 1, &p), -1);
	assert_int_equal(payload_parse("application/json", "[1]", 3, &p), -1);
	assert_int_equal(payload_parse("application/json",
	    "{\"user_id\":5}", 13, &p), -1);
	/* no user: nobody to attribute the conversation to */
	assert_int_equal(payload_parse(NULL, "text=hi", 7, &p), -1);
	assert_int_equal(payload_parse(NULL, "user_id=u&text=%g1", 18, &p),
	    -1);
	assert_int_equal(payload_parse(NULL, "", 0, &p), -1);
	/* unknown keys and keys without values are fine */
	assert_int_equal(payload_parse(NULL, "x&user_id=u&y=%zz&text", 22,
	    &p), 0);
	assert_string_equal(p.user, "u");
	assert_string_equal(p.text, "");
}

/* Slack checks the certificate of a slash command's URL with a token and
 * ssl_check=1: no person, and not malformed */
static void
test_ssl_check(void **state)
{
	struct payload p;

	(void)state;
	assert_int_equal(payload_parse(NULL, "ssl_check=1&token=t", 19, &p),
	    0);
	assert_true(p.ssl_check);
	assert_string_equal(p.token, "t");
	assert_int_equal(payload_parse(NULL, "ssl_check=0&token=t", 19, &p),
	    -1);
	assert_int_equal(payload_parse(NULL, "ssl_check=11111&token=t", 23,
	    &p), -1);
	/* a person's message is one, whatever else it carries */
	assert_int_equal(payload_parse(NULL, "ssl_check=1&user_id=u&text=hi",
	    29, &p), 0);
	assert_false(p.ssl_check);
}

/* a NUL would cut the text short: refused as %00 is, not relayed cut */
static void
test_json_nul(void **state)
{
	static const char *const bad[] = {
		"{\"user_id\":\"u\",\"text\":\"kpo\\u0000 and bpo\"}",
		"{\"user_id\":\"u\\u0000x\",\"text\":\"hi\"}",
		"{\"user_id\":\"u\",\"text\":\"\\\\\\u0000\"}",
	};
	static const char *const good[] = {
		/* a backslash and then "u0000": text, not a NUL */
		"{\"user_id\":\"u\",\"text\":\"\\\\u0000\"}",
		"{\"user_id\":\"u\",\"text\":\"\\u0001\\u1000\"}",
	};
	struct payload p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(payload_parse("application/json", bad[i],
		    strlen(bad[i]), &p), -1);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(payload_parse("application/json", good[i],
		    strlen(good[i]), &p), 0);
	assert_string_equal(p.text, "\x01\xe1\x80\x80");
	assert_int_equal(payload_parse("application/json", good[0],
	    strlen(good[0]), &p), 0);
	assert_string_equal(p.text, "\\u0000");
}

/* advisord drops the whole WebSocket on a frame that is not UTF-8, so a
 * body that is not must be refused before it is relayed */
static void
test_not_utf8(void **state)
{
	static const char *const bad[] = {
		"user_id=u&text=hi%FF",		/* no UTF-8 lead byte */
		"user_id=u&text=%C3",		/* cut short */
		"user_id=u&text=%C3%28",	/* not a continuation */
		"user_id=u&text=%C0%AF",	/* overlong '/' */
		"user_id=u&text=%ED%A0%80",	/* a surrogate */
		"user_id=u&text=%F4%90%80%80",	/* past U+10FFFF */
		"user_id=u&user_name=%E9&text=hi",
		"user_id=%FE&text=hi",
		"user_id=u&channel_id=C%80&text=hi",
	};
	static const char json[] = "{\"user_id\":\"u\",\"text\":\"a\xff\"}";
	struct payload p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(payload_parse(NULL, bad[i], strlen(bad[i]),
		    &p), -1);
	assert_int_equal(payload_parse("application/json", json,
	    sizeof(json) - 1, &p), -1);
	/* two, three and four byte characters are fine */
	assert_int_equal(payload_parse(NULL, "user_id=u&text=%C3%A9%E2%82%AC"
	    "%F0%9F%98%80", 42, &p), 0);
	assert_string_equal(p.text, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
}

/* a long message is the person's, to be told it is too long (200), not
 * a malformed request (400); any other field too long still is one */
static void
test_long(void **state)
{
	static char body[2 * PAYLOAD_TEXT + 64];
	struct payload p;
	char *at;

	(void)state;
	strcpy(body, "token=t&user_id=u&text=");
	at = body + strlen(body);
	memset(at, 'a', PAYLOAD_TEXT);
	strcpy(at + PAYLOAD_TEXT, "&channel_id=C1");
	assert_int_equal(payload_parse(NULL, body, strlen(body), &p), 0);
	assert_true(p.text_too_long);
	assert_string_equal(p.text, "");
	assert_string_equal(p.token, "t");
	assert_string_equal(p.channel, "C1");
	/* one byte less fits */
	at[PAYLOAD_TEXT - 1] = '\0';
	assert_int_equal(payload_parse(NULL, body, strlen(body), &p), 0);
	assert_false(p.text_too_long);
	assert_int_equal(strlen(p.text), PAYLOAD_TEXT - 1);
	/* as JSON */
	strcpy(body, "{\"token\":\"t\",\"user_id\":\"u\",\"text\":\"");
	at = body + strlen(body);
	memset(at, 'a', PAYLOAD_TEXT);
	strcpy(at + PAYLOAD_TEXT, "\"}");
	assert_int_equal(payload_parse("application/json", body, strlen(body),
	    &p), 0);
	assert_true(p.text_too_long);
	assert_string_equal(p.text, "");
	assert_string_equal(p.user, "u");
	/* another field that does not fit is malformed */
	strcpy(body, "user_id=");
	memset(body + 8, 'u', PAYLOAD_FIELD);
	strcpy(body + 8 + PAYLOAD_FIELD, "&text=hi");
	assert_int_equal(payload_parse(NULL, body, strlen(body), &p), -1);
	assert_int_equal(form_decode("abcd", 4, body, 4), -2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_response_url_long),
		cmocka_unit_test(test_trigger),
		cmocka_unit_test(test_in_channel),
		cmocka_unit_test(test_chat),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_nul),
		cmocka_unit_test(test_ssl_check),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_not_utf8),
		cmocka_unit_test(test_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
