/*
 * test_respurl.c: response_url parsing (https only, no user info, an odd
 * host or port refused) and the allow-list of hosts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bridge/respurl.h"

static void
test_parse(void **state)
{
	struct respurl u;

	(void)state;
	assert_int_equal(respurl_parse("https://hooks.slack.com/commands/T1/"
	    "123/abc", &u), RESPURL_OK);
	assert_string_equal(u.host, "hooks.slack.com");
	assert_int_equal(u.port, 443);
	assert_string_equal(u.path, "/commands/T1/123/abc");
	/* a port, a query; the host lower case, the fragment not sent */
	assert_int_equal(respurl_parse("HTTPS://Chat.Example.ORG:8443/hooks/"
	    "x?a=1#frag", &u), RESPURL_OK);
	assert_string_equal(u.host, "chat.example.org");
	assert_int_equal(u.port, 8443);
	assert_string_equal(u.path, "/hooks/x?a=1");
	assert_int_equal(respurl_parse("https://localhost", &u), RESPURL_OK);
	assert_string_equal(u.path, "/");
	assert_int_equal(respurl_parse("https://localhost?x", &u), RESPURL_OK);
	assert_string_equal(u.path, "/?x");
}

static void
test_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"hooks.slack.com/commands/1",
		"https://",
		"https:///path",
		"https://hooks.slack.com@evil.example/",
		"https://user:pw@hooks.slack.com/",
		"https://hooks.slack.com\\@evil.example/",
		"https://hooks.slack.com:/x",
		"https://hooks.slack.com:0/x",
		"https://hooks.slack.com:65536/x",
		"https://hooks.slack.com:443x/x",
		"https://hooks.slack.com:-1/x",
		"https://[::1]/x",
		"https://hooks..slack.com/x",
		"https://.hooks.slack.com/x",
		"https://hooks.slack.com./x",
		"https://hooks.slack.com/a b",
		"https://hooks.slack.com/a\r\nHost: evil",
		"https://hooks.slack.com/\xc3\xa9",
		"https://hooks%2eslack.com/x",
	};
	char longer[RESPURL_MAX + 32];
	struct respurl u;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(respurl_parse(bad[i], &u), RESPURL_BAD);
	/* never in the clear, nor another scheme */
	assert_int_equal(respurl_parse("http://hooks.slack.com/x", &u),
	    RESPURL_NOT_HTTPS);
	assert_int_equal(respurl_parse("ftp://hooks.slack.com/x", &u),
	    RESPURL_NOT_HTTPS);
	assert_string_equal(respurl_error(RESPURL_NOT_HTTPS), "not https");
	/* too long */
	strcpy(longer, "https://hooks.slack.com/");
	memset(longer + strlen(longer), 'a', RESPURL_MAX);
	longer[RESPURL_MAX] = '\0';
	assert_int_equal(respurl_parse(longer, &u), RESPURL_BAD);
}

static void
test_allowed(void **state)
{
	const char *hosts = "hooks.slack.com, chat.example.org mm.example.net";

	(void)state;
	assert_true(respurl_allowed(hosts, "hooks.slack.com"));
	assert_true(respurl_allowed(hosts, "chat.example.org"));
	assert_true(respurl_allowed(hosts, "mm.example.net"));
	assert_true(respurl_allowed("HOOKS.slack.com", "hooks.slack.com"));
	/* the whole name: no suffix, prefix or part of a list entry */
	assert_false(respurl_allowed(hosts, "evil.hooks.slack.com"));
	assert_false(respurl_allowed(hosts, "hooks.slack.co"));
	assert_false(respurl_allowed(hosts, "slack.com"));
	assert_false(respurl_allowed(hosts, "hooks.slack.com.evil"));
	assert_false(respurl_allowed(hosts, "example.org"));
	assert_false(respurl_allowed(hosts, ""));
	assert_false(respurl_allowed("", "hooks.slack.com"));
	assert_false(respurl_allowed(" , ", "hooks.slack.com"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_allowed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
