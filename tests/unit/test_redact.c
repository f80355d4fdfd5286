/*
 * test_redact.c: the masking of e-mail addresses, phone and card numbers, and
 * what it must leave alone (years, sizes, prices, words with digits).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "storage/redact.h"

/* Redact IN in a buffer of the documented size; check OUT and the count. */
static void
check(const char *in, const char *out, size_t n)
{
	size_t len = strlen(in);
	char *buf = malloc(2 * len + 1);

	assert_non_null(buf);
	memcpy(buf, in, len + 1);
	assert_int_equal(redact(buf), n);
	assert_string_equal(buf, out);
	free(buf);
}

static void
test_emails(void **state)
{
	(void)state;
	check("jo@example.com", "[email]", 1);
	check("mail me: jo.doe+kpo@mail.example.co.uk.", "mail me: [email].",
	    1);
	check("a@b.io and c_d@e-f.org", "[email] and [email]", 2);
	check("x@y.z", "[email]", 1);	/* mask longer than the address */
}

static void
test_not_emails(void **state)
{
	(void)state;
	check("meet @ noon", "meet @ noon", 0);
	check("user@localhost", "user@localhost", 0);
	check("@example.com", "@example.com", 0);
	check("", "", 0);
}

static void
test_phones(void **state)
{
	(void)state;
	check("call +44 20 7946 0958 today", "call [phone] today", 1);
	check("555-123-4567", "[phone]", 1);
	check("(030) 1234567", "[phone]", 1);
	check("tel 0612345678, or 0698765432", "tel [phone], or [phone]", 2);
	/* two with only a space between: more digits than one number has,
	 * and both were left as typed */
	check("call 0612345678 0698765432", "call [phone] [phone]", 2);
	check("+44 20 7946 0958 0612345678 ok", "[phone] [phone] ok", 2);
	check("0612345678 0698765432 0611122233", "[phone] [phone] [phone]",
	    3);
}

static void
test_not_phones(void **state)
{
	(void)state;
	check("since 2019 we have 500 staff", "since 2019 we have 500 staff",
	    0);
	check("budget 120000 per year", "budget 120000 per year", 0);
	check("ISO27001 and abc1234567", "ISO27001 and abc1234567", 0);
	check("what is kpo?", "what is kpo?", 0);
	/* digits in brackets right after a word once looped for ever */
	check("x(1)", "x(1)", 0);
	check("<img onerror=alert(1)>", "<img onerror=alert(1)>", 0);
	check("f(12345678)", "f(12345678)", 0);
	check("call (555) 123 4567", "call [phone]", 1);
}

/* Card numbers: 16 digits in one run are more than a phone number has,
 * and were logged as typed; in groups, all but the last four were taken
 * for a phone number. */
static void
test_cards(void **state)
{
	(void)state;
	check("card 4111111111111111 ok", "card [card] ok", 1);
	check("4111 1111 1111 1111", "[card]", 1);
	check("5500-0000-0000-0004.", "[card].", 1);
	check("amex 378282246310005", "amex [card]", 1);
	/* the check digit wrong: still too long for a phone, still masked */
	check("ref 4111111111111112", "ref [number]", 1);
	check("12345678901234567890123", "[number]", 1);
	/* a phone number whose digits happen to pass the check stays one */
	check("+86 138 1234 5009", "[phone]", 1);
	/* digits in a word are no one's card */
	check("id x4111111111111111", "id x4111111111111111", 0);
}

static void
test_both(void **state)
{
	(void)state;
	check("jo@example.com / +1 555 123 4567", "[email] / [phone]", 2);
}

/* The quick first pass reads sixteen bytes at a time, then eight, then
 * one: an address or a number is found at every offset, and exactly 7
 * digits (the least that can be a number) still count, wherever the
 * block boundaries fall. */
static void
test_every_offset(void **state)
{
	char in[96], out[96];
	size_t at;

	(void)state;
	for (at = 0; at < 40; at++) {
		memset(in, 'x', at);
		in[at] = '\0';
		strcat(in, " mail jo@example.com now");
		memset(out, 'x', at);
		out[at] = '\0';
		strcat(out, " mail [email] now");
		check(in, out, 1);

		memset(in, 'x', at);
		in[at] = '\0';
		strcat(in, " call 590 1289 today, or 99 later");
		memset(out, 'x', at);
		out[at] = '\0';
		strcat(out, " call [phone] today, or 99 later");
		check(in, out, 1);

		/* six digits, split over the blocks: nothing to mask */
		memset(in, 'x', at);
		in[at] = '\0';
		strcat(in, " 12 34 and 56 then x!");
		check(in, in, 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_emails),
		cmocka_unit_test(test_not_emails),
		cmocka_unit_test(test_phones),
		cmocka_unit_test(test_not_phones),
		cmocka_unit_test(test_cards),
		cmocka_unit_test(test_both),
		cmocka_unit_test(test_every_offset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
