/*
 * test_auth.c: random tokens, SHA-256, and the bridge token file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/auth.h"

static char path[64];

static void
write_file(const char *text)
{
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/advisord-tokens-XXXXXX");
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	fputs(text, f);
	fclose(f);
}

static void
t_random(void **state)
{
	char a[AUTH_TOKEN_HEX + 1], b[AUTH_TOKEN_HEX + 1];

	(void)state;
	assert_int_equal(auth_random_token(a), 0);
	assert_int_equal(auth_random_token(b), 0);
	assert_int_equal(strlen(a), AUTH_TOKEN_HEX);
	assert_int_equal(strspn(a, "0123456789abcdef"), AUTH_TOKEN_HEX);
	assert_string_not_equal(a, b);
}

static void
t_sha256(void **state)
{
	char h[AUTH_HASH_HEX + 1];

	(void)state;
	auth_sha256_hex("abc", 3, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	auth_sha256_hex("", 0, h);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
}

static void
t_tokens(void **state)
{
	struct bridge_tokens *t;
	char err[256], text[512], ha[AUTH_HASH_HEX + 1], hb[AUTH_HASH_HEX + 1],
	    hc[AUTH_HASH_HEX + 1];

	(void)state;
	auth_sha256_hex("secret-a", 8, ha);
	auth_sha256_hex("secret-b", 8, hb);
	snprintf(text, sizeof(text), "# bridges\n\nslack %s\n  mattermost %s\n",
	    ha, hb);
	write_file(text);
	assert_non_null(t = bridge_tokens_load(path, err, sizeof(err)));
	assert_string_equal(bridge_tokens_check(t, "secret-a", 8), "slack");
	assert_string_equal(bridge_tokens_check(t, "secret-b", 8),
	    "mattermost");
	assert_null(bridge_tokens_check(t, "secret-c", 8));
	assert_null(bridge_tokens_check(t, "secret-a", 7));
	assert_null(bridge_tokens_check(t, "", 0));
	assert_null(bridge_tokens_check(NULL, "secret-a", 8));
	/* by hash, as a reload checks the bridges already connected */
	assert_string_equal(bridge_tokens_find(t, hb), "mattermost");
	auth_sha256_hex("secret-c", 8, hc);
	assert_null(bridge_tokens_find(t, hc));
	assert_null(bridge_tokens_find(NULL, ha));
	bridge_tokens_free(t);
	unlink(path);
}

static void
t_token_file_errors(void **state)
{
	char err[256], want[128];

	(void)state;
	err[0] = '\0';
	write_file("ok 0123\n");
	assert_null(bridge_tokens_load(path, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s:1:", path);
	assert_memory_equal(err, want, strlen(want));
	unlink(path);
	err[0] = '\0';
	write_file("# c\nbad/name e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b"
	    "934ca495991b7852b855\n");
	assert_null(bridge_tokens_load(path, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s:2:", path);
	assert_memory_equal(err, want, strlen(want));
	unlink(path);
	err[0] = '\0';
	assert_null(bridge_tokens_load("/nonexistent/tokens", err,
	    sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/tokens"));
}

/* TEXT as a token file is refused with "FILE:" and WANT at the start. */
static void
assert_refused(const char *text, const char *want)
{
	char err[512], full[512];

	write_file(text);
	err[0] = '\0';
	assert_null(bridge_tokens_load(path, err, sizeof(err)));
	snprintf(full, sizeof(full), "%s:%s", path, want);
	assert_memory_equal(err, full, strlen(full));
	unlink(path);
}

/* One line a bridge: a name twice, or one token under two names, would
 * make the logs and a bridge's conversations ambiguous. */
static void
t_token_file_repeats(void **state)
{
	struct bridge_tokens *t;
	char err[256], text[512], ha[AUTH_HASH_HEX + 1], hb[AUTH_HASH_HEX + 1];

	(void)state;
	auth_sha256_hex("secret-a", 8, ha);
	auth_sha256_hex("secret-b", 8, hb);
	snprintf(text, sizeof(text), "slack %s\n# rotated\nmattermost %s\n"
	    "slack %s\n", ha, hb, hb);
	assert_refused(text, "4: bridge \"slack\" again (first on line 1)");
	snprintf(text, sizeof(text), "slack %s\nmattermost %s\n", ha, ha);
	assert_refused(text, "2: bridge \"mattermost\" has the token of "
	    "bridge \"slack\" (line 1)");

	/* names that differ in case only are two bridges */
	snprintf(text, sizeof(text), "slack %s\nSlack %s\n", ha, hb);
	write_file(text);
	assert_non_null(t = bridge_tokens_load(path, err, sizeof(err)));
	assert_string_equal(bridge_tokens_check(t, "secret-b", 8), "Slack");
	bridge_tokens_free(t);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_random),
		cmocka_unit_test(t_sha256),
		cmocka_unit_test(t_tokens),
		cmocka_unit_test(t_token_file_errors),
		cmocka_unit_test(t_token_file_repeats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
