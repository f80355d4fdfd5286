/*
 * test_relay.c: conversation ids, the options each conversation remembers
 * (and keeps across a restart),
 * frames to advisord ("2" becomes a choose) and replies rendered for the
 * team chat.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "bridge/chat.h"
#include "bridge/convmap.h"
#include "bridge/relay.h"

static int
id_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= CONV_ID_MAX && strspn(s, "abcdefghijklmnopqrstu"
	    "vwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:@-") == n;
}

static void
test_conv_id(void **state)
{
	char a[CONV_ID_MAX + 1], b[CONV_ID_MAX + 1], big[200];

	(void)state;
	conv_id("T1", "C2", "U3", a);
	assert_string_equal(a, "T1:C2:U3");
	conv_id("T-1", "c.2", "ann@x_y", a);
	assert_string_equal(a, "T-1:c.2:ann@x_y");
	conv_id("", "C1", "U1", a);	/* Rocket.Chat: no team */
	assert_string_equal(a, ":C1:U1");
	/* other characters are not replaced, which would make two people
	 * one conversation: the id is a digest */
	conv_id("T 1", "c/2", "\xc3\xa9", a);
	assert_true(id_ok(a));
	assert_int_equal(strncmp(a, "h:", 2), 0);
	conv_id("T1", "C1", "ann lee", a);
	conv_id("T1", "C1", "ann_lee", b);
	assert_true(id_ok(a));
	assert_string_not_equal(a, b);
	/* nor does a ':' in a part move the boundary between two */
	conv_id("T1", "C1:x", "U1", a);
	conv_id("T1", "C1", "x:U1", b);
	assert_true(id_ok(a));
	assert_true(id_ok(b));
	assert_string_not_equal(a, b);
	conv_id("", "", "", a);
	assert_true(id_ok(a));
	/* too long: hashed, within the charset and the limit, distinct */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	conv_id("T", "C", big, a);
	assert_true(id_ok(a));
	assert_int_equal(strncmp(a, "h:", 2), 0);
	conv_id("T", "C", big + 1, b);
	assert_true(id_ok(b));
	assert_string_not_equal(a, b);
	conv_id("T", "C", big, b);
	assert_string_equal(a, b);
}

/* What TEXT picks in CONV, as the bridge finds it: the number, once, then
 * that option. */
static const char *
pick(const struct convmap *m, const char *conv, const char *text)
{
	return convmap_option(m, conv, convmap_number(text));
}

static void
test_pick(void **state)
{
	static const char *const ids[] = { "bpo", "kpo", "compare" };
	struct convmap *m = convmap_new();

	(void)state;
	assert_non_null(m);
	assert_null(pick(m, "c1", "1"));
	assert_int_equal(convmap_set_options(m, "c1", ids, 3), 0);
	assert_string_equal(pick(m, "c1", "2"), "kpo");
	assert_string_equal(pick(m, "c1", " 3 "), "compare");
	assert_string_equal(pick(m, "c1", "1."), "bpo");
	assert_null(pick(m, "c1", "0"));
	assert_null(pick(m, "c1", "4"));
	assert_null(pick(m, "c1", "2 please"));
	assert_null(pick(m, "c1", "99999999999999999999"));
	assert_null(pick(m, "c2", "2"));
	assert_int_equal(convmap_set_options(m, "c2", ids + 2, 1), 0);
	assert_string_equal(pick(m, "c2", "1"), "compare");
	assert_string_equal(pick(m, "c1", "1"), "bpo");
	assert_int_equal(convmap_noptions(m, "c1"), 3);
	assert_int_equal(convmap_noptions(m, "nobody"), 0);
	assert_int_equal(convmap_set_options(m, "c1", NULL, 0), 0);
	assert_null(pick(m, "c1", "1"));
	assert_int_equal(convmap_noptions(m, "c1"), 0);
	assert_int_equal(convmap_count(m), 2);
	convmap_free(m);
	/* what counts as a number alone */
	assert_int_equal(convmap_number("2"), 2);
	assert_int_equal(convmap_number(" 12) "), 12);
	assert_int_equal(convmap_number("0"), 0);
	assert_int_equal(convmap_number("999"), 999);
	assert_int_equal(convmap_number("1000"), -1);
	assert_int_equal(convmap_number("2 please"), -1);
	assert_int_equal(convmap_number(""), -1);
	assert_int_equal(convmap_number("."), -1);
}

