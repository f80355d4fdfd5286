/*
 * test_origin.c: the default Origin check, with no `origins` configured:
 * the daemon's own page is let in, another host's is not, and neither is
 * a DNS-rebinding page, which has the daemon's address but its own name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>

#include "daemon/origin.h"

/* Addresses and localhost, with a port or not; nothing else. */
static void
t_host_fixed(void **state)
{
	static const char *const fixed[] = { "127.0.0.1:8080", "127.0.0.1",
	    "10.1.2.3:443", "[::1]:8080", "[::1]", "[fe80::1]:9000",
	    "localhost:8080", "localhost", "LocalHost:1" };
	static const char *const named[] = { "evil.example:8080",
	    "evil.example", "advisor.example.com", "localhost.evil.example",
	    "127.0.0.1.evil.example:8080", "127.1:8080", "::1", "[::1",
	    "[::1]x", "[evil]:80", "127.0.0.1:", "127.0.0.1:80x",
	    "localhost:123456", "", ":8080" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (!origin_host_fixed(fixed[i]))
			fail_msg("%s: not taken for an address", fixed[i]);
	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (origin_host_fixed(named[i]))
			fail_msg("%s: taken for an address", named[i]);
}

/* The verdict on an Origin and a Host, through a trusted proxy or not. */
static void
t_verdicts(void **state)
{
	static const struct {
		const char		*origin, *host;
		bool			 proxied;
		enum origin_verdict	 want;
	} cases[] = {
		/* make run's page, at an address or localhost */
		{ "http://127.0.0.1:8080", "127.0.0.1:8080", false, ORIGIN_OK },
		{ "http://localhost:8080", "localhost:8080", false, ORIGIN_OK },
		{ "https://[::1]:8443", "[::1]:8443", false, ORIGIN_OK },
		/* the page of a name, through the operator's proxy */
		{ "https://advisor.example.com", "advisor.example.com", true,
		    ORIGIN_OK },
		/* another host's page, whatever the Host */
		{ "http://evil.example", "127.0.0.1:8080", false,
		    ORIGIN_FOREIGN },
		{ "http://127.0.0.1:8081", "127.0.0.1:8080", false,
		    ORIGIN_FOREIGN },
		{ "http://evil.example", "advisor.example.com", true,
		    ORIGIN_FOREIGN },
		{ "ftp://127.0.0.1:8080", "127.0.0.1:8080", false,
		    ORIGIN_FOREIGN },
		/* a page of evil.example, its name then pointed at the
		 * daemon: Host and Origin agree, and that alone let it in */
		{ "http://evil.example:8080", "evil.example:8080", false,
		    ORIGIN_NAMED },
		{ "https://evil.example", "evil.example", false,
		    ORIGIN_NAMED },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (origin_same_host(cases[i].origin, cases[i].host,
		    cases[i].proxied) != cases[i].want)
			fail_msg("%s at %s%s: not verdict %d", cases[i].origin,
			    cases[i].host, cases[i].proxied ? " (proxied)" :
			    "", (int)cases[i].want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_host_fixed),
		cmocka_unit_test(t_verdicts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
