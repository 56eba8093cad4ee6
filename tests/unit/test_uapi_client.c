// SPDX-License-Identifier: MIT
/* wgmtu show/set's UAPI client: the get-reply parser against well-formed,
 * broken and hostile replies; key encodings; the set request builder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool/uapi_io.h"

#define K1HEX "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"
#define K1B64 "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
#define K2HEX "65666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f8081828384"
#define K2B64 "ZWZnaGlqa2xtbm9wcXJzdHV2d3h5ent8fX5/gIGCg4Q="
#define ZERO64 "0000000000000000000000000000000000000000000000000000000000000000"

static int parse(const char *s, struct uapi_reply *r)
{
	char msg[128];

	return uapi_reply_parse(s, strlen(s), r, msg, sizeof(msg));
}

static void test_parse_full_reply(void **state)
{
	static const char reply[] =
		"private_key=e84b5a6d2717c1003a13b431570353dbaca9146cf150c5f8575680feba52027a\n"
		"listen_port=51820\n"
		"wgmtu_version=1\n"
		"wgmtu_probe=on\n"
		"wgmtu_clamp_mss=off\n"
		"wgmtu_max_mtu=9000\n"
		"wgmtu_device_future=abc\n"
		"public_key=" K1HEX "\n"
		"preshared_key=" ZERO64 "\n"
		"protocol_version=1\n"
		"endpoint=[2001:db8::1]:51820\n"
		"allowed_ip=10.0.0.2/32\n"
		"allowed_ip=fd00::2/128\n"
		"wgmtu_path_mtu=1454\n"
		"wgmtu_reason=in-band probes answered = fine\n"
		"public_key=" K2HEX "\n"
		"preshared_key=188515093e952f5f22e865cef3012e72f8b5f0b598ac0309d5dacce3b70fcf52\n"
		"wgmtu_state=searching\n"
		"errno=0\n"
		"\n"
		"trailing bytes after the reply are not ours\n";
	struct uapi_reply r;
	uint64_t v;

	(void)state;
	assert_int_equal(parse(reply, &r), 0);
	assert_int_equal(r.daemon_errno, 0);
	assert_true(uapi_reply_is_wgmtud(&r));
	assert_string_equal(uapi_get(&r.dev, "listen_port"), "51820");
	assert_string_equal(uapi_get(&r.dev, "private_key"), "(hidden)");
	assert_string_equal(uapi_get(&r.dev, "wgmtu_device_future"), "abc");
	assert_int_equal(uapi_get_u64(&r.dev, "wgmtu_max_mtu", &v), 0);
	assert_int_equal(v, 9000);
	assert_int_equal(r.n_peers, 2);
	assert_int_equal(r.peers[0].public_key[0], 1);
	assert_int_equal(r.peers[0].public_key[31], 0x20);
	assert_int_equal(r.peers[1].public_key[0], 0x65);
	assert_string_equal(uapi_get(&r.peers[0].s, "preshared_key"), "(none)");
	assert_string_equal(uapi_get(&r.peers[1].s, "preshared_key"), "(hidden)");
	assert_string_equal(uapi_get(&r.peers[0].s, "endpoint"), "[2001:db8::1]:51820");
	assert_string_equal(uapi_get(&r.peers[0].s, "wgmtu_reason"),
			    "in-band probes answered = fine");
	assert_string_equal(uapi_get(&r.peers[0].s, "allowed_ip"), "fd00::2/128");
	assert_int_equal(r.peers[0].s.n, 8); /* every line kept, in order */
	assert_string_equal(r.peers[0].s.kv[4].value, "10.0.0.2/32");
	assert_null(uapi_get(&r.peers[1].s, "wgmtu_path_mtu"));
	assert_string_equal(uapi_get(&r.peers[1].s, "wgmtu_state"), "searching");
	assert_null(uapi_get(&r.dev, "errno"));
	uapi_reply_free(&r);
	uapi_reply_free(&r); /* idempotent */
}

