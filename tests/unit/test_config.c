/*
 * test_config.c: defaults, the config file (errors name file:line), and
 * the precedence flags > file > defaults.
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

#include "daemon/config.h"

static char path[64];

/* Write TEXT to a fresh temporary file named in PATH. */
static void
write_file(const char *text)
{
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/advisord-conf-XXXXXX");
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	fputs(text, f);
	fclose(f);
}

static int
parse(struct config *c, char *err, size_t errlen, ...)
{
	char *argv[64];
	va_list ap;
	int argc = 0;

	argv[argc++] = (char *)(uintptr_t)"advisord";
	va_start(ap, errlen);
	while (argc < 63 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	argv[argc] = NULL;
	va_end(ap);
	return config_parse_args(c, argc, argv, err, errlen);
}

static void
t_defaults(void **state)
{
	struct config c;
	char err[256];

	(void)state;
	assert_int_equal(parse(&c, err, sizeof(err), NULL), 0);
	assert_string_equal(c.host, "127.0.0.1");
	assert_int_equal(c.port, 8080);
	assert_int_equal(c.max_message_bytes, 16384);
	assert_int_equal(c.max_text_chars, 2000);
	assert_int_equal(c.max_conversations, 10000);
	assert_int_equal(c.resume_max_days, 30);
	assert_false(c.strict);
	assert_false(c.poll_loop);	/* libev by default */
	assert_false(c.debug);
	assert_true(c.jit);
	assert_true(c.redact);
	assert_false(c.check);
	assert_null(c.explain);
	assert_string_equal(c.content, ADVISOR_CONTENT_DIR);
	assert_string_equal(c.web_dir, ADVISOR_WEB_DIR);
}

static void
t_file(void **state)
{
	struct config c;
	char err[256];

	(void)state;
	write_file("# a comment\n\n  port = 9001\nhost=0.0.0.0\n"
	    "db = \"/var/lib/a b.db\"\ndurability = strict\nevent_loop = poll\n"
	    "rate_limit = 0\nlog_level = debug\ndebug = yes\njit = off\n"
	    "origins = https://a.example https://b.example\n"
	    "trusted_proxies = 127.0.0.1, ::1\n"
	    "max_message_bytes = 4096\nidle_timeout = 0\r\n"
	    "outq_max = 8	# a comment after the value\n"
	    "web_dir = \"/srv/a #b\" # quoted # is kept\n"
	    "bridge_tokens = /etc/t\nbridge_tokens = # none after all\n"
	    "content =#not-a-comment\n");
	config_defaults(&c);
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)), 0);
	assert_int_equal(c.port, 9001);
	assert_string_equal(c.host, "0.0.0.0");
	assert_string_equal(c.db, "/var/lib/a b.db");
	assert_true(c.strict);
	assert_true(c.poll_loop);
	assert_int_equal(c.rate_limit, 0);
	assert_int_equal(c.log_level, LOG_LVL_DEBUG);
	assert_true(c.debug);
	assert_false(c.jit);
	assert_string_equal(c.origins, "https://a.example https://b.example");
	assert_string_equal(c.trusted_proxies, "127.0.0.1 ::1");
	assert_int_equal(c.max_message_bytes, 4096);
	assert_int_equal(c.idle_timeout, 0);
	assert_int_equal(c.outq_max, 8);
	assert_string_equal(c.web_dir, "/srv/a #b");
	assert_string_equal(c.bridge_tokens, "");
	assert_string_equal(c.content, "#not-a-comment");
	unlink(path);
}

