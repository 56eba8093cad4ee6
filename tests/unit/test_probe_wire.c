// SPDX-License-Identifier: MIT
/* The UDP probe protocol v1 (docs/probe-protocol.md): the byte layout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "pmtu/probe_wire.h"

/* The request example from docs/probe-protocol.md. */
static const uint8_t req_vec[36] = {
	'w', 'g', 'm', 'p', 0x01, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x30, 0x39, 0x05, 0x78, 0x00, 0x00,
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
	0, 0, 0, 0,
};

static void test_encode_layout(void **state)
{
	struct pw_msg m = { .type = PW_TYPE_REQUEST, .seq = 12345, .size_a = 1400 };
	uint8_t buf[36];

	(void)state;
	for (int i = 0; i < 16; i++)
		m.cookie[i] = (uint8_t)(0xa0 + i);
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(pw_encode(&m, buf, sizeof(buf)), 36);
	assert_memory_equal(buf, req_vec, sizeof(req_vec));
	assert_int_equal(pw_encode(&m, buf, PW_HDR_LEN - 1), -EINVAL);
}

static void test_decode(void **state)
{
	struct pw_msg m;
	uint8_t b[36];

	(void)state;
	assert_int_equal(pw_decode(req_vec, sizeof(req_vec), &m), 0);
	assert_int_equal(m.type, PW_TYPE_REQUEST);
	assert_int_equal(m.seq, 12345);
	assert_int_equal(m.size_a, 1400);
	assert_int_equal(m.cookie[15], 0xaf);
	/* exactly the header is enough; one byte less is not */
	assert_int_equal(pw_decode(req_vec, PW_HDR_LEN, &m), 0);
	assert_int_equal(pw_decode(req_vec, PW_HDR_LEN - 1, &m), -EINVAL);
	memcpy(b, req_vec, sizeof(b));
	b[4] = 2;
	assert_int_equal(pw_decode(b, sizeof(b), &m), -EPROTONOSUPPORT);
	b[4] = 1;
	b[0] = 'x';
	assert_int_equal(pw_decode(b, sizeof(b), &m), -EINVAL);
	b[0] = 'w';
	b[5] = 9;
	assert_int_equal(pw_decode(b, sizeof(b), &m), -EINVAL);
	assert_int_equal(pw_decode(NULL, 0, &m), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_layout),
		cmocka_unit_test(test_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