static void test_parse_daemon_errno(void **state)
{
	struct uapi_reply r;

	(void)state;
	assert_int_equal(parse("errno=-22\n\n", &r), 0);
	assert_int_equal(r.daemon_errno, -22);
	assert_false(uapi_reply_is_wgmtud(&r));
	uapi_reply_free(&r);
	assert_int_equal(parse("errno=0\n\n", &r), 0);
	assert_int_equal(r.n_peers, 0);
	uapi_reply_free(&r);
}

static void test_parse_rejects(void **state)
{
	static const struct { const char *in; int err; const char *why; } cases[] = {
		{ "", -EPROTO, "truncated" },
		{ "listen_port=1\n", -EPROTO, "truncated" },
		{ "listen_port=1\nerrno=0\n", -EPROTO, "truncated" },
		{ "listen_port=1\nerrno=0", -EPROTO, "truncated" },
		{ "listen_port=1\n\n", -EPROTO, "without an errno" },
		{ "\n", -EPROTO, "without an errno" },
		{ "bogus\nerrno=0\n\n", -EPROTO, "not key=value" },
		{ "=x\nerrno=0\n\n", -EPROTO, "not key=value" },
		{ "errno=\n\n", -EPROTO, "bad errno" },
		{ "errno=-\n\n", -EPROTO, "bad errno" },
		{ "errno=abc\n\n", -EPROTO, "bad errno" },
		{ "errno=+1\n\n", -EPROTO, "bad errno" },
		{ "errno=99999999999\n\n", -EPROTO, "bad errno" },
		{ "errno=0\nlisten_port=1\n\n", -EPROTO, "after the errno" },
		{ "public_key=1234\nerrno=0\n\n", -EPROTO, "bad public_key" },
		{ "public_key=" K1HEX "0\nerrno=0\n\n", -EPROTO, "bad public_key" },
		{ "public_key=" "zz" K1HEX "\nerrno=0\n\n", -EPROTO, "bad public_key" },
	};
	char msg[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct uapi_reply r;
		int e = uapi_reply_parse(cases[i].in, strlen(cases[i].in), &r, msg, sizeof(msg));

		if (e != cases[i].err || !strstr(msg, cases[i].why))
			fail_msg("case %zu: got %d '%s'", i, e, msg);
		assert_int_equal(r.n_peers, 0);
		assert_null(r.peers);
		assert_null(r.dev.kv);
	}
}

static void test_parse_nul_byte(void **state)
{
	static const char in[] = "wgmtu_reason=a\0b\nerrno=0\n\n";
	struct uapi_reply r;
	char msg[64];

	(void)state;
	assert_int_equal(uapi_reply_parse(in, sizeof(in) - 1, &r, msg, sizeof(msg)), -EPROTO);
	assert_non_null(strstr(msg, "NUL"));
}

static char *repeat_line(const char *prefix, size_t vlen, const char *suffix)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);
	char *s = malloc(pl + vlen + sl + 1);

	assert_non_null(s);
	memcpy(s, prefix, pl);
	memset(s + pl, 'x', vlen);
	memcpy(s + pl + vlen, suffix, sl + 1);
	return s;
}

static void test_parse_line_limits(void **state)
{
	struct uapi_reply r;
	char *s;

	(void)state;
	/* exactly UAPI_CLIENT_LINE_MAX bytes: accepted */
	s = repeat_line("k=", UAPI_CLIENT_LINE_MAX - 2, "\nerrno=0\n\n");
	assert_int_equal(parse(s, &r), 0);
	assert_int_equal(strlen(uapi_get(&r.dev, "k")), UAPI_CLIENT_LINE_MAX - 2);
	uapi_reply_free(&r);
	free(s);
	/* one more: refused */
	s = repeat_line("k=", UAPI_CLIENT_LINE_MAX - 1, "\nerrno=0\n\n");
	assert_int_equal(parse(s, &r), -E2BIG);
	free(s);
	/* a huge line with no newline at all (a daemon spewing): refused as
	 * too long, not as truncated */
	s = repeat_line("k=", 1u << 20, "");
	assert_int_equal(parse(s, &r), -E2BIG);
	free(s);
}