/* Past its limit the map forgets whoever was answered longest ago, and a
 * save keeps that order. */
static void
test_limit(void **state)
{
	const char *a[] = { "x" };
	char path[] = "/tmp/test_convmap_limit_XXXXXX";
	struct convmap *m = convmap_new(), *n = convmap_new();
	int fd;

	(void)state;
	convmap_set_limit(m, 3);
	assert_int_equal(convmap_set_options(m, "c1", a, 1), 0);
	assert_int_equal(convmap_set_options(m, "c2", a, 1), 0);
	assert_int_equal(convmap_set_options(m, "c3", a, 1), 0);
	assert_int_equal(convmap_set_options(m, "c1", a, 1), 0);  /* again */
	assert_int_equal(convmap_set_options(m, "c4", a, 1), 0);
	assert_int_equal(convmap_count(m), 3);
	assert_null(pick(m, "c2", "1"));
	assert_non_null(pick(m, "c1", "1"));
	assert_non_null(pick(m, "c3", "1"));
	assert_non_null(pick(m, "c4", "1"));
	/* ages now, oldest first: c3 c1 c4; a smaller map keeps c1 c4 */
	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	assert_int_equal(convmap_save(m, path), 0);
	convmap_set_limit(n, 2);
	assert_int_equal(convmap_load(n, path), 0);
	assert_int_equal(convmap_count(n), 2);
	assert_null(pick(n, "c3", "1"));
	assert_non_null(pick(n, "c1", "1"));
	assert_non_null(pick(n, "c4", "1"));
	unlink(path);
	convmap_free(n);
	convmap_free(m);
}

/* Write TEXT to PATH and load it, which must report damage. */
static struct convmap *
load_damaged(const char *path, const char *text)
{
	struct convmap *n = convmap_new();
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(convmap_load(n, path), -1);
	return n;
}

/* Options saved and loaded again answer "2" as before; a damaged file
 * loads what comes before the damage, and a missing one is no error. */
static void
test_save_load(void **state)
{
	const char *a[] = { "bpo", "kpo", "compare" }, *b[] = { "q_yes" };
	char path[] = "/tmp/test_convmap_XXXXXX", bad[300];
	struct convmap *m = convmap_new(), *n;
	unsigned long before;
	int fd;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	assert_int_equal(convmap_set_options(m, "T1:C1:U1", a, 3), 0);
	assert_int_equal(convmap_set_options(m, "T1:C1:U2", b, 1), 0);
	assert_int_equal(convmap_set_options(m, "gone", b, 0), 0);
	before = convmap_changes(m);
	assert_int_equal(convmap_set_options(m, "T1:C1:U2", b, 1), 0);
	assert_int_equal(convmap_changes(m), before + 1);
	assert_int_equal(convmap_save(m, path), 0);

	n = convmap_new();
	assert_int_equal(convmap_load(n, path), 0);
	assert_string_equal(pick(n, "T1:C1:U1", "2"), "kpo");
	assert_string_equal(pick(n, "T1:C1:U1", "3."), "compare");
	assert_string_equal(pick(n, "T1:C1:U2", "1"), "q_yes");
	assert_null(pick(n, "T1:C1:U2", "2"));
	assert_null(pick(n, "gone", "1"));	/* nothing to keep */
	assert_int_equal(convmap_count(n), 2);
	convmap_free(n);

	/* a good line, then one without options, then a good one */
	n = load_damaged(path, "c1\tx\tyy\nc2\nc3\tz\n");
	assert_string_equal(pick(n, "c1", "2"), "yy");
	assert_null(pick(n, "c3", "1"));
	convmap_free(n);
	/* a last line cut short (no newline) is not taken */
	n = load_damaged(path, "c1\tx\nc2\ty");
	assert_string_equal(pick(n, "c1", "1"), "x");
	assert_null(pick(n, "c2", "1"));
	convmap_free(n);

	unlink(path);
	n = convmap_new();
	assert_int_equal(convmap_load(n, path), 0);
	assert_int_equal(convmap_count(n), 0);
	/* a folder that is not there: the save fails, and says so */
	snprintf(bad, sizeof(bad), "%s/no/such/dir", path);
	assert_int_equal(convmap_save(m, bad), -1);
	convmap_free(n);
	convmap_free(m);
}