static void
t_file_errors(void **state)
{
	static const struct {
		const char	*text;
		const char	*want;	/* start of the message after path */
	} cases[] = {
		{ "port = 1\nbogus = 2\n", ":2: unknown setting \"bogus\"" },
		{ "\n\nport = http\n", ":3: bad value \"http\" for port" },
		{ "port = 70000\n", ":1: bad value" },
		{ "durability = sometimes\n", ":1: bad value" },
		{ "event_loop = select\n", ":1: bad value" },
		{ "# ok\njust words\n", ":2: expected key = value" },
		{ "debug = perhaps\n", ":1: bad value" },
		{ "max_message_bytes = 10\n", ":1: bad value" },
		{ "log_level = loud\n", ":1: bad value" },
		{ "port = 0\n", ":1: bad value \"0\" for port" },
		{ "host =\n", ":1: bad value \"\" for host" },
		{ "db = \"\"\n", ":1: bad value \"\" for db" },
		{ "content = \n", ":1: bad value \"\" for content" },
		{ "web_dir = \"\"\n", ":1: bad value \"\" for web_dir" },
		/* a proxy is a peer's address: none of these ever matched */
		{ "trusted_proxies = 127.0.0.1 10.0.0.0/8\n",
		    ":1: bad value \"127.0.0.1 10.0.0.0/8\" for trusted_proxies" },
		{ "trusted_proxies = localhost\n", ":1: bad value" },
		{ "trusted_proxies = 127.0.0.1:8443\n", ":1: bad value" },
		{ "trusted_proxies = [::1]\n", ":1: bad value" },
		{ "trusted_proxies = 300.1.2.3\n", ":1: bad value" },
	};
	struct config c;
	char err[512], want[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_file(cases[i].text);
		config_defaults(&c);
		assert_int_equal(config_load_file(&c, path, err, sizeof(err)),
		    -1);
		snprintf(want, sizeof(want), "%s%s", path, cases[i].want);
		assert_memory_equal(err, want, strlen(want));
		unlink(path);
	}
	config_defaults(&c);
	assert_int_equal(config_load_file(&c, "/nonexistent/advisord.conf",
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/advisord.conf"));
	/* a folder given for the file is an error, not an empty file */
	config_defaults(&c);
	assert_int_equal(config_load_file(&c, "/tmp", err, sizeof(err)), -1);
	assert_string_equal(err, "/tmp: Is a directory");
}

static void
t_precedence(void **state)
{
	struct config c;
	char err[256];

	(void)state;
	write_file("port = 9001\nrate_limit = 5\nhost = 10.0.0.1\n");
	/* the flag wins even when it comes before -c */
	assert_int_equal(parse(&c, err, sizeof(err), "--port", "9100", "-c",
	    path, "--rate-limit=0", NULL), 0);
	assert_int_equal(c.port, 9100);
	assert_int_equal(c.rate_limit, 0);
	assert_string_equal(c.host, "10.0.0.1");	/* file over default */
	assert_int_equal(c.max_text_chars, 2000);	/* default */
	assert_string_equal(c.config_file, path);
	/* a bad file is reported through the argument parser too */
	unlink(path);
	write_file("port = x\n");
	assert_int_equal(parse(&c, err, sizeof(err), "--config", path, NULL),
	    -1);
	assert_non_null(strstr(err, ":1:"));
	unlink(path);
}

/* Every spelling getopt takes for -c loads the file, and a -c that is
 * the value of another option is not one. */
static void
t_config_spellings(void **state)
{
	struct config c;
	char err[256], joined[80], eq[96];

	(void)state;
	write_file("port = 9001\n");
	snprintf(joined, sizeof(joined), "-c%s", path);
	snprintf(eq, sizeof(eq), "--conf=%s", path);
	assert_int_equal(parse(&c, err, sizeof(err), joined, NULL), 0);
	assert_int_equal(c.port, 9001);
	assert_string_equal(c.config_file, path);
	assert_int_equal(parse(&c, err, sizeof(err), "--conf", path, NULL),
	    0);
	assert_int_equal(c.port, 9001);
	assert_int_equal(parse(&c, err, sizeof(err), eq, NULL), 0);
	assert_int_equal(c.port, 9001);
	/* a flag still wins over the file, before or after it */
	assert_int_equal(parse(&c, err, sizeof(err), "--port", "9100", joined,
	    NULL), 0);
	assert_int_equal(c.port, 9100);
	/* "-c" as the text to explain is not a config file */
	assert_int_equal(parse(&c, err, sizeof(err), "--explain", "-c", path,
	    NULL), -1);
	assert_non_null(strstr(err, "unexpected argument"));
	assert_int_equal(c.port, 8080);
	unlink(path);
	/* a bad file is found through each spelling */
	write_file("port = x\n");
	snprintf(joined, sizeof(joined), "-c%s", path);
	assert_int_equal(parse(&c, err, sizeof(err), joined, NULL), -1);
	assert_non_null(strstr(err, ":1: bad value"));
	assert_int_equal(parse(&c, err, sizeof(err), "--conf", path, NULL),
	    -1);
	assert_non_null(strstr(err, ":1: bad value"));
	unlink(path);
}

static void
t_flags(void **state)
{
	struct config c;
	char err[256];

	(void)state;
	assert_int_equal(parse(&c, err, sizeof(err), "--host", "::1",
	    "--db", ":memory:", "--content", "/srv/c", "--web-dir", "/srv/w",
	    "--log-level", "warning", "--durability", "strict",
	    "--event-loop", "poll", "--bridge-tokens", "/etc/t",
	    "--origins", "https://x.example", "--trusted-proxies", "10.0.0.9",
	    "--max-message-bytes", "1024", "--max-text-chars", "10",
	    "--max-conns-per-ip", "3", "--bridge-rate-limit", "7", "--idle-timeout", "9", "--outq-max",
	    "4", "--max-conversations", "2", "--resume-max-days", "0",
	    "--debug", "--no-jit",
	    "--no-redact", "--check", "--explain", "what is kpo",
	    "--version", "--help", NULL), 0);
	assert_string_equal(c.host, "::1");
	assert_string_equal(c.db, ":memory:");
	assert_string_equal(c.content, "/srv/c");
	assert_string_equal(c.web_dir, "/srv/w");
	assert_int_equal(c.log_level, LOG_LVL_WARN);
	assert_true(c.strict);
	assert_true(c.poll_loop);
	assert_string_equal(c.bridge_tokens, "/etc/t");
	assert_string_equal(c.origins, "https://x.example");
	assert_string_equal(c.trusted_proxies, "10.0.0.9");
	assert_int_equal(c.max_message_bytes, 1024);
	assert_int_equal(c.max_text_chars, 10);
	assert_int_equal(c.max_conns_per_ip, 3);
	assert_int_equal(c.bridge_rate_limit, 7);
	assert_int_equal(c.idle_timeout, 9);
	assert_int_equal(c.outq_max, 4);
	assert_int_equal(c.max_conversations, 2);
	assert_int_equal(c.resume_max_days, 0);
	assert_true(c.debug);
	assert_false(c.jit);
	assert_false(c.redact);
	assert_true(c.check);
	assert_string_equal(c.explain, "what is kpo");
	assert_null(c.explain_at);
	assert_true(c.version);
	assert_true(c.help);
	assert_int_equal(parse(&c, err, sizeof(err), "--explain", "mostly "
	    "routine", "--at", "q_work", NULL), 0);
	assert_string_equal(c.explain_at, "q_work");
	/* a node to explain at, and nothing to explain */
	assert_int_equal(parse(&c, err, sizeof(err), "--at", "q_work", NULL),
	    -1);
	assert_string_equal(err, "--at goes with --explain TEXT");
	/* proxies are kept as a peer's address is printed, to compare */
	assert_int_equal(parse(&c, err, sizeof(err), "--trusted-proxies",
	    "0:0:0:0:0:0:0:1,10.0.0.9 ::FFFF:192.0.2.1", NULL), 0);
	assert_string_equal(c.trusted_proxies, "::1 10.0.0.9 ::ffff:192.0.2.1");
}

static void
t_flag_errors(void **state)
{
	struct config c;
	char err[256];

	(void)state;
	assert_int_equal(parse(&c, err, sizeof(err), "--bogus", NULL), -1);
	assert_non_null(strstr(err, "--bogus"));
	/* a switch given a value is no unknown option */
	assert_int_equal(parse(&c, err, sizeof(err), "--debug=yes", NULL), -1);
	assert_string_equal(err, "--debug takes no value");
	assert_int_equal(parse(&c, err, sizeof(err), "--no-jit=1", NULL), -1);
	assert_string_equal(err, "--no-jit takes no value");
	assert_int_equal(parse(&c, err, sizeof(err), "--help=1", NULL), -1);
	assert_string_equal(err, "--help takes no value");
	assert_int_equal(parse(&c, err, sizeof(err), "-x=1", NULL), -1);
	assert_string_equal(err, "unknown option -x");
	assert_int_equal(parse(&c, err, sizeof(err), "--bogus=1", NULL), -1);
	assert_string_equal(err, "unknown option --bogus=1");
	assert_int_equal(parse(&c, err, sizeof(err), "--port", NULL), -1);
	assert_non_null(strstr(err, "--port"));
	assert_int_equal(parse(&c, err, sizeof(err), "--port", "-1", NULL),
	    -1);
	assert_int_equal(parse(&c, err, sizeof(err), "--durability", "maybe",
	    NULL), -1);
	assert_int_equal(parse(&c, err, sizeof(err), "--event-loop", "epoll",
	    NULL), -1);
	assert_int_equal(parse(&c, err, sizeof(err), "--db", "", NULL), -1);
	assert_string_equal(err, "bad value \"\" for db");
	/* no Origins and no bridges may be said with an empty value */
	assert_int_equal(parse(&c, err, sizeof(err), "--origins", "",
	    "--bridge-tokens", "", "--trusted-proxies", "", NULL), 0);
	assert_int_equal(parse(&c, err, sizeof(err), "stray", NULL), -1);
	assert_non_null(strstr(err, "stray"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_defaults),
		cmocka_unit_test(t_file),
		cmocka_unit_test(t_file_errors),
		cmocka_unit_test(t_precedence),
		cmocka_unit_test(t_config_spellings),
		cmocka_unit_test(t_flags),
		cmocka_unit_test(t_flag_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