static void test_parse_reply_too_big(void **state)
{
	size_t n = (size_t)UAPI_CLIENT_REPLY_MAX + 1;
	char *s = malloc(n);
	struct uapi_reply r;

	(void)state;
	assert_non_null(s);
	memset(s, '\n', n);
	assert_int_equal(uapi_reply_parse(s, n, &r, NULL, 0), -E2BIG);
	free(s);
}

static void test_parse_too_many_peers(void **state)
{
	const char *line = "public_key=" K1HEX "\n";
	size_t ll = strlen(line), n = UAPI_CLIENT_MAX_PEERS + 1;
	char *s = malloc(ll * n + 16), *p = s;
	struct uapi_reply r;

	(void)state;
	assert_non_null(s);
	for (size_t i = 0; i < n; i++, p += ll)
		memcpy(p, line, ll);
	strcpy(p, "errno=0\n\n");
	assert_int_equal(parse(s, &r), -E2BIG);
	/* the limit itself is fine */
	strcpy(s + ll * (n - 1), "errno=0\n\n");
	assert_int_equal(parse(s, &r), 0);
	assert_int_equal(r.n_peers, UAPI_CLIENT_MAX_PEERS);
	uapi_reply_free(&r);
	free(s);
}

static void test_get_numbers(void **state)
{
	struct uapi_reply r;
	uint64_t v;
	int64_t i;

	(void)state;
	assert_int_equal(parse("a=18446744073709551615\nb=18446744073709551616\nc=+1\n"
			       "d=\ne=12x\nf=007\ng=9223372036854775808\nerrno=0\n\n", &r), 0);
	assert_int_equal(uapi_get_u64(&r.dev, "a", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(uapi_get_u64(&r.dev, "b", &v), -EINVAL);
	assert_int_equal(uapi_get_u64(&r.dev, "c", &v), -EINVAL);
	assert_int_equal(uapi_get_u64(&r.dev, "d", &v), -EINVAL);
	assert_int_equal(uapi_get_u64(&r.dev, "e", &v), -EINVAL);
	assert_int_equal(uapi_get_u64(&r.dev, "f", &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(uapi_get_u64(&r.dev, "zz", &v), -ENOENT);
	assert_int_equal(uapi_get_i64(&r.dev, "g", &i), -EINVAL);
	assert_int_equal(uapi_get_i64(&r.dev, "f", &i), 0);
	uapi_reply_free(&r);
}

static void test_reply_complete(void **state)
{
	(void)state;
	assert_int_equal(uapi_reply_complete("", 0), 0);
	assert_int_equal(uapi_reply_complete("errno=0\n", 8), 0);
	assert_int_equal(uapi_reply_complete("errno=0\n\n", 9), 9);
	assert_int_equal(uapi_reply_complete("\n", 1), 1);
	assert_int_equal(uapi_reply_complete("a=1\nerrno=0\n\nxyz", 16), 13);
}

static void test_base64_keys(void **state)
{
	uint8_t k[32], want[32];
	char b[45], h[65];

	(void)state;
	for (int i = 0; i < 32; i++)
		want[i] = (uint8_t)(i + 1);
	assert_int_equal(uapi_key_from_base64(K1B64, k), 0);
	assert_memory_equal(k, want, 32);
	uapi_key_to_base64(k, b);
	assert_string_equal(b, K1B64);
	uapi_key_to_hex(k, h);
	assert_string_equal(h, K1HEX);
	assert_int_equal(uapi_key_from_base64(K2B64, k), 0);
	uapi_key_to_hex(k, h);
	assert_string_equal(h, K2HEX);
	/* all 256 byte values round-trip */
	for (int i = 0; i < 256; i++) {
		memset(want, i, 32);
		want[31] = (uint8_t)(255 - i);
		uapi_key_to_base64(want, b);
		assert_int_equal(uapi_key_from_base64(b, k), 0);
		assert_memory_equal(k, want, 32);
	}
	assert_int_equal(uapi_key_from_base64("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA", k), -EINVAL);
	assert_int_equal(uapi_key_from_base64("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA==", k), -EINVAL);
	assert_int_equal(uapi_key_from_base64("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyB=", k), -EINVAL);
	assert_int_equal(uapi_key_from_base64("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eH-A=", k), -EINVAL);
	assert_int_equal(uapi_key_from_base64("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAA", k), -EINVAL);
	assert_int_equal(uapi_key_from_base64("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e=yA=", k), -EINVAL);
	assert_int_equal(uapi_key_from_base64("", k), -EINVAL);
	assert_int_equal(uapi_key_from_hex(K1HEX, 64, k), 0);
	assert_int_equal(uapi_key_from_hex("0102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F20", 64, want), 0);
	assert_memory_equal(k, want, 32);
	assert_int_equal(uapi_key_from_hex(K1HEX, 63, k), -EINVAL);
	assert_int_equal(uapi_key_from_hex("g102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20", 64, k), -EINVAL);
}

static void test_req_builder(void **state)
{
	struct uapi_req q;

	(void)state;
	uapi_req_init_set(&q);
	assert_int_equal(uapi_req_kv(&q, "wgmtu_probe", "on"), 0);
	assert_int_equal(uapi_req_kv(&q, "wgmtu_probe_address", ""), 0);
	assert_int_equal(uapi_req_finish(&q), 0);
	assert_string_equal(q.buf, "set=1\nwgmtu_probe=on\nwgmtu_probe_address=\n\n");
	assert_int_equal(q.len, strlen(q.buf));
	uapi_req_free(&q);

	uapi_req_init_set(&q);
	assert_int_equal(uapi_req_kv(&q, "a", "x\ny"), -EINVAL);
	assert_int_equal(uapi_req_finish(&q), -EINVAL); /* sticky */
	uapi_req_free(&q);
	uapi_req_init_set(&q);
	assert_int_equal(uapi_req_kv(&q, "Bad-Key", "1"), -EINVAL);
	uapi_req_free(&q);
	uapi_req_init_set(&q);
	assert_int_equal(uapi_req_kv(&q, "", "1"), -EINVAL);
	uapi_req_free(&q);
}

static int build(const char *want, ...)
{
	char *argv[32], err[256];
	struct uapi_req q;
	va_list ap;
	int argc = 0, e;

	va_start(ap, want);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	e = wgmtu_set_build(argc, argv, &q, err, sizeof(err));
	if (e == 0 && strcmp(q.buf, want))
		fail_msg("request:\n%s\nwant:\n%s", q.buf, want);
	if (e && !strstr(err, want))
		fail_msg("error '%s', want '%s'", err, want);
	uapi_req_free(&q);
	return e;
}

static void test_set_build(void **state)
{
	(void)state;
	assert_int_equal(build("set=1\nwgmtu_probe=on\nwgmtu_clamp_mss=off\nwgmtu_max_mtu=1500\n\n",
			       "probe", "on", "clamp-mss", "off", "max-mtu", "1500", NULL), 0);
	assert_int_equal(build("set=1\nwgmtu_max_mtu=9000\npublic_key=" K1HEX "\nupdate_only=true\n"
			       "wgmtu_probe=inband\nwgmtu_pinned_mtu=1280\n"
			       "public_key=" K2HEX "\nupdate_only=true\nwgmtu_probe_address=10.0.0.9\n\n",
			       "max-mtu", "9000", "peer", K1B64, "probe", "inband", "mtu", "1280",
			       "peer", K2B64, "probe-address", "10.0.0.9", NULL), 0);
	assert_int_equal(build("set=1\npublic_key=" K1HEX "\nupdate_only=true\n"
			       "wgmtu_probe_address=::ffff:10.0.0.1\nwgmtu_pinned_mtu=0\n"
			       "wgmtu_probe=icmp-endpoint\n\n",
			       "peer", K1B64, "probe-address", "::FFFF:10.0.0.1", "mtu", "auto",
			       "probe", "icmp-endpoint", NULL), 0);
	assert_int_equal(build("set=1\nwgmtu_max_mtu=1280\npublic_key=" K1HEX "\nupdate_only=true\n"
			       "wgmtu_pinned_mtu=65535\n\n",
			       "max-mtu", "1280", "peer", K1B64, "mtu", "65535", NULL), 0);

	assert_int_equal(build("nothing to set", NULL), -EINVAL);
	assert_int_equal(build("out of range 1280..9000", "max-mtu", "1279", NULL), -EINVAL);
	assert_int_equal(build("not a number", "max-mtu", "01500", NULL), -EINVAL);
	assert_int_equal(build("needs a value", "probe", NULL), -EINVAL);
	assert_int_equal(build("needs a value", "peer", NULL), -EINVAL);
	assert_int_equal(build("needs a value", "peer", K1B64, "mtu", NULL), -EINVAL);
	assert_int_equal(build("is not a public key", "peer", K1HEX, "mtu", "1400", NULL), -EINVAL);
	assert_int_equal(build("nothing to set", "peer", K1B64, NULL), -EINVAL);
	assert_int_equal(build("is a peer setting", "probe-address", "10.0.0.1", NULL), -EINVAL);
	assert_int_equal(build("is a device setting", "peer", K1B64, "max-mtu", "1500", NULL), -EINVAL);
	assert_int_equal(build("out of range 576..65535", "peer", K1B64, "mtu", "575", NULL), -EINVAL);
	assert_int_equal(build("not an IPv4 or IPv6", "peer", K1B64, "probe-address", "fe80::1%lo", NULL), -EINVAL);
	assert_int_equal(build("not an IPv4 or IPv6", "peer", K1B64, "probe-address", "010.0.0.1", NULL), -EINVAL);
	assert_int_equal(build("peer 'probe' takes", "peer", K1B64, "probe", "on", NULL), -EINVAL);
	assert_int_equal(build("unknown setting", "listen-port", "1", NULL), -EINVAL);
}

static void test_set_errno_messages(void **state)
{
	(void)state;
	assert_non_null(strstr(wgmtu_set_errno_msg(-22), "EINVAL"));
	assert_non_null(strstr(wgmtu_set_errno_msg(-71), "EPROTO"));
	assert_null(wgmtu_set_errno_msg(-1000));
}

static void test_ifname(void **state)
{
	(void)state;
	assert_true(uapi_ifname_valid("wg0"));
	assert_true(uapi_ifname_valid("abcdefghijklmno"));
	assert_false(uapi_ifname_valid("abcdefghijklmnop"));
	assert_false(uapi_ifname_valid(""));
	assert_false(uapi_ifname_valid(".."));
	assert_false(uapi_ifname_valid("a/b"));
	assert_false(uapi_ifname_valid("a b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_full_reply),
		cmocka_unit_test(test_parse_daemon_errno),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_parse_nul_byte),
		cmocka_unit_test(test_parse_line_limits),
		cmocka_unit_test(test_parse_reply_too_big),
		cmocka_unit_test(test_parse_too_many_peers),
		cmocka_unit_test(test_get_numbers),
		cmocka_unit_test(test_reply_complete),
		cmocka_unit_test(test_base64_keys),
		cmocka_unit_test(test_req_builder),
		cmocka_unit_test(test_set_build),
		cmocka_unit_test(test_set_errno_messages),
		cmocka_unit_test(test_ifname),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