/* The saved options name who talked in which channel: the file is the
 * bridge's alone (0600) whatever the umask, like its token and secrets,
 * also when a save that died left a temporary file open to others. */
static void
test_save_private(void **state)
{
	const char *a[] = { "bpo", "kpo" };
	char path[] = "/tmp/test_convmap_mode_XXXXXX", tmp[64];
	struct convmap *m = convmap_new();
	struct stat st;
	mode_t old;
	int fd;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	unlink(path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_true((fd = open(tmp, O_WRONLY | O_CREAT, 0644)) >= 0);
	assert_int_equal(fchmod(fd, 0644), 0);
	close(fd);
	assert_int_equal(convmap_set_options(m, "T1:C1:U1", a, 2), 0);
	old = umask(022);
	assert_int_equal(convmap_save(m, path), 0);
	umask(old);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	unlink(path);
	convmap_free(m);
}

/* An answer posted into a channel names whom it answers; one without
 * text (Slack's ssl_check) or a name is left as it is. */
static void
test_address(void **state)
{
	char *a;

	(void)state;
	a = relay_address(relay_answer("Hello \"there\"\n1. BPO"), "mia");
	assert_string_equal(a, "{\"text\":\"@mia Hello \\\"there\\\"\\n1. BPO\"}");
	free(a);
	a = relay_address(relay_answer(""), "mia");
	assert_string_equal(a, "{\"text\":\"\"}");
	free(a);
	a = relay_address(relay_answer("hi"), "");
	assert_string_equal(a, "{\"text\":\"hi\"}");
	free(a);
	assert_null(relay_address(NULL, "mia"));
}

/* Emphasis in each chat's markup: Mattermost shows *x* in italics. */
static void
test_markup(void **state)
{
	static const char *const mm[][2] = {
		{ "*BPO* or *KPO*?", "**BPO** or **KPO**?" },
		{ "- *Work*: routine\n- *Goal*: cost",
		    "- **Work**: routine\n- **Goal**: cost" },
		/* no emphasis: a lone star, spaced stars, across a line */
		{ "2 * 3 * 4", "2 * 3 * 4" },
		{ "a *b\nc* d", "a *b\nc* d" },
		{ "*x *", "*x *" },
		{ "**", "**" },
		{ "end *", "end *" },
	};
	char *a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(mm) / sizeof(mm[0]); i++) {
		a = chat_markup(mm[i][0], CHAT_MATTERMOST);
		assert_string_equal(a ? a : mm[i][0], mm[i][1]);
		free(a);
	}
	/* Slack's mrkdwn and Rocket.Chat show *x* in bold: unchanged */
	assert_null(chat_markup("*BPO*", CHAT_SLACK));
	assert_null(chat_markup("*BPO*", CHAT_ROCKETCHAT));
	assert_null(chat_markup("no stars", CHAT_MATTERMOST));
	a = relay_markup(relay_answer("*Knowledge Process Outsourcing* "
	    "means"), CHAT_MATTERMOST);
	assert_string_equal(a, "{\"text\":\"**Knowledge Process "
	    "Outsourcing** means\"}");
	free(a);
	a = relay_markup(relay_answer("*KPO*"), CHAT_SLACK);
	assert_string_equal(a, "{\"text\":\"*KPO*\"}");
	free(a);
	assert_null(relay_markup(NULL, CHAT_MATTERMOST));
	/* the names of the config file */
	assert_int_equal(chat_parse("Mattermost"), CHAT_MATTERMOST);
	assert_int_equal(chat_parse("rocketchat"), CHAT_ROCKETCHAT);
	assert_int_equal(chat_parse("slack"), CHAT_SLACK);
	assert_int_equal(chat_parse("auto"), CHAT_AUTO);
	assert_int_equal(chat_parse("teams"), -1);
	assert_string_equal(chat_name(CHAT_MATTERMOST), "mattermost");
	/* Slack's 3 s is the shortest wait, and auto's */
	assert_int_equal(chat_wait_ms(CHAT_SLACK), 3000);
	assert_int_equal(chat_wait_ms(CHAT_AUTO), 3000);
	assert_true(chat_wait_ms(CHAT_MATTERMOST) > 3000);
}

