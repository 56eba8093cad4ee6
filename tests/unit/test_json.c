// SPDX-License-Identifier: MIT
/* The JSON writer: commas, nesting, escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#include "common/json.h"
#include "common/util.h"

static char *render(void (*fn)(struct json *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	assert_non_null(f);
	json_init(&j, f, false);
	fn(&j);
	json_end(&j);
	fclose(f);
	return buf;
}

static void doc_nested(struct json *j)
{
	json_obj_begin(j);
	json_kint(j, "a", 1);
	json_key(j, "b");
	json_arr_begin(j);
	json_int(j, -2);
	json_str(j, "x\"y\\z\n\x01");
	json_bool(j, true);
	json_null(j);
	json_arr_end(j);
	json_key(j, "c");
	json_obj_begin(j);
	json_obj_end(j);
	json_kstr(j, "d", NULL);
	json_obj_end(j);
}

static void test_nested(void **state)
{
	char *s = render(doc_nested);

	(void)state;
	assert_string_equal(s, "{\"a\":1,\"b\":[-2,\"x\\\"y\\\\z\\n\\u0001\",true,null],\"c\":{},\"d\":null}\n");
	free(s);
}

static void test_parse_ulong(void **state)
{
	unsigned long v;

	(void)state;
	assert_int_equal(parse_ulong("1454", 576, 65535, &v), 0);
	assert_int_equal(v, 1454);
	assert_int_equal(parse_ulong("575", 576, 65535, &v), -ERANGE);
	assert_int_equal(parse_ulong("65536", 576, 65535, &v), -ERANGE);
	assert_int_equal(parse_ulong("14x", 0, 65535, &v), -EINVAL);
	assert_int_equal(parse_ulong("-1", 0, 65535, &v), -EINVAL);
	assert_int_equal(parse_ulong(" 1", 0, 65535, &v), -EINVAL);
	assert_int_equal(parse_ulong("", 0, 65535, &v), -EINVAL);
	assert_int_equal(parse_ulong("99999999999999999999999", 0, ~0ul, &v), -ERANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_parse_ulong),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
