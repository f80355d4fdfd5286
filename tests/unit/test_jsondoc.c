/*
 * test_jsondoc.c: a content file is one JSON document: white space may
 * follow it, nothing else may, and an error names the file, the line and
 * where the trailing data starts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <string.h>

#include "daemon/jsondoc.h"

static cJSON *
parse(const char *text, char *err, size_t errlen)
{
	err[0] = '\0';
	return jsondoc_parse("f.json", text, strlen(text), err, errlen);
}

static void
test_one_document(void **state)
{
	char err[128];
	cJSON *j;

	(void)state;
	j = parse("{\"a\": 1}\n \t\r\n", err, sizeof(err));
	assert_non_null(j);
	assert_int_equal(cJSON_GetObjectItem(j, "a")->valueint, 1);
	assert_string_equal(err, "");
	cJSON_Delete(j);
}

static void
test_trailing_data(void **state)
{
	char err[128];

	(void)state;
	assert_null(parse("{\"a\": 1}\n{", err, sizeof(err)));
	assert_string_equal(err, "f.json:2: trailing data after the JSON "
	    "document at byte offset 9");
	/* a second whole document is trailing data too */
	assert_null(parse("[1]\n\n[2]\n", err, sizeof(err)));
	assert_string_equal(err, "f.json:3: trailing data after the JSON "
	    "document at byte offset 5");
}

static void
test_invalid(void **state)
{
	char err[128];

	(void)state;
	assert_null(parse("{\n\"a\": 1,\n\"b\": }\n", err, sizeof(err)));
	assert_string_equal(err, "f.json:3: invalid JSON");
	assert_null(parse("", err, sizeof(err)));
	assert_string_equal(err, "f.json:1: invalid JSON");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_document),
		cmocka_unit_test(test_trailing_data),
		cmocka_unit_test(test_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