static void
test_request(void **state)
{
	cJSON *o;
	char *s;

	(void)state;
	/* no option given: the text goes as it is, even a number (the bridge
	 * knows no options for it) */
	s = relay_request("T:C:U", "b1", "ann", "2", NULL);
	o = cJSON_Parse(s);
	assert_string_equal(cJSON_GetObjectItem(o, "type")->valuestring,
	    "message");
	assert_string_equal(cJSON_GetObjectItem(o, "text")->valuestring, "2");
	assert_string_equal(cJSON_GetObjectItem(o, "user")->valuestring,
	    "ann");
	assert_string_equal(cJSON_GetObjectItem(o, "conversation")->
	    valuestring, "T:C:U");
	assert_string_equal(cJSON_GetObjectItem(o, "id")->valuestring, "b1");
	cJSON_Delete(o);
	free(s);

	/* the option the caller found is chosen; the text is not looked at
	 * again */
	s = relay_request("T:C:U", "b2", "ann", "2", "kpo");
	o = cJSON_Parse(s);
	assert_string_equal(cJSON_GetObjectItem(o, "type")->valuestring,
	    "choose");
	assert_string_equal(cJSON_GetObjectItem(o, "option")->valuestring,
	    "kpo");
	assert_string_equal(cJSON_GetObjectItem(o, "id")->valuestring, "b2");
	assert_null(cJSON_GetObjectItem(o, "text"));
	cJSON_Delete(o);
	free(s);
}

/* advisord takes a "user" of at most 128 bytes: a longer chat name (64
 * accented letters are 128 bytes) is cut, at a character boundary, rather
 * than have every message of that person refused */
static void
test_long_user(void **state)
{
	char name[200];
	const char *u;
	cJSON *o;
	char *s;
	size_t i;

	(void)state;
	for (i = 0; i < 70; i++)
		memcpy(name + 2 * i, "\xc3\xa9", 2);
	name[140] = '\0';
	s = relay_request("T:C:U", "b1", name, "what is kpo", NULL);
	o = cJSON_Parse(s);
	u = cJSON_GetObjectItem(o, "user")->valuestring;
	assert_int_equal(strlen(u), RELAY_USER_MAX);
	assert_memory_equal(u, name, RELAY_USER_MAX);
	cJSON_Delete(o);
	free(s);
	/* 127 ASCII bytes and a two-byte letter: the letter goes whole */
	memset(name, 'a', 127);
	memcpy(name + 127, "\xc3\xa9" "b", 4);
	s = relay_request("T:C:U", "b2", name, "what is kpo", NULL);
	o = cJSON_Parse(s);
	u = cJSON_GetObjectItem(o, "user")->valuestring;
	assert_int_equal(strlen(u), 127);
	cJSON_Delete(o);
	free(s);
	memset(name, 'a', RELAY_USER_MAX);
	name[RELAY_USER_MAX] = '\0';
	s = relay_request("T:C:U", "b3", name, "hi", NULL);
	o = cJSON_Parse(s);
	assert_string_equal(cJSON_GetObjectItem(o, "user")->valuestring, name);
	cJSON_Delete(o);
	free(s);
}

static void
test_reply(void **state)
{
	static const char reply[] = "{\"type\":\"reply\",\"conversation\":"
	    "\"T:C:U\",\"id\":7,\"in_reply_to\":\"b9\",\"text\":\"Hi \\\"you\\\""
	    "\",\"intent\":\"start\",\"node\":\"root\",\"options\":[{\"id\":"
	    "\"bpo\",\"label\":\"What is BPO?\"},{\"id\":\"kpo\",\"label\":"
	    "\"What is KPO?\"}],\"resume\":\"r\"}";
	static const char plain[] = "{\"type\":\"reply\",\"conversation\":\"x\","
	    "\"in_reply_to\":\"b1\",\"text\":\"Done.\",\"options\":[]}";
	static const char err[] = "{\"type\":\"error\",\"code\":\"rate_limited"
	    "\",\"message\":\"slow\",\"in_reply_to\":\"b3\"}";
	struct convmap *m = convmap_new();
	struct relay_reply rr;
	cJSON *o;

	(void)state;
	assert_int_equal(relay_reply(m, NULL, reply, strlen(reply), &rr), 0);
	assert_string_equal(rr.in_reply_to, "b9");
	assert_string_equal(rr.conversation, "T:C:U");
	o = cJSON_Parse(rr.answer);
	assert_string_equal(cJSON_GetObjectItem(o, "text")->valuestring,
	    "Hi \"you\"\n\n1. What is BPO?\n2. What is KPO?");
	cJSON_Delete(o);
	free(rr.answer);
	assert_string_equal(pick(m, "T:C:U", "2"), "kpo");

	assert_int_equal(relay_reply(m, NULL, plain, strlen(plain), &rr), 0);
	o = cJSON_Parse(rr.answer);
	assert_string_equal(cJSON_GetObjectItem(o, "text")->valuestring,
	    "Done.");
	cJSON_Delete(o);
	free(rr.answer);

	assert_int_equal(relay_reply(m, NULL, err, strlen(err), &rr), 0);
	assert_string_equal(rr.in_reply_to, "b3");
	assert_non_null(strstr(rr.answer, "wait a moment"));
	free(rr.answer);

	/* the bridge's own too-long answer says what advisord's error does */
	{
		static const char tl[] = "{\"type\":\"error\",\"code\":"
		    "\"too_large\",\"in_reply_to\":\"b4\"}";
		char *own = relay_error("too_large");

		assert_int_equal(relay_reply(m, NULL, tl, strlen(tl), &rr), 0);
		assert_string_equal(own, rr.answer);
		assert_non_null(strstr(own, "too long"));
		free(own);
		free(rr.answer);
	}

	assert_int_equal(relay_reply(m, NULL, "{\"type\":\"pong\"}", 15,
	    &rr), -1);
	assert_int_equal(relay_reply(m, NULL, "nope", 4, &rr), -1);
	assert_int_equal(relay_reply(m, NULL, "{\"type\":\"reply\"}", 16,
	    &rr), -1);
	convmap_free(m);
}

/* Only b1 still waits for its answer. */
static int
only_b1(const char *reqid)
{
	return strcmp(reqid, "b1") == 0;
}

/* A reply that came after its request was answered (the timeout): the
 * person never saw its options, so a "1" keeps picking from the list
 * they did see; it picked from the unseen one. */
static void
test_late(void **state)
{
	static const char seen[] = "{\"type\":\"reply\",\"conversation\":"
	    "\"T:C:U\",\"in_reply_to\":\"b1\",\"text\":\"a\",\"options\":"
	    "[{\"id\":\"bpo\",\"label\":\"BPO\"}]}";
	static const char late[] = "{\"type\":\"reply\",\"conversation\":"
	    "\"T:C:U\",\"in_reply_to\":\"b2\",\"text\":\"b\",\"options\":"
	    "[{\"id\":\"quiz\",\"label\":\"Quiz\"},{\"id\":\"more\","
	    "\"label\":\"More\"}]}";
	struct convmap *m = convmap_new();
	struct relay_reply rr;

	(void)state;
	assert_int_equal(relay_reply(m, only_b1, seen, strlen(seen), &rr), 0);
	free(rr.answer);
	assert_string_equal(pick(m, "T:C:U", "1"), "bpo");
	assert_int_equal(relay_reply(m, only_b1, late, strlen(late), &rr), 0);
	assert_non_null(strstr(rr.answer, "1. Quiz"));	/* still rendered */
	free(rr.answer);
	assert_int_equal(convmap_noptions(m, "T:C:U"), 1);
	assert_string_equal(pick(m, "T:C:U", "1"), "bpo");
	convmap_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conv_id),
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_save_load),
		cmocka_unit_test(test_save_private),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_address),
		cmocka_unit_test(test_markup),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_long_user),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_late),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
